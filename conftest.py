"""Fixtures shared by the whole suite: departments, a service centre, staff per department."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``postgres`` tests need PostgreSQL itself: they run only when DATABASE_URL points at it."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    if on_postgres:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); .ci/run runs these")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def departments(db: None) -> None:
    from powerdesk.staff import actions

    actions.departments_ensure()


@pytest.fixture
def centre(db: None) -> Any:
    from powerdesk.customers.models import ServiceCentre

    return ServiceCentre.objects.create(
        code="ZL",
        name_zh="中壢服務所",
        name_en="Zhongli Service Centre",
        address="桃園市中壢區中正路100號",
        phone="(03)422-0000",
        districts=["中壢區"],
        opening_hours={d: [["08:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    )


@pytest.fixture
def other_centre(db: None) -> Any:
    from powerdesk.customers.models import ServiceCentre

    return ServiceCentre.objects.create(
        code="DY",
        name_zh="大園服務所",
        name_en="Dayuan Service Centre",
        address="桃園市大園區中正東路1號",
        phone="(03)386-0000",
    )


@pytest.fixture
def make_staff(departments: None) -> Callable[..., Any]:
    from powerdesk.staff.models import User

    def make(
        department: str | None,
        *,
        centre: Any = None,
        username: str | None = None,
        supervisor: bool = False,
    ) -> Any:
        name = username or f"{department or 'none'}.{'centre' if centre else 'office'}"
        return User.objects.create_user(
            username=name,
            password="correct horse battery staple",
            department_id=department,
            service_centre=centre,
            is_supervisor=supervisor,
        )

    return make


@pytest.fixture
def clerk(make_staff: Callable[..., Any]) -> Any:
    """A 業務組 clerk who works for the whole office."""
    return make_staff("business", username="business.clerk")


@pytest.fixture
def auditor(make_staff: Callable[..., Any]) -> Any:
    """A 督導室 auditor."""
    return make_staff("inspection", username="inspection.auditor")
