from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "yamabiko.search"
    verbose_name = "Search"

    def ready(self) -> None:
        # Connecting the handlers is the only side effect of loading the app.
        from yamabiko.search import signals

        signals.connect()
