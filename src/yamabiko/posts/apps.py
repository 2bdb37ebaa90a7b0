from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "yamabiko.posts"
    verbose_name = "Blog"
