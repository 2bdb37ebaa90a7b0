from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "yamabiko.feeds"
    verbose_name = "Feeds"

    def ready(self) -> None:
        from yamabiko.feeds import signals  # noqa: F401 - connects the receivers
