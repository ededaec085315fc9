"""The access log: who saw which child's record, when, and from where (issue: privacy and
security). Append-only: the application never changes or deletes a row (save refuses, delete
refuses, and on PostgreSQL a trigger refuses UPDATE and DELETE from anyone)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccessKind(models.TextChoices):
    VIEW = "view", "Viewed a page"
    API = "api", "Read through the API"
    PRINT = "print", "Printable list"
    PDF = "pdf", "Downloaded a PDF"
    EXPORT = "export", "Exported a file"
    REFUSED = "refused", "Refused: out of their scope"


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
