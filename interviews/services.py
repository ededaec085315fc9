"""Changes to return interviews: one keyword-only function per change of state, each in a
transaction, called alike from the pages, the API, the signal receiver and the sweep."""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from children.models import VULNERABILITY_FLAGS
from deadlines import services as deadlines
from episodes.models import Category, Episode
from missing import bulk
from missing.moments import uk_datetime
from organisations.models import Membership, User
from organisations.roles import AgencyKind, Role
from privacy.services import share_outside

from . import permissions, rules
from .models import (
    FACTOR_LABELS,
    OPEN_STATUSES,
    OUTCOMES,
    PULL_FACTORS,
    PUSH_FACTORS,
    REFERRAL_LABELS,
    Consent,
    ContactAttempt,
    InterviewRecord,
    InterviewSetting,
    Notification,
    RecordState,
    ReturnInterview,
    SocialWorkerVisit,
    Status,
    Triage,
)

logger = logging.getLogger(__name__)

INTERVIEW_DUE = "interviews.return_interview_72h"
INTERVIEW_REMINDER = "interviews.return_interview_48h_reminder"
SOCIAL_WORKER_VISIT = "interviews.social_worker_visit_24h"

EMAIL_SUBJECT = "[Homeward] {message}"
# A notification's email not sent this long after the change is sent again by the email sweep,
# at most this many times (then it stays in the inbox only, and the log says why).
EMAIL_RETRY_AFTER = datetime.timedelta(seconds=30)
EMAIL_MAX_ATTEMPTS = 10
EMAIL_BATCH = 200


# --- Notifications -----------------------------------------------------------------------------


def notify(
    *,
    users,
    message: str,
    kind: str,
    now: datetime.datetime,
    interview: ReturnInterview | None = None,
    link: str = "",
) -> int:
    """Put `message` in each person's inbox and email them after the change commits. The message
    names no child: the email says only that something needs their attention, with the link.
    `link` is the page the message is about when it is not an interview (a path on this site).
    The inbox row is the outbox too: an email that could not be sent is sent by a later sweep."""
    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    rows = [
        Notification(user=user, interview=interview, kind=kind, message=message, link=link, created_at=now)
        for user in recipients.values()
    ]
    Notification.objects.bulk_create(rows)
    if rows:
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: notifications_email(ids=ids))
    return len(rows)


def notifications_email(*, ids, now: datetime.datetime | None = None) -> int:
    """Email the notifications `ids` not emailed yet; returns how many were sent.

    The rows stay locked while their emails go, so two sweepers never send one twice; skipped
    locked rows belong to whoever holds them. A mail server that refuses leaves them unsent, with
    one more attempt counted, for the next sweep."""
    now = now or timezone.now()
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk__in=ids, emailed_at__isnull=True)
        )
        if not pending:
            return 0
        inbox = reverse("interviews:inbox")
        mails = [
            (
                EMAIL_SUBJECT.format(message=row.message),
                f"{row.message}\n\nSee your Homeward inbox: {inbox}",
                settings.DEFAULT_FROM_EMAIL,
                [row.user.email],
            )
            for row in pending
        ]
        sent = [row.pk for row in pending]
        try:
            send_mass_mail(mails)
        except OSError as error:  # smtplib's errors are OSErrors
            Notification.objects.filter(pk__in=sent).update(email_attempts=F("email_attempts") + 1)
            logger.warning("Could not send %s notification emails: %s", len(mails), type(error).__name__)
            return 0
        Notification.objects.filter(pk__in=sent).update(emailed_at=now)
    return len(sent)


def notifications_email_pending(now: datetime.datetime) -> int:
    """Send again the emails of notifications that could not be sent after their change committed
    (the mail server was down), up to EMAIL_MAX_ATTEMPTS tries, oldest first."""
    ids = list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            email_attempts__lt=EMAIL_MAX_ATTEMPTS,
            created_at__lte=now - EMAIL_RETRY_AFTER,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:EMAIL_BATCH]
    )
    return notifications_email(ids=ids, now=now) if ids else 0


@transaction.atomic
def notification_mark_read(*, notification: Notification, by, now: datetime.datetime | None = None) -> Notification:
    if notification.user_id != by.pk:
        raise PermissionDenied("Only the person it was sent to can mark a notification read.")
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def _council_people(authority_ids, role: str):
    return User.objects.filter(
        is_active=True,
        memberships__active=True,
        memberships__role=role,
        memberships__agency__kind=AgencyKind.CHILDRENS_SERVICES,
        memberships__agency__local_authorities__in=list(authority_ids),
    ).distinct()


def coordinators_for(interview: ReturnInterview):
    """Who coordinates the interview: the coordinator who allocated it, else the hub serving the child."""
    if interview.allocated_by_id and interview.allocated_by.has_role(Role.COORDINATOR):
        return [interview.allocated_by]
    return list(_council_people(permissions.child_authorities(interview), Role.COORDINATOR))


def worker_managers_for(interview: ReturnInterview):
    """The worker's manager: managers in the worker's own agency, else the council's managers."""
    if interview.worker_id:
        agencies = Membership.objects.filter(user_id=interview.worker_id, active=True, role=Role.RHI_WORKER).values(
            "agency_id"
        )
        managers = list(
            User.objects.filter(
                is_active=True,
                memberships__active=True,
                memberships__role=Role.MANAGER,
                memberships__agency_id__in=agencies,
            ).distinct()
        )
        if managers:
            return managers
    return list(_council_people(permissions.child_authorities(interview), Role.MANAGER))


# --- Clocks ------------------------------------------------------------------------------------


def interview_clocks(interviews) -> tuple[dict, dict]:
    """The 72-hour and 48-hour clocks of interviews: running while open, met once an outcome is
    recorded, not applying once cancelled."""
    due, reminder = {}, {}
    for interview in interviews:
        if interview.status == Status.CANCELLED:
            due[interview.pk] = reminder[interview.pk] = deadlines.Clock(due_at=None)
            continue
        done = interview.status not in OPEN_STATUSES
        due[interview.pk] = deadlines.Clock(due_at=interview.due_at, done=done)
        reminder[interview.pk] = deadlines.Clock(due_at=rules.reminder_due(interview.returned_at), done=done)
    return due, reminder


def sync_interview_deadlines(interviews, *, now: datetime.datetime) -> None:
    due, reminder = interview_clocks(interviews)
    if due:
        deadlines.deadlines_set(kind=INTERVIEW_DUE, model=ReturnInterview, clocks=due, now=now)
        deadlines.deadlines_set(kind=INTERVIEW_REMINDER, model=ReturnInterview, clocks=reminder, now=now)


# --- Returns: the receiver of episodes_changed --------------------------------------------------


def _facts(episode: Episode, history: list[tuple[str, datetime.datetime]]) -> rules.TriageFacts:
    child = episode.child
    start_missing = episode.last_seen_at - rules.EPISODE_WINDOW
    start_absent = episode.last_seen_at - rules.ABSENCE_WINDOW
    missing = sum(
        1
        for category, seen in history
        if category == Category.MISSING and start_missing <= seen <= episode.last_seen_at
    )
    absent = sum(
        1 for category, seen in history if category == Category.ABSENT and start_absent <= seen <= episode.last_seen_at
    )
    return rules.TriageFacts(
        category=episode.category,
        risk_level=episode.risk_level,
        cse_concern=episode.cse_concern,
        duration=episode.duration(),
        age=child.age_on(timezone.localtime(episode.last_seen_at).date()),
        missing_in_window=missing,
        absences_in_window=absent,
        flags=tuple(name for name, _ in VULNERABILITY_FLAGS if getattr(child, name)),
    )


def _offer(setting: InterviewSetting | None, category: str) -> str:
    setting = setting or InterviewSetting()
    return {
        Category.MISSING: setting.after_missing,
        Category.ABSENT: setting.after_absence,
        Category.AWAY: setting.after_away,
    }[category]


@transaction.atomic
def interview_setting_save(
    *, local_authority, by, after_missing: str, after_absence: str, after_away: str
) -> InterviewSetting:
    """A local authority chooses after which categories of episode it offers a return interview;
    it may offer more than the statutory floor, never less."""
    errors = rules.offer_setting_errors(after_missing=after_missing)
    if errors:
        raise ValidationError(errors)
    setting = InterviewSetting.objects.filter(local_authority=local_authority).first() or InterviewSetting(
        local_authority=local_authority
    )
    setting.after_missing, setting.after_absence, setting.after_away = after_missing, after_absence, after_away
    setting._history_user = by
    setting.save()
    return setting


@transaction.atomic
def interviews_follow_returns(*, episode_ids, now: datetime.datetime) -> None:
    """Bring return interviews in line with episodes that were created or changed, in a few
    queries per batch (the police feed sends hundreds at a time).

    1. Read the episodes and which interviews already cover them (2 queries; a batch of
       children still missing stops here).
    2. A returned episode not yet covered: if the child has an open interview, it joins it
       (one interview covers both returns, due 72 hours after the latest); otherwise triage it
       and, when the local authority's setting offers one, open an interview.
    3. A covered episode whose return changed: the interview follows its latest return; with
       every return withdrawn it is cancelled.
    4. The 72-hour, 48-hour and social worker visit clocks follow.
    """
    episodes = list(Episode.objects.filter(pk__in=episode_ids).select_related("child"))
    through = ReturnInterview.episodes.through
    covered = dict(through.objects.filter(episode_id__in=episode_ids).values_list("episode_id", "returninterview_id"))
    returned_new = sorted(
        (e for e in episodes if e.returned_at is not None and e.pk not in covered), key=lambda e: e.returned_at
    )
    _sync_social_worker_visits(episodes, now=now)
    if not returned_new and not covered:
        return

    child_ids = {e.child_id for e in returned_new}
    open_by_child = {
        i.child_id: i for i in ReturnInterview.objects.filter(child_id__in=child_ids, status__in=OPEN_STATUSES)
    }
    history: dict[int, list] = defaultdict(list)
    if returned_new:
        earliest = min(e.last_seen_at for e in returned_new) - rules.EPISODE_WINDOW
        for child_id, category, seen in Episode.objects.filter(
            child_id__in=child_ids, last_seen_at__gte=earliest
        ).values_list("child_id", "category", "last_seen_at"):
            history[child_id].append((category, seen))
    offers = {
        s.local_authority_id: s
        for s in InterviewSetting.objects.filter(
            local_authority_id__in={e.child.responsible_authority_id for e in returned_new}
        )
    }

    to_create: list[ReturnInterview] = []
    to_update: dict[int, ReturnInterview] = {}
    links: list[tuple[ReturnInterview, int]] = []
    for episode in returned_new:
        colour, reasons = rules.triage(_facts(episode, history[episode.child_id]))
        interview = open_by_child.get(episode.child_id)
        if interview is not None:
            if episode.returned_at > interview.returned_at:
                interview.returned_at = episode.returned_at
                interview.due_at = rules.interview_due(episode.returned_at)
            interview.triage, interview.triage_reasons = colour, reasons
            interview._change_reason = "The child went missing again before the interview; it covers this return too"
            if interview.pk:
                to_update[interview.pk] = interview
            links.append((interview, episode.pk))
            continue
        if not rules.offers_interview(
            _offer(offers.get(episode.child.responsible_authority_id), episode.category), colour
        ):
            continue
        interview = ReturnInterview(
            child=episode.child,
            local_authority_id=episode.child.responsible_authority_id,
            returned_at=episode.returned_at,
            due_at=rules.interview_due(episode.returned_at),
            triage=colour,
            triage_reasons=reasons,
            created_at=now,
        )
        open_by_child[episode.child_id] = interview
        to_create.append(interview)
        links.append((interview, episode.pk))

    if covered:
        for interview in _follow_changed_returns(set(covered.values()), exclude=set(to_update)):
            to_update[interview.pk] = interview

    _write_interviews(to_create, list(to_update.values()), links, now=now)
    sync_interview_deadlines([*to_create, *to_update.values()], now=now)


OFFERED = "Offered after a return"
FOLLOWS = "Follows the episodes it covers"
# What following the episodes may change on an interview.
FOLLOW_FIELDS = ["returned_at", "due_at", "triage", "triage_reasons", "status"]


def _write_interviews(to_create, to_update, links, *, now: datetime.datetime) -> None:
    """New and changed interviews with their history, and the returns they cover: set-based on
    PostgreSQL (a police feed import brings thousands at once), through the ORM elsewhere. Both
    leave the same rows (tests/episodes/test_intake_twins.py)."""
    through = ReturnInterview.episodes.through
    if bulk.available():
        rows = [
            {
                **{
                    f.attname: getattr(interview, f.attname)
                    for f in ReturnInterview._meta.concrete_fields
                    if f.attname != "id"
                },
                "history_reason": OFFERED,
            }
            for interview in to_create
        ]
        bulk.create_with_history(ReturnInterview, rows, user_id=None, date=now)
        for interview, row in zip(to_create, rows, strict=True):
            interview.pk = row["id"]
        bulk.update_with_history(
            ReturnInterview,
            [
                {
                    "pk": interview.pk,
                    **{name: getattr(interview, name) for name in FOLLOW_FIELDS},
                    "history_reason": getattr(interview, "_change_reason", "") or FOLLOWS,
                }
                for interview in to_update
            ],
            fields=FOLLOW_FIELDS,
            user_id=None,
            date=now,
        )
        bulk.copy_rows(through, [{"returninterview_id": i.pk, "episode_id": pk} for i, pk in links])
        return
    if to_create:
        bulk_create_with_history(to_create, ReturnInterview, default_change_reason=OFFERED, default_date=now)
    if to_update:
        bulk_update_with_history(
            to_update, ReturnInterview, fields=FOLLOW_FIELDS, default_date=now, default_change_reason=FOLLOWS
        )
    if links:
        through.objects.bulk_create([through(returninterview_id=i.pk, episode_id=pk) for i, pk in links])


def _follow_changed_returns(interview_ids: set[int], *, exclude: set[int]) -> list[ReturnInterview]:
    """Interviews whose episodes' returns changed: due 72 hours after the latest return; with
    none left (every return withdrawn), an open interview is cancelled."""
    latest: dict[int, datetime.datetime | None] = {pk: None for pk in interview_ids}
    for interview_id, returned_at in ReturnInterview.episodes.through.objects.filter(
        returninterview_id__in=interview_ids
    ).values_list("returninterview_id", "episode__returned_at"):
        if returned_at and (latest[interview_id] is None or returned_at > latest[interview_id]):
            latest[interview_id] = returned_at
    changed = []
    for interview in ReturnInterview.objects.filter(pk__in=interview_ids - exclude, status__in=OPEN_STATUSES):
        returned_at = latest[interview.pk]
        if returned_at is None:
            interview.status = Status.CANCELLED
            interview._change_reason = "The police withdrew the return"
        elif returned_at != interview.returned_at:
            interview.returned_at, interview.due_at = returned_at, rules.interview_due(returned_at)
            interview._change_reason = "The return time was corrected"
        else:
            continue
        changed.append(interview)
    return changed


def _sync_social_worker_visits(episodes: list[Episode], *, now: datetime.datetime) -> None:
    clocks = {}
    for episode in episodes:
        if not episode.child.is_looked_after:
            continue
        due = None if episode.returned_at is None else rules.social_worker_visit_due(episode.returned_at)
        clocks[episode.pk] = deadlines.Clock(due_at=due)
    if clocks:
        deadlines.deadlines_set(kind=SOCIAL_WORKER_VISIT, model=Episode, clocks=clocks, now=now)


# --- Triage and allocation ---------------------------------------------------------------------


def _locked(interview: ReturnInterview) -> ReturnInterview:
    return (
        ReturnInterview.objects.select_for_update(of=("self",))
        .select_related("child", "allocated_by")
        .get(pk=interview.pk)
    )


def _save(interview: ReturnInterview, *, by, reason: str) -> ReturnInterview:
    interview._history_user = by
    interview._change_reason = reason
    interview.save()
    return interview


@transaction.atomic
def triage_override(*, interview: ReturnInterview, triage: str, reason: str, by, now=None) -> ReturnInterview:
    """A coordinator overrides the triage; the rules' own colour and reasons stay beside it."""
    interview = _locked(interview)
    if not permissions.can_coordinate(by, interview):
        raise PermissionDenied("Only a coordinator serving the child can override the triage.")
    errors = {}
    if triage not in Triage.values:
        errors["triage"] = "Choose red, amber or green"
    if not reason.strip():
        errors["reason"] = "Say why the triage is being overridden"
    if errors:
        raise ValidationError(errors)
    interview.triage_override = "" if triage == interview.triage else triage
    interview.triage_override_reason = reason.strip()
    return _save(interview, by=by, reason=f"Triage overridden: {reason.strip()}")


def eligible_workers(interview: ReturnInterview):
    """Return interview workers of a council missing team or commissioned charity serving the child."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__active=True,
            memberships__role=Role.RHI_WORKER,
            memberships__agency__kind__in=permissions.WORKER_AGENCIES,
            memberships__agency__local_authorities__in=list(permissions.child_authorities(interview)),
        )
        .distinct()
        .order_by("full_name")
    )


@transaction.atomic
def interview_allocate(
    *, interview: ReturnInterview, worker, by, now: datetime.datetime | None = None
) -> ReturnInterview:
    """A coordinator allocates (or reallocates) the interview; the history keeps every allocation."""
    now = now or timezone.now()
    interview = _locked(interview)
    if not permissions.can_coordinate(by, interview):
        raise PermissionDenied("Only a coordinator serving the child can allocate the interview.")
    if not interview.is_open:
        raise ValidationError("The interview already has an outcome, so it cannot be allocated.")
    if worker is None or not eligible_workers(interview).filter(pk=worker.pk).exists():
        raise ValidationError(
            {
                "worker": f"{worker or 'Nobody'} is not a return interview worker of an agency serving "
                f"{interview.child}'s local authority"
            }
        )
    if worker.pk == interview.worker_id:
        return interview
    reallocated = interview.worker_id is not None
    interview.reallocate() if reallocated else interview.allocate()
    interview.worker, interview.allocated_by, interview.allocated_at = worker, by, now
    _save(interview, by=by, reason=f"{'Reallocated' if reallocated else 'Allocated'} to {worker}")
    notify(
        users=[worker],
        message=f"A return interview was allocated to you, due {uk_datetime(interview.due_at)}",
        kind="allocated",
        interview=interview,
        now=now,
    )
    return interview


# --- Contact attempts and outcomes -------------------------------------------------------------


def _check_time(moment, interview: ReturnInterview, now, field: str, what: str) -> dict:
    if moment is None:
        return {field: f"Enter when {what}"}
    if moment > now:
        return {field: f"The time {what} cannot be in the future"}
    if moment < interview.returned_at:
        return {field: f"The time {what} cannot be before the child’s return ({uk_datetime(interview.returned_at)})"}
    return {}


@transaction.atomic
def contact_attempt_record(
    *, interview: ReturnInterview, by, attempted_at, method: str, result: str, notes: str = "", now=None
) -> ContactAttempt:
    now = now or timezone.now()
    interview = _locked(interview)
    if not permissions.can_work_on(by, interview):
        raise PermissionDenied("Only the allocated worker or a coordinator can record contact attempts.")
    errors = _check_time(attempted_at, interview, now, "attempted_at", "of the attempt")
    if errors:
        raise ValidationError(errors)
    attempt = ContactAttempt(
        interview=interview, attempted_at=attempted_at, method=method, result=result, notes=notes, recorded_by=by
    )
    attempt.full_clean()
    attempt._history_user = by
    attempt.save()
    return attempt


@transaction.atomic
def interview_outcome_record(
    *,
    interview: ReturnInterview,
    by,
    outcome: str,
    at: datetime.datetime | None,
    reason: str = "",
    parents_offered: bool | None = None,
    parents_information: str = "",
    now: datetime.datetime | None = None,
) -> ReturnInterview:
    """The interview ended: completed (in time or not is computed from the times), declined (then
    whether parents or carers were offered the chance to give information), no contact made,
    child missing again, or not appropriate (with the reason)."""
    now = now or timezone.now()
    interview = _locked(interview)
    if not permissions.can_work_on(by, interview):
        raise PermissionDenied("Only the allocated worker or a coordinator can record the outcome.")
    if not interview.is_open:
        raise ValidationError("The interview already has an outcome.")
    errors = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = "Choose the outcome"
    errors.update(_check_time(at, interview, now, "at", "of the outcome"))
    if outcome == Status.NOT_APPROPRIATE and not reason.strip():
        errors["reason"] = "Say why an interview is not appropriate"
    if outcome == Status.DECLINED and parents_offered is None:
        errors["parents_offered"] = "Say whether parents or carers were offered the chance to give information"
    if errors:
        raise ValidationError(errors)
    _close(
        interview,
        outcome=outcome,
        at=at,
        by=by,
        now=now,
        reason=reason,
        parents_offered=parents_offered,
        parents_information=parents_information,
    )
    return interview


def _close(interview, *, outcome, at, by, now, reason="", parents_offered=None, parents_information="") -> None:
    interview.record_outcome(outcome)
    interview.outcome_at = at
    interview.completed_at = at if outcome == Status.COMPLETED else None
    interview.outcome_reason = reason.strip()
    interview.parents_offered = parents_offered if outcome == Status.DECLINED else None
    interview.parents_information = parents_information.strip() if outcome == Status.DECLINED else ""
    _save(interview, by=by, reason=f"Outcome: {Status(outcome).label}")
    sync_interview_deadlines([interview], now=now)


# --- The interview record ----------------------------------------------------------------------

RECORD_FIELDS = [
    "held_at",
    "place",
    "seen_alone",
    "present",
    "push_factors",
    "pull_factors",
    "primary_factor",
    "where_stayed",
    "with_whom",
    "harm",
    "drugs_alcohol",
    "exploitation",
    "crime",
    "where_slept",
    "food_money",
    "how_returned",
    "what_would_help",
    "child_words",
    "referrals",
    "consent",
    "share_with",
]
# Sections that must be filled before the record goes for authorisation: (field, section name).
REQUIRED_SECTIONS = [
    ("held_at", "When the interview took place"),
    ("place", "Where the interview took place"),
    ("seen_alone", "Whether the child was seen alone"),
    ("primary_factor", "The primary push or pull factor"),
    ("where_stayed", "What happened while away: where they were"),
    ("how_returned", "How they returned"),
    ("child_words", "The child’s own words"),
    ("consent", "Consent to share"),
]


def record_for(interview: ReturnInterview) -> InterviewRecord:
    try:
        return interview.record
    except InterviewRecord.DoesNotExist:
        return InterviewRecord(interview=interview)


def _record_errors(record: InterviewRecord, interview: ReturnInterview, now) -> dict:
    errors = {}
    if record.held_at is not None:
        errors.update(_check_time(record.held_at, interview, now, "held_at", "of the interview"))
    valid_push, valid_pull = dict(PUSH_FACTORS), dict(PULL_FACTORS)
    if any(f not in valid_push for f in record.push_factors) or any(f not in valid_pull for f in record.pull_factors):
        errors["push_factors"] = "Choose factors from the list"
    if record.primary_factor and record.primary_factor not in [*record.push_factors, *record.pull_factors]:
        errors["primary_factor"] = "The primary factor must be one of the push or pull factors chosen"
    if record.primary_factor and record.primary_factor not in FACTOR_LABELS:
        errors["primary_factor"] = "Choose the primary factor from the list"
    if any(r not in REFERRAL_LABELS for r in record.referrals):
        errors["referrals"] = "Choose referrals from the list"
    return errors


@transaction.atomic
def record_save(*, interview: ReturnInterview, by, data: dict, now=None) -> InterviewRecord:
    """Save the interview record as a draft (any section may still be empty)."""
    now = now or timezone.now()
    interview = _locked(interview)
    if not permissions.can_work_on(by, interview):
        raise PermissionDenied("Only the allocated worker or a coordinator can write the record.")
    if interview.status not in (*OPEN_STATUSES, Status.COMPLETED):
        raise ValidationError("Only a completed or open interview has a record.")
    record = record_for(interview)
    if record.pk and not record.editable:
        raise ValidationError("The record was submitted for authorisation and cannot be changed now.")
    for field in RECORD_FIELDS:
        if field in data:
            setattr(record, field, data[field])
    errors = _record_errors(record, interview, now)
    if errors:
        raise ValidationError(errors)
    record._history_user = by
    record._change_reason = "Draft saved"
    record.save()
    return record


@transaction.atomic
def record_submit(*, interview: ReturnInterview, by, now=None) -> InterviewRecord:
    """Send the record to a manager. Every required section must be filled; an interview still
    open is completed at the time the interview took place."""
    now = now or timezone.now()
    interview = _locked(interview)
    if not permissions.can_work_on(by, interview):
        raise PermissionDenied("Only the allocated worker or a coordinator can submit the record.")
    record = record_for(interview)
    if not record.pk:
        raise ValidationError("Write the record before submitting it.")
    record = InterviewRecord.objects.select_for_update().get(pk=record.pk)
    if not record.editable:
        raise ValidationError("The record was already submitted.")
    if interview.status not in (*OPEN_STATUSES, Status.COMPLETED):
        raise ValidationError("Only a completed interview has a record to submit.")
    missing = [name for field, name in REQUIRED_SECTIONS if getattr(record, field) in (None, "", [])]
    if record.consent == Consent.YES and not record.share_with.strip():
        missing.append("Who the child agreed to share with")
    if missing:
        raise ValidationError("These sections are missing: " + "; ".join(missing) + ".")
    errors = _record_errors(record, interview, now)
    if errors:
        raise ValidationError(errors)
    if interview.is_open:
        _close(interview, outcome=Status.COMPLETED, at=record.held_at, by=by, now=now)
    record.submit()
    record.submitted_at, record.submitted_by = now, by
    record._history_user, record._change_reason = by, "Submitted for authorisation"
    record.save()
    notify(
        users=_council_people(permissions.child_authorities(interview), Role.MANAGER).exclude(pk=by.pk),
        message="A return interview record is waiting for your authorisation",
        kind="submitted",
        interview=interview,
        now=now,
    )
    return record


def _review(interview, by, now):
    interview = _locked(interview)
    if not permissions.can_authorise(by, interview):
        raise PermissionDenied("Only a manager serving the child, who did not write the record, can review it.")
    record = InterviewRecord.objects.select_for_update().filter(interview=interview).first()
    if record is None or record.state != RecordState.SUBMITTED:
        raise ValidationError("The record is not waiting for authorisation.")
    return interview, record


@transaction.atomic
def record_return(*, interview: ReturnInterview, by, comments: str, now=None) -> InterviewRecord:
    """A manager sends the record back to the worker with comments."""
    now = now or timezone.now()
    if not comments.strip():
        raise ValidationError({"comments": "Say what needs to change"})
    interview, record = _review(interview, by, now)
    record.return_with_comments()
    record.manager_comments = comments.strip()
    record._history_user, record._change_reason = by, "Returned with comments"
    record.save()
    notify(
        users=[interview.worker or record.submitted_by],
        message="A return interview record was returned to you with comments",
        kind="returned",
        interview=interview,
        now=now,
    )
    return record


@transaction.atomic
def record_authorise(
    *, interview: ReturnInterview, by, comments: str = "", agreement=None, now=None
) -> InterviewRecord:
    """A manager authorises the record; it is shared with the child's social worker, the IRO for
    a looked-after child and the police SPOC of each force whose episode it covers. A share
    outside the manager's agency (the police) names the information sharing `agreement` it
    relies on, and is recorded (privacy.services.share_outside); without one, nothing is saved."""
    now = now or timezone.now()
    interview, record = _review(interview, by, now)
    child = interview.child
    people = [child.social_worker]
    if child.is_looked_after:
        people.append(child.iro)
    forces = set(interview.episodes.exclude(force=None).values_list("force_id", flat=True))
    people += list(
        User.objects.filter(
            is_active=True,
            memberships__active=True,
            memberships__role=Role.POLICE_SPOC,
            memberships__agency_id__in=forces,
        ).distinct()
    )
    share_outside(
        child=child,
        subject=record,
        what="Return interview record",
        recipients=people,
        by=by,
        agreement=agreement,
        now=now,
    )
    record.authorise()
    record.authorised_at, record.authorised_by = now, by
    record.manager_comments = comments.strip()
    record._history_user, record._change_reason = by, "Authorised and shared"
    record.save()
    notify(
        users=people,
        message="A return interview record was shared with you",
        kind="shared",
        interview=interview,
        now=now,
    )
    return record


# --- The social worker's visit -----------------------------------------------------------------


@transaction.atomic
def social_worker_visit_record(
    *, episode: Episode, by, visited_at, seen_alone: bool = True, notes: str = "", now=None
) -> SocialWorkerVisit:
    now = now or timezone.now()
    errors = {}
    if not episode.child.is_looked_after:
        errors["visited_at"] = "A visit within 24 hours is recorded for a looked-after child only"
    elif episode.returned_at is None:
        errors["visited_at"] = "The child has not returned yet"
    elif visited_at is None:
        errors["visited_at"] = "Enter when the visit took place"
    elif visited_at > now:
        errors["visited_at"] = "The visit cannot be in the future"
    elif visited_at < episode.returned_at:
        errors["visited_at"] = "The visit cannot be before the child’s return"
    if errors:
        raise ValidationError(errors)
    visit, _ = SocialWorkerVisit.objects.update_or_create(
        episode=episode,
        defaults={"visited_at": visited_at, "seen_alone": seen_alone, "notes": notes, "recorded_by": by},
    )
    deadlines.deadlines_set(
        kind=SOCIAL_WORKER_VISIT,
        model=Episode,
        clocks={episode.pk: deadlines.Clock(due_at=rules.social_worker_visit_due(episode.returned_at), done=True)},
        now=now,
    )
    return visit


def overdue_filter(now: datetime.datetime) -> Q:
    return Q(status__in=OPEN_STATUSES, due_at__lte=now)
