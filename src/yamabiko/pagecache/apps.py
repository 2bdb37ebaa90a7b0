from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "yamabiko.pagecache"
    label = "pagecache"
    verbose_name = "Page cache"

    def ready(self) -> None:
        # Connecting the receivers is the only side effect of loading the app.
        from yamabiko.pagecache import signals

        signals.connect()
