"""Missing and absent episodes, their reclassifications, safe-and-well checks, records waiting
for a coordinator to confirm which child they are about, and the API keys partner systems use
(after domain.md, 'Episodes' and 'After the child is found')."""

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from children.models import Child, Establishment
from missing.links import record_url
from organisations.models import Agency, LocalAuthority

from .scope import EpisodeQuerySet, HeldReportQuerySet


class Category(models.TextChoices):
    MISSING = "missing", "Missing"
    ABSENT = "absent", "Absent"
    # A council record, never a police one: a looked-after child whose whereabouts are known.
    AWAY = "away", "Away from placement without authorisation"


POLICE_CATEGORIES = (Category.MISSING, Category.ABSENT)


class RiskLevel(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    NO_APPARENT_RISK = "no_apparent_risk", "No apparent risk"


class EpisodeState(models.TextChoices):
    MISSING = "missing", "Missing"
    RETURNED = "returned", "Returned"
    CLOSED = "closed", "Closed"


class MissingFrom(models.TextChoices):
    HOME = "home", "Home"
    CARE_PLACEMENT = "care_placement", "Care placement"
    SCHOOL = "school", "School"
    OTHER = "other", "Somewhere else"


class ReportedBy(models.TextChoices):
    PARENT = "parent", "Parent"
    CARER = "carer", "Carer"
    RESIDENTIAL_HOME = "residential_home", "Residential home"
    FOSTER_CARER = "foster_carer", "Foster carer"
    SCHOOL = "school", "School"
    SOCIAL_WORKER = "social_worker", "Social worker"
    POLICE = "police", "Police"
    OTHER = "other", "Someone else"


class ReturnMethod(models.TextChoices):
    OWN_ACCORD = "own_accord", "Came back of their own accord"
    POLICE = "police", "Found or brought back by the police"
    FAMILY = "family", "Brought back by family"
    CARER = "carer", "Brought back by a carer"
    OTHER = "other", "Another way"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class Source(models.TextChoices):
    FEED = "feed", "Police feed file"
    UPLOAD = "upload", "Police feed upload"
    API = "api", "Police API"
    FORM = "form", "Recorded by hand"


class Episode(models.Model):
    """One occasion on which a child was not where they were expected to be.

    A police record (force + force_reference) is sent again whenever it changes; the intake
    service applies the latest state. `version` goes up with every save, so a save made from a
    stale screen is refused with the changes it would have overwritten.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="episodes")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    force = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="episodes",
        limit_choices_to={"kind": "police"},
        verbose_name="police force",
    )
    force_reference = models.CharField("police reference", max_length=50, blank=True)

    category = models.CharField(max_length=10, choices=Category.choices)
    risk_level = models.CharField("risk grade", max_length=20, choices=RiskLevel.choices, blank=True)
    state = FSMField(max_length=10, choices=EpisodeState.choices, default=EpisodeState.MISSING, protected=False)
    whereabouts_known = models.BooleanField(default=False)

    last_seen_at = models.DateTimeField("last seen")
    last_seen_location = models.CharField(max_length=500, blank=True)
    reported_at = models.DateTimeField("reported", null=True, blank=True)
    returned_at = models.DateTimeField("returned or found", null=True, blank=True)

    missing_from = models.CharField(max_length=20, choices=MissingFrom.choices, blank=True)
    missing_from_postcode = models.CharField(max_length=8, blank=True)
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="episodes",
        help_text="The placement the child was expected to be at.",
    )
    found_location = models.CharField("where found", max_length=500, blank=True)
    found_postcode = models.CharField(max_length=8, blank=True)
    return_method = models.CharField("how returned", max_length=20, choices=ReturnMethod.choices, blank=True)
    reported_by = models.CharField(max_length=20, choices=ReportedBy.choices, blank=True)
    circumstances = models.TextField(blank=True)
    cse_concern = models.CharField("CSE concern", max_length=10, choices=YesNoUnknown.choices, blank=True)
    officer = models.CharField("officer in the case", max_length=200, blank=True)
    # The police record's own list of companions (force references); `linked` holds the links made.
    went_missing_with = models.CharField(max_length=1000, blank=True)
    linked = models.ManyToManyField("self", symmetrical=True, blank=True, verbose_name="went missing with")

    source = models.CharField(max_length=10, choices=Source.choices)
    version = models.PositiveIntegerField(default=1)
    closed_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # History is read by episode (its own id), never by these: their indexes would only slow the
    # intake, which writes a history row for every record it creates or changes.
    history = HistoricalRecords(
        excluded_fields=["updated_at"], no_db_index=["child", "local_authority", "force", "establishment"]
    )
    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "force_reference"],
                condition=models.Q(force__isnull=False),
                name="episode_unique_police_record",
            ),
            models.CheckConstraint(
                condition=models.Q(returned_at__isnull=True) | models.Q(returned_at__gte=models.F("last_seen_at")),
                name="episode_returned_after_last_seen",
            ),
        ]
        indexes = [
            # Children missing now on the daily tasking page, matched to the scope by the child
            # and the id read from the index alone.
            models.Index(fields=["state", "last_seen_at", "child", "id"], name="episode_state_idx"),
            models.Index(fields=["child", "last_seen_at"], name="episode_child_idx"),
            models.Index(fields=["local_authority", "last_seen_at"], name="episode_la_idx"),
            # The daily tasking page's "new since the last working day", with the child and the id
            # it is matched to the scope by (read from the index alone).
            models.Index(fields=["created_at", "child", "id"], name="episode_created_idx"),
        ]

    def __str__(self):
        reference = f" ({self.force.code} {self.force_reference})" if self.force_id else ""
        last_seen = timezone.localtime(self.last_seen_at)
        return f"{self.get_category_display()} episode, last seen {last_seen:%d %b %Y %H:%M}{reference}"

    def get_absolute_url(self):
        return record_url("episodes:detail", self.pk)

    @property
    def is_police_record(self) -> bool:
        return self.force_id is not None

    def duration(self, now: datetime.datetime | None = None) -> datetime.timedelta | None:
        """Returned − last seen; while still missing, time missing so far when `now` is given."""
        end = self.returned_at or now
        return None if end is None else end - self.last_seen_at

    @property
    def duration_hours(self) -> float | None:
        duration = self.duration()
        return None if duration is None else round(duration.total_seconds() / 3600, 2)

    @transition(field=state, source=EpisodeState.MISSING, target=EpisodeState.RETURNED)
    def mark_returned(self):
        """The child was found or came back."""

    @transition(field=state, source=EpisodeState.RETURNED, target=EpisodeState.MISSING)
    def withdraw_return(self):
        """The police record says the child is still missing after all (a return sent in error)."""

    @transition(field=state, source=EpisodeState.RETURNED, target=EpisodeState.CLOSED)
    def close(self):
        """Nothing more to do for this episode."""

    @transition(field=state, source=EpisodeState.CLOSED, target=EpisodeState.RETURNED)
    def reopen(self):
        """A manager reopened the episode; the reason is kept in its history."""


class Reclassification(models.Model):
    """A change of police category or risk grade: from, to, when, who and why."""

    class Field(models.TextChoices):
        CATEGORY = "category", "Category"
        RISK_LEVEL = "risk_level", "Risk grade"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="reclassifications")
    field = models.CharField(max_length=20, choices=Field.choices)
    from_value = models.CharField(max_length=20)
    to_value = models.CharField(max_length=20)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=200, help_text="Who or what made the change, e.g. the feed file and line.")
    reason = models.CharField(max_length=500)
    history = HistoricalRecords()

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.get_field_display()} {self.from_display} → {self.to_display}"

    def _display(self, value: str) -> str:
        choices = Category if self.field == self.Field.CATEGORY else RiskLevel
        return dict(choices.choices).get(value, value or "not graded")

    @property
    def from_display(self) -> str:
        return self._display(self.from_value)

    @property
    def to_display(self) -> str:
        return self._display(self.to_value)


class SafeAndWellCheck(models.Model):
    """The police check after a return (also called a prevention interview), or the recorded
    decision not to hold one."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="safe_and_well")
    held_at = models.DateTimeField("when held", null=True, blank=True)
    held_by = models.CharField("held by", max_length=200, blank=True)
    outcome = models.TextField(blank=True)
    harm_disclosed = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)
    not_held_reason = models.TextField("why no check was held", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["recorded_at"], no_db_index=["recorded_by"])

    def __str__(self):
        if self.held_at:
            return f"Safe-and-well check held {self.held_at:%d %b %Y %H:%M}"
        return "Decided not to hold a safe-and-well check"


class HeldReport(models.Model):
    """A police record that may be about a child already known, waiting for a coordinator to
    confirm which child (link) or that it is a new child (reject). Never merged silently."""

    class Decision(models.TextChoices):
        WAITING = "waiting", "Waiting to be confirmed"
        LINKED = "linked", "Linked to an existing child"
        NEW_CHILD = "new_child", "A new child"

    force = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    force_reference = models.CharField(max_length=50)
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    # The police record as received (column -> text), read again through the intake on decision.
    report = models.JSONField()
    source = models.CharField(max_length=10, choices=Source.choices)
    source_label = models.CharField(max_length=300)
    candidates = models.ManyToManyField(Child, through="MatchCandidate", related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.WAITING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    episode = models.ForeignKey(Episode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField()
    history = HistoricalRecords()
    objects = HeldReportQuerySet.as_manager()

    class Meta:
        ordering = ["received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "force_reference"],
                condition=models.Q(decision="waiting"),
                name="one_waiting_held_report_per_record",
            )
        ]

    def __str__(self):
        name = f"{self.report.get('given_name')} {self.report.get('family_name')}"
        return f"{self.force.code} {self.force_reference}: {name}"


class MatchCandidate(models.Model):
    """A child a held record may be about, and why the matching thought so."""

    held_report = models.ForeignKey(HeldReport, on_delete=models.CASCADE, related_name="match_candidates")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["held_report", "child"], name="candidate_unique")]

    def __str__(self):
        return f"{self.child} ({self.reason})"


def hash_api_key(key: str) -> str:
    # The key is 32 random bytes: a fast hash is enough, and lets every request look it up.
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    """A partner system's key, for one police force. Only its hash is kept; it can be revoked."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(max_length=100, help_text="What uses the key, e.g. 'GMP Niche extract'.")
    prefix = models.CharField(max_length=12, help_text="The key's first characters, to tell keys apart.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = "API key"
        ordering = ["agency__name", "name"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ImportJob(models.Model):
    """One police feed file uploaded through the web page, imported by a Celery job."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Finished"
        REFUSED = "refused", "Refused"
        FAILED = "failed", "Failed"

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    bytes_read = models.PositiveBigIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    refusal = models.TextField(blank=True, help_text="Why the whole file was refused.")
    notes = models.JSONField(default=list, help_text="Warnings and ignored columns, as the report prints them.")
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Set when the job is claimed and after every batch: a running job whose worker stopped
    # stops beating, and is queued again (services.import_jobs_resume_stale).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    resumed = models.BooleanField(default=False, help_text="Queued again after its worker stopped.")
    finished_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["bytes_read", "rows_read", "heartbeat_at"])

    class Meta:
        ordering = ["-queued_at"]

    def __str__(self):
        return f"{self.original_name} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        if self.state in (self.State.DONE, self.State.REFUSED, self.State.FAILED):
            return 100
        return min(99, int(100 * self.bytes_read / self.size)) if self.size else 0

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.REFUSED, self.State.FAILED)


class ImportRejection(models.Model):
    """A row of an uploaded file that was not imported: where, which column, why, and the row."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField()
    column = models.CharField(max_length=100)
    reason = models.CharField(max_length=500)
    row = models.JSONField(default=dict)
    history = HistoricalRecords()

    class Meta:
        ordering = ["line", "pk"]

    def __str__(self):
        return f"line {self.line}: {self.column}: {self.reason}"
