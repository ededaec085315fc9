"""The access log: who saw which child's record, when, and from where (issue: privacy and
security). Append-only: the application never changes or deletes a row (save refuses, delete
refuses, and on PostgreSQL a trigger refuses UPDATE and DELETE from anyone).

Restricted records and break-glass: a restriction names the only people who see a child; anyone
else in scope may get time-limited emergency access (privacy/services.py). And the records of
what was shared outside the agency that owns it, under which agreement."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class AccessKind(models.TextChoices):
    VIEW = "view", "Viewed a page"
    API = "api", "Read through the API"
    PRINT = "print", "Printable list"
    PDF = "pdf", "Downloaded a PDF"
    EXPORT = "export", "Exported a file"
    REFUSED = "refused", "Refused: out of their scope"
    EMERGENCY = "emergency", "Emergency access (break-glass)"
    RESTORE = "restore", "Restored the database from a backup"


class AppendOnly(Exception):
    """Raised on any attempt to change or delete an access log row."""


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("The access log cannot be changed.")

    def delete(self):
        raise AppendOnly("The access log cannot be deleted from.")


class AccessLogEntry(models.Model):
    """One child's data read by one request (security battery H2: one row per request and
    child, however many parts of the page showed it; a read naming no child is one row)."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The agencies the person acted for (their active memberships), as names at the time.
    organisation = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=AccessKind.choices)
    what = models.CharField(max_length=200)
    path = models.CharField(max_length=500)
    # Plain ids, not foreign keys: the log outlives the records it names (retention deletes a
    # child's record and leaves the log of who saw it).
    child_id = models.BigIntegerField(null=True, blank=True)
    episode_id = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    request_id = models.UUIDField(default=uuid.uuid4)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["child_id", "-at"], name="access_child_idx"),
            models.Index(fields=["user", "-at"], name="access_user_idx"),
        ]
        verbose_name = "access log entry"
        verbose_name_plural = "access log"

    def __str__(self):
        when = timezone.localtime(self.at)
        return f"{self.user} {self.get_kind_display().lower()}: {self.what} at {when:%d %b %Y %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("The access log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("The access log cannot be deleted from.")


class Restriction(models.Model):
    """A child's record restricted by a manager (forced marriage, honour-based abuse, witness
    protection, a staff member's relative): only the named people, and the manager who
    restricted it, see anything of the child (security battery Z7). Lifting keeps the row."""

    child = models.OneToOneField("children.Child", on_delete=models.CASCADE, related_name="restriction")
    reason = models.TextField()
    restricted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    restricted_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lift_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True) | models.Q(lifted_by__isnull=False),
                name="restriction_lifted_by_someone",
            )
        ]

    def __str__(self):
        return f"Restriction of child {self.child_id}"

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None


class RestrictionMember(models.Model):
    """A person named on a restriction: they keep sight of the child, within their own scope."""

    restriction = models.ForeignKey(Restriction, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["restriction", "user"], name="restriction_member_once")]

    def __str__(self):
        return f"{self.user} named on {self.restriction}"


class BreakGlassGrant(models.Model):
    """Emergency access to a restricted child by someone in scope but not named (security
    battery Z8): given for a reason, after the person re-entered their authentication code,
    until `expires_at`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="break_glass_grants")
    reason = models.TextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # Every use waits in the data protection officer's review queue until they review it.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_at", "-pk"]
        indexes = [models.Index(fields=["user", "child", "expires_at"], name="break_glass_live_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("granted_at")), name="break_glass_ends")
        ]

    def __str__(self):
        return f"Break-glass by {self.user} on child {self.child_id}"


# --- Sharing records outside the owning agency ---------------------------------------------------


class LawfulBasis(models.TextChoices):
    PUBLIC_TASK = "public_task", "UK GDPR Article 6(1)(e): public task"
    LEGAL_OBLIGATION = "legal_obligation", "UK GDPR Article 6(1)(c): legal obligation"
    VITAL_INTERESTS = "vital_interests", "UK GDPR Article 6(1)(d): vital interests"
    LAW_ENFORCEMENT = "law_enforcement", "Data Protection Act 2018 Part 3: law enforcement purposes"


class SharingAgreement(models.Model):
    """An information sharing agreement the administrator keeps: a share outside the agency that
    owns a record names the one it relies on (the privacy issue: lawful sharing)."""

    name = models.CharField(max_length=200)
    reference = models.CharField(max_length=100, blank=True)
    parties = models.TextField(help_text="The agencies that signed it.")
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    special_category_condition = models.CharField(
        "condition for special category data",
        max_length=300,
        blank=True,
        help_text="For example, DPA 2018 Schedule 1 paragraph 18: safeguarding of children and individuals at risk.",
    )
    active = models.BooleanField(default=True, help_text="Only active agreements can be chosen for a new share.")
    review_on = models.DateField("review date", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.reference})" if self.reference else self.name


class SharingRecord(models.Model):
    """One record sent to one agency outside the one that owns it: what, to whom, when, by whom,
    under which agreement and lawful basis (copied as they were at the time)."""

    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=200)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    to_agency = models.ForeignKey("organisations.Agency", on_delete=models.PROTECT, related_name="+")
    recipients = models.CharField(max_length=500)
    agreement = models.ForeignKey(SharingAgreement, on_delete=models.PROTECT, related_name="shares")
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shared_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-shared_at", "-pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="sharing_subject_idx")]

    def __str__(self):
        return f"{self.what} shared with {self.to_agency}"


# --- Subject access --------------------------------------------------------------------------


class SubjectAccessRequest(models.Model):
    """A request for everything held about one child (UK GDPR Article 15), tracked to its
    statutory due date; the generated bundle (JSON and PDF) is kept with it for the officer."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETED = "completed", "Completed"

    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    requested_by = models.CharField(
        "who asked", max_length=200, help_text="The child, a parent or a representative, as they named themselves."
    )
    received_on = models.DateField()
    due_on = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    # Names and phrases of third parties the officer marked: each is replaced in the output.
    redactions = models.JSONField(default=list, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    bundle_json = models.BinaryField(blank=True, default=b"")
    bundle_pdf = models.BinaryField(blank=True, default=b"")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["bundle_json", "bundle_pdf"])

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(completed_at__isnull=True) | models.Q(completed_by__isnull=False),
                name="subject_access_completed_by_someone",
            )
        ]

    def __str__(self):
        return f"Subject access request {self.pk} for child {self.child_id}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("privacy:subject_access_detail", args=[self.pk])

    @property
    def overdue(self) -> bool:
        return self.state == self.State.OPEN and timezone.localdate() > self.due_on
