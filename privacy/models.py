"""The access log: who saw which child's record, when, and from where (issue: privacy and
security). Append-only: the application never changes or deletes a row (save refuses, delete
refuses, and on PostgreSQL a trigger refuses UPDATE and DELETE from anyone).

Restricted records and break-glass: a restriction names the only people who see a child; anyone
else in scope may get time-limited emergency access (privacy/services.py)."""

import uuid

from django.conf import settings
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
    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_at", "-pk"]
        indexes = [models.Index(fields=["user", "child", "expires_at"], name="break_glass_live_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("granted_at")), name="break_glass_ends")
        ]

    def __str__(self):
        return f"Break-glass by {self.user} on child {self.child_id}"
