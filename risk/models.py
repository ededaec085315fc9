"""Escalation rules and their firings (domain.md, 'Escalation rules'): the numbers a local
authority has tightened, the senior people the rules name, each firing and who acknowledged it."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from children.models import Child
from episodes.models import Episode
from missing.links import record_url
from organisations.models import LocalAuthority

from . import rules
from .scope import EscalationQuerySet, MeetingQuerySet, MeetingRecordQuerySet


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
        return record_url("risk:escalation_detail", self.pk)

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


class MeetingState(models.TextChoices):
    TO_CONVENE = "to_convene", "To convene"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Not needed"


class LegalOption(models.TextChoices):
    """Legal options a strategy meeting considers (domain.md, 'Meetings')."""

    POLICE_PROTECTION = "police_protection", "Police protection"
    EMERGENCY_PROTECTION_ORDER = "emergency_protection_order", "Emergency protection order"
    RECOVERY_ORDER = "recovery_order", "Recovery order"


class Meeting(models.Model):
    """A strategy, intervention, mapping or weekly multi-agency meeting. The meeting itself (when,
    who chaired, who came) is shared; what was said and decided about each child is in that
    child's own record (MeetingRecord), seen only by people who may see that child."""

    kind = models.CharField(max_length=20, choices=rules.MeetingKind.choices)
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=MeetingState.choices, default=MeetingState.TO_CONVENE)
    due_at = models.DateTimeField("to be held by", null=True, blank=True)
    held_at = models.DateTimeField("when it was held", null=True, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    chair_post = models.CharField(
        "post that must chair it", max_length=30, choices=rules.SeniorPost.choices, blank=True
    )
    review_on = models.DateField("review date", null=True, blank=True)
    cancelled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["state", "due_at", "-pk"]
        indexes = [models.Index(fields=["state", "due_at"], name="meeting_state_due_idx")]

    def __str__(self):
        return self.get_kind_display()

    def get_absolute_url(self):
        return record_url("risk:meeting_detail", self.pk)

    def is_overdue(self, now) -> bool:
        return self.state == MeetingState.TO_CONVENE and self.due_at is not None and self.due_at <= now


class MeetingRecord(models.Model):
    """One child's part of a meeting: the escalation that asked for it, the information shared,
    the decisions and the child's own action plan."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="records")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="meeting_records")
    escalation = models.ForeignKey(
        Escalation, on_delete=models.SET_NULL, null=True, blank=True, related_name="meeting_records"
    )
    information_shared = models.TextField(blank=True)
    legal_options = models.JSONField("legal options decided", default=list, blank=True)
    legal_reasons = models.TextField("legal options: the decision and why", blank=True)
    media = models.TextField("media", blank=True)
    plan_on_return = models.TextField("the plan on return", blank=True)
    reducing_risk = models.TextField("reducing future risk", blank=True)
    history = HistoricalRecords()
    objects = MeetingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "child"], name="meeting_record_per_child")]

    def __str__(self):
        return f"{self.meeting} record for {self.child}"

    def legal_labels(self) -> list[str]:
        return [LegalOption(value).label for value in self.legal_options if value in LegalOption.values]


class Invitee(models.Model):
    """Someone invited to a meeting, the agency they come from, and whether they attended."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200)
    agency = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    attended = models.BooleanField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency", "name"]

    def __str__(self):
        return f"{self.name} ({self.agency})"


class MeetingAction(models.Model):
    """An action from a meeting for one child: what, who owns it, by when (a deadline row), done."""

    record = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_actions")
    due_on = models.DateField("due by")
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["owner", "completed_at"], name="meeting_action_owner_idx")]

    def __str__(self):
        return self.description

    def is_overdue(self, now) -> bool:
        return self.completed_at is None and self.due_at <= now


class RiskLevel(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class AssessmentState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed off"


class RiskAssessment(models.Model):
    """A looked-after child's risk assessment and action plan for when they are absent (Wigan
    Appendix a, the Birmingham risk assessment list). Each review is a new version beside the old;
    a version is signed off by a social worker and a manager."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="risk_assessments")
    version = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=AssessmentState.choices, default=AssessmentState.DRAFT)
    why = models.CharField("why this version", max_length=200)
    pattern_history = models.TextField("pattern and history", blank=True)
    concerns = models.TextField("concerns and vulnerabilities", blank=True)
    current_circumstances = models.TextField("current circumstances", blank=True)
    level = models.CharField("overall level of risk", max_length=10, choices=RiskLevel.choices, blank=True)
    level_rationale = models.TextField("why this level", blank=True)
    people_to_contact = models.TextField("people to contact when the child is absent", blank=True)
    on_return = models.TextField("what happens on return", blank=True)
    young_person_participation = models.TextField("the young person's participation", blank=True)
    carers_participation = models.TextField("parents' and carers' participation", blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    social_worker_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    social_worker_signed_at = models.DateTimeField(null=True, blank=True)
    manager_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    manager_signed_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["child", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["child", "version"], name="assessment_version_unique"),
            models.UniqueConstraint(fields=["child"], condition=models.Q(state="draft"), name="one_draft_assessment"),
        ]

    def __str__(self):
        return f"Risk assessment version {self.version}"

    def get_absolute_url(self):
        return record_url("risk:assessment_detail", self.pk)

    @property
    def editable(self) -> bool:
        return self.state == AssessmentState.DRAFT


class AssessmentAddress(models.Model):
    """An address in the action plan: its known risk and the longest wait before the police are
    told the child is missing from there (never over 6 hours)."""

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="addresses")
    address = models.CharField(max_length=300)
    known_risk = models.CharField(max_length=500, blank=True)
    report_within_hours = models.PositiveSmallIntegerField("report to the police within (hours)")
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.address


class EscalationTask(models.Model):
    """Work a firing asks for that is not a meeting: the support discussion after a second
    episode (DfE ¶46), a safeguarding review after repeated absences, the senior discussion."""

    escalation = models.OneToOneField(Escalation, on_delete=models.CASCADE, related_name="task")
    kind = models.CharField(max_length=30, choices=list(rules.TASKS.items()))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.get_kind_display()
