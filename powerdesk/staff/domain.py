"""Departments of a district office and what each may do (pure; no Django).

The departments are those named in the office's service-efficiency plan (業務組 … 區處長室).
Capabilities are coarse verbs checked by selectors and actions; a staff member's scope is
their service centre (``None`` = the whole district office).
"""

from __future__ import annotations

from enum import StrEnum


class DepartmentCode(StrEnum):
    BUSINESS = "business"  # 業務組
    BILLING = "billing"  # 電費組
    DESIGN = "design"  # 設計組
    DISPATCH = "dispatch"  # 調度組
    MAINTENANCE = "maintenance"  # 維護組
    WORKS = "works"  # 工務段
    GENERAL_AFFAIRS = "general_affairs"  # 總務組
    HUMAN_RESOURCES = "human_resources"  # 人資組
    INSPECTION = "inspection"  # 督導室
    DIRECTOR = "director"  # 區處長室


DEPARTMENT_NAMES: dict[DepartmentCode, tuple[str, str]] = {
    DepartmentCode.BUSINESS: ("業務組", "Business (customer service) section"),
    DepartmentCode.BILLING: ("電費組", "Billing section"),
    DepartmentCode.DESIGN: ("設計組", "Design section"),
    DepartmentCode.DISPATCH: ("調度組", "Dispatch section"),
    DepartmentCode.MAINTENANCE: ("維護組", "Maintenance section"),
    DepartmentCode.WORKS: ("工務段", "Works division"),
    DepartmentCode.GENERAL_AFFAIRS: ("總務組", "General affairs section"),
    DepartmentCode.HUMAN_RESOURCES: ("人資組", "Human resources section"),
    DepartmentCode.INSPECTION: ("督導室", "Inspection office"),
    DepartmentCode.DIRECTOR: ("區處長室", "District director's office"),
}


class Capability(StrEnum):
    CUSTOMER_VIEW = "customer.view"  # masked customer and account data
    CUSTOMER_VIEW_PERSONAL = "customer.view_personal"  # unmasked names, IDs, phones (audited)
    CUSTOMER_EDIT = "customer.edit"
    ACCOUNT_EDIT = "account.edit"
    ACCOUNT_EDIT_BILLING = "account.edit_billing"  # billing cycle, tax status
    ACCOUNT_EDIT_GRID = "account.edit_grid"  # feeder, load-shedding group
    SERVICE_CENTRE_EDIT = "service_centre.edit"
    AUDIT_VIEW = "audit.view"
    STAFF_MANAGE = "staff.manage"
    CALENDAR_EDIT = "calendar.edit"  # typhoon closures, office calendar import
    # Counter cases (CPS). Working on a case also needs the case's department (or 業務組).
    CASE_VIEW = "case.view"  # see cases of the actor's centre: queues, case page, search
    CASE_INTAKE = "case.intake"  # open cases on behalf of a customer (counter, phone, mail …)
    CASE_WORK = "case.work"  # notes, state changes, pauses, attachments, supply date
    CASE_ASSIGN = "case.assign"  # assign to a person, transfer to another department
    CASE_SUPERVISE = "case.supervise"  # dashboard, overdue list, digests, bulk reassignment
    CATALOGUE_EDIT = "catalogue.edit"  # application kinds, limits, checklists (業務組)
    OPEN311_MANAGE = "open311.manage"  # Open311 partner API keys


_ALL_CUSTOMER = {
    Capability.CUSTOMER_VIEW,
    Capability.CUSTOMER_VIEW_PERSONAL,
    Capability.CUSTOMER_EDIT,
    Capability.ACCOUNT_EDIT,
}

_CASE_WORKER = {Capability.CASE_VIEW, Capability.CASE_WORK, Capability.CASE_ASSIGN}
_CASE_OVERSIGHT = {Capability.CASE_VIEW, Capability.CASE_SUPERVISE}

CAPABILITIES: dict[DepartmentCode, frozenset[Capability]] = {
    DepartmentCode.BUSINESS: frozenset(
        _ALL_CUSTOMER
        | _CASE_WORKER
        | {
            Capability.SERVICE_CENTRE_EDIT,
            Capability.CALENDAR_EDIT,
            Capability.CASE_INTAKE,
            Capability.CASE_SUPERVISE,
            Capability.CATALOGUE_EDIT,
            Capability.OPEN311_MANAGE,
        }
    ),
    DepartmentCode.BILLING: frozenset(
        _ALL_CUSTOMER | _CASE_WORKER | {Capability.ACCOUNT_EDIT_BILLING}
    ),
    DepartmentCode.DESIGN: frozenset({Capability.CUSTOMER_VIEW} | _CASE_WORKER),
    DepartmentCode.DISPATCH: frozenset(
        {Capability.CUSTOMER_VIEW, Capability.ACCOUNT_EDIT_GRID} | _CASE_WORKER
    ),
    DepartmentCode.MAINTENANCE: frozenset(
        {Capability.CUSTOMER_VIEW, Capability.ACCOUNT_EDIT_GRID} | _CASE_WORKER
    ),
    DepartmentCode.WORKS: frozenset({Capability.CUSTOMER_VIEW} | _CASE_WORKER),
    DepartmentCode.GENERAL_AFFAIRS: frozenset({Capability.CALENDAR_EDIT}),
    DepartmentCode.HUMAN_RESOURCES: frozenset({Capability.STAFF_MANAGE}),
    DepartmentCode.INSPECTION: frozenset(
        {Capability.AUDIT_VIEW, Capability.CUSTOMER_VIEW} | _CASE_OVERSIGHT
    ),
    DepartmentCode.DIRECTOR: frozenset(
        {Capability.AUDIT_VIEW, Capability.CUSTOMER_VIEW} | _CASE_OVERSIGHT
    ),
}


def capabilities_for(department: DepartmentCode | str | None) -> frozenset[Capability]:
    """The capabilities a member of ``department`` has (none without a department)."""
    if department is None or department == "":
        return frozenset()
    return CAPABILITIES[DepartmentCode(department)]


def may(
    capability: Capability,
    *,
    department: DepartmentCode | str | None,
    actor_centre: str | None,
    target_centre: str | None,
) -> bool:
    """Whether a member of ``department`` working at ``actor_centre`` may do ``capability`` to an
    object of ``target_centre``. Office-wide staff (``actor_centre is None``) reach every centre;
    centre staff reach their own centre and objects not tied to a centre."""
    if capability not in capabilities_for(department):
        return False
    return actor_centre is None or target_centre is None or actor_centre == target_centre
