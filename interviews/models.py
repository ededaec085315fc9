"""Independent return interviews (domain.md, 'After the child is found'): the interview offered
after a return, its contact attempts, the interview record after the Wigan form (Appendix e),
its authorisation, who is told, and who downloaded it."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import RETURN_VALUE, FSMField, transition
from simple_history.models import HistoricalRecords

from children.models import Child
from episodes.models import Episode
from missing.links import record_url
from organisations.models import LocalAuthority

from .scope import ReturnInterviewQuerySet


class Offer(models.TextChoices):
    ALWAYS = "always", "After every episode"
    RED = "red", "Only when triage says red"
    NEVER = "never", "Never"


class InterviewSetting(models.Model):
    """Which categories of episode a local authority offers a return interview after.

    DfE statutory guidance (quoted in seeds/004) is the floor: every child who was missing is
    offered one; an absence only when triage says red, unless the authority chooses more.
    """

    local_authority = models.OneToOneField(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    after_missing = models.CharField(max_length=10, choices=Offer.choices, default=Offer.ALWAYS)
    after_absence = models.CharField(max_length=10, choices=Offer.choices, default=Offer.RED)
    after_away = models.CharField(
        "after time away from placement", max_length=10, choices=Offer.choices, default=Offer.RED
    )
    history = HistoricalRecords()

    def __str__(self):
        return f"Return interview offers in {self.local_authority}"


class Triage(models.TextChoices):
    """The voluntary service's red / amber / green (seeds/004, 'Our work in Birmingham')."""

    RED = "red", "Red: interview needed"
    AMBER = "amber", "Amber: more information needed"
    GREEN = "green", "Green: letter and advice"


class Status(models.TextChoices):
    AWAITING_ALLOCATION = "awaiting_allocation", "Waiting to be allocated"
    ALLOCATED = "allocated", "Allocated"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined"
    NO_CONTACT = "no_contact", "No contact made"
    MISSING_AGAIN = "missing_again", "Child missing again"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate"
    CANCELLED = "cancelled", "Cancelled (return withdrawn)"


OPEN_STATUSES = (Status.AWAITING_ALLOCATION, Status.ALLOCATED)
OUTCOMES = (Status.COMPLETED, Status.DECLINED, Status.NO_CONTACT, Status.MISSING_AGAIN, Status.NOT_APPROPRIATE)


class ReturnInterview(models.Model):
    """The independent return interview offered after one return, or after several returns of a
    child who went missing again before it could happen (it covers them all)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="return_interviews")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    episodes = models.ManyToManyField(Episode, related_name="return_interviews")
    status = FSMField(max_length=20, choices=Status.choices, default=Status.AWAITING_ALLOCATION, protected=False)
    returned_at = models.DateTimeField(help_text="The latest return the interview covers.")
    due_at = models.DateTimeField()

    triage = models.CharField(max_length=10, choices=Triage.choices)
    triage_reasons = models.JSONField(default=list)
    triage_override = models.CharField(max_length=10, choices=Triage.choices, blank=True)
    triage_override_reason = models.CharField(max_length=500, blank=True)

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_interviews",
        verbose_name="return interview worker",
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    allocated_at = models.DateTimeField(null=True, blank=True)

    outcome_at = models.DateTimeField("when the outcome happened", null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome_reason = models.TextField(blank=True)
    parents_offered = models.BooleanField(
        "parents or carers were offered the chance to give information", null=True, blank=True
    )
    parents_information = models.TextField("what parents or carers said", blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()
    objects = ReturnInterviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="interview_status_due_idx"),
            models.Index(fields=["worker", "status"], name="interview_worker_idx"),
            # The open interviews in a person's scope, found from this index alone (the home page).
            models.Index(
                fields=["child", "worker", "id"],
                condition=models.Q(status__in=["awaiting_allocation", "allocated"]),
                name="interview_open_scope_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(status__in=["awaiting_allocation", "allocated"]),
                name="one_open_interview_per_child",
            )
        ]

    def __str__(self):
        return f"Return interview for {self.child}, due {timezone.localtime(self.due_at):%d %b %Y %H:%M}"

    def get_absolute_url(self):
        return record_url("interviews:detail", self.pk)

    @property
    def effective_triage(self) -> str:
        return self.triage_override or self.triage

    def get_effective_triage_display(self) -> str:
        return Triage(self.effective_triage).label

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def within_72_hours(self) -> bool | None:
        """Computed, never typed: completed by the due time. None until completed."""
        if self.completed_at is None:
            return None
        return self.completed_at <= self.due_at

    def time_left(self, now: datetime.datetime | None = None) -> datetime.timedelta:
        return self.due_at - (now or timezone.now())

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        return self.is_open and self.time_left(now) <= datetime.timedelta(0)

    @transition(field=status, source=Status.AWAITING_ALLOCATION, target=Status.ALLOCATED)
    def allocate(self):
        """A coordinator allocated a worker."""

    @transition(field=status, source=Status.ALLOCATED, target=Status.ALLOCATED)
    def reallocate(self):
        """A coordinator moved the interview to another worker."""

    @transition(field=status, source=OPEN_STATUSES, target=RETURN_VALUE(*OUTCOMES))
    def record_outcome(self, outcome: str) -> str:
        """The interview ended: completed, declined, no contact, missing again, not appropriate."""
        return outcome

    @transition(field=status, source=OPEN_STATUSES, target=Status.CANCELLED)
    def cancel(self):
        """Every return it covered was withdrawn by the police."""


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    VISIT = "visit", "Visit"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    THROUGH_CARER = "through_carer", "Through a parent, carer or professional"


class ContactResult(models.TextChoices):
    SPOKE = "spoke", "Spoke to the child"
    ARRANGED = "arranged", "Interview arranged"
    NO_ANSWER = "no_answer", "No answer"
    MESSAGE_LEFT = "message_left", "Message left"
    REFUSED = "refused", "Child refused"
    NOT_AVAILABLE = "not_available", "Child not available"


class ContactAttempt(models.Model):
    """One try at reaching the child: when, how and what came of it."""

    interview = models.ForeignKey(ReturnInterview, on_delete=models.CASCADE, related_name="contact_attempts")
    attempted_at = models.DateTimeField("when")
    method = models.CharField("how", max_length=20, choices=ContactMethod.choices)
    result = models.CharField("outcome", max_length=20, choices=ContactResult.choices)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["attempted_at", "pk"]

    def __str__(self):
        return f"{self.get_method_display()}: {self.get_result_display()}"


# Push and pull factors, a fixed taxonomy so the monthly dashboard can count primary factors
# (Wigan protocol §13 and Appendix e: 'why they went').
PUSH_FACTORS = [
    ("conflict_home", "Conflict at home or in the placement"),
    ("abuse_neglect", "Abuse or neglect"),
    ("domestic_abuse", "Domestic abuse at home"),
    ("boundaries", "Rules, boundaries or sanctions"),
    ("unhappy_placement", "Unhappy with the placement"),
    ("bullying", "Bullying"),
    ("school", "Problems at school"),
    ("mental_health", "Emotional or mental health"),
    ("bereavement", "Bereavement or loss"),
]
PULL_FACTORS = [
    ("friends", "Wanting to be with friends"),
    ("partner", "Boyfriend or girlfriend"),
    ("family", "Wanting to see family"),
    ("adults_of_concern", "Adults of concern or grooming"),
    ("gangs", "Gangs or criminal exploitation"),
    ("drugs_alcohol", "Drugs or alcohol"),
    ("parties", "Parties or excitement"),
]
FACTOR_LABELS = dict(PUSH_FACTORS + PULL_FACTORS)

REFERRALS = [
    ("childrens_social_care", "Children's social care"),
    ("cse_team", "CSE team"),
    ("early_help", "Early help"),
]
REFERRAL_LABELS = dict(REFERRALS)


class Consent(models.TextChoices):
    YES = "yes", "Yes, with the people named"
    NO = "no", "No"
    SAFEGUARDING = "safeguarding", "No, but shared because of a safeguarding concern"


class RecordState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for authorisation"
    RETURNED = "returned", "Returned with comments"
    AUTHORISED = "authorised", "Authorised"


class InterviewRecord(models.Model):
    """What the child said, after the Wigan return home interview form (Appendix e)."""

    interview = models.OneToOneField(ReturnInterview, on_delete=models.CASCADE, related_name="record")
    state = FSMField(max_length=12, choices=RecordState.choices, default=RecordState.DRAFT, protected=False)

    # Where and when; who was present.
    held_at = models.DateTimeField("when the interview took place", null=True, blank=True)
    place = models.CharField("where it took place", max_length=300, blank=True)
    seen_alone = models.BooleanField("the child was seen alone", null=True, blank=True)
    present = models.CharField("who else was present", max_length=500, blank=True)
    # Why they went.
    push_factors = models.JSONField(default=list, blank=True)
    pull_factors = models.JSONField(default=list, blank=True)
    primary_factor = models.CharField(max_length=30, blank=True)
    # What happened while away.
    where_stayed = models.TextField("where they were", blank=True)
    with_whom = models.TextField("who they were with", blank=True)
    harm = models.TextField("harm suffered", blank=True)
    drugs_alcohol = models.TextField("drugs or alcohol", blank=True)
    exploitation = models.TextField("exploitation indicators", blank=True)
    crime = models.TextField("crime, by or against the child", blank=True)
    where_slept = models.TextField("where they slept", blank=True)
    food_money = models.TextField("food and money", blank=True)
    # How they returned, and what would help.
    how_returned = models.TextField("how they returned", blank=True)
    what_would_help = models.TextField("what would stop it happening again", blank=True)
    child_words = models.TextField("the child's own words", blank=True)
    referrals = models.JSONField(default=list, blank=True)
    consent = models.CharField("consent to share", max_length=20, choices=Consent.choices, blank=True)
    share_with = models.CharField("shared with", max_length=500, blank=True)

    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    authorised_at = models.DateTimeField(null=True, blank=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    manager_comments = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    def __str__(self):
        return f"Interview record ({self.get_state_display()})"

    @property
    def editable(self) -> bool:
        return self.state in (RecordState.DRAFT, RecordState.RETURNED)

    def factor_labels(self, names) -> list[str]:
        return [FACTOR_LABELS.get(name, name) for name in names]

    def push_labels(self):
        return self.factor_labels(self.push_factors)

    def pull_labels(self):
        return self.factor_labels(self.pull_factors)

    def primary_label(self) -> str:
        return FACTOR_LABELS.get(self.primary_factor, "")

    def referral_labels(self) -> list[str]:
        return [REFERRAL_LABELS.get(name, name) for name in self.referrals]

    @transition(field=state, source=[RecordState.DRAFT, RecordState.RETURNED], target=RecordState.SUBMITTED)
    def submit(self):
        """The worker asks a manager to authorise the record."""

    @transition(field=state, source=RecordState.SUBMITTED, target=RecordState.RETURNED)
    def return_with_comments(self):
        """A manager sent the record back to the worker."""

    @transition(field=state, source=RecordState.SUBMITTED, target=RecordState.AUTHORISED)
    def authorise(self):
        """A manager authorised the record; it is shared."""


class Notification(models.Model):
    """A message in a person's inbox (and sent by email): it names no child, only the page."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    interview = models.ForeignKey(
        ReturnInterview, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=300)
    # The page the message is about, for notifications that are not about an interview (an
    # escalation, a meeting): a path on this site, opened once the reader may still see it.
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
            # The email sweep reads only the few rows whose email has not gone yet.
            models.Index(
                fields=["created_at"], name="notification_unemailed_idx", condition=models.Q(emailed_at__isnull=True)
            ),
        ]

    def __str__(self):
        return self.message


class InterviewDownload(models.Model):
    """Append-only: who downloaded an interview record's PDF, and when."""

    interview = models.ForeignKey(ReturnInterview, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    downloaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-downloaded_at"]

    def __str__(self):
        return f"{self.user} downloaded {self.interview} at {self.downloaded_at:%Y-%m-%d %H:%M}"


class SocialWorkerVisit(models.Model):
    """The social worker's visit to a looked-after child after a return (Wigan protocol: within
    24 hours, the child seen alone)."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="social_worker_visit")
    visited_at = models.DateTimeField("when the visit took place")
    seen_alone = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    def __str__(self):
        return f"Social worker visit {timezone.localtime(self.visited_at):%d %b %Y %H:%M}"
