"""Tests of case states and transitions (pure; no database)."""

from __future__ import annotations

import pytest

from powerdesk.cases.domain.sla import PauseReason
from powerdesk.cases.domain.states import (
    STATES,
    TRANSITIONS,
    CaseState,
    Open311Status,
    TransitionError,
    allowed_transitions,
    check_transition,
    is_terminal,
    state_info,
)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (CaseState.RECEIVED, CaseState.IN_REVIEW),
        (CaseState.RECEIVED, CaseState.COMPLETED),  # done at the counter (e.g. 更名)
        (CaseState.IN_REVIEW, CaseState.AWAITING_DOCUMENTS),
        (CaseState.AWAITING_DOCUMENTS, CaseState.IN_REVIEW),
        (CaseState.IN_REVIEW, CaseState.AWAITING_PAYMENT),
        (CaseState.AWAITING_PAYMENT, CaseState.SCHEDULED),
        (CaseState.SCHEDULED, CaseState.AWAITING_PERMIT),
        (CaseState.AWAITING_PERMIT, CaseState.IN_WORKS),
        (CaseState.IN_WORKS, CaseState.COMPLETED),
        (CaseState.COMPLETED, CaseState.CLOSED),
        (CaseState.RECEIVED, CaseState.TRANSFERRED),
        (CaseState.SCHEDULED, CaseState.CANCELLED),
    ],
)
def test_allowed_transitions(current, target):
    assert check_transition(current, target) is target
    assert check_transition(current.value, target.value) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (CaseState.CLOSED, CaseState.IN_REVIEW),
        (CaseState.COMPLETED, CaseState.IN_WORKS),
        (CaseState.CANCELLED, CaseState.RECEIVED),
        (CaseState.RECEIVED, CaseState.IN_WORKS),
        (CaseState.AWAITING_DOCUMENTS, CaseState.COMPLETED),
        (CaseState.IN_WORKS, CaseState.IN_WORKS),
    ],
)
def test_refused_transitions_are_bilingual_and_list_the_options(current, target):
    # when
    with pytest.raises(TransitionError) as caught:
        check_transition(current, target)
    # then
    error = caught.value
    assert error.code == "case_state.transition"
    assert error.field == "state"
    assert error.details == {"from": current.value, "to": target.value}
    assert STATES[current].label.zh_hant in error.message.zh_hant
    assert STATES[target].label.en in error.message.en


def test_refusal_from_a_final_state_says_so():
    with pytest.raises(TransitionError) as caught:
        check_transition(CaseState.CLOSED, CaseState.RECEIVED)
    assert "已終結" in caught.value.message.zh_hant
    assert "none (final state)" in caught.value.message.en


def test_unknown_state():
    with pytest.raises(TransitionError) as caught:
        check_transition("lost", CaseState.CLOSED)
    assert caught.value.code == "case_state.unknown"


def test_every_state_has_a_complete_description():
    assert set(STATES) == set(CaseState) == set(TRANSITIONS)
    for state, info in STATES.items():
        assert info.state is state
        assert info.label.zh_hant
        assert info.label.en
        assert info.public_label.zh_hant
        assert info.public_label.en
        assert info.status_notes.zh_hant
        assert info.status_notes.en
        # a final state has no way out, and every way out leads to a known state
        assert info.terminal == (not TRANSITIONS[state])


def test_every_state_is_reachable_from_received():
    seen, todo = {CaseState.RECEIVED}, [CaseState.RECEIVED]
    while todo:
        for nxt in allowed_transitions(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(CaseState)


def test_open311_status_and_public_labels():
    # then: only finished cases are "closed" for Open311
    closed = {
        state for state, info in STATES.items() if info.open311_status is Open311Status.CLOSED
    }
    assert closed == {
        CaseState.COMPLETED,
        CaseState.CLOSED,
        CaseState.CANCELLED,
        CaseState.TRANSFERRED,
    }
    # the internal review is shown to the public as "being processed"
    review = state_info(CaseState.IN_REVIEW)
    assert not review.public
    assert review.public_label.zh_hant == "處理中"
    assert review.label.zh_hant == "審查中"
    assert state_info("scheduled").public_label.en == "Supply date agreed"


def test_waiting_states_pause_the_clock():
    pauses = {state: info.pause_reason for state, info in STATES.items() if info.pause_reason}
    assert pauses == {
        CaseState.AWAITING_DOCUMENTS: PauseReason.DOCUMENTS_MISSING,
        CaseState.AWAITING_PAYMENT: PauseReason.CUSTOMER_REQUEST,
        CaseState.AWAITING_PERMIT: PauseReason.ROAD_PERMIT,
    }


def test_terminal_states():
    assert [state for state in CaseState if is_terminal(state)] == [
        CaseState.CLOSED,
        CaseState.CANCELLED,
        CaseState.TRANSFERRED,
    ]
