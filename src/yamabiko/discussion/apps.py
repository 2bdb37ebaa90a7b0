from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "yamabiko.discussion"
    verbose_name = "Discussion"

    def ready(self) -> None:
        from yamabiko.discussion import signals  # noqa: F401 - connects the receivers
