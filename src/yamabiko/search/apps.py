from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "yamabiko.search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # Connecting the handlers is the only side effect of loading the app.
        from yamabiko.search import signals

        signals.connect()
