from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from powerdesk.core import actions
from powerdesk.core.errors import InvalidInputError


class Command(BaseCommand):
    help = "Import a government office calendar (DGPA CSV, UTF-8 or Big5) or a powerdesk override file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--language", choices=["zh-hant", "en"], default="zh-hant")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
        try:
            count = actions.calendar_import(actor=None, raw=raw, source_name=path.name)
        except InvalidInputError as error:
            raise CommandError(
                error.problems[0].message.in_language(options["language"])
            ) from error
        self.stdout.write(f"imported {count} calendar day(s) from {path.name}")
