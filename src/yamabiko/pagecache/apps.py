from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PageCacheConfig(AppConfig):
    name = "yamabiko.pagecache"
    label = "pagecache"
    verbose_name = _("Page cache")

    def ready(self) -> None:
        # Connecting the receivers is the only side effect of loading the app.
        from yamabiko.pagecache import signals

        signals.connect()
