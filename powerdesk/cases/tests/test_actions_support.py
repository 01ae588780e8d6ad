"""Fixtures and helpers shared by the case tests (imported by test_actions/selectors/tasks).

The catalogue and the case_progress notification templates are seeded by the cases data
migrations, so every test database has them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from powerdesk.cases import actions
from powerdesk.cases.models import Case
from powerdesk.core.domain.calendar import TAIPEI


def t(text: str) -> datetime:
    """An Asia/Taipei instant from ``YYYY-MM-DDTHH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=TAIPEI)


@pytest.fixture
def attachment_root(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "attachments"
    with override_settings(POWERDESK_CASE_ATTACHMENT_DIR=str(folder)):
        yield folder


@pytest.fixture
def clerk(make_staff: Callable[..., Any], centre: Any) -> Any:
    """業務組 counter clerk of centre ZL."""
    return make_staff("business", centre=centre, username="clerk.zl")


@pytest.fixture
def open_case(clerk: Any, centre: Any) -> Callable[..., Case]:
    """Open a counter case (a name change unless told otherwise)."""

    def make(**overrides: Any) -> Case:
        values: dict[str, Any] = {
            "actor": clerk,
            "kind": "name_change",
            "channel": "counter",
            "applicant_name": "王小明",
            "applicant_phone": "0912-345-678",
            "applicant_email": "ming@example.tw",
            "address": "桃園市中壢區中正路100號",
            "attributes": {"account_number": "01234567895"},
            "service_centre": centre,
        }
        values.update(overrides)
        return actions.case_open(**values)

    return make


def new_supply_attributes() -> dict[str, Any]:
    return {"capacity_kw": "12", "premises_use": "residential"}
