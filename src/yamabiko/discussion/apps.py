from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "yamabiko.discussion"
    verbose_name = "Discussion"
