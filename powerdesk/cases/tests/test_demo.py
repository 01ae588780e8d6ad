"""The demo cases: every state, every channel, pauses of every reason, overdue and completed
cases with their actual working days, and a consistent SLA clock."""

from __future__ import annotations

import pytest
import time_machine

from powerdesk.cases import demo, selectors, tasks
from powerdesk.cases.domain.sla import PauseReason
from powerdesk.cases.domain.states import CaseState
from powerdesk.cases.models import Case, CasePause
from powerdesk.cases.tests import test_actions_support as support
from powerdesk.customers import demo_load

pytestmark = pytest.mark.django_db

t = support.t


def test_demo_cases_cover_every_state_channel_and_pause() -> None:
    with time_machine.travel(t("2026-03-18T10:00"), tick=False):
        centres = demo_load.demo_centres_load()
        demo_load.demo_staff_load(centres=centres)
        summary = demo.demo_cases(seed=5)
        assert summary.cases == demo.DEMO_CASES
        assert summary.open311_key.startswith("o311_")
        assert selectors.open311_client_for_key(summary.open311_key) is not None
        assert set(Case.objects.values_list("state", flat=True)) == {s.value for s in CaseState}
        assert set(Case.objects.values_list("channel", flat=True)) >= {
            "counter", "web", "phone", "1911", "mail", "fax", "api", "open311",
        }  # fmt: skip
        assert set(CasePause.objects.values_list("reason", flat=True)) == {
            r.value for r in PauseReason
        }
        assert len(set(Case.objects.values_list("service_centre", flat=True))) == len(centres)
        assert Case.objects.filter(is_open=True, due_at__lt=t("2026-03-18T10:00")).exists()
        assert (
            Case.objects.filter(
                completed_at__isnull=False, actual_working_days__isnull=True
            ).count()
            == 0
        )
        assert Case.objects.filter(sla_state="breached", completed_at__isnull=False).exists()
        assert Case.objects.filter(sla_state="met").exists()
        assert selectors.public_average_working_days()
        some = Case.objects.select_related("kind").first()
        assert some is not None
        assert [r.code for r in selectors.response_templates_for(some)] == [
            "documents",
            "in_progress",
        ]
        # The stored clock agrees with a fresh recomputation.
        assert tasks.sla_recompute(warn=False).changed == 0
        # Every public page can be built.
        for case in Case.objects.all()[:40]:
            assert selectors.public_lookup_by_token(case.lookup_token).number == case.number
        assert demo.demo_cases(seed=5).cases == 0  # once only
