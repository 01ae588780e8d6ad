"""Settings shared by every environment; everything that differs comes from environment variables.

Variables (see README.md, "Configuration"):
POWERDESK_DATA_DIR, DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS,
POWERDESK_EMAIL_URL pieces (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
EMAIL_USE_TLS, DEFAULT_FROM_EMAIL), POWERDESK_TIME_ZONE.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("POWERDESK_DATA_DIR", "var")).resolve()


def env_bool(name: str, *, default: bool) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, *, default: str = "") -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_settings(*, data_dir: Path) -> dict[str, Any]:
    """SQLite under the data directory by default; ``DATABASE_URL`` switches to PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url.startswith("sqlite:"):
        data_dir = Path(url.split(":///", 1)[1]).parent
        name = Path(url.split(":///", 1)[1])
    elif url:
        import dj_database_url

        config: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        )
        if config["ENGINE"] == "django.db.backends.postgresql":
            options = config.setdefault("OPTIONS", {})
            # Django's cursors bind parameters on the client and never prepare; only the hot
            # public lookups (``cases.selectors._public_rows``) use a server-binding cursor that
            # prepares its one statement per connection. Set DATABASE_PREPARED_STATEMENTS=false
            # behind a transaction-mode pooler that cannot keep prepared statements.
            if env_bool("DATABASE_PREPARED_STATEMENTS", default=True):
                options.setdefault("prepare_threshold", 1)
        return config
    else:
        name = data_dir / "powerdesk.sqlite3"
    data_dir.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        "OPTIONS": {
            # IMMEDIATE: take the write lock at BEGIN so read-then-write transactions do not
            # fail with "database is locked" when they upgrade (docs/architecture.md).
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA temp_store=MEMORY;"
                "PRAGMA mmap_size=134217728;"
                "PRAGMA cache_size=-65536;"
            ),
        },
        "TEST": {"NAME": str(data_dir / "test.sqlite3")},
    }


def cache_settings() -> dict[str, Any]:
    """Local memory by default; ``REDIS_URL`` moves the cache (rate limits, sessions) to Redis."""
    url = os.environ.get("REDIS_URL", "").strip()
    if url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "powerdesk",
            }
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "powerdesk",
        }
    }


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default="127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",
    "powerdesk.core",
    "powerdesk.staff",
    "powerdesk.customers",
    "powerdesk.notifications",
    "powerdesk.tariffs",
    "powerdesk.cases",
    "powerdesk.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "powerdesk.core.middleware.ApiLanguageMiddleware",
    "powerdesk.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "powerdesk.urls"
WSGI_APPLICATION = "powerdesk.wsgi.application"
ASGI_APPLICATION = "powerdesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "powerdesk.web.context_processors.site",
            ],
        },
    }
]

DATABASES = {"default": database_settings(data_dir=DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = cache_settings()
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cache"
    if os.environ.get("REDIS_URL")
    else "django.contrib.sessions.backends.db"
)

AUTH_USER_MODEL = "staff.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "web:home"

# django-axes: lock a username+IP pair after 5 failures for 15 minutes (ASVS 2.2.1).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "staff/locked_out.html"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("POWERDESK_PROXY_COUNT", "0"))

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "powerdesk_language"
LANGUAGE_COOKIE_SECURE = False
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("POWERDESK_TIME_ZONE", "Asia/Taipei")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "media"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Content-Security-Policy (Django's own middleware): no inline script or style anywhere.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_COOKIE_SAMESITE = "Lax"

# E-mail through Django 6.1's MAILERS (SMTP; TLS and auth from the environment).
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "127.0.0.1"),
            "port": int(os.environ.get("EMAIL_PORT", "1025")),
            "username": os.environ.get("EMAIL_HOST_USER", "") or None,
            "password": os.environ.get("EMAIL_HOST_PASSWORD", "") or None,
            "use_tls": env_bool("EMAIL_USE_TLS", default=False),
            "use_ssl": env_bool("EMAIL_USE_SSL", default=False),
            "timeout": 20,
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "powerdesk@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Django's tasks framework with powerdesk's own lease-based database backend (docs/architecture.md).
TASKS = {
    "default": {
        "BACKEND": "powerdesk.core.task_backend.DatabaseBackend",
        "QUEUES": ["default", "bulk", "notifications"],
        "OPTIONS": {
            "lease_seconds": int(os.environ.get("POWERDESK_TASK_LEASE_SECONDS", "300")),
            "max_attempts": 5,
        },
    }
}

POWERDESK = {
    "SITE_NAME": _("powerdesk"),
    "OFFICE_NAME": _("Taoyuan District Office"),
    # Public case lookups (powerdesk.cases.limits): API and pages per client address, and the
    # failed lookups of one case number from anywhere (the guesses at its second factor)
    "PUBLIC_LOOKUP_RATE": os.environ.get("POWERDESK_PUBLIC_LOOKUP_RATE", "20/h"),
    "PAGE_LOOKUP_RATE": os.environ.get("POWERDESK_PAGE_LOOKUP_RATE", "60/10m"),
    "LOOKUP_FAILURE_RATE": os.environ.get("POWERDESK_LOOKUP_FAILURE_RATE", "10/h"),
    # Open311 GeoReport v2 (/open311/v2/): requests per client address, and our jurisdiction id
    "OPEN311_RATE": os.environ.get("POWERDESK_OPEN311_RATE", "300/m"),
    "OPEN311_JURISDICTION": os.environ.get(
        "POWERDESK_OPEN311_JURISDICTION", "taoyuan.taipower.example"
    ),
}

# Case attachments live outside the web root and are served only through a permission check.
POWERDESK_CASE_ATTACHMENT_DIR = DATA_DIR / "case_attachments"
POWERDESK_CASE_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("POWERDESK_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

from powerdesk.notifications.conf import settings_from_environment  # noqa: E402

POWERDESK_NOTIFICATIONS = settings_from_environment()

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
