"""Local development and the demo: debug off by default, a fixed local secret, embedded SQLite."""

import os

from powerdesk.settings.base import *  # noqa: F403
from powerdesk.settings.base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "powerdesk-demo-only-not-secret-" + "x" * 32
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
