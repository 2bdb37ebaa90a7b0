"""The one Django settings module, built from the typed configuration in config.py."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import dj_database_url

from yamabiko.config import get_config
from yamabiko.core.csp import content_security_policy

CONFIG = get_config()

BASE_DIR = CONFIG.data_dir
SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)
YAMABIKO_SITE_URL = CONFIG.site_url
YAMABIKO_DATA_DIR = CONFIG.data_dir
YAMABIKO_REDIS_URL = CONFIG.redis_url
YAMABIKO_OUTBOUND_ALLOW = CONFIG.outbound_allow
YAMABIKO_TRUSTED_PROXIES = CONFIG.trusted_proxies
YAMABIKO_PAGE_CACHE = CONFIG.page_cache
YAMABIKO_PAGE_MIRROR = CONFIG.page_mirror

INSTALLED_APPS = [
    "yamabiko.core",
    "yamabiko.posts",
    "yamabiko.discussion",
    "yamabiko.search",
    "yamabiko.feeds",
    "yamabiko.porting",
    "yamabiko.pagecache",
    # Before the admin, whose admin/base_site.html it extends with a link.
    "yamabiko.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # Outermost, so the page cache stores the answer exactly as it leaves Django.
    "yamabiko.pagecache.middleware.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # Inside the page cache, so a stored page keeps the policy naming its own nonce, and
    # inside ConditionalGet, so a 304 names none that its reader's copy does not carry.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "yamabiko.feeds.middleware.HttpCachingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The device that gave this session's second factor, then the hold until it is given.
    "django_otp.middleware.OTPMiddleware",
    "yamabiko.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "yamabiko.posts.middleware.BlogMiddleware",
    "yamabiko.posts.middleware.RedirectFallbackMiddleware",
    "yamabiko.discussion.advertise.LinkbackAdvertisingMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

# Admin logins: after 5 failures from one reader's address, or for one user name from
# anywhere, further attempts are refused (429) for an hour; a success clears the count.
# Attempts are rows in the database, so every process and app server counts together.
# Unlock early with `yamabiko manage axes_reset` (or axes_reset_username USER).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
# The reader's address as the rate limits see it (YAMABIKO_TRUSTED_PROXIES included).
# A request without a usable address (Django's test client logging in) gives None, which
# axes stores as NULL: an address column (inet on PostgreSQL) cannot hold a placeholder.
AXES_CLIENT_IP_CALLABLE = "yamabiko.core.ratelimit.client_ip"

# Two-factor login (optional per author, docs/security.md). Authenticator apps list the
# account under the site's host name. Superusers may see devices in the admin, but not
# their secrets or recovery codes.
OTP_TOTP_ISSUER = urlsplit(CONFIG.site_url).hostname or "Yamabiko"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

ROOT_URLCONF = "yamabiko.urls"
WSGI_APPLICATION = "yamabiko.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yamabiko.posts.context_processors.blog",
            ],
        },
    },
]


def database_settings(url: str) -> dict[str, Any]:
    # Connections are kept between requests: opening one (and, on SQLite, running its
    # PRAGMAs) cost more than everything else a page cache hit does (profiled: 2 of 3 ms).
    database: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=600))
    database["CONN_HEALTH_CHECKS"] = True
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers proceed during a write; IMMEDIATE transactions plus the busy
        # timeout make concurrent writers queue up instead of failing with "locked".
        database["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return database


DATABASES = {"default": database_settings(CONFIG.database_url)}
# Read replicas, "replica1", "replica2", …; in tests each mirrors the test database.
DATABASES |= {
    f"replica{n}": database_settings(url) | {"TEST": {"MIRROR": "default"}}
    for n, url in enumerate(CONFIG.database_replicas, start=1)
}
DATABASE_ROUTERS = ["yamabiko.core.replicas.ReplicaRouter"] if CONFIG.database_replicas else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Cached pages must be shared by every process that serves them: files in the data dir on
# one machine, Redis across machines. A day's timeout bounds what no generation tracks:
# the age of the comment form's token (valid for a week) and the day in page ETags.
PAGE_CACHE_TIMEOUT = 24 * 3600
if CONFIG.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CONFIG.redis_url,
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CONFIG.redis_url,
            "KEY_PREFIX": "pages",
            "TIMEOUT": PAGE_CACHE_TIMEOUT,
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(CONFIG.data_dir / "cache" / "pages"),
            "TIMEOUT": PAGE_CACHE_TIMEOUT,
            # Pages of past generations are never read again; culling removes them.
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        },
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The blog's own timezone and language live in the Blog record and are activated per
# request by BlogMiddleware; these are only the defaults for code outside a request.
LANGUAGE_CODE = "en"
# Every language a blog may be written in (Blog.language); the interface itself speaks
# those in INTERFACE_LANGUAGES and falls back to English for the others (docs: Languages).
LANGUAGES = [("en", "English"), ("ja", "日本語"), ("ko", "한국어"), ("zh-hans", "中文")]
YAMABIKO_INTERFACE_LANGUAGES = ("en", "ja")
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = CONFIG.data_dir / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up about a missing one
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = CONFIG.data_dir / "media"
MEDIA_URL = "media/"
# In a checkout and in tests the static files are served from the apps themselves.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_SECURE = CONFIG.site_is_https
CSRF_COOKIE_SECURE = CONFIG.site_is_https
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts run only with the response's nonce; docs/security.md explains the policy.
SECURE_CSP = content_security_policy(https=CONFIG.site_is_https)
if CONFIG.site_is_https:
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [CONFIG.site_url]


def mailer_settings(url: str) -> dict[str, Any]:
    """Django's default mailer from one URL: console: or smtp(s)://user:pass@host:port."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    secure = parts.scheme == "smtps"
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": parts.hostname or "localhost",
            "port": parts.port or (465 if secure else 587),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_ssl": secure,
            "use_tls": not secure and parts.port != 25,
            "timeout": 20,
        },
    }


MAILERS = {"default": mailer_settings(CONFIG.email_url)}
DEFAULT_FROM_EMAIL = CONFIG.email_from
SERVER_EMAIL = CONFIG.email_from

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"yamabiko": {"level": "INFO"}},
}
