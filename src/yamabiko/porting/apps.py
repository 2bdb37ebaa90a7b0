from django.apps import AppConfig


class PortingConfig(AppConfig):
    name = "yamabiko.porting"
    verbose_name = "Import and export"
