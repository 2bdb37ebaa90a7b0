from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionConfig(AppConfig):
    name = "yamabiko.discussion"
    verbose_name = _("Discussion")

    def ready(self) -> None:
        from yamabiko.discussion import signals  # noqa: F401 - connects the receivers
