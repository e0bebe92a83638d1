"""The upload state machine every queue's rows follow (orders, refunds, pickups)."""

from __future__ import annotations

from enum import StrEnum


class OutboxState(StrEnum):
    """Where an order is on its way to the store, and who moves it.

    - PENDING_SYNC: waiting for upload once `next_attempt_at` has passed. Entered when the sale
      commits (UI or CLI, in the sale's transaction), when the agent gets a retryable error
      (from SYNCING, with a later `next_attempt_at`), and when staff press Retry on a FAILED
      order (due at once). Left only when the agent's push claims it (to SYNCING).
    - SYNCING: the agent is uploading it. Left to SYNCED on the store's confirmation, back to
      PENDING_SYNC on a retryable error, or to FAILED on a permanent rejection. A row found in
      SYNCING when the agent starts had an unknown outcome (the agent died mid-upload): the agent
      must look the order up on the store (by its UUID) before any re-send, then move it to
      SYNCED if found, or back to PENDING_SYNC if not.
    - SYNCED: the store has it (`remote_id`). Final.
    - FAILED: the store rejected it for good (`last_error` says why). Staff may Retry.
    """

    PENDING_SYNC = "pending_sync"
    SYNCING = "syncing"
    SYNCED = "synced"
    FAILED = "failed"


_ALLOWED: frozenset[tuple[OutboxState, OutboxState]] = frozenset(
    {
        (OutboxState.PENDING_SYNC, OutboxState.SYNCING),  # the agent claims it
        (OutboxState.SYNCING, OutboxState.SYNCED),  # the store confirmed it
        (OutboxState.SYNCING, OutboxState.PENDING_SYNC),  # retryable error, or not found on lookup
        (OutboxState.SYNCING, OutboxState.FAILED),  # the store rejected it for good
        (OutboxState.FAILED, OutboxState.PENDING_SYNC),  # staff pressed Retry
    }
)


class InvalidTransition(Exception):
    """An outbox row was asked to move in a way the state machine forbids."""

    def __init__(
        self, current: OutboxState, new: OutboxState, subject: str = "", why: str = ""
    ) -> None:
        whose = f"{subject}: " if subject else ""
        because = f" ({why})" if why else ""
        super().__init__(
            f"{whose}cannot move an upload from {current.value} to {new.value}{because}"
        )
        self.current = current
        self.new = new
        self.subject = subject


def transition(
    current: OutboxState,
    new: OutboxState,
    subject: str = "",
    *,
    only_from: OutboxState | None = None,
) -> None:
    """Raise InvalidTransition unless `current -> new` is an allowed move.

    `only_from` narrows it to one edge: two moves reach pending_sync, and staff's Retry must
    never take an upload in flight (syncing), nor the agent's retry revive a failed one.
    """
    if (current, new) not in _ALLOWED:
        raise InvalidTransition(current, new, subject)
    if only_from is not None and current is not only_from:
        raise InvalidTransition(
            current, new, subject, f"only an upload in {only_from.value} may move so here"
        )
