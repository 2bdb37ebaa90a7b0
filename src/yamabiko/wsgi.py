"""WSGI entry point for production servers (`yamabiko serve` uses it)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yamabiko.settings")
application = get_wsgi_application()
