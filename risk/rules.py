"""The escalation table of domain.md ('Escalation rules') as data, one rule per row or trigger,
with the numbers a local authority may tighten and the statutory floor it may never loosen.

Each number names which way is tighter: fewer hours before the rule fires is tighter, and so is
a longer window in which earlier episodes count. A setting looser than its floor is refused.
"""

import dataclasses
import datetime

from django.db import models


class Kind(models.TextChoices):
    TIME = "time", "Checked by the deadline sweep"
    EVENT = "event", "Checked when an episode is created or changes"


class SeniorPost(models.TextChoices):
    """The senior people the protocols name ('need to know', chairs, regular updates)."""

    DIRECTOR = "director", "Director of children's services"
    ASSISTANT_DIRECTOR = "assistant_director", "Assistant director"
    SERVICE_MANAGER = "service_manager", "Service manager"
    PRINCIPAL_MANAGER = "principal_manager", "Principal manager"


class MeetingKind(models.TextChoices):
    STRATEGY = "strategy", "Strategy meeting"
    URGENT_STRATEGY = "urgent_strategy", "Urgent strategy meeting"
    INTERVENTION = "intervention", "Intervention meeting"
    MAPPING = "mapping", "Mapping meeting"
    WEEKLY = "weekly", "Weekly multi-agency missing meeting"


LOWER = "lower"  # a smaller number is tighter (hours before firing, episodes counted, days to act)
HIGHER = "higher"  # a larger number is tighter (the window in which earlier episodes count)


@dataclasses.dataclass(frozen=True)
class Setting:
    """One number of a rule: `field` is its column on RuleThreshold."""

    field: str
    label: str
    unit: str
    default: int
    floor: int
    tighter: str = LOWER

    def looser_than_floor(self, value: int) -> bool:
        return value > self.floor if self.tighter == LOWER else value < self.floor


@dataclasses.dataclass(frozen=True)
class Rule:
    code: str
    trigger: str
    response: str
    source: str
    kind: str
    settings: tuple[Setting, ...]
    # Who is told: senior posts of the child's responsible authority (the authority's managers when
    # nobody holds the post), and the people around the child.
    posts: tuple[str, ...] = ()
    tell_social_worker: bool = True
    tell_iro: bool = False
    tell_coordinators: bool = True
    meeting: str = ""  # the meeting a firing asks for (MeetingKind)
    chair_post: str = ""  # the post that must chair it
    task: str = ""  # a task a firing creates, when not a meeting
    location: bool = False  # counted by the place the child was absent from, not by child

    def setting(self, field: str) -> Setting | None:
        return next((s for s in self.settings if s.field == field), None)


def _hours(default: int) -> Setting:
    return Setting("threshold", "Hours missing before the rule fires", "hours", default, default)


def _count(default: int, what: str) -> Setting:
    return Setting("threshold", f"Number of {what}", what, default, default)


def _window(default: int) -> Setting:
    return Setting("window_days", "Days in which they count", "days", default, default, HIGHER)


MISSING_24_HOURS = "missing_24_hours"
MISSING_72_HOURS = "missing_72_hours"
MISSING_7_DAYS = "missing_7_days"
EPISODE_OVER_24_HOURS = "episode_over_24_hours"
THREE_EPISODES_IN_A_MONTH = "three_episodes_in_a_month"
TWO_OR_MORE_EPISODES = "two_or_more_episodes"
CHILD_PROTECTION_MISSING = "child_protection_missing"
REPEAT_ABSENCE_CHILD = "repeat_absence_child"
REPEAT_ABSENCE_LOCATION = "repeat_absence_location"
CONTINUING_REPEAT_EPISODES = "continuing_repeat_episodes"

SUPPORT_DISCUSSION = "support_discussion"
SAFEGUARDING_REVIEW = "safeguarding_review"
SENIOR_DISCUSSION = "senior_discussion"
TASKS = {
    SUPPORT_DISCUSSION: "Discussion with the child and family to offer support; review earlier actions",
    SAFEGUARDING_REVIEW: "Safeguarding review of repeated absences",
    SENIOR_DISCUSSION: "Senior managers of children's services and the police discuss the case",
}

RULES: tuple[Rule, ...] = (
    Rule(
        MISSING_24_HOURS,
        "Missing more than 24 hours",
        "Tell the assistant director and service manager ('need to know'); consider a strategy meeting",
        "Wigan protocol §12",
        Kind.TIME,
        (_hours(24),),
        posts=(SeniorPost.ASSISTANT_DIRECTOR, SeniorPost.SERVICE_MANAGER),
    ),
    Rule(
        MISSING_72_HOURS,
        "Missing 72 hours or more",
        "Urgent strategy meeting, held within 5 working days of the 72-hour point",
        "Wigan protocol §12, Birmingham procedure §3",
        Kind.TIME,
        (_hours(72), Setting("respond_within", "Working days to hold the meeting", "working days", 5, 5)),
        posts=(SeniorPost.ASSISTANT_DIRECTOR, SeniorPost.SERVICE_MANAGER),
        meeting=MeetingKind.URGENT_STRATEGY,
    ),
    Rule(
        MISSING_7_DAYS,
        "Missing 7 days or more",
        "Strategy meeting chaired by a principal manager, the IRO attends, regular updates to the assistant director",
        "Wigan protocol §12",
        Kind.TIME,
        (Setting("threshold", "Days missing before the rule fires", "days", 7, 7),),
        posts=(SeniorPost.PRINCIPAL_MANAGER, SeniorPost.ASSISTANT_DIRECTOR, SeniorPost.SERVICE_MANAGER),
        tell_iro=True,
        meeting=MeetingKind.STRATEGY,
        chair_post=SeniorPost.PRINCIPAL_MANAGER,
    ),
    Rule(
        EPISODE_OVER_24_HOURS,
        "One episode over 24 hours",
        "Intervention meeting at the earliest opportunity",
        "Wigan protocol §11",
        Kind.TIME,
        (_hours(24),),
        meeting=MeetingKind.INTERVENTION,
    ),
    Rule(
        THREE_EPISODES_IN_A_MONTH,
        "3 episodes in one month",
        "Intervention meeting at the earliest opportunity",
        "Wigan protocol §11",
        Kind.EVENT,
        (_count(3, "episodes"), _window(30)),
        meeting=MeetingKind.INTERVENTION,
    ),
    Rule(
        TWO_OR_MORE_EPISODES,
        "2 or more episodes",
        "Discussion with the child and family to offer support; review earlier actions",
        "DfE statutory guidance ¶46",
        Kind.EVENT,
        (_count(2, "episodes"), _window(365)),
        tell_coordinators=False,
        task=SUPPORT_DISCUSSION,
    ),
    Rule(
        CHILD_PROTECTION_MISSING,
        "Child on a child protection plan or in s47 enquiries missing from home",
        "Strategy meeting as soon as practicable and within 7 days, unless the child has returned",
        "Birmingham procedure",
        Kind.EVENT,
        (Setting("respond_within", "Days to hold the meeting", "days", 7, 7),),
        posts=(SeniorPost.SERVICE_MANAGER,),
        meeting=MeetingKind.STRATEGY,
    ),
    Rule(
        REPEAT_ABSENCE_CHILD,
        "3 absences in 90 days for one child",
        "Safeguarding review",
        "West Midlands Police policy (seeds/004)",
        Kind.EVENT,
        (_count(3, "absences"), _window(90)),
        task=SAFEGUARDING_REVIEW,
    ),
    Rule(
        REPEAT_ABSENCE_LOCATION,
        "5 absences from one location in 30 days",
        "Safeguarding review",
        "West Midlands Police policy (seeds/004)",
        Kind.EVENT,
        (_count(5, "absences"), _window(30)),
        task=SAFEGUARDING_REVIEW,
        location=True,
    ),
    Rule(
        CONTINUING_REPEAT_EPISODES,
        "Continuing repeat episodes",
        "Senior management with the police; the director of children's services",
        # Wigan §11 gives no number ("continues to be reported missing beyond this level"): the
        # default is Homeward's reading, 5 episodes in 90 days, and is the floor.
        "Wigan protocol §11",
        Kind.EVENT,
        (_count(5, "episodes"), _window(90)),
        posts=(SeniorPost.DIRECTOR, SeniorPost.ASSISTANT_DIRECTOR),
        task=SENIOR_DISCUSSION,
    ),
)
BY_CODE = {rule.code: rule for rule in RULES}
RULE_CHOICES = [(rule.code, rule.trigger) for rule in RULES]
TIME_RULES = tuple(rule for rule in RULES if rule.kind == Kind.TIME)
EVENT_RULES = tuple(rule for rule in RULES if rule.kind == Kind.EVENT)
SETTING_FIELDS = ("threshold", "window_days", "respond_within")


def threshold_errors(rule: Rule, values: dict[str, int | None]) -> dict[str, str]:
    """Domain.md: the statutory guidance is the floor; a local authority may tighten a rule,
    never loosen it. Returns field -> message for each refused number."""
    errors = {}
    for field in SETTING_FIELDS:
        value = values.get(field)
        setting = rule.setting(field)
        if value is None:
            continue
        if setting is None:
            errors[field] = f"The rule '{rule.trigger}' has no such setting"
        elif value < 1:
            errors[field] = f"{setting.label} must be 1 or more"
        elif setting.looser_than_floor(value):
            way = "more than" if setting.tighter == LOWER else "fewer than"
            errors[field] = (
                f"A rule threshold cannot be looser than the statutory floor: {setting.label.lower()} "
                f"cannot be {way} {setting.floor} {setting.unit} ({rule.source})"
            )
    return errors


@dataclasses.dataclass(frozen=True)
class Thresholds:
    """The numbers in force for one rule in one local authority."""

    rule: Rule
    values: dict[str, int]

    @property
    def threshold(self) -> int:
        return self.values["threshold"]

    @property
    def window_days(self) -> int:
        return self.values["window_days"]

    @property
    def respond_within(self) -> int:
        return self.values["respond_within"]

    @property
    def elapsed(self) -> datetime.timedelta:
        """A time rule's threshold as elapsed time."""
        setting = self.rule.setting("threshold")
        unit = datetime.timedelta(days=1) if setting.unit == "days" else datetime.timedelta(hours=1)
        return unit * self.threshold


def thresholds(rule: Rule, overrides: dict[str, int | None] | None = None) -> Thresholds:
    overrides = overrides or {}
    values = {s.field: overrides[s.field] if overrides.get(s.field) is not None else s.default for s in rule.settings}
    return Thresholds(rule, values)


def time_rule_due(last_seen_at: datetime.datetime, rule_thresholds: Thresholds) -> datetime.datetime:
    """Wigan protocol §12: missing 24 hours, 72 hours or 7 days of elapsed time since last seen
    (in UTC, so a clock change never adds or removes an hour)."""
    return last_seen_at.astimezone(datetime.UTC) + rule_thresholds.elapsed


def uk_day(moment: datetime.datetime) -> datetime.date:
    from .workingdays import UK_TIME

    return moment.astimezone(UK_TIME).date()


def count_in_window(moments: list[datetime.datetime], at: datetime.datetime, window_days: int) -> int:
    """Episodes (their last-seen times) up to `at` whose UK day is the day of `at` or one of the
    `window_days` days before it. A third episode 30 days after the first is within a month (30
    days); 31 days after is not. Counted by day, so the hour of an episode never decides it."""
    start = uk_day(at) - datetime.timedelta(days=window_days)
    return sum(1 for moment in moments if moment <= at and uk_day(moment) >= start)


def window_start(at: datetime.datetime, window_days: int) -> datetime.date:
    return uk_day(at) - datetime.timedelta(days=window_days)


# "At the earliest opportunity" / "as soon as practicable" (Wigan §11, §12): Homeward reads it as
# by the end of the next working day.
EARLIEST_OPPORTUNITY_WORKING_DAYS = 1


def meeting_due(rule: Rule, numbers: Thresholds, trigger_at: datetime.datetime) -> datetime.datetime:
    """When the meeting a firing asks for must be held.

    - Urgent strategy meeting (Wigan §12, Birmingham procedure §3): within 5 working days of
      the 72-hour point (`trigger_at`), by the end of that UK day.
    - Strategy meeting for a child on a child protection plan (Birmingham procedure): within 7
      days of the firing, elapsed time.
    - Otherwise (intervention meetings, the 7-day strategy meeting): at the earliest
      opportunity, by the end of the next working day.
    """
    from .workingdays import working_days_after

    if rule.code == MISSING_72_HOURS:
        return working_days_after(trigger_at, numbers.respond_within)
    if rule.code == CHILD_PROTECTION_MISSING:
        return trigger_at.astimezone(datetime.UTC) + datetime.timedelta(days=numbers.respond_within)
    return working_days_after(trigger_at, EARLIEST_OPPORTUNITY_WORKING_DAYS)


def child_protection_applies(child) -> bool:
    """Birmingham procedure: a child living at home who is the subject of a child protection plan,
    or of a s47 enquiry, needs the additional action (a strategy meeting within 7 days)."""
    from children.models import LegalStatus

    return child.legal_status == LegalStatus.CHILD_PROTECTION or child.s47_enquiry


# Risk assessments (domain.md, 'Risk assessment and action plan'; Wigan Appendix a).
# The longest an address in the action plan may wait before the police are told.
MAX_HOURS_BEFORE_REPORTING = 6
# A review after every episode, due 5 working days after the return (the risk issue).
REVIEW_AFTER_RETURN_WORKING_DAYS = 5
# Reviewed at least every 6 months.
REVIEW_EVERY_MONTHS = 6
# domain.md, 'Risk assessment and action plan': within 3 working days of an emergency placement.
EMERGENCY_PLACEMENT_WORKING_DAYS = 3


def assessment_due(
    *,
    last_signed_at: datetime.datetime | None,
    returns_since: list[datetime.datetime],
    emergency_placement_on: datetime.date | None = None,
) -> datetime.datetime | None:
    """When the child's next risk assessment (or review) is due: 5 working days after the first
    return since the last signed version, at least 6 months after it, and by the end of the 3rd
    working day after an emergency placement that no signed version has followed (whichever is
    soonest); None when none applies (no version yet, no return, no emergency placement)."""
    from dateutil.relativedelta import relativedelta

    from .workingdays import UK_TIME, add_working_days, end_of_day, working_days_after

    candidates = []
    if emergency_placement_on is not None and (
        last_signed_at is None or last_signed_at.astimezone(UK_TIME).date() < emergency_placement_on
    ):
        candidates.append(end_of_day(add_working_days(emergency_placement_on, EMERGENCY_PLACEMENT_WORKING_DAYS)))
    if last_signed_at is not None:
        # Calendar months on the UK clock: signed at 10:00 on 1 December, due 10:00 on 1 June.
        candidates.append(last_signed_at.astimezone(UK_TIME) + relativedelta(months=REVIEW_EVERY_MONTHS))
    if returns_since:
        candidates.append(working_days_after(min(returns_since), REVIEW_AFTER_RETURN_WORKING_DAYS))
    return min(candidates) if candidates else None
