"""Seed the catalogue of application kinds from ``powerdesk/cases/data/catalogue.toml``.

Later changes to the file are applied with ``powerdesk cases_catalogue_sync`` (new version per
changed kind, audited); edits by 業務組 go through ``actions.catalogue_kind_update``.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone


def forwards(apps: Any, schema_editor: Any) -> None:
    from powerdesk.cases.domain.catalogue import load_catalogue
    from powerdesk.cases.models import kind_row_fields

    case_kind = apps.get_model("cases", "CaseKind")
    now = timezone.now()
    for position, kind in enumerate(load_catalogue(), start=1):
        if case_kind.objects.filter(code=kind.code).exists():
            continue
        case_kind.objects.create(
            code=kind.code, updated_at=now, **kind_row_fields(kind, position=position)
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_notification_templates")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
