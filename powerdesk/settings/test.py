"""Test settings: the suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is set."""

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
    import os

    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
