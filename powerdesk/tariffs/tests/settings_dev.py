"""Test settings with the tariffs app installed, for use until the lead registers it.

Run: ``.venv/bin/pytest --ds=powerdesk.tariffs.tests.settings_dev powerdesk/tariffs/tests/…``.
After integration (INSTALLED_APPS, the API router and the URL include) the default test settings
run the same tests and this module and ``urls_dev`` can go.
"""

from powerdesk.settings.test import *  # noqa: F403

if "powerdesk.tariffs" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "powerdesk.tariffs"]  # noqa: F405
ROOT_URLCONF = "powerdesk.tariffs.tests.urls_dev"
