"""Retention (issue: privacy and security; security battery D2): how long a child's record is
kept, legal holds that keep it longer, the monthly review of the records past their date for the
council's managers and data protection officers, and deletion once a manager confirms it,
leaving an erasure record without content.

The unit of retention is the child's record: the child and everything held on them (episodes
and what hangs on them, return interviews, risk assessments, escalations, their part of
meetings, shares, subject access requests), with the history of each."""

import datetime
import re
from collections import Counter
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from children.models import LOOKED_AFTER, Child, ChildAlias, LegalStatus
from organisations.models import LocalAuthority
from organisations.roles import AgencyKind, Role

from .models import (
    BreakGlassGrant,
    ErasureRecord,
    LegalHold,
    RecordType,
    Restriction,
    RestrictionMember,
    RetentionReview,
    RetentionReviewEntry,
    RetentionRule,
    SharingRecord,
    SubjectAccessRequest,
)
from .services import _council_people

# The reason for a hold or a deletion: required, and short enough for the erasure log.
REASON_MAX_CHARS = 500
# Looked after at any time: the statuses of a child in care, and a care leaver, who was.
EVER_LOOKED_AFTER = LOOKED_AFTER | {LegalStatus.CARE_LEAVER}
# Who reviews the list and places holds; who confirms a deletion.
REVIEWERS = (Role.MANAGER, Role.DATA_PROTECTION_OFFICER)


class RetentionRefused(ValidationError):
    """A hold, a lift or a deletion the rules refuse; the message says why."""


@dataclass(frozen=True)
class Retention:
    rule: RetentionRule
    retain_until: datetime.date

    def reached(self, today: datetime.date) -> bool:
        return today >= self.retain_until


# --- The schedule --------------------------------------------------------------------------------


def nth_birthday(date_of_birth: datetime.date, years: int) -> datetime.date:
    """The birthday on which someone born on `date_of_birth` is `years` old. Born on 29 February:
    1 March in a year that has no 29 February (the later day: a record is never deleted early)."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + years)
    except ValueError:
        return datetime.date(date_of_birth.year + years, 3, 1)


def rules_by_authority(record_type: str = RecordType.CHILD) -> dict:
    """(local authority id or None, looked after) -> rule, read once for a whole review."""
    return {
        (rule.local_authority_id, rule.looked_after): rule
        for rule in RetentionRule.objects.filter(record_type=record_type).select_related("local_authority")
    }


def retention_of(
    *, date_of_birth: datetime.date | None, looked_after: bool, authority_id: int, rules: dict
) -> Retention | None:
    """When a child's record is due for review and deletion, and under which rule.

    Retention schedule (IRMS toolkit for local authorities): looked-after children's records to
    the 75th birthday; others to the 25th (the default rules, from the migration). The responsible
    authority's own rule overrides the default. None without a date of birth (an estimated one
    counts), or when no rule applies: the record is then never listed."""
    rule = rules.get((authority_id, looked_after)) or rules.get((None, looked_after))
    if date_of_birth is None or rule is None:
        return None
    return Retention(rule=rule, retain_until=nth_birthday(date_of_birth, rule.keep_until_birthday))


def ever_looked_after_ids(children: QuerySet[Child]) -> set[int]:
    """The children looked after now or at any time before, by their own history."""
    now = set(children.filter(legal_status__in=EVER_LOOKED_AFTER).values_list("pk", flat=True))
    before = set(
        Child.history.filter(id__in=children.values("pk"), legal_status__in=EVER_LOOKED_AFTER).values_list(
            "id", flat=True
        )
    )
    return now | before


def child_retention(child: Child, *, rules: dict | None = None) -> Retention | None:
    looked_after = bool(ever_looked_after_ids(Child.objects.filter(pk=child.pk)))
    return retention_of(
        date_of_birth=child.date_of_birth,
        looked_after=looked_after,
        authority_id=child.responsible_authority_id,
        rules=rules if rules is not None else rules_by_authority(),
    )


def held_child_ids(children: QuerySet[Child]) -> set[int]:
    return set(LegalHold.objects.filter(child__in=children, lifted_at__isnull=True).values_list("child_id", flat=True))


def children_past_retention(authority: LocalAuthority, *, today: datetime.date) -> list[tuple[int, Retention]]:
    """The children of `authority` (the responsible authority) whose record has reached its
    retention date and is not under a legal hold, soonest date first."""
    rules = rules_by_authority()
    shortest = min((rule.keep_until_birthday for rule in rules.values()), default=None)
    if shortest is None:
        return []
    # No record is due before the shortest rule's birthday: look only at children old enough.
    children = Child.objects.filter(
        responsible_authority=authority, date_of_birth__lte=nth_birthday(today, -shortest)
    ).exclude(pk__in=LegalHold.objects.filter(lifted_at__isnull=True).values("child_id"))
    looked_after = ever_looked_after_ids(children)
    due = []
    for pk, date_of_birth in children.values_list("pk", "date_of_birth"):
        retention = retention_of(
            date_of_birth=date_of_birth, looked_after=pk in looked_after, authority_id=authority.pk, rules=rules
        )
        if retention and retention.reached(today):
            due.append((pk, retention))
    return sorted(due, key=lambda item: (item[1].retain_until, item[0]))


# --- The monthly review --------------------------------------------------------------------------


def retention_reviews_make(*, now: datetime.datetime | None = None) -> list[RetentionReview]:
    """Celery beat, on the first of each month: for each authority responsible for children, the
    month's review listing the records past their date, and the council's managers and data
    protection officers told. Once a month however often it runs: a review already made (by an
    earlier run or another worker) is left alone. Returns the reviews this run made."""
    now = now or timezone.now()
    month = timezone.localtime(now).date().replace(day=1)
    made = []
    for authority in LocalAuthority.objects.filter(children_responsible_for__isnull=False).distinct():
        review = _review_make(authority=authority, month=month, now=now)
        if review is not None:
            made.append(review)
    return made


def _review_make(*, authority: LocalAuthority, month: datetime.date, now: datetime.datetime) -> RetentionReview | None:
    from interviews.services import notify

    if RetentionReview.objects.filter(local_authority=authority, month=month).exists():
        return None
    try:
        with transaction.atomic():
            review = RetentionReview.objects.create(local_authority=authority, month=month, made_at=now)
            due = children_past_retention(authority, today=timezone.localtime(now).date())
            RetentionReviewEntry.objects.bulk_create(
                RetentionReviewEntry(review=review, child_id=pk, rule=r.rule, retain_until=r.retain_until)
                for pk, r in due
            )
            if due:
                records = "1 child’s record is" if len(due) == 1 else f"{len(due)} children’s records are"
                notify(
                    users=_council_people(authority.pk, REVIEWERS),
                    message=f"Retention review for {month:%B %Y}: {records} past the retention date",
                    kind="retention_review",
                    now=now,
                    link=reverse("privacy:retention_review"),
                )
    except IntegrityError:
        return None  # another worker made this month's review first
    return review


# --- Who may do what -----------------------------------------------------------------------------


def _authorities(user, roles) -> set[int]:
    return {
        authority.pk
        for m in user.active_memberships()
        if m.role in roles and m.agency.kind == AgencyKind.CHILDRENS_SERVICES
        for authority in m.agency.local_authorities.all()
    }


def is_reviewer(user) -> bool:
    return bool(_authorities(user, REVIEWERS))


def retention_children_for(user) -> QuerySet[Child]:
    """The children whose retention `user` reviews: those the authorities of their council are
    responsible for. A data protection officer reaches all of them (as for subject access); a
    manager those they may see (a restriction that does not name them keeps it from them)."""
    officer = _authorities(user, [Role.DATA_PROTECTION_OFFICER])
    managed = _authorities(user, [Role.MANAGER])
    return Child.objects.filter(
        Q(responsible_authority_id__in=officer)
        | Q(responsible_authority_id__in=managed, pk__in=Child.objects.visible_to(user).values("pk"))
    )


def reviews_for(user) -> QuerySet[RetentionReview]:
    return RetentionReview.objects.filter(local_authority_id__in=_authorities(user, REVIEWERS)).select_related(
        "local_authority"
    )


def may_confirm_deletion(user, child: Child) -> bool:
    """A manager of the council responsible for the child, who may see it."""
    return (
        child.responsible_authority_id in _authorities(user, [Role.MANAGER])
        and retention_children_for(user).filter(pk=child.pk).exists()
    )


def _check_reviewer(user, child: Child) -> None:
    if not retention_children_for(user).filter(pk=child.pk).exists():
        raise PermissionDenied("Only a manager or data protection officer of the child’s council can do this.")


def _check_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RetentionRefused(f"Enter the reason for {what}", code="reason")
    if len(reason) > REASON_MAX_CHARS:
        raise RetentionRefused(f"The reason must be {REASON_MAX_CHARS} characters or fewer", code="reason")
    return reason


# --- Legal holds ---------------------------------------------------------------------------------


def hold_in_force(child: Child) -> LegalHold | None:
    return LegalHold.objects.filter(child=child, lifted_at__isnull=True).select_related("placed_by").first()


@transaction.atomic
def legal_hold_place(*, child: Child, by, reason: str, now: datetime.datetime | None = None) -> LegalHold:
    """Keep the child's record beyond its retention date until the hold is lifted."""
    _check_reviewer(by, child)
    reason = _check_reason(reason, "the legal hold")
    Child.objects.select_for_update().filter(pk=child.pk).first()
    if hold_in_force(child):
        raise RetentionRefused("This record is already under a legal hold")
    hold = LegalHold(child=child, reason=reason, placed_by=by, placed_at=now or timezone.now())
    hold._change_reason = "Placed"
    hold.save()
    return hold


@transaction.atomic
def legal_hold_lift(*, hold: LegalHold, by, reason: str, now: datetime.datetime | None = None) -> LegalHold:
    hold = LegalHold.objects.select_for_update().select_related("child").get(pk=hold.pk)
    _check_reviewer(by, hold.child)
    if not hold.in_force:
        raise RetentionRefused("This legal hold is already lifted")
    hold.lift_reason = _check_reason(reason, "lifting the legal hold")
    hold.lifted_at, hold.lifted_by = now or timezone.now(), by
    hold._change_reason = "Lifted"
    hold.save()
    return hold


# --- Deletion ------------------------------------------------------------------------------------


@transaction.atomic
def child_erase(*, child: Child, by, reason: str, now: datetime.datetime | None = None) -> ErasureRecord:
    """Delete a child's record at the end of its retention, as a manager confirms it:

    1. Refuse unless `by` is a manager of the responsible council who sees the child, the reason
       is given (and names no one: it stays in the erasure log), the record is under no legal
       hold and its retention date is reached.
    2. Delete the child and everything held on them, and every history row of each (ICO: the
       content goes), in this one transaction; the photo files once it commits.
    3. Write the erasure record: who, when, which rule, the child's id, the retention date and
       the number of rows of each type. The access log (plain ids) stays.
    """
    now = now or timezone.now()
    if not may_confirm_deletion(by, child):
        raise PermissionDenied("Only a manager of the child’s council can confirm a deletion.")
    # Locked: a hold placed meanwhile waits for this, and a second confirmation finds nothing.
    child = Child.objects.select_for_update().filter(pk=child.pk).first()
    if child is None:
        raise RetentionRefused("This record is already deleted")
    reason = _check_reason(reason, "deleting this record")
    names = [n for n in (child.given_name, child.family_name) if len(n) > 1]
    if any(re.search(rf"\b{re.escape(name)}\b", reason, re.IGNORECASE) for name in names):
        raise RetentionRefused(
            "Leave the child’s name out of the reason: it is kept in the erasure log, which holds no content",
            code="reason",
        )
    if hold_in_force(child):
        raise RetentionRefused("This record is under a legal hold: it cannot be deleted until the hold is lifted")
    retention = child_retention(child)
    if retention is None:
        raise RetentionRefused("This record has no date of birth, so no retention date: it cannot be deleted")
    if not retention.reached(timezone.localtime(now).date()):
        raise RetentionRefused(
            f"This record is kept until {retention.retain_until:%-d %B %Y}: it cannot be deleted yet"
        )
    authority_id = child.responsible_authority_id
    counts = _erase(child)
    return ErasureRecord.objects.create(
        erased_at=now,
        erased_by=by,
        child_id=child.pk,
        local_authority_id=authority_id,
        rule=retention.rule,
        rule_description=str(retention.rule)[:300],
        retain_until=retention.retain_until,
        reason=reason,
        counts=counts,
    )


def _ids(model, **lookup) -> set[int]:
    """The ids of the rows of `model` matching `lookup`, live or only in their history (a record
    deleted before still has history rows holding its content)."""
    ids = set(model._base_manager.filter(**lookup).values_list("pk", flat=True))
    if hasattr(model, "history"):
        ids |= set(model.history.model.objects.filter(**lookup).values_list("id", flat=True))
    return ids


def _erase(child: Child) -> dict[str, int]:
    """Delete everything held on `child`, with its history; return the rows deleted by type.
    The order keeps every PROTECT satisfied: what points at a record goes before the record."""
    from deadlines.models import Deadline
    from episodes.models import Episode, HeldReport, Reclassification, SafeAndWellCheck
    from interviews.models import (
        ContactAttempt,
        InterviewDownload,
        InterviewRecord,
        ReturnInterview,
        SocialWorkerVisit,
    )
    from risk.models import (
        AssessmentAddress,
        Escalation,
        EscalationRecipient,
        EscalationTask,
        Invitee,
        Meeting,
        MeetingAction,
        MeetingRecord,
        RiskAssessment,
    )

    episodes = _ids(Episode, child_id=child.pk)
    interviews = _ids(ReturnInterview, child_id=child.pk)
    escalations = _ids(Escalation, child_id=child.pk) | _ids(Escalation, episode_id__in=episodes)
    meeting_records = _ids(MeetingRecord, child_id=child.pk)
    meetings = set(MeetingRecord.objects.filter(pk__in=meeting_records).values_list("meeting_id", flat=True))
    assessments = _ids(RiskAssessment, child_id=child.pk)
    restrictions = _ids(Restriction, child_id=child.pk)
    held_reports = _ids(HeldReport, episode_id__in=episodes)
    records = {
        Child: {child.pk},
        ChildAlias: _ids(ChildAlias, child_id=child.pk),
        Episode: episodes,
        Reclassification: _ids(Reclassification, episode_id__in=episodes),
        SafeAndWellCheck: _ids(SafeAndWellCheck, episode_id__in=episodes),
        SocialWorkerVisit: _ids(SocialWorkerVisit, episode_id__in=episodes),
        HeldReport: held_reports,
        ReturnInterview: interviews,
        ContactAttempt: _ids(ContactAttempt, interview_id__in=interviews),
        InterviewRecord: _ids(InterviewRecord, interview_id__in=interviews),
        Escalation: escalations,
        EscalationRecipient: _ids(EscalationRecipient, escalation_id__in=escalations),
        EscalationTask: _ids(EscalationTask, escalation_id__in=escalations),
        MeetingRecord: meeting_records,
        MeetingAction: _ids(MeetingAction, record_id__in=meeting_records),
        RiskAssessment: assessments,
        AssessmentAddress: _ids(AssessmentAddress, assessment_id__in=assessments),
        SharingRecord: _ids(SharingRecord, child_id=child.pk),
        SubjectAccessRequest: _ids(SubjectAccessRequest, child_id=child.pk),
        Restriction: restrictions,
        RestrictionMember: _ids(RestrictionMember, restriction_id__in=restrictions),
        BreakGlassGrant: _ids(BreakGlassGrant, child_id=child.pk),
        LegalHold: _ids(LegalHold, child_id=child.pk),
    }
    photos = {name for name in Child.history.filter(id=child.pk).values_list("photo", flat=True) if name}
    photos |= {child.photo.name} if child.photo else set()

    counts: Counter = Counter()

    def delete(queryset):
        counts.update(queryset.delete()[1])

    delete(InterviewDownload.objects.filter(interview_id__in=interviews))
    delete(MeetingRecord.objects.filter(pk__in=meeting_records))
    # A meeting about this child alone goes too; one about other children stays, without them.
    emptied = Meeting.objects.filter(pk__in=meetings).exclude(records__isnull=False)
    records[Meeting] = set(emptied.values_list("pk", flat=True))
    records[Invitee] = _ids(Invitee, meeting_id__in=records[Meeting])
    delete(emptied)
    delete(Escalation.objects.filter(pk__in=escalations))
    delete(RiskAssessment.objects.filter(pk__in=assessments))
    delete(ReturnInterview.objects.filter(pk__in=interviews))
    delete(HeldReport.objects.filter(pk__in=held_reports))
    delete(Episode.objects.filter(pk__in=episodes))
    for model in (SharingRecord, SubjectAccessRequest, LegalHold, BreakGlassGrant, Restriction):
        delete(model.objects.filter(child_id=child.pk))
    # The clocks on any of these records (Deadline points at its record by type and id).
    clocks = Q()
    for model, ids in records.items():
        if ids:
            clocks |= Q(subject_type=ContentType.objects.get_for_model(model), subject_id__in=ids)
    records[Deadline] = set(Deadline.objects.filter(clocks).values_list("pk", flat=True))
    records[Deadline] |= set(Deadline.history.filter(clocks).values_list("id", flat=True))
    delete(Deadline.objects.filter(pk__in=records[Deadline]))
    delete(Child.objects.filter(pk=child.pk))
    # Deleting wrote a "deleted" history row for each record: those go with the rest.
    for model, ids in records.items():
        if ids:
            delete(model.history.model.objects.filter(id__in=ids))
    transaction.on_commit(lambda: [default_storage.delete(name) for name in photos])
    return {label: n for label, n in sorted(counts.items()) if n}
