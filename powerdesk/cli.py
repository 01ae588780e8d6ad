"""The ``powerdesk`` command: every Django management command, plus powerdesk's own
(serve, worker, demo, token, calendar_import …). ``python -m powerdesk`` is the same."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powerdesk.settings.dev")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["powerdesk", *args])


if __name__ == "__main__":
    main()
