"""Every clock is a row with a due time; queued work is a row before it is a message.

A worker restart, a deploy or a Redis that keeps nothing on disk loses neither.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class DeadlineState(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"
    CANCELLED = "cancelled", "Cancelled"


class Deadline(models.Model):
    """One clock on one record: `kind` names the rule, `due_at` when it runs out.

    Screens compute "overdue" from `due_at` live; the sweep moves an overdue row to breached
    once and runs the kind's breach handler. `done_at` is when the work the clock asked for was
    recorded done: when it was met, or later for a clock already breached (which stays breached),
    so "breached and still not done" is read from an index, never from the subject's tables.
    """

    kind = models.CharField(max_length=60)
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    due_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=DeadlineState.choices, default=DeadlineState.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="deadline_sweep_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="deadline_subject_idx"),
            # The work still outstanding, of one kind (the daily tasking page): the clocks it asks
            # for are read from the index alone. Read from the table, PostgreSQL expected half a
            # million of them (most outstanding clocks are escalations' fired rules) and started
            # parallel workers to find a few dozen (docs/benchmarks.md).
            models.Index(
                fields=["kind", "subject_type", "state", "due_at", "subject_id"],
                condition=models.Q(state__in=["open", "breached"], done_at__isnull=True),
                name="deadline_outstanding_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id"],
                condition=models.Q(state="open"),
                name="one_open_deadline_per_kind_and_subject",
            )
        ]

    def __str__(self):
        return f"{self.kind} for {self.subject_type.model} {self.subject_id}, due {self.due_at:%Y-%m-%d %H:%M}"

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.state == DeadlineState.BREACHED or (self.state == DeadlineState.OPEN and self.due_at <= now)


class Heartbeat(models.Model):
    """The last time a periodic job ran, so the health check can tell when it stopped."""

    name = models.CharField(max_length=50, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class OutboxMessage(models.Model):
    """A Celery task recorded in the same transaction as the change that asked for it.

    It is published after commit; if the broker is down, the sweep publishes it again later.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["published_at", "created_at"], name="outbox_pending_idx")]

    def __str__(self):
        return f"{self.task_name} ({'published' if self.published_at else 'pending'})"
