from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedsConfig(AppConfig):
    name = "yamabiko.feeds"
    verbose_name = _("Feeds")

    def ready(self) -> None:
        from yamabiko.feeds import signals  # noqa: F401 - connects the receivers
