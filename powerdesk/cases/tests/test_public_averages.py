"""The public page of average actual working days (平均實際處理日數) per kind and works type:
completed cases only, weekends and paused days not counted; an SVG chart and a table with the
same numbers."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
import time_machine

from powerdesk.cases import actions
from powerdesk.core.domain.calendar import TAIPEI

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=TAIPEI)  # 2026-03-02 is a Monday


@pytest.fixture
def clerk(make_staff, centre) -> Any:
    return make_staff("business", centre=centre, username="business.clerk")


def _open(clerk: Any, centre: Any, *, kind: str, works: str = "none", day: int = 2) -> Any:
    attributes = {
        "name_change": {},
        "new_supply": {"capacity_kw": "10", "premises_use": "residential"},
    }[kind]
    with time_machine.travel(at(day), tick=False):
        return actions.case_open(
            actor=clerk,
            kind=kind,
            channel="counter",
            applicant_name="王小明",
            applicant_phone="0912345678",
            address="桃園市中壢區中正路100號",
            works_type=works,
            account_number="12345678901",
            attributes=attributes,
            service_centre=centre,
        )


def _complete(clerk: Any, case: Any, *, day: int) -> Any:
    with time_machine.travel(at(day, 15), tick=False):
        return actions.case_transition(actor=clerk, case=case, state="completed")


@pytest.fixture
def completed(clerk, centre) -> None:
    # name change: 2 and 3 working days → 2.5
    _complete(clerk, _open(clerk, centre, kind="name_change"), day=4)  # Mon → Wed: 2
    _complete(clerk, _open(clerk, centre, kind="name_change"), day=5)  # Mon → Thu: 3
    # new supply, overhead: received Friday, completed the next Tuesday (weekend skipped): 2;
    # another from Monday to Friday with Tuesday to Wednesday waiting for documents: 4 - 2 = 2
    _complete(clerk, _open(clerk, centre, kind="new_supply", works="overhead", day=6), day=10)
    waiting = _open(clerk, centre, kind="new_supply", works="overhead", day=2)
    with time_machine.travel(at(2, 16), tick=False):
        actions.case_pause(
            actor=clerk, case=waiting, reason="documents_missing", missing=["identity"]
        )
    with time_machine.travel(at(5, 8), tick=False):
        waiting = actions.case_resume(actor=clerk, case=waiting)
    _complete(clerk, waiting, day=6)
    # still open: not counted
    _open(clerk, centre, kind="name_change")


def _table(page: str) -> dict[tuple[str, str], tuple[str, str]]:
    rows = re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td data-label="[^"]+">([^<]+)</td>\s*'
        r'<td data-label="[^"]+" data-average="([^"]+)">[^<]+</td>\s*<td data-label="[^"]+">(\d+)</td>',
        page,
    )
    return {(kind, works): (average, count) for kind, works, average, count in rows}


def test_case_averages_view_shows_average_working_days_without_pauses(client, completed) -> None:
    # when
    response = client.get("/en/cases/averages/")
    page = response.content.decode()
    # then: the table
    assert response.status_code == 200
    assert _table(page) == {
        ("New supply", "Overhead works"): ("2.0", "2"),
        ("Name change", "No external works"): ("2.5", "2"),
    }
    # and the chart draws the same numbers, one bar each, longest for the largest average
    values = re.findall(r'<text x="[\d.]+" y="[\d.]+" class="chart__value">([^<]+)</text>', page)
    assert sorted(values) == ["2.0", "2.5"]
    widths = [
        float(w) for w in re.findall(r'width="([\d.]+)" height="[\d.]+" class="chart__bar', page)
    ]
    assert len(widths) == 2
    assert widths[values.index("2.5")] > widths[values.index("2.0")]
    assert 'role="img"' in page


def test_case_averages_view_without_completed_cases(client, clerk, centre) -> None:
    _open(clerk, centre, kind="name_change")
    response = client.get("/en/cases/averages/")
    assert response.status_code == 200
    assert "No applications have been completed yet." in response.content.decode()
    assert (
        "<svg"
        not in response.content.decode()
        .split("<main", 1)[1]
        .split("</main>", 1)[0]
        .replace('class="icon"', "")
        or 'role="img"' not in response.content.decode()
    )
