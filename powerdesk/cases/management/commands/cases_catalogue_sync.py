"""``powerdesk cases_catalogue_sync [--path FILE]``: apply the catalogue file to the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from powerdesk.cases import actions
from powerdesk.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Bring the application kinds in line with the catalogue file (a changed kind gets a new "
        "version; kinds missing from the file are deactivated); creates missing notification "
        "templates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, default=None, help="Catalogue TOML file.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = actions.catalogue_sync(actor=None, path=options["path"])
        except ApplicationError as error:
            self.stderr.write(f"{error.text('zh-hant')}\n{error.text('en')}")
            raise SystemExit(2) from error
        templates = actions.notification_templates_ensure()
        self.stdout.write(
            f"created {len(result.created)}, updated {len(result.updated)}, "
            f"unchanged {len(result.unchanged)}, deactivated {len(result.deactivated)} kinds; "
            f"{templates} notification templates added"
        )
