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
    # each parallel worker gets its own Redis database, counting down from REDIS_URL's.
    _base, _, _db = CACHES["default"]["LOCATION"].rpartition("/")  # noqa: F405
    _number = int(_db) if _db.isdigit() else 0
    CACHES["default"]["LOCATION"] = f"{_base}/{(_number - int(_XDIST_WORKER[2:])) % 16}"  # noqa: F405
