"""The legal status transitions of a visit. The store refuses anything else."""

from __future__ import annotations

from scribe.domain import Status
from scribe.errors import IllegalTransitionError

S = Status
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.RECORDING: frozenset({S.PAUSED, S.TRANSCRIBING, S.FAILED, S.DISCARDED}),
    S.PAUSED: frozenset({S.RECORDING, S.TRANSCRIBING, S.FAILED, S.DISCARDED}),
    S.TRANSCRIBING: frozenset({S.DRAFTING, S.FAILED, S.DISCARDED}),
    S.DRAFTING: frozenset({S.IN_REVIEW, S.FAILED, S.DISCARDED}),
    S.IN_REVIEW: frozenset({S.SIGNED, S.DRAFTING, S.TRANSCRIBING, S.DISCARDED}),
    S.FAILED: frozenset({S.TRANSCRIBING, S.DRAFTING, S.DISCARDED}),
    S.SIGNED: frozenset(),
    S.DISCARDED: frozenset(),
}


def can_move(current: Status, new: Status) -> bool:
    return new in TRANSITIONS[current]


def require_move(current: Status, new: Status) -> None:
    if not can_move(current, new):
        raise IllegalTransitionError(
            f"A visit that is {current.label.lower()} cannot become {new.label.lower()}."
        )
