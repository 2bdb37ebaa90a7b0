from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yamabiko.core"
    label = "yamabiko_core"
    verbose_name = "Yamabiko core"
