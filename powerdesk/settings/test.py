"""Test settings: the suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is set."""

import os

from powerdesk.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "powerdesk-test-secret-" + "t" * 40
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
AXES_ENABLED = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file (not :memory:) so worker subprocesses in the reliability tests share it; one per
    # test process so that parallel runs never collide.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405

_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, … under pytest-xdist
if _XDIST_WORKER.startswith("gw") and CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    # Tests clear the cache (FLUSHDB), which would end the sessions of another worker's tests:
    # each parallel worker gets its own Redis database, counting down from REDIS_URL's
    # (redis://host:port/15 → 15, 14, …), which must name one high enough.
    from urllib.parse import urlsplit, urlunsplit

    from django.core.exceptions import ImproperlyConfigured

    _url = urlsplit(CACHES["default"]["LOCATION"])  # noqa: F405
    _db = _url.path.strip("/")
    _number = int(_db) - int(_XDIST_WORKER[2:]) if _db.isdigit() else -1
    if _url.scheme not in ("redis", "rediss") or _number < 0:
        raise ImproperlyConfigured(
            "Parallel tests give each worker its own Redis database, counting down from "
            "REDIS_URL's: use a redis:// URL ending in a database number at least as large as "
            "the number of workers less one (e.g. redis://127.0.0.1:6379/15), or TEST_WORKERS=0."
        )
    CACHES["default"]["LOCATION"] = urlunsplit(_url._replace(path=f"/{_number}"))  # noqa: F405
