"""Changes to escalations: one keyword-only function per change of state, called alike from the
admin, the pages, the API, the episodes_changed receiver and the deadline sweep."""

import datetime
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from children.models import LegalStatus
from deadlines import services as deadlines
from deadlines.models import Deadline, DeadlineState
from episodes.models import Category, Episode, MissingFrom
from interviews.services import notify
from missing.moments import uk_datetime
from organisations.models import User
from organisations.roles import AgencyKind, Role

from . import rules
from .models import (
    AssessmentAddress,
    AssessmentState,
    Escalation,
    EscalationRecipient,
    EscalationTask,
    Invitee,
    LegalOption,
    Meeting,
    MeetingAction,
    MeetingRecord,
    MeetingState,
    RiskAssessment,
    RiskLevel,
    RuleThreshold,
    SeniorPostHolder,
)
from .workingdays import UK_TIME, end_of_day

DEADLINE_PREFIX = "risk."


def deadline_kind(rule: rules.Rule) -> str:
    """The deadline kind of a time rule, e.g. 'risk.missing_24_hours'."""
    return DEADLINE_PREFIX + rule.code


def child_authorities(child) -> set[int]:
    return {a for a in (child.responsible_authority_id, child.host_authority_id) if a}


class ThresholdBook:
    """The numbers in force for the given local authorities, read in one query."""

    def __init__(self, authority_ids):
        self._overrides = {
            (row.local_authority_id, row.rule): row.values()
            for row in RuleThreshold.objects.filter(local_authority_id__in=list(authority_ids))
        }

    def get(self, authority_id: int, rule: rules.Rule) -> rules.Thresholds:
        return rules.thresholds(rule, self._overrides.get((authority_id, rule.code)))


# --- Thresholds a local authority tightens ------------------------------------------------------


@transaction.atomic
def rule_threshold_set(
    *,
    local_authority,
    rule: str,
    by,
    threshold: int | None = None,
    window_days: int | None = None,
    respond_within: int | None = None,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> RuleThreshold:
    """Tighten (or return to the default, with None) a rule's numbers for one local authority.
    A number looser than the statutory floor is refused and nothing is saved. The clocks of
    children missing now follow the new numbers."""
    now = now or timezone.now()
    definition = rules.BY_CODE.get(rule)
    if definition is None:
        raise ValidationError({"rule": "Choose an escalation rule"})
    values = {"threshold": threshold, "window_days": window_days, "respond_within": respond_within}
    errors = rules.threshold_errors(definition, values)
    if errors:
        raise ValidationError(errors)
    row = RuleThreshold.objects.select_for_update().filter(
        local_authority=local_authority, rule=rule
    ).first() or RuleThreshold(local_authority=local_authority, rule=rule)
    for field, value in values.items():
        setattr(row, field, value)
    row._history_user = by
    row._change_reason = reason.strip() or "Thresholds changed"
    row.save()
    if definition.kind == rules.Kind.TIME:
        missing = Episode.objects.filter(
            child__responsible_authority=local_authority, category=Category.MISSING, returned_at__isnull=True
        ).select_related("child")
        sync_time_rule_clocks(list(missing), now=now)
    return row


# --- Who is told ---------------------------------------------------------------------------------


class People:
    """Senior post holders, managers and coordinators by local authority, read once per batch."""

    def __init__(self):
        self._posts: dict[int, dict[str, list[User]]] | None = None
        self._council: dict[tuple, list[User]] = {}

    def holders(self, authority_id: int, post: str) -> list[User]:
        if self._posts is None:
            self._posts = defaultdict(lambda: defaultdict(list))
            for holder in SeniorPostHolder.objects.filter(user__is_active=True).select_related("user"):
                self._posts[holder.local_authority_id][holder.post].append(holder.user)
        return self._posts[authority_id][post]

    def council(self, authority_ids: set[int], role: str) -> list[User]:
        key = (tuple(sorted(authority_ids)), role)
        if key not in self._council:
            self._council[key] = list(
                User.objects.filter(
                    is_active=True,
                    memberships__active=True,
                    memberships__role=role,
                    memberships__agency__kind=AgencyKind.CHILDRENS_SERVICES,
                    memberships__agency__local_authorities__in=list(authority_ids),
                ).distinct()
            )
        return self._council[key]


def recipients_for(rule: rules.Rule, child, people: People | None = None) -> list[tuple[User, str]]:
    """Who a firing goes to, and why: the senior posts the rule names in the child's responsible
    authority (its managers when nobody holds them), the allocated social worker, the IRO of a
    looked-after child when the rule says so, and the hub serving the child."""
    people = people or People()
    chosen: dict[int, tuple[User, str]] = {}

    def add(user, why):
        if user is not None and user.is_active and user.pk not in chosen:
            chosen[user.pk] = (user, why)

    named = False
    for post in rule.posts:
        for user in people.holders(child.responsible_authority_id, post):
            named = True
            add(user, rules.SeniorPost(post).label)
    if rule.posts and not named:
        for user in people.council({child.responsible_authority_id}, Role.MANAGER):
            add(user, "Manager (nobody holds the senior posts the rule names)")
    if rule.tell_social_worker:
        add(child.social_worker, "Allocated social worker")
    if rule.tell_iro and child.is_looked_after:
        add(child.iro, "Independent reviewing officer")
    if rule.tell_coordinators:
        for user in people.council(child_authorities(child), Role.COORDINATOR):
            add(user, "Missing hub coordinator")
    return list(chosen.values())


# --- Firing --------------------------------------------------------------------------------------


@transaction.atomic
def escalation_fire(
    *,
    rule: rules.Rule,
    child,
    episode: Episode | None,
    trigger_key: str,
    reason: str,
    now: datetime.datetime,
    people: People | None = None,
    trigger_at: datetime.datetime | None = None,
) -> Escalation | None:
    """Record a firing and send it, in one transaction: the escalation, its recipients, the work
    it creates and the messages are written together or not at all. The unique key (rule,
    child, trigger) makes a second firing of the same trigger, even from a concurrent sweep or
    import, do nothing (returns None)."""
    escalation = Escalation(
        rule=rule.code,
        child=child,
        episode=episode,
        local_authority_id=child.responsible_authority_id,
        trigger_key=trigger_key,
        fired_at=now,
        reason=reason,
    )
    recipients = recipients_for(rule, child, people)
    escalation.created_work = [f"'Need to know' message to {len(recipients)} people"]
    escalation._change_reason = f"Fired: {rule.trigger} ({rule.source})"
    try:
        with transaction.atomic():
            escalation.save()
    except IntegrityError:
        return None
    bulk_create_with_history(
        [EscalationRecipient(escalation=escalation, user=user, why=why) for user, why in recipients],
        EscalationRecipient,
        default_change_reason="Sent",
        default_date=now,
    )
    work = _create_work(escalation, rule, trigger_at or now, now)
    if work:
        escalation.created_work = [*escalation.created_work, *work]
        escalation._change_reason = "What the firing created"
        escalation.save(update_fields=["created_work"])
    notify(
        users=[user for user, _ in recipients],
        message=f"Escalation ({rule.trigger}): {rule.response}",
        kind="escalation",
        now=now,
        link=escalation.get_absolute_url(),
    )
    return escalation


@transaction.atomic
def escalation_acknowledge(*, escalation: Escalation, by, now: datetime.datetime | None = None) -> EscalationRecipient:
    """The person it was sent to says they have seen it (once; a second time changes nothing)."""
    now = now or timezone.now()
    recipient = EscalationRecipient.objects.select_for_update().filter(escalation=escalation, user=by).first()
    if recipient is None:
        raise PermissionDenied("Only a person the escalation was sent to can acknowledge it.")
    if recipient.acknowledged_at is None:
        recipient.acknowledged_at = now
        recipient._history_user = by
        recipient._change_reason = "Acknowledged"
        recipient.save()
    return recipient


# --- Time rules: deadline rows on the episode ----------------------------------------------------


def time_rule_due(episode: Episode, rule_thresholds: rules.Thresholds) -> datetime.datetime | None:
    """When a time rule fires for a missing episode: last seen + the threshold. It does not
    apply to an absence, or to a child who returned before the threshold was reached."""
    if episode.category != Category.MISSING:
        return None
    due = rules.time_rule_due(episode.last_seen_at, rule_thresholds)
    if episode.returned_at is not None and episode.returned_at < due:
        return None
    return due


def sync_time_rule_clocks(episodes: list[Episode], *, now: datetime.datetime) -> None:
    """Bring each time rule's clock on these episodes in line (a few queries per rule for the
    whole batch). A clock already breached stays breached: the rule fired."""
    if not episodes:
        return
    book = ThresholdBook({e.child.responsible_authority_id for e in episodes})
    for rule in rules.TIME_RULES:
        clocks = {
            e.pk: deadlines.Clock(due_at=time_rule_due(e, book.get(e.child.responsible_authority_id, rule)))
            for e in episodes
        }
        deadlines.deadlines_set(kind=deadline_kind(rule), model=Episode, clocks=clocks, now=now)


def time_rule_breached(deadline, now: datetime.datetime) -> None:
    """The sweep claimed a time rule's deadline (once): fire the rule for the episode."""
    rule = rules.BY_CODE[deadline.kind.removeprefix(DEADLINE_PREFIX)]
    episode = (
        Episode.objects.select_related("child", "child__social_worker", "child__iro")
        .filter(pk=deadline.subject_id)
        .first()
    )
    if episode is None:
        return
    book = ThresholdBook({episode.child.responsible_authority_id})
    due = time_rule_due(episode, book.get(episode.child.responsible_authority_id, rule))
    if due is None:
        return
    escalation_fire(
        rule=rule,
        child=episode.child,
        episode=episode,
        trigger_key=f"episode:{episode.pk}",
        reason=f"{rule.trigger}: last seen {uk_datetime(episode.last_seen_at)}",
        now=now,
        trigger_at=due,
    )


# --- Event rules: when episodes are created or change --------------------------------------------

EPISODE_COUNT_RULES = {
    rules.THREE_EPISODES_IN_A_MONTH: Category.MISSING,
    rules.TWO_OR_MORE_EPISODES: Category.MISSING,
    rules.CONTINUING_REPEAT_EPISODES: Category.MISSING,
    rules.REPEAT_ABSENCE_CHILD: Category.ABSENT,
}
WORDS = {Category.MISSING: "missing episodes", Category.ABSENT: "absences"}


def location_key(establishment_id, postcode: str) -> str:
    """The place a child was absent from: the placement when known, else the postcode."""
    if establishment_id:
        return f"establishment:{establishment_id}"
    postcode = "".join(postcode.split()).upper()
    return f"postcode:{postcode}" if postcode else ""


@transaction.atomic
def escalations_follow_episodes(*, episode_ids, now: datetime.datetime) -> list[Escalation]:
    """The receiver of episodes_changed: time rules' clocks, then event rules, for a batch.

    1. Read the batch's episodes with their children (1 query) and set the time rules' clocks.
    2. Read, once for the batch, the children's earlier episodes inside the longest window, the
       absences from the same places, and the earlier firings of the event rules.
    3. For each episode (oldest first) and event rule: fire when the count in the window reaches
       the threshold, unless the rule already fired for this child (or place) on an episode in
       the same window — one firing per run of episodes, not one per episode after the threshold.
    """
    episodes = sorted(
        Episode.objects.filter(pk__in=episode_ids).select_related("child", "child__social_worker", "child__iro"),
        key=lambda e: (e.last_seen_at, e.pk),
    )
    if not episodes:
        return []
    sync_time_rule_clocks(episodes, now=now)
    sync_assessment_clocks(list({e.child_id: e.child for e in episodes if e.returned_at is not None}.values()), now=now)
    book = ThresholdBook({e.child.responsible_authority_id for e in episodes})
    longest = max(
        book.get(e.child.responsible_authority_id, rule).window_days
        for e in episodes
        for rule in rules.EVENT_RULES
        if rule.setting("window_days")
    )
    earliest = episodes[0].last_seen_at - datetime.timedelta(days=longest + 1)
    child_ids = {e.child_id for e in episodes}

    seen: dict[tuple[int, str], list[datetime.datetime]] = defaultdict(list)
    for child_id, category, last_seen in Episode.objects.filter(
        child_id__in=child_ids, last_seen_at__gte=earliest
    ).values_list("child_id", "category", "last_seen_at"):
        seen[(child_id, category)].append(last_seen)

    places: dict[str, list[datetime.datetime]] = defaultdict(list)
    absences = [e for e in episodes if e.category == Category.ABSENT]
    keys = {location_key(e.establishment_id, e.missing_from_postcode) for e in absences} - {""}
    if keys:
        establishments = {e.establishment_id for e in absences if e.establishment_id}
        postcodes = {e.missing_from_postcode for e in absences if e.missing_from_postcode and not e.establishment_id}
        for establishment_id, postcode, last_seen in (
            Episode.objects.filter(category=Category.ABSENT, last_seen_at__gte=earliest)
            .filter(
                Q(establishment_id__in=establishments)
                | Q(establishment__isnull=True, missing_from_postcode__in=postcodes)
            )
            .values_list("establishment_id", "missing_from_postcode", "last_seen_at")
        ):
            places[location_key(establishment_id, postcode)].append(last_seen)

    fired: dict[tuple[str, object], list[datetime.datetime]] = defaultdict(list)
    for rule_code, child_id, trigger_key, last_seen in (
        Escalation.objects.filter(rule__in=[r.code for r in rules.EVENT_RULES], fired_at__gte=earliest)
        .filter(Q(child_id__in=child_ids) | Q(rule=rules.REPEAT_ABSENCE_LOCATION))
        .values_list("rule", "child_id", "trigger_key", "episode__last_seen_at")
    ):
        subject = trigger_key.rsplit("|", 1)[0] if rule_code == rules.REPEAT_ABSENCE_LOCATION else child_id
        fired[(rule_code, subject)].append(last_seen)

    people = People()
    made = []

    def fire(rule, episode, subject, trigger_key, reason):
        fired[(rule.code, subject)].append(episode.last_seen_at)
        escalation = escalation_fire(
            rule=rule,
            child=episode.child,
            episode=episode,
            trigger_key=trigger_key,
            reason=reason,
            now=now,
            people=people,
        )
        if escalation is not None:
            made.append(escalation)

    for episode in episodes:
        child = episode.child
        authority = child.responsible_authority_id
        for code, category in EPISODE_COUNT_RULES.items():
            if episode.category != category:
                continue
            rule = rules.BY_CODE[code]
            numbers = book.get(authority, rule)
            count = rules.count_in_window(seen[(child.pk, category)], episode.last_seen_at, numbers.window_days)
            if count < numbers.threshold:
                continue
            if rules.count_in_window(fired[(code, child.pk)], episode.last_seen_at, numbers.window_days):
                continue  # the same run of episodes already fired this rule
            fire(
                rule,
                episode,
                child.pk,
                f"episode:{episode.pk}",
                f"{count} {WORDS[category]} in {numbers.window_days} days: the latest last seen "
                f"{uk_datetime(episode.last_seen_at)}",
            )
        if episode.category == Category.ABSENT:
            key = location_key(episode.establishment_id, episode.missing_from_postcode)
            rule = rules.BY_CODE[rules.REPEAT_ABSENCE_LOCATION]
            numbers = book.get(authority, rule)
            if key:
                count = rules.count_in_window(places[key], episode.last_seen_at, numbers.window_days)
                already = rules.count_in_window(fired[(rule.code, key)], episode.last_seen_at, numbers.window_days)
                if count >= numbers.threshold and not already:
                    place = episode.establishment.name if episode.establishment_id else episode.missing_from_postcode
                    fire(
                        rule,
                        episode,
                        key,
                        f"{key}|episode:{episode.pk}",
                        f"{count} absences from {place} in {numbers.window_days} days",
                    )
        if (
            rules.child_protection_applies(child)
            and episode.category == Category.MISSING
            and episode.returned_at is None
            and episode.missing_from != MissingFrom.CARE_PLACEMENT
        ):
            rule = rules.BY_CODE[rules.CHILD_PROTECTION_MISSING]
            on_plan = child.legal_status == LegalStatus.CHILD_PROTECTION
            why = "on a child protection plan" if on_plan else "in s47 enquiries"
            fire(
                rule,
                episode,
                child.pk,
                f"episode:{episode.pk}",
                f"A child {why} is missing: last seen {uk_datetime(episode.last_seen_at)}",
            )
    child_protection_meetings_follow_returns(episodes, now=now)
    return made


def child_protection_meetings_follow_returns(episodes: list[Episode], *, now: datetime.datetime) -> None:
    """Birmingham procedure: "If the child has returned prior to the date of the strategy meeting,
    it is not a requirement for the meeting to go ahead." A strategy meeting to convene that only
    the child protection rule asked for, for episodes that have all ended, is recorded as not
    needed; one another rule or child also needs stays."""
    returned = [e.pk for e in episodes if e.returned_at is not None]
    if not returned:
        return
    meetings = (
        Meeting.objects.filter(
            state=MeetingState.TO_CONVENE,
            records__escalation__rule=rules.CHILD_PROTECTION_MISSING,
            records__escalation__episode_id__in=returned,
        )
        .distinct()
        .prefetch_related("records__escalation__episode")
    )
    for meeting in meetings:
        asked_by = [record.escalation for record in meeting.records.all()]
        if all(e is not None and e.rule == rules.CHILD_PROTECTION_MISSING and e.episode.returned_at for e in asked_by):
            back = max(e.episode.returned_at for e in asked_by)
            _record_not_needed(
                meeting,
                by=None,
                reason=f"The child returned on {uk_datetime(back)}, before the meeting: it need not go ahead "
                "(Birmingham procedure)",
                now=now,
            )


# --- Meetings ------------------------------------------------------------------------------------

MEETING_DUE = "risk.meeting_due"
ACTION_DUE = "risk.meeting_action_due"
# Who convenes, records and acts on meetings: council staff working with the child.
MEETING_ROLES = frozenset({Role.COORDINATOR, Role.MANAGER, Role.SOCIAL_WORKER})


def _agency_of(user) -> str:
    agencies = user.agencies()
    return agencies[0].name if agencies else ""


def _invite(meeting: Meeting, user, role: str, now) -> None:
    if user is None or not user.is_active or meeting.invitees.filter(user=user).exists():
        return
    invitee = Invitee(meeting=meeting, user=user, name=str(user), agency=_agency_of(user), role=role)
    invitee._change_reason = "Invited"
    invitee.save()


def _invite_around(meeting: Meeting, child, now) -> None:
    """The child's social worker; the IRO of a looked-after child (Wigan §12: the IRO attends);
    the holders of the post that must chair it."""
    _invite(meeting, child.social_worker, "Allocated social worker", now)
    if child.is_looked_after:
        _invite(meeting, child.iro, "Independent reviewing officer", now)
    if meeting.chair_post:
        for holder in SeniorPostHolder.objects.filter(local_authority=meeting.local_authority, post=meeting.chair_post):
            _invite(meeting, holder.user, rules.SeniorPost(meeting.chair_post).label, now)


def _create_work(escalation: Escalation, rule: rules.Rule, trigger_at, now) -> list[str]:
    """What a firing creates besides the messages: the meeting to convene, with its due date, or
    the task it asks for (given to the child's social worker)."""
    if rule.task:
        task = EscalationTask(
            escalation=escalation, kind=rule.task, assigned_to=escalation.child.social_worker, created_at=now
        )
        task._change_reason = "Asked for by an escalation"
        task.save()
        return [f"Task: {task.get_kind_display()}" + (f", for {task.assigned_to}" if task.assigned_to else "")]
    if not rule.meeting:
        return []
    numbers = ThresholdBook({escalation.local_authority_id}).get(escalation.local_authority_id, rule)
    due_at = rules.meeting_due(rule, numbers, trigger_at)
    meeting = meeting_to_convene(
        kind=rule.meeting,
        child=escalation.child,
        escalation=escalation,
        due_at=due_at,
        chair_post=rule.chair_post,
        now=now,
    )
    return [f"{meeting.get_kind_display()} to convene by {uk_datetime(meeting.due_at)}"]


def meeting_to_convene(*, kind: str, child, escalation, due_at, chair_post: str = "", now) -> Meeting:
    """A meeting a rule asks for. A child with the same kind of meeting still to convene joins it
    (its due time moves earlier when this one is sooner) rather than getting a second."""
    meeting = (
        Meeting.objects.select_for_update()
        .filter(kind=kind, state=MeetingState.TO_CONVENE, records__child=child)
        .first()
    )
    if meeting is None:
        meeting = Meeting(
            kind=kind,
            local_authority_id=child.responsible_authority_id,
            due_at=due_at,
            chair_post=chair_post,
            created_at=now,
        )
        meeting._change_reason = f"To convene: {escalation.get_rule_display()}"
        meeting.save()
        record = MeetingRecord(meeting=meeting, child=child, escalation=escalation)
        record._change_reason = "Asked for by an escalation"
        record.save()
        _invite_around(meeting, child, now)
    elif due_at < meeting.due_at or (chair_post and not meeting.chair_post):
        meeting.due_at = min(due_at, meeting.due_at)
        meeting.chair_post = meeting.chair_post or chair_post
        meeting._change_reason = f"Also asked for by: {escalation.get_rule_display()}"
        meeting.save()
        _invite_around(meeting, child, now)
    deadlines.deadline_open(kind=MEETING_DUE, subject=meeting, due_at=meeting.due_at)
    return meeting


def can_manage_meeting(user, meeting: Meeting | None = None) -> bool:
    """Council coordinators, managers and social workers convene and record meetings (the meeting
    must already be in their scope: out of scope is a 404 before this is asked)."""
    return user.has_role(*MEETING_ROLES)


def _require_manager(user, meeting=None) -> None:
    if not can_manage_meeting(user, meeting):
        raise PermissionDenied("Only council coordinators, managers and social workers can change meetings.")


@transaction.atomic
def meeting_create(*, kind: str, children, by, due_on: datetime.date | None = None, now=None) -> Meeting:
    """A meeting recorded by hand (a weekly multi-agency meeting, a mapping meeting of several
    children linked to one place or person): one record per child."""
    from children.models import Child

    now = now or timezone.now()
    _require_manager(by)
    children = list(children)
    errors = {}
    if kind not in rules.MeetingKind.values:
        errors["kind"] = "Choose the kind of meeting"
    if not children:
        errors["children"] = "Choose at least one child"
    elif Child.objects.visible_to(by).filter(pk__in=[c.pk for c in children]).count() != len(children):
        errors["children"] = "Choose children you work with"
    if errors:
        raise ValidationError(errors)
    meeting = Meeting(
        kind=kind,
        local_authority_id=children[0].responsible_authority_id,
        due_at=end_of_day(due_on) if due_on else None,
        created_at=now,
        created_by=by,
    )
    meeting._history_user, meeting._change_reason = by, "Created"
    meeting.save()
    for child in children:
        record = MeetingRecord(meeting=meeting, child=child)
        record._history_user = by
        record.save()
        _invite_around(meeting, child, now)
    if meeting.due_at:
        deadlines.deadline_open(kind=MEETING_DUE, subject=meeting, due_at=meeting.due_at)
    return meeting


def chair_errors(meeting: Meeting, chair) -> dict[str, str]:
    """Wigan §12: a chair for every meeting; the 7-day strategy meeting chaired by a principal
    manager (a holder of the post in the meeting's local authority)."""
    if chair is None:
        return {"chair": "Choose who chaired the meeting: a meeting cannot be recorded without a chair"}
    if (
        meeting.chair_post
        and not SeniorPostHolder.objects.filter(
            local_authority=meeting.local_authority, post=meeting.chair_post, user=chair
        ).exists()
    ):
        post = rules.SeniorPost(meeting.chair_post).label.lower()
        return {"chair": f"This meeting must be chaired by a {post} of {meeting.local_authority}"}
    return {}


@transaction.atomic
def meeting_record_held(
    *, meeting: Meeting, by, held_at, chair, review_on, attended: dict[int, bool] | None = None, now=None
) -> Meeting:
    """The meeting was held: when, who chaired, who attended, the review date. Its clock is met."""
    now = now or timezone.now()
    _require_manager(by, meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    errors = chair_errors(meeting, chair)
    if meeting.state == MeetingState.CANCELLED:
        errors["held_at"] = "The meeting was recorded as not needed"
    if held_at is None:
        errors["held_at"] = "Enter when the meeting was held"
    elif held_at > now:
        errors["held_at"] = "The meeting cannot be recorded before it is held"
    if review_on is None and meeting.kind != rules.MeetingKind.WEEKLY:
        errors["review_on"] = "Enter the review date"
    elif review_on is not None and held_at is not None and review_on < held_at.astimezone(UK_TIME).date():
        errors["review_on"] = "The review date cannot be before the meeting"
    if errors:
        raise ValidationError(errors)
    meeting.state, meeting.held_at, meeting.chair, meeting.review_on = MeetingState.HELD, held_at, chair, review_on
    meeting._history_user, meeting._change_reason = by, "Held"
    meeting.save()
    for invitee in meeting.invitees.all():
        if attended is not None and invitee.pk in attended and invitee.attended != attended[invitee.pk]:
            invitee.attended = attended[invitee.pk]
            invitee._history_user, invitee._change_reason = by, "Attendance recorded"
            invitee.save()
    deadlines.deadline_meet(kind=MEETING_DUE, subject=meeting, at=held_at)
    return meeting


@transaction.atomic
def meeting_not_needed(*, meeting: Meeting, by, reason: str, now=None) -> Meeting:
    """A meeting to convene will not be held, with the reason (Birmingham procedure: a child on a
    child protection plan who returns before the strategy meeting need not have it). Its clock is
    cancelled; the record stays."""
    now = now or timezone.now()
    _require_manager(by, meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    reason = reason.strip()
    if meeting.state != MeetingState.TO_CONVENE:
        raise ValidationError({"reason": f"The meeting is already {meeting.get_state_display().lower()}"})
    if not reason:
        raise ValidationError({"reason": "Enter why the meeting is not needed"})
    return _record_not_needed(meeting, by=by, reason=reason, now=now)


def _record_not_needed(meeting: Meeting, *, by, reason: str, now: datetime.datetime) -> Meeting:
    meeting.state, meeting.cancelled_reason = MeetingState.CANCELLED, reason[:300]
    # The reason is kept in cancelled_reason (and so in the history row): a change reason holds 100.
    meeting._history_user, meeting._change_reason = by, "Not needed"
    meeting.save()
    deadlines.deadline_cancel(kind=MEETING_DUE, subject=meeting, at=now)
    return meeting


@transaction.atomic
def invitee_add(*, meeting: Meeting, by, name: str, agency: str, role: str = "", attended=None) -> Invitee:
    _require_manager(by, meeting)
    errors = {}
    if not name.strip():
        errors["name"] = "Enter the name of the person invited"
    if not agency.strip():
        errors["agency"] = "Enter the agency they come from"
    if errors:
        raise ValidationError(errors)
    invitee = Invitee(meeting=meeting, name=name.strip(), agency=agency.strip(), role=role.strip(), attended=attended)
    invitee._history_user, invitee._change_reason = by, "Invited"
    invitee.save()
    return invitee


RECORD_FIELDS = ("information_shared", "legal_options", "legal_reasons", "media", "plan_on_return", "reducing_risk")


@transaction.atomic
def meeting_record_save(*, record: MeetingRecord, by, data: dict) -> MeetingRecord:
    """One child's part: information shared, decisions (legal options, media, the plan on
    return, reducing future risk)."""
    _require_manager(by, record.meeting)
    record = MeetingRecord.objects.select_for_update().get(pk=record.pk)
    for field in RECORD_FIELDS:
        if field in data:
            setattr(record, field, data[field])
    if any(option not in LegalOption.values for option in record.legal_options):
        raise ValidationError({"legal_options": "Choose legal options from the list"})
    record._history_user, record._change_reason = by, "Record saved"
    record.save()
    return record


@transaction.atomic
def meeting_action_add(
    *, record: MeetingRecord, by, description: str, owner, due_on: datetime.date | None, now=None
) -> MeetingAction:
    """An action for the child's plan, with its owner and due date; its clock is a deadline row."""
    now = now or timezone.now()
    _require_manager(by, record.meeting)
    errors = {}
    if not description.strip():
        errors["description"] = "Say what the action is"
    if owner is None:
        errors["owner"] = "Choose who owns the action: an action needs an owner"
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due: an action needs a due date"
    elif due_on < now.astimezone(UK_TIME).date():
        errors["due_on"] = "The due date cannot be in the past"
    if errors:
        raise ValidationError(errors)
    action = MeetingAction(
        record=record, description=description.strip(), owner=owner, due_on=due_on, due_at=end_of_day(due_on)
    )
    action._history_user, action._change_reason = by, "Action agreed"
    action.save()
    deadlines.deadline_open(kind=ACTION_DUE, subject=action, due_at=action.due_at)
    notify(
        users=[owner],
        message=f"A meeting action was given to you, due {action.due_on:%-d %b %Y}",
        kind="meeting_action",
        now=now,
        link=record.meeting.get_absolute_url(),
    )
    return action


@transaction.atomic
def meeting_action_complete(*, action: MeetingAction, by, now=None) -> MeetingAction:
    now = now or timezone.now()
    if action.owner_id != by.pk and not can_manage_meeting(by):
        raise PermissionDenied("Only the action's owner or the council's staff can complete it.")
    action = MeetingAction.objects.select_for_update().get(pk=action.pk)
    if action.completed_at is None:
        action.completed_at, action.completed_by = now, by
        action._history_user, action._change_reason = by, "Completed"
        action.save()
        deadlines.deadline_meet(kind=ACTION_DUE, subject=action, at=now)
    return action


def meeting_overdue(deadline, now) -> None:
    """A meeting to convene passed its due time: the hub and the post that must chair it are told."""
    meeting = Meeting.objects.filter(pk=deadline.subject_id, state=MeetingState.TO_CONVENE).first()
    if meeting is None:
        return
    people = People()
    users = list(people.council({meeting.local_authority_id}, Role.COORDINATOR))
    if meeting.chair_post:
        users += people.holders(meeting.local_authority_id, meeting.chair_post)
    users += [i.user for i in meeting.invitees.select_related("user") if i.user_id]
    notify(
        users=users,
        message=f"A {meeting.get_kind_display().lower()} was not held by {uk_datetime(meeting.due_at)}",
        kind="meeting_overdue",
        now=now,
        link=meeting.get_absolute_url(),
    )


def action_overdue(deadline, now) -> None:
    action = MeetingAction.objects.select_related("owner", "record__meeting").filter(pk=deadline.subject_id).first()
    if action is None or action.completed_at is not None:
        return
    notify(
        users=[action.owner],
        message=f"A meeting action was due by {action.due_on:%-d %b %Y} and is not done",
        kind="meeting_action_overdue",
        now=now,
        link=action.record.meeting.get_absolute_url(),
    )


# --- Risk assessments ----------------------------------------------------------------------------

ASSESSMENT_DUE = "risk.assessment_due"
ASSESSMENT_FIELDS = (
    "why",
    "pattern_history",
    "concerns",
    "current_circumstances",
    "level",
    "level_rationale",
    "people_to_contact",
    "on_return",
    "young_person_participation",
    "carers_participation",
)
# Sections a version must have before it is signed: (field, section name).
REQUIRED_SECTIONS = (
    ("pattern_history", "Pattern and history"),
    ("concerns", "Concerns and vulnerabilities"),
    ("current_circumstances", "Current circumstances"),
    ("level", "The overall level of risk"),
    ("level_rationale", "Why this level"),
    ("people_to_contact", "People to contact when the child is absent"),
    ("on_return", "What happens on return"),
    ("young_person_participation", "The young person's participation"),
    ("carers_participation", "Parents' and carers' participation"),
)
ASSESSORS = frozenset({Role.SOCIAL_WORKER, Role.MANAGER, Role.COORDINATOR})


def _council_role_for_child(user, role: str, child) -> bool:
    """`user` holds `role` in a council serving the child's responsible or host authority."""
    wanted = child_authorities(child)
    for membership in user.active_memberships():
        if membership.role == role and membership.agency.kind == AgencyKind.CHILDRENS_SERVICES:
            if wanted & {a.pk for a in membership.agency.local_authorities.all()}:
                return True
    return False


def can_assess(user, child) -> bool:
    return any(_council_role_for_child(user, role, child) for role in ASSESSORS)


@transaction.atomic
def assessment_start(*, child, by, why: str = "", now=None) -> RiskAssessment:
    """A new version beside the old: a review starts from the last version's content. A child has
    one draft at a time (starting again returns it)."""
    now = now or timezone.now()
    if not can_assess(by, child):
        raise PermissionDenied("Only the child's council social workers, managers and coordinators write assessments.")
    draft = RiskAssessment.objects.select_for_update().filter(child=child, state=AssessmentState.DRAFT).first()
    if draft is not None:
        return draft
    last = RiskAssessment.objects.filter(child=child).order_by("-version").first()
    assessment = RiskAssessment(
        child=child,
        version=(last.version + 1) if last else 1,
        why=why.strip() or ("Review" if last else "First assessment"),
        created_at=now,
        created_by=by,
    )
    if last is not None:
        for field in ASSESSMENT_FIELDS[1:]:
            setattr(assessment, field, getattr(last, field))
    assessment._history_user, assessment._change_reason = by, f"Version {assessment.version} started"
    assessment.save()
    if last is not None:
        for address in last.addresses.all():
            AssessmentAddress.objects.create(
                assessment=assessment,
                address=address.address,
                known_risk=address.known_risk,
                report_within_hours=address.report_within_hours,
            )
    return assessment


def address_errors(addresses: list[dict]) -> dict[str, str]:
    """Wigan Appendix a: each address with its known risk and the maximum time before reporting to
    the police, never longer than 6 hours."""
    for number, address in enumerate(addresses, start=1):
        hours = address.get("report_within_hours")
        if not (address.get("address") or "").strip():
            return {"addresses": f"Address {number}: enter the address"}
        if hours is None:
            return {"addresses": f"Address {number}: enter the hours before reporting to the police"}
        if hours > rules.MAX_HOURS_BEFORE_REPORTING:
            return {
                "addresses": f"Address {number}: the time before reporting to the police can never be longer "
                f"than {rules.MAX_HOURS_BEFORE_REPORTING} hours"
            }
        if hours < 0:
            return {"addresses": f"Address {number}: the hours cannot be negative"}
    return {}


@transaction.atomic
def assessment_save(
    *, assessment: RiskAssessment, by, data: dict, addresses: list[dict] | None = None
) -> RiskAssessment:
    """Save a draft version: its sections and the action plan's addresses."""
    assessment = RiskAssessment.objects.select_for_update().select_related("child").get(pk=assessment.pk)
    if not can_assess(by, assessment.child):
        raise PermissionDenied("Only the child's council social workers, managers and coordinators write assessments.")
    if not assessment.editable:
        raise ValidationError("This version is signed off: start a new version to review it.")
    errors = address_errors(addresses or [])
    if "level" in data and data["level"] and data["level"] not in RiskLevel.values:
        errors["level"] = "Choose the overall level of risk"
    if errors:
        raise ValidationError(errors)
    for field in ASSESSMENT_FIELDS:
        if field in data:
            setattr(assessment, field, data[field])
    assessment._history_user, assessment._change_reason = by, "Draft saved"
    assessment.save()
    if addresses is not None:
        assessment.addresses.all().delete()
        for address in addresses:
            AssessmentAddress.objects.create(
                assessment=assessment,
                address=address["address"].strip(),
                known_risk=(address.get("known_risk") or "").strip(),
                report_within_hours=address["report_within_hours"],
            )
    return assessment


SIGNERS = {"social_worker": (Role.SOCIAL_WORKER, "a social worker"), "manager": (Role.MANAGER, "a manager")}


@transaction.atomic
def assessment_sign(*, assessment: RiskAssessment, by, as_role: str, now=None) -> RiskAssessment:
    """Sign a version off as its social worker or its manager (two different people, each working
    for a council serving the child). With both, the version is signed and the next review is due."""
    from children.models import Child

    now = now or timezone.now()
    assessment = RiskAssessment.objects.select_for_update().select_related("child").get(pk=assessment.pk)
    child = assessment.child
    if as_role not in SIGNERS:
        raise ValidationError({"as_role": "Sign as the social worker or the manager"})
    role, words = SIGNERS[as_role]
    if not Child.objects.visible_to(by).filter(pk=child.pk).exists() or not _council_role_for_child(by, role, child):
        raise ValidationError(
            {
                "as_role": f"{by} cannot sign as {words}: they are outside this child's scope "
                f"(not {words} of a council serving {child.responsible_authority})"
            }
        )
    if not assessment.editable:
        raise ValidationError("This version is already signed off.")
    other = assessment.manager_signed_by_id if as_role == "social_worker" else assessment.social_worker_signed_by_id
    if other == by.pk:
        raise ValidationError({"as_role": "The social worker and the manager must be two different people"})
    missing = [name for field, name in REQUIRED_SECTIONS if not getattr(assessment, field)]
    if not assessment.addresses.exists():
        missing.append("At least one address in the action plan")
    if missing:
        raise ValidationError("These sections are missing: " + "; ".join(missing) + ".")
    setattr(assessment, f"{as_role}_signed_by", by)
    setattr(assessment, f"{as_role}_signed_at", now)
    reason = f"Signed by the {'social worker' if as_role == 'social_worker' else 'manager'}"
    if assessment.social_worker_signed_by_id and assessment.manager_signed_by_id:
        assessment.state, assessment.signed_at = AssessmentState.SIGNED, now
        reason += "; signed off"
    assessment._history_user, assessment._change_reason = by, reason
    assessment.save()
    if assessment.state == AssessmentState.SIGNED:
        deadlines.deadline_meet(kind=ASSESSMENT_DUE, subject=child, at=now)
        sync_assessment_clocks([child], now=now)
    return assessment


def sync_assessment_clocks(children, *, now: datetime.datetime) -> None:
    """The risk assessment clock of looked-after children (domain.md): within 3 working days of an
    emergency placement, a review 5 working days after each return since the last signed version,
    and at least every 6 months. Read in three queries for the batch; a clock is opened or moved
    only where it changed, and closed when nothing asks for one any more (an emergency placement
    recorded by mistake and corrected)."""
    children = [c for c in children if c.is_looked_after]
    if not children:
        return
    ids = [c.pk for c in children]
    last_signed: dict[int, datetime.datetime] = {}
    for child_id, signed_at in RiskAssessment.objects.filter(child_id__in=ids, signed_at__isnull=False).values_list(
        "child_id", "signed_at"
    ):
        last_signed[child_id] = max(signed_at, last_signed.get(child_id, signed_at))
    returns: dict[int, list] = defaultdict(list)
    for child_id, returned_at in Episode.objects.filter(child_id__in=ids, returned_at__isnull=False).values_list(
        "child_id", "returned_at"
    ):
        if child_id not in last_signed or returned_at > last_signed[child_id]:
            returns[child_id].append(returned_at)
    open_due = dict(
        Deadline.objects.filter(
            kind=ASSESSMENT_DUE,
            subject_type=ContentType.objects.get_for_model(children[0]),
            subject_id__in=ids,
            state=DeadlineState.OPEN,
        ).values_list("subject_id", "due_at")
    )
    for child in children:
        due = rules.assessment_due(
            last_signed_at=last_signed.get(child.pk),
            returns_since=returns[child.pk],
            emergency_placement_on=child.placement_start if child.placement_emergency else None,
        )
        if due is not None and open_due.get(child.pk) != due:
            deadlines.deadline_open(kind=ASSESSMENT_DUE, subject=child, due_at=due)
        elif due is None and child.pk in open_due:
            deadlines.deadline_cancel(kind=ASSESSMENT_DUE, subject=child, at=now)


def assessment_clocks_follow_children(*, child_ids, now: datetime.datetime) -> None:
    """A child's record changed (an emergency placement recorded, a change of legal status): the
    risk assessment clock follows."""
    from children.models import Child

    children = list(Child.objects.filter(pk__in=child_ids))
    for child in children:
        if not child.is_looked_after:  # only looked-after children have the clock (domain.md)
            deadlines.deadline_cancel(kind=ASSESSMENT_DUE, subject=child, at=now)
    sync_assessment_clocks(children, now=now)


def assessment_overdue(deadline, now) -> None:
    """The child's risk assessment review is overdue: the social worker and the council's managers
    are told."""
    from children.models import Child

    child = Child.objects.select_related("social_worker").filter(pk=deadline.subject_id).first()
    if child is None:
        return
    users = [child.social_worker, *People().council({child.responsible_authority_id}, Role.MANAGER)]
    notify(
        users=users,
        message=f"A looked-after child's risk assessment was due by {uk_datetime(deadline.due_at)}",
        kind="assessment_overdue",
        now=now,
        link=reverse("risk:assessment_list", args=[child.pk]),
    )


@transaction.atomic
def task_complete(*, task: EscalationTask, by, notes: str = "", now=None) -> EscalationTask:
    """The task a firing asked for was done (by the person it was given to, or the council's staff)."""
    now = now or timezone.now()
    task = EscalationTask.objects.select_for_update().get(pk=task.pk)
    if task.assigned_to_id != by.pk and not can_manage_meeting(by):
        raise PermissionDenied("Only the person the task was given to, or the council's staff, can complete it.")
    if task.done_at is None:
        task.done_at, task.done_by, task.notes = now, by, notes.strip()
        task._history_user, task._change_reason = by, "Done"
        task.save()
    return task
