from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yamabiko.core"
    label = "yamabiko_core"
    verbose_name = "Yamabiko core"

    def ready(self) -> None:
        from yamabiko.core.checks import register_checks

        register_checks()
