"""Case states, the transitions between them and how each is shown to the public (pure).

A case moves through the states of the office's counter process (CPS). Each state has a staff
label, a public label (what the progress lookup and the receipt's QR page show), whether it
appears on the public timeline as its own step, the Open311 status it maps to (GeoReport v2 has
only ``open`` and ``closed``) with a default ``status_notes``, and, for the waiting states,
the pause reason that stops the SLA clock while the case is in it.

Internal states (``public=False``) are shown to the public with the label of the public step
they belong to, so a customer never sees a back-office detail such as an internal review.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from powerdesk.cases.domain.sla import PauseReason
from powerdesk.core.domain.errors import DomainError, Message

__all__ = [
    "STATES",
    "TRANSITIONS",
    "CaseState",
    "Open311Status",
    "StateInfo",
    "TransitionError",
    "allowed_transitions",
    "check_transition",
    "is_terminal",
    "state_info",
]


class CaseState(StrEnum):
    RECEIVED = "received"  # 已受理
    IN_REVIEW = "in_review"  # 審查中（內部）
    AWAITING_DOCUMENTS = "awaiting_documents"  # 待補件
    AWAITING_PAYMENT = "awaiting_payment"  # 待繳費
    AWAITING_PERMIT = "awaiting_permit"  # 路權申請中
    SCHEDULED = "scheduled"  # 已約定供電（施工）日期
    IN_WORKS = "in_works"  # 施工中
    COMPLETED = "completed"  # 已完成（送電／辦竣）
    CLOSED = "closed"  # 已結案
    CANCELLED = "cancelled"  # 已撤銷
    TRANSFERRED = "transferred"  # 已移轉他單位


class Open311Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class StateInfo:
    state: CaseState
    label: Message  # staff label
    public_label: Message  # what the public sees
    public: bool  # shown as its own step on the public timeline
    open311_status: Open311Status
    status_notes: Message  # default Open311 status_notes / public explanation
    terminal: bool
    pause_reason: PauseReason | None = None


def _info(
    state: CaseState,
    *,
    label: tuple[str, str],
    notes: tuple[str, str],
    public_label: tuple[str, str] | None = None,
    public: bool = True,
    closed: bool = False,
    terminal: bool = False,
    pause: PauseReason | None = None,
) -> StateInfo:
    staff = Message(zh_hant=label[0], en=label[1])
    return StateInfo(
        state=state,
        label=staff,
        public_label=Message(zh_hant=public_label[0], en=public_label[1])
        if public_label
        else staff,
        public=public,
        open311_status=Open311Status.CLOSED if closed else Open311Status.OPEN,
        status_notes=Message(zh_hant=notes[0], en=notes[1]),
        terminal=terminal,
        pause_reason=pause,
    )


STATES: Final[dict[CaseState, StateInfo]] = {
    info.state: info
    for info in (
        _info(
            CaseState.RECEIVED,
            label=("已受理", "Received"),
            notes=(
                "案件已受理，將依標準處理時限辦理。",
                "Received; it will be handled within the standard time.",
            ),
        ),
        _info(
            CaseState.IN_REVIEW,
            label=("審查中", "In review"),
            public_label=("處理中", "Being processed"),
            public=False,
            notes=("案件處理中。", "Being processed."),
        ),
        _info(
            CaseState.AWAITING_DOCUMENTS,
            label=("待補件", "Awaiting documents"),
            notes=(
                "請依一次告知清單補齊文件；補件期間不計入處理時限。",
                "Please send the documents on the checklist; the time limit is paused meanwhile.",
            ),
            pause=PauseReason.DOCUMENTS_MISSING,
        ),
        _info(
            CaseState.AWAITING_PAYMENT,
            label=("待繳費", "Awaiting payment"),
            notes=(
                "請繳交通知之費用；繳費前不計入處理時限。",
                "Please pay the charges notified; the time limit is paused until payment.",
            ),
            pause=PauseReason.CUSTOMER_REQUEST,
        ),
        _info(
            CaseState.AWAITING_PERMIT,
            label=("路權申請中", "Awaiting road-dig permit"),
            notes=(
                "已向主管機關申請道路挖掘許可；等候期間不計入處理時限。",
                "A road-dig permit has been requested; the wait does not count towards the time limit.",
            ),
            pause=PauseReason.ROAD_PERMIT,
        ),
        _info(
            CaseState.SCHEDULED,
            label=("已約定供電日期", "Supply date agreed"),
            notes=("已與您約定供電日期。", "A supply date has been agreed with you."),
        ),
        _info(
            CaseState.IN_WORKS,
            label=("施工中", "Works in progress"),
            notes=("外線工程施工中。", "External works are in progress."),
        ),
        _info(
            CaseState.COMPLETED,
            label=("已完成", "Completed"),
            notes=("已辦理完成。", "Completed."),
            closed=True,
        ),
        _info(
            CaseState.CLOSED,
            label=("已結案", "Closed"),
            notes=("已結案。", "Closed."),
            closed=True,
            terminal=True,
        ),
        _info(
            CaseState.CANCELLED,
            label=("已撤銷", "Cancelled"),
            notes=("案件已撤銷。", "The application was withdrawn or cancelled."),
            closed=True,
            terminal=True,
        ),
        _info(
            CaseState.TRANSFERRED,
            label=("已移轉他單位", "Transferred"),
            notes=(
                "案件已移轉其他單位辦理。",
                "The case was transferred to another office for handling.",
            ),
            closed=True,
            terminal=True,
        ),
    )
}

_ACTIVE: Final = (
    CaseState.AWAITING_DOCUMENTS,
    CaseState.CANCELLED,
    CaseState.TRANSFERRED,
)

TRANSITIONS: Final[dict[CaseState, frozenset[CaseState]]] = {
    CaseState.RECEIVED: frozenset({CaseState.IN_REVIEW, CaseState.COMPLETED, *_ACTIVE}),
    CaseState.IN_REVIEW: frozenset(
        {
            CaseState.AWAITING_PAYMENT,
            CaseState.AWAITING_PERMIT,
            CaseState.SCHEDULED,
            CaseState.IN_WORKS,
            CaseState.COMPLETED,
            *_ACTIVE,
        }
    ),
    CaseState.AWAITING_DOCUMENTS: frozenset(
        {CaseState.IN_REVIEW, CaseState.CANCELLED, CaseState.TRANSFERRED}
    ),
    CaseState.AWAITING_PAYMENT: frozenset(
        {CaseState.IN_REVIEW, CaseState.SCHEDULED, CaseState.IN_WORKS, CaseState.CANCELLED}
    ),
    CaseState.AWAITING_PERMIT: frozenset(
        {CaseState.SCHEDULED, CaseState.IN_WORKS, CaseState.CANCELLED}
    ),
    CaseState.SCHEDULED: frozenset(
        {
            CaseState.IN_WORKS,
            CaseState.AWAITING_PERMIT,
            CaseState.COMPLETED,
            CaseState.CANCELLED,
        }
    ),
    CaseState.IN_WORKS: frozenset(
        {CaseState.AWAITING_PERMIT, CaseState.COMPLETED, CaseState.CANCELLED}
    ),
    CaseState.COMPLETED: frozenset({CaseState.CLOSED}),
    CaseState.CLOSED: frozenset(),
    CaseState.CANCELLED: frozenset(),
    CaseState.TRANSFERRED: frozenset(),
}
"""Allowed moves. Cancelling is possible until completion; a completed case can only close."""


class TransitionError(DomainError):
    """A state change the process does not allow."""


def state_info(state: CaseState | str) -> StateInfo:
    """What is known about ``state``; an unknown value raises ``TransitionError``."""
    try:
        return STATES[CaseState(state)]
    except ValueError:
        raise TransitionError(
            code="case_state.unknown",
            zh_hant=f"沒有案件狀態「{state}」。",
            en=f"There is no case state {state!r}.",
            field="state",
        ) from None


def allowed_transitions(state: CaseState | str) -> frozenset[CaseState]:
    """The states a case in ``state`` may move to."""
    return TRANSITIONS[state_info(state).state]


def is_terminal(state: CaseState | str) -> bool:
    return state_info(state).terminal


def check_transition(current: CaseState | str, target: CaseState | str) -> CaseState:
    """Return ``target`` as a state if the move from ``current`` is allowed, else raise."""
    source, goal = state_info(current), state_info(target)
    allowed = TRANSITIONS[source.state]
    if goal.state in allowed:
        return goal.state
    order = list(CaseState)
    options = sorted(allowed, key=order.index)
    options_zh = "、".join(STATES[item].label.zh_hant for item in options) or "（無，已終結）"
    options_en = ", ".join(STATES[item].label.en for item in options) or "none (final state)"
    raise TransitionError(
        code="case_state.transition",
        zh_hant=f"案件不能從「{source.label.zh_hant}」改為「{goal.label.zh_hant}」；可改為：{options_zh}。",
        en=f"A case cannot move from {source.label.en!r} to {goal.label.en!r}; allowed: {options_en}.",
        field="state",
        details={"from": source.state.value, "to": goal.state.value},
    )
