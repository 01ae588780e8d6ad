"""Department capabilities and centre scope (pure)."""

from __future__ import annotations

import pytest

from powerdesk.staff.domain import CAPABILITIES, Capability, DepartmentCode, capabilities_for, may


def test_every_department_of_the_plan_has_capabilities() -> None:
    assert set(CAPABILITIES) == set(DepartmentCode)
    assert len(DepartmentCode) == 10


@pytest.mark.parametrize(
    ("_case", "department", "capability", "expected"),
    [
        ("business edits customers", "business", Capability.CUSTOMER_EDIT, True),
        ("billing edits billing fields", "billing", Capability.ACCOUNT_EDIT_BILLING, True),
        ("design only views", "design", Capability.CUSTOMER_EDIT, False),
        ("design cannot see personal data", "design", Capability.CUSTOMER_VIEW_PERSONAL, False),
        ("inspection reads the audit log", "inspection", Capability.AUDIT_VIEW, True),
        ("business cannot read the audit log", "business", Capability.AUDIT_VIEW, False),
        ("hr manages staff", "human_resources", Capability.STAFF_MANAGE, True),
        ("hr cannot see customers", "human_resources", Capability.CUSTOMER_VIEW, False),
        ("no department, nothing", None, Capability.CUSTOMER_VIEW, False),
        ("empty department, nothing", "", Capability.CUSTOMER_VIEW, False),
    ],
)
def test_capabilities(
    _case: str, department: str | None, capability: Capability, expected: bool
) -> None:
    assert (capability in capabilities_for(department)) is expected


@pytest.mark.parametrize(
    ("_case", "actor_centre", "target_centre", "expected"),
    [
        ("office-wide reaches any centre", None, "7", True),
        ("same centre", "7", "7", True),
        ("other centre", "7", "8", False),
        ("object without centre", "7", None, True),
    ],
)
def test_centre_scope(
    _case: str, actor_centre: str | None, target_centre: str | None, expected: bool
) -> None:
    assert (
        may(
            Capability.CUSTOMER_VIEW,
            department="business",
            actor_centre=actor_centre,
            target_centre=target_centre,
        )
        is expected
    )


def test_unknown_department_is_an_error() -> None:
    with pytest.raises(ValueError):
        capabilities_for("accounting")
