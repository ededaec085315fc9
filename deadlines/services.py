"""Opening, meeting and sweeping deadlines; recording and publishing queued work.

The sweep follows the claim pattern: a conditional UPDATE ... WHERE state = 'open' that changes
one row means this sweeper owns the breach; zero rows means another sweeper got there first.
"""

import dataclasses
import datetime
import logging
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from missing import bulk

from .models import Deadline, DeadlineState, Heartbeat, OutboxMessage

logger = logging.getLogger(__name__)

SWEEPER_HEARTBEAT = "sweeper"
SWEEP_BATCH = 500
# An outbox row not published this long after it was written is published again by the sweep.
OUTBOX_RETRY_AFTER = datetime.timedelta(seconds=30)

BreachHandler = Callable[[Deadline, datetime.datetime], None]
_breach_handlers: dict[str, BreachHandler] = {}


def register_breach_handler(kind: str, handler: BreachHandler) -> None:
    """Say what happens when a deadline of `kind` runs out (called once, inside the claim's
    transaction, so a failing handler leaves the deadline open for the next sweep)."""
    _breach_handlers[kind] = handler


def _subject_filter(subject: models.Model) -> dict:
    return {"subject_type": ContentType.objects.get_for_model(subject), "subject_id": subject.pk}


@transaction.atomic
def deadline_open(*, kind: str, subject: models.Model, due_at: datetime.datetime) -> Deadline:
    """Start the clock `kind` on `subject`, or move its due time if it is already running."""
    deadline, created = Deadline.objects.select_for_update().get_or_create(
        kind=kind, state=DeadlineState.OPEN, **_subject_filter(subject), defaults={"due_at": due_at}
    )
    if not created and deadline.due_at != due_at:
        deadline.due_at = due_at
        deadline._change_reason = "Due time recalculated"
        deadline.save(update_fields=["due_at"])
    return deadline


def _close(kind: str, subject: models.Model, state: str, at: datetime.datetime) -> int:
    deadlines = Deadline.objects.filter(kind=kind, state=DeadlineState.OPEN, **_subject_filter(subject))
    closed = 0
    for deadline in deadlines.select_for_update():
        deadline.state = state
        deadline.closed_at = at
        deadline.done_at = at if state == DeadlineState.MET else None
        deadline.save(update_fields=["state", "closed_at", "done_at"])
        closed += 1
    return closed


@transaction.atomic
def deadline_meet(*, kind: str, subject: models.Model, at: datetime.datetime) -> int:
    """The work the clock asked for was done; returns how many open clocks were closed. A clock
    already breached stays breached and records when the work was done after all."""
    late = Deadline.objects.filter(
        kind=kind, state=DeadlineState.BREACHED, done_at__isnull=True, **_subject_filter(subject)
    )
    for deadline in late.select_for_update():
        deadline.done_at = at
        deadline._change_reason = "Done after the breach"
        deadline.save(update_fields=["done_at"])
    return _close(kind, subject, DeadlineState.MET, at)


@transaction.atomic
def deadline_cancel(*, kind: str, subject: models.Model, at: datetime.datetime) -> int:
    """The clock no longer applies (the record changed so the rule does not hold)."""
    return _close(kind, subject, DeadlineState.CANCELLED, at)


@dataclasses.dataclass(frozen=True)
class Clock:
    """What a clock on one subject should be now: running to `due_at`, done (the work was
    done), or not applying at all (`due_at` None)."""

    due_at: datetime.datetime | None
    done: bool = False


@transaction.atomic
def deadlines_set(*, kind: str, model: type[models.Model], clocks: dict[int, Clock], now: datetime.datetime) -> None:
    """Bring the `kind` clocks of many subjects (by primary key) to what `clocks` says, in a
    few queries, with history: the intake changes thousands of records at a time.

    For each subject, looking at its clocks that were not cancelled:
    - no clock applies: an open clock is cancelled;
    - done: the open clock is met; with no clock yet, one is opened and met at once (so
      reports can still tell whether the work was done in time);
    - running: the open clock's due time follows `due_at`; with no clock yet, one is opened.
    A clock already met or breached keeps its state; a breached clock records when the work was
    done after all (`done_at`), and forgets it if the work is no longer recorded done.
    """
    subject_type = ContentType.objects.get_for_model(model)
    live: dict[int, list[tuple]] = {}
    for pk, subject_id, state, due_at, closed_at, done_at in (
        Deadline.objects.select_for_update()
        .filter(kind=kind, subject_type=subject_type, subject_id__in=list(clocks))
        .exclude(state=DeadlineState.CANCELLED)
        .values_list("pk", "subject_id", "state", "due_at", "closed_at", "done_at")
    ):
        live.setdefault(subject_id, []).append((pk, state, due_at, closed_at, done_at))
    to_create, to_update = [], []
    for subject_id, clock in clocks.items():
        rows = live.get(subject_id, [])
        running = next(((pk, due_at) for pk, state, due_at, _, _ in rows if state == DeadlineState.OPEN), None)
        if clock.due_at is None:
            if running:
                to_update.append(_changed(running[0], running[1], DeadlineState.CANCELLED, now, "No longer applies"))
        elif running is not None:
            if clock.done:
                to_update.append(_changed(running[0], clock.due_at, DeadlineState.MET, now, "Met", done_at=now))
            elif running[1] != clock.due_at:
                to_update.append(_changed(running[0], clock.due_at, DeadlineState.OPEN, None, "Due time recalculated"))
        elif rows:
            to_update += _breached_work_done_or_undone(rows, done=clock.done, now=now)
        else:
            to_create.append(
                {
                    "kind": kind,
                    "subject_type_id": subject_type.pk,
                    "subject_id": subject_id,
                    "due_at": clock.due_at,
                    "opened_at": now,
                    "state": DeadlineState.MET if clock.done else DeadlineState.OPEN,
                    "closed_at": now if clock.done else None,
                    "done_at": now if clock.done else None,
                }
            )
    if bulk.available():
        _write_set_based(to_create, to_update, now)
    else:
        _write_through_orm(to_create, to_update, now)


def _changed(pk: int, due_at, state: str, closed_at, reason: str, done_at=None) -> dict:
    return {
        "pk": pk,
        "due_at": due_at,
        "state": state,
        "closed_at": closed_at,
        "done_at": done_at,
        "history_reason": reason,
    }


def _breached_work_done_or_undone(rows: list[tuple], *, done: bool, now: datetime.datetime) -> list[dict]:
    """A breached clock whose work is now recorded done (late) records when; one whose work is
    no longer recorded done forgets it, so it is outstanding again."""
    changed = []
    for pk, state, due_at, closed_at, done_at in rows:
        if state != DeadlineState.BREACHED or done == (done_at is not None):
            continue
        if done:
            changed.append(_changed(pk, due_at, state, closed_at, "Done after the breach", done_at=now))
        else:
            changed.append(_changed(pk, due_at, state, closed_at, "No longer recorded done"))
    return changed


# What deadlines_set may change on a clock that already exists.
UPDATED_FIELDS = ["due_at", "state", "closed_at", "done_at"]


def _write_set_based(to_create: list[dict], to_update: list[dict], now: datetime.datetime) -> None:
    for row in to_create:
        row["history_reason"] = "Clock started"
    bulk.create_with_history(Deadline, to_create, user_id=None, date=now)
    bulk.update_with_history(Deadline, to_update, fields=UPDATED_FIELDS, user_id=None, date=now)


def _write_through_orm(to_create: list[dict], to_update: list[dict], now: datetime.datetime) -> None:
    if to_create:
        bulk_create_with_history(
            [Deadline(**row) for row in to_create], Deadline, default_change_reason="Clock started", default_date=now
        )
    if to_update:
        deadlines = Deadline.objects.in_bulk([row["pk"] for row in to_update])
        for row in to_update:
            deadline = deadlines[row["pk"]]
            for name in UPDATED_FIELDS:
                setattr(deadline, name, row[name])
            deadline._change_reason = row["history_reason"]
        bulk_update_with_history(list(deadlines.values()), Deadline, fields=UPDATED_FIELDS, default_date=now)


@dataclasses.dataclass
class SweepResult:
    breached: int = 0
    published: int = 0


def sweep(now: datetime.datetime) -> SweepResult:
    """Breach every open deadline due by `now`, publish stuck queued work, and beat the heart.

    1. Read the ids of overdue open deadlines (oldest first, a batch at a time).
    2. For each, in its own transaction, claim it with a conditional update; only the sweeper
       whose update changed the row runs the kind's breach handler.
    3. Publish outbox messages that were not published after commit (broker down at the time).
    4. Record the heartbeat the health check watches.
    `now` is always the application's clock, never the database's.
    """
    result = SweepResult()
    while True:
        due_ids = list(
            Deadline.objects.filter(state=DeadlineState.OPEN, due_at__lte=now)
            .order_by("due_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        if not due_ids:
            break
        for deadline_id in due_ids:
            if _claim_and_breach(deadline_id, now):
                result.breached += 1
        if len(due_ids) < SWEEP_BATCH:
            break
    result.published = publish_pending(now)
    Heartbeat.objects.update_or_create(name=SWEEPER_HEARTBEAT, defaults={"beat_at": now})
    return result


def _claim_and_breach(deadline_id: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        claimed = Deadline.objects.filter(pk=deadline_id, state=DeadlineState.OPEN).update(
            state=DeadlineState.BREACHED, closed_at=now
        )
        if not claimed:
            return False
        deadline = Deadline.objects.get(pk=deadline_id)
        # The conditional update bypasses save(), so the history row is written here.
        deadline.history.create(
            id=deadline.pk,
            kind=deadline.kind,
            subject_type=deadline.subject_type,
            subject_id=deadline.subject_id,
            due_at=deadline.due_at,
            state=deadline.state,
            opened_at=deadline.opened_at,
            closed_at=deadline.closed_at,
            done_at=deadline.done_at,
            history_date=timezone.now(),
            history_type="~",
            history_change_reason="Breached by the deadline sweep",
            history_user=None,
        )
        handler = _breach_handlers.get(deadline.kind)
        if handler is None:
            logger.warning("No breach handler for deadline kind %s (deadline %s)", deadline.kind, deadline.pk)
        else:
            handler(deadline, now)
    return True


def enqueue(task_name: str, *, args: list | None = None, kwargs: dict | None = None) -> OutboxMessage:
    """Record a Celery task in the current transaction and publish it once that commits."""
    message = OutboxMessage.objects.create(task_name=task_name, args=args or [], kwargs=kwargs or {})
    transaction.on_commit(lambda: publish(message.pk))
    return message


def publish(message_id: int, now: datetime.datetime | None = None) -> bool:
    """Hand one outbox message to the broker; leaves it pending if the broker is unreachable.

    The row stays locked while it is sent, so two sweepers never publish it twice; a crash
    between sending and committing publishes it again later (tasks must be idempotent).
    """
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, published_at__isnull=True)
            .first()
        )
        if message is None:
            return False
        try:
            current_app.send_task(message.task_name, args=message.args, kwargs=message.kwargs)
        except Exception as error:  # the broker is down or refused: keep the work for the next sweep
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:1000]
            message.save(update_fields=["attempts", "last_error"])
            logger.warning("Could not publish %s (outbox %s): %s", message.task_name, message_id, type(error).__name__)
            return False
        message.published_at = now
        message.save(update_fields=["published_at"])
    return True


def publish_pending(now: datetime.datetime) -> int:
    pending = OutboxMessage.objects.filter(
        published_at__isnull=True, created_at__lte=now - OUTBOX_RETRY_AFTER
    ).values_list("pk", flat=True)[:SWEEP_BATCH]
    return sum(publish(message_id, now) for message_id in list(pending))


def sweeper_is_alive(now: datetime.datetime) -> bool:
    """The sweeper beat within three sweep intervals (security battery R2)."""
    limit = datetime.timedelta(seconds=3 * settings.DEADLINE_SWEEP_SECONDS)
    beat = Heartbeat.objects.filter(name=SWEEPER_HEARTBEAT).values_list("beat_at", flat=True).first()
    return beat is not None and now - beat <= limit
