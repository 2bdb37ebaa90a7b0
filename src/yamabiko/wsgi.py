"""WSGI entry point for production servers (`yamabiko serve` uses it)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yamabiko.settings")
django_application = get_wsgi_application()  # sets Django up: models load after this

# Page cache hits are answered in front of Django (see yamabiko/pagecache/wsgi.py).
from yamabiko.pagecache.wsgi import PageCacheApplication  # noqa: E402

application = PageCacheApplication(django_application)
