"""Escalation rules and their firings (domain.md, 'Escalation rules'): the numbers a local
authority has tightened, the senior people the rules name, each firing and who acknowledged it."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from children.models import Child
from episodes.models import Episode
from organisations.models import LocalAuthority

from . import rules
from .scope import EscalationQuerySet


class SeniorPostHolder(models.Model):
    """Who holds a senior post in a local authority (the 'need to know' recipients and chairs)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    post = models.CharField(max_length=30, choices=rules.SeniorPost.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="senior_posts")
    history = HistoricalRecords()

    class Meta:
        ordering = ["local_authority__name", "post"]
        constraints = [models.UniqueConstraint(fields=["local_authority", "post", "user"], name="senior_post_unique")]

    def __str__(self):
        return f"{self.user}, {self.get_post_display()} in {self.local_authority}"


class RuleThreshold(models.Model):
    """A local authority's tightened numbers for one escalation rule (empty: the default)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=40, choices=rules.RULE_CHOICES)
    threshold = models.PositiveIntegerField(null=True, blank=True, help_text="Hours, days or a number of episodes.")
    window_days = models.PositiveIntegerField(
        "window in days", null=True, blank=True, help_text="Days in which earlier episodes count."
    )
    respond_within = models.PositiveIntegerField(
        null=True, blank=True, help_text="Days (or working days) in which the meeting must be held."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["local_authority__name", "rule"]
        constraints = [models.UniqueConstraint(fields=["local_authority", "rule"], name="rule_threshold_unique")]

    def __str__(self):
        return f"{self.get_rule_display()} in {self.local_authority}"

    @property
    def definition(self) -> rules.Rule:
        return rules.BY_CODE[self.rule]

    def values(self) -> dict[str, int | None]:
        return {field: getattr(self, field) for field in rules.SETTING_FIELDS}


class Escalation(models.Model):
    """One firing of a rule for a child (and the episode that triggered it): it fires once per
    trigger (the unique key), and stays on the child's and episode's pages."""

    rule = models.CharField(max_length=40, choices=rules.RULE_CHOICES)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="escalations")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, null=True, blank=True, related_name="escalations")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    # What fired it: "episode:<id>" for the episode that crossed the threshold; for a location
    # rule, the place as well. With the rule and the child, it can fire only once.
    trigger_key = models.CharField(max_length=120)
    fired_at = models.DateTimeField()
    reason = models.CharField(max_length=300)
    created_work = models.JSONField("what it created", default=list)
    history = HistoricalRecords()
    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["-fired_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "child", "trigger_key"], name="escalation_fires_once_per_trigger")
        ]
        indexes = [models.Index(fields=["child", "fired_at"], name="escalation_child_idx")]

    def __str__(self):
        return f"{self.get_rule_display()} ({self.fired_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("risk:escalation_detail", args=[self.pk])

    @property
    def definition(self) -> rules.Rule:
        return rules.BY_CODE[self.rule]


class EscalationRecipient(models.Model):
    """A person an escalation was sent to, and when they acknowledged it."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="escalations_received")
    why = models.CharField(max_length=100)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["escalation", "user"], name="escalation_recipient_unique")]
        indexes = [models.Index(fields=["user", "acknowledged_at"], name="escalation_to_ack_idx")]

    def __str__(self):
        return f"{self.user} ({self.why})"
