"""Reporting reads the other apps' records; it keeps no case data of its own, only the log of
the statutory exports made from them and the monthly governance packs generated."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

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


class GovernancePack(models.Model):
    """One monthly governance pack asked for from the dashboard: who asked, for which month and
    authority, how far its generation has got, and its two files (a tagged PDF and a ZIP of
    CSVs). The row is the log of the generation; it is never deleted. The files name children
    when `with_names` is set, so they are served only through `reporting.pack_views`."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Generating"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="The first day of the month the pack is about.")
    with_names = models.BooleanField(help_text="The requester may see names: the pack lists the children.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    step = models.CharField(max_length=100, blank=True, help_text="What the generation is doing now.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to="governance-packs/%Y/%m/", blank=True)
    csv_zip = models.FileField(upload_to="governance-packs/%Y/%m/", blank=True)
    named_children = models.JSONField(
        default=list, blank=True, help_text="The ids of the children the files name, for the access log."
    )
    history = HistoricalRecords(excluded_fields=["progress", "step"])

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"Governance pack {self.month:%B %Y}, {self.local_authority} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        return 100 if self.finished else min(99, self.progress)

    def file_stem(self) -> str:
        return f"Governance_pack_{self.month:%Y-%m}_{self.local_authority.ons_code}"


class PostcodeDistrict(models.Model):
    """Reference data, not case data: the centre of a postcode district (the outward code, as
    'M14'), for the distance between where a child went missing from and where they were found.
    The migration loads reporting/data/postcode_districts.csv; `load_postcode_districts` loads a
    fuller list (reporting/geography.py)."""

    outward_code = models.CharField(max_length=4, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["outward_code"]

    def __str__(self):
        return self.outward_code


class DashboardSnapshot(models.Model):
    """The dashboard's figures for one set of local authorities and one standard period, as
    counted at `counted_at` by the Celery refresh (reporting/snapshot_services.py), so that a
    reader of many authorities is not kept waiting while millions of episodes are counted.

    Figures only, never a name, and replaced whole at each count: it is not case data and keeps
    no history."""

    authorities = models.TextField(help_text="The authorities' ids, ascending, separated by commas.")
    start = models.DateField()
    end = models.DateField()
    figures = models.JSONField(help_text="The figures, as reporting.dashboard.Dashboard.figures_json writes them.")
    counted_at = models.DateTimeField()
    seconds = models.FloatField(help_text="How long the count took.")

    class Meta:
        ordering = ["authorities", "-start"]
        constraints = [
            models.UniqueConstraint(fields=["authorities", "start", "end"], name="dashboard_snapshot_unique")
        ]

    def __str__(self):
        return f"Dashboard figures {self.start} to {self.end} for authorities {self.authorities}"
