from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "yamabiko.core"
    label = "yamabiko_core"
    verbose_name = _("Yamabiko core")

    def ready(self) -> None:
        from yamabiko.core.checks import register_checks

        register_checks()
