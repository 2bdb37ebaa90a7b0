from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "yamabiko.posts"
    verbose_name = _("Blog")
