"""Reporting reads the other apps' records; it keeps no case data of its own, only the log of
the statutory exports made from them."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from organisations.models import LocalAuthority


class ExportKind(models.TextChoices):
    SSDA903 = "ssda903", "SSDA903 Missing and Header tables"
    ANNEX_A_LIST_8 = "annex_a_list8", "Ofsted Annex A, List 8: missing and away"


class ExportLog(models.Model):
    """Append-only: who made which statutory export, when, for which authorities, and how much
    it held. A command run from the server has no user; `made_by` says so."""

    kind = models.CharField(max_length=20, choices=ExportKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    made_by = models.CharField(max_length=200, help_text="The person, or the command that made the export.")
    made_at = models.DateTimeField(default=timezone.now)
    local_authorities = models.ManyToManyField(LocalAuthority, related_name="+")
    collection_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="SSDA903: the year the collection starts in (1 April)."
    )
    children = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-made_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.made_by} at {timezone.localtime(self.made_at):%d %b %Y %H:%M}"
