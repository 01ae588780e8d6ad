"""Production: every secret from the environment, HTTPS only, PostgreSQL and Redis expected.

``manage.py check --deploy --settings=powerdesk.settings.production`` must be clean; see
docs/architecture.md ("Deployment checks") for each setting.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from powerdesk.settings.base import *  # noqa: F403
from powerdesk.settings.base import env_bool, env_list

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the host names the site answers to.")

SECURE_SSL_REDIRECT = env_bool("POWERDESK_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("POWERDESK_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("POWERDESK_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
MAILERS["default"]["OPTIONS"]["use_tls"] = env_bool("EMAIL_USE_TLS", default=True)  # type: ignore[index]  # noqa: F405
