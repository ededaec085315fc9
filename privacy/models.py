"""The access log: who saw which child's record, when, and from where (issue: privacy and
security). Append-only: the application never changes or deletes a row (save refuses, delete
refuses, and on PostgreSQL a trigger refuses UPDATE and DELETE from anyone).

Restricted records and break-glass: a restriction names the only people who see a child; anyone
else in scope may get time-limited emergency access (privacy/services.py). And the records of
what was shared outside the agency that owns it, under which agreement.

Retention (privacy/retention.py): the schedule by record type and legal status, legal holds, the
monthly review of the records past their date, and the erasure log a confirmed deletion leaves.
Like the access log, the erasure log is append-only."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
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
    """Raised on any attempt to change or delete a row of the access log or the erasure log."""


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


# --- Retention -----------------------------------------------------------------------------------


class RecordType(models.TextChoices):
    CHILD = "child", "Child’s record (the child and everything held on them)"


class RetentionRule(models.Model):
    """How long one type of record is kept: to the child's Nth birthday, by whether the child was
    ever looked after, for every authority (no local authority) or for one, which then overrides
    the default. The administrator keeps them in the admin; the defaults come from a migration."""

    record_type = models.CharField(max_length=20, choices=RecordType.choices, default=RecordType.CHILD)
    looked_after = models.BooleanField(
        "for children who were ever looked after",
        help_text="Ticked: children looked after at any time (care leavers included). Not ticked: every other child.",
    )
    keep_until_birthday = models.PositiveSmallIntegerField(
        "keep until this birthday",
        validators=[MinValueValidator(18), MaxValueValidator(120)],
        help_text="For example 75: the record is due for review and deletion on the child’s 75th birthday.",
    )
    local_authority = models.ForeignKey(
        "organisations.LocalAuthority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave empty for the default of every authority; an authority’s own rule overrides it.",
    )
    source = models.CharField(
        max_length=300, blank=True, help_text="Where the period comes from, for example a retention schedule."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["record_type", "local_authority__name", "-looked_after"]
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "looked_after", "local_authority"],
                condition=models.Q(local_authority__isnull=False),
                name="retention_rule_once_per_authority",
            ),
            models.UniqueConstraint(
                fields=["record_type", "looked_after"],
                condition=models.Q(local_authority__isnull=True),
                name="retention_rule_one_default",
            ),
        ]

    def __str__(self):
        who = "Looked-after children’s records" if self.looked_after else "Other children’s records"
        where = self.local_authority.name if self.local_authority_id else "default"
        return f"{who} to the {ordinal(self.keep_until_birthday)} birthday ({where})"


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


class LegalHold(models.Model):
    """A child's record kept beyond its retention date (litigation, a public inquiry, a police
    investigation): while a hold is in force the record is never listed for deletion and cannot
    be deleted. Lifting keeps the row. PROTECT: the database refuses to delete a child that has
    a hold row; the deletion removes lifted holds itself."""

    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.CharField(max_length=500)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lift_reason = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=models.Q(lifted_at__isnull=True), name="legal_hold_one_in_force"
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True) | models.Q(lifted_by__isnull=False),
                name="legal_hold_lifted_by_someone",
            ),
        ]

    def __str__(self):
        return f"Legal hold on child {self.child_id}"

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None


class RetentionReview(models.Model):
    """One month's list, for one local authority, of the children's records past their retention
    date: made on the first of the month by Celery beat, once however often it runs."""

    local_authority = models.ForeignKey("organisations.LocalAuthority", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="The first day of the month reviewed.")
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "local_authority__name"]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "month"], name="retention_review_once_a_month")
        ]

    def __str__(self):
        return f"Retention review {self.month:%B %Y}, {self.local_authority}"


class RetentionReviewEntry(models.Model):
    """A child listed in a review, and the rule and date that put them there. A plain child id,
    not a foreign key: the review outlives the record it lists."""

    review = models.ForeignKey(RetentionReview, on_delete=models.CASCADE, related_name="entries")
    child_id = models.BigIntegerField()
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="+")
    retain_until = models.DateField("retention date")

    class Meta:
        ordering = ["retain_until", "child_id"]
        constraints = [models.UniqueConstraint(fields=["review", "child_id"], name="retention_entry_once")]

    def __str__(self):
        return f"Child {self.child_id}, kept until {self.retain_until:%d %b %Y}"


class ErasureQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("The erasure log cannot be changed.")

    def delete(self):
        raise AppendOnly("The erasure log cannot be deleted from.")


class ErasureRecord(models.Model):
    """The tombstone of a child's record deleted at the end of its retention (ICO: a log of the
    erasure, without its content): who confirmed, when, under which rule, the plain id, the date
    it was kept until and how many records of each type went. No name, date of birth or other
    content. Append-only: save refuses a change, delete refuses, and on PostgreSQL a trigger
    refuses UPDATE and DELETE from anyone."""

    id = models.BigAutoField(primary_key=True)
    erased_at = models.DateTimeField(default=timezone.now)
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    child_id = models.BigIntegerField()
    local_authority = models.ForeignKey("organisations.LocalAuthority", on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="+")
    # The rule as it read then: the administrator may change it later.
    rule_description = models.CharField(max_length=300)
    retain_until = models.DateField("retention date")
    reason = models.CharField(max_length=500)
    # Model label -> rows deleted (history rows under their history model's label).
    counts = models.JSONField(default=dict)
    objects = ErasureQuerySet.as_manager()

    class Meta:
        ordering = ["-erased_at", "-id"]
        indexes = [models.Index(fields=["child_id"], name="erasure_child_idx")]
        verbose_name_plural = "erasure log"

    def __str__(self):
        return f"Child {self.child_id} erased {timezone.localtime(self.erased_at):%d %b %Y %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("The erasure log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("The erasure log cannot be deleted from.")
