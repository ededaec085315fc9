"""Writing the access log. Views say what a request read with `note_access`; the middleware
writes the rows once the view has answered successfully (`access_log_write`): one per child
read, whatever number of parts of the page showed that child (security battery H2). And
recording what is shared outside the agency that owns it (`share_outside`).

Restricting a child's record, lifting it, naming people on it and breaking the glass: one
function each, called alike from the pages and any later API or command. And recording a
restore of the whole database from a backup (`restore_record`)."""

import datetime
import uuid

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from children.models import Child
from missing import bulk
from missing.moments import uk_datetime
from organisations.models import User
from organisations.roles import AgencyKind, Role

from .models import AccessKind, AccessLogEntry, BreakGlassGrant, Restriction, RestrictionMember, SharingRecord

REQUEST_ID_HEADER = "X-Request-ID"


def _http_request(request) -> HttpRequest:
    # A DRF Request wraps the HttpRequest the middleware sees.
    return getattr(request, "_request", request)


def note_access(request, *, what: str, kind: str = AccessKind.VIEW, child=None, episode=None, reason: str = "") -> None:
    """Say that this request reads case data about `child` (a Child or its id; None for a read
    that names no child). For each child the first note of a request is the one logged: the
    page's own record, not the parts drawn inside it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    http = _http_request(request)
    notes = http.__dict__.setdefault("_homeward_access", {})
    child_id = getattr(child, "pk", child)
    if child_id in notes:
        return
    notes[child_id] = {
        "user": user,
        "kind": kind,
        "what": what[:200],
        "child_id": child_id,
        "episode_id": getattr(episode, "pk", episode),
        "reason": reason[:500],
    }


class OutOfScope(Http404):
    """A 404 for a record that exists but that the reader may not see: answered as any 404, and
    written to the access log (security battery H4) by the middleware."""

    def __init__(self, message: str, *, model, pk):
        super().__init__(message)
        self.model, self.pk = model, pk


def access_refused(request, *, model, pk) -> AccessLogEntry | None:
    """Log a refused read of an existing record; a made-up id is not a refusal."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    try:
        record = model._base_manager.filter(pk=pk).first()
    except (TypeError, ValueError):
        return None
    if record is None:
        return None
    http = _http_request(request)
    child_id = getattr(record, "child_id", None) if model._meta.model_name != "child" else record.pk
    return AccessLogEntry.objects.create(
        user=user,
        organisation=_organisation(user),
        kind=AccessKind.REFUSED,
        what=f"{model._meta.verbose_name} {pk}",
        child_id=child_id,
        episode_id=record.pk if model._meta.model_name == "episode" else None,
        path=http.get_full_path()[:500],
        request_id=request_id_of(request),
        ip=http.META.get("REMOTE_ADDR") or None,
    )


class RestoreNotRecorded(Exception):
    """The person named for a restore is not an active administrator of the restored data."""


def restore_record(
    *, backup: str, by_email: str, verified: bool, now: datetime.datetime | None = None
) -> AccessLogEntry:
    """Record in the restored database's access log that it was restored from `backup`, by whom
    (security battery B4, B5: a restore discloses everything in it, so it is logged like a read
    and survives in every later backup). Only an active administrator of the restored data may
    be named."""
    user = User.objects.filter(email__iexact=by_email.strip(), is_active=True).first()
    if user is None or not user.has_role(Role.ADMINISTRATOR):
        raise RestoreNotRecorded(f"{by_email} is not an active administrator in the restored data.")
    outcome = "every table matches its manifest" if verified else "some tables differ from its manifest"
    name = backup.rsplit("/", 1)[-1]
    return AccessLogEntry.objects.create(
        at=now or timezone.now(),
        user=user,
        organisation=_organisation(user),
        kind=AccessKind.RESTORE,
        what=f"Restored the database from {name}"[:200],
        path=f"backup:{name}"[:500],
        reason=f"Checked after the restore: {outcome}.",
    )


def note_children(request, children, *, what: str, kind: str = AccessKind.VIEW) -> None:
    """A list shows these children (Child objects or ids): one row for each."""
    for child in children:
        note_access(request, what=what, kind=kind, child=child)


def request_id_of(request) -> uuid.UUID:
    """The request's id: the one a proxy in front of us set, when it is a UUID, or a new one."""
    http = _http_request(request)
    if not hasattr(http, "_homeward_request_id"):
        try:
            http._homeward_request_id = uuid.UUID(http.headers.get(REQUEST_ID_HEADER, ""))
        except ValueError:
            http._homeward_request_id = uuid.uuid4()
    return http._homeward_request_id


def _organisation(user) -> str:
    return "; ".join(sorted({f"{m.agency.name} ({m.get_role_display()})" for m in user.active_memberships()}))[:300]


def access_log_write(request, *, status_code: int) -> int:
    """Write the request's access rows, if it read case data and answered with success; returns
    how many were written."""
    http = _http_request(request)
    notes = getattr(http, "_homeward_access", None)
    if not notes or status_code >= 400:
        return 0
    http._homeward_access = {}
    organisations: dict[int, str] = {}
    for note in notes.values():
        user = note.pop("user")
        if user.pk not in organisations:
            organisations[user.pk] = _organisation(user)
        note.update(user_id=user.pk, organisation=organisations[user.pk])
    shared = {
        "at": timezone.now(),
        "path": http.get_full_path()[:500],
        "request_id": request_id_of(request),
        "ip": http.META.get("REMOTE_ADDR") or None,
    }
    rows = list(notes.values())
    if bulk.available():
        _insert_access_rows(rows, **shared)
    else:
        AccessLogEntry.objects.bulk_create([AccessLogEntry(**shared, **row) for row in rows])
    return len(rows)


def _insert_access_rows(rows: list[dict], *, at, path: str, request_id, ip) -> None:
    """The rows of one request in one INSERT, each column sent as an array: one model instance
    built and compiled for each child a page named (53 on the tasking page at 400,000 children)
    cost about 3 ms of every request (docs/benchmarks.md, "Less Python on the tasking page")."""
    columns = {"user_id": "bigint", "organisation": "text", "kind": "text", "what": "text"}
    columns |= {"child_id": "bigint", "episode_id": "bigint", "reason": "text"}
    names = ", ".join(columns)
    arrays = ", ".join(f"%s::{kind}[]" for kind in columns.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AccessLogEntry._meta.db_table} (at, path, request_id, ip, {names}) "
            f"SELECT %s::timestamptz, %s, %s::uuid, %s::inet, {names} FROM unnest({arrays}) AS row({names})",
            [at, path, request_id, ip, *([row[name] for row in rows] for name in columns)],
        )


def share_outside(*, child, subject, what: str, recipients, by, agreement, now) -> list[SharingRecord]:
    """Record a share of `subject` (about `child`) with the recipients outside the agencies `by`
    acts for: one SharingRecord per outside agency, naming its people, the agreement and its
    lawful basis (the privacy issue: a record sent outside the owning agency records the lawful
    basis and the information sharing agreement it relies on). Recipients inside need nothing.

    Call it before anything else is written: with people outside and no active agreement it
    refuses with a message naming the agencies, and nothing is saved.
    """
    own = {m.agency_id for m in by.active_memberships()}
    outside: dict = {}
    for user in {u.pk: u for u in recipients if u is not None}.values():
        agencies = [m.agency for m in user.active_memberships()]
        if agencies and not own & {a.pk for a in agencies}:
            agency = min(agencies, key=lambda a: a.name)
            outside.setdefault(agency, []).append(user)
    if not outside:
        return []
    if agreement is None or not agreement.active:
        names = ", ".join(sorted(a.name for a in outside))
        raise ValidationError(
            {"agreement": f"Choose the information sharing agreement that sharing with {names} relies on"}
        )
    subject_type = ContentType.objects.get_for_model(subject)
    shares = []
    for agency, people in sorted(outside.items(), key=lambda item: item[0].name):
        share = SharingRecord(
            child=child,
            what=what,
            subject_type=subject_type,
            subject_id=subject.pk,
            to_agency=agency,
            recipients="; ".join(sorted(str(p) for p in people))[:500],
            agreement=agreement,
            lawful_basis=agreement.lawful_basis,
            shared_by=by,
            shared_at=now,
        )
        share._history_user, share._change_reason = by, "Shared"
        share.save()
        shares.append(share)
    return shares


# --- Restricted records and break-glass ---------------------------------------------------------
# Issue 7 and security battery Z7/Z8: a manager restricts a child; then only the people named
# (and the manager) see anything of the child. Anyone else in scope may break the glass in an
# emergency: a reason, their authentication code again, time-limited access, the child's
# managers and privacy lead told at once, a second time in a day told to their own managers too.

# Security battery Z8: the reason says why, in a sentence, not "urgent".
BREAK_GLASS_REASON_MIN_CHARS = 20
# Security battery Z8: a second break-glass by the same person within this time escalates.
BREAK_GLASS_REPEAT_WINDOW = datetime.timedelta(hours=24)


class RestrictionRefused(ValidationError):
    """A restriction, a lift or a break-glass that the rules refuse; the message says why."""


def restricted_children_hidden_from(user) -> Q:
    """Scope restriction (children/scope.py): the children restricted from `user`. One subquery:
    restrictions in force that neither name them, nor were made by them, nor are open to them
    by a live break-glass grant."""
    now = timezone.now()
    hidden = (
        Restriction.objects.filter(lifted_at__isnull=True)
        .exclude(restricted_by_id=user.pk)
        .exclude(pk__in=RestrictionMember.objects.filter(user_id=user.pk).values("restriction_id"))
        .exclude(
            child_id__in=BreakGlassGrant.objects.filter(
                user_id=user.pk, granted_at__lte=now, expires_at__gt=now
            ).values("child_id")
        )
    )
    return Q(pk__in=hidden.values("child_id"))


def _council_people(authority_id: int, roles) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        memberships__active=True,
        memberships__role__in=roles,
        memberships__agency__kind=AgencyKind.CHILDRENS_SERVICES,
        memberships__agency__local_authorities=authority_id,
    ).distinct()


def may_restrict(user, child: Child) -> bool:
    """A manager of a council serving the child (responsible or host authority) who sees it."""
    authorities = {child.responsible_authority_id, child.host_authority_id} - {None}
    manages = any(
        m.role == Role.MANAGER
        and m.agency.kind == AgencyKind.CHILDRENS_SERVICES
        and authorities & {a.pk for a in m.agency.local_authorities.all()}
        for m in user.active_memberships()
    )
    return manages and Child.objects.visible_to(user).filter(pk=child.pk).exists()


REVIEW_NOTE_MAX_CHARS = 2000


@transaction.atomic
def break_glass_review(
    *, grant: BreakGlassGrant, by, note: str, now: datetime.datetime | None = None
) -> BreakGlassGrant:
    """A data protection officer of a council serving the child reviews one use of break-glass
    (security battery Z8: each use waits in their queue) and notes what they found."""
    from .selectors import children_of_officer

    if not children_of_officer(by).filter(pk=grant.child_id).exists():
        raise PermissionDenied("Break-glass uses are reviewed by a data protection officer of the child's council.")
    note = (note or "").strip()
    if not note:
        raise RestrictionRefused("Enter what you found when you reviewed this use of break-glass", code="note")
    if len(note) > REVIEW_NOTE_MAX_CHARS:
        raise RestrictionRefused(f"Keep the note to {REVIEW_NOTE_MAX_CHARS} characters or fewer", code="note")
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.reviewed_at is not None:
        raise RestrictionRefused(f"{grant.reviewed_by} already reviewed this use of break-glass", code="note")
    grant.reviewed_by, grant.reviewed_at, grant.review_note = by, now or timezone.now(), note
    grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    return grant


def may_break_glass(user, child: Child) -> bool:
    """Someone who would see the child if it were not restricted, and now does not."""
    in_scope = Child.objects.in_scope_before_restrictions(user).filter(pk=child.pk).exists()
    return in_scope and not Child.objects.visible_to(user).filter(pk=child.pk).exists()


def _check_named(child: Child, members) -> list:
    members = list({m.pk: m for m in members}.values())
    for member in members:
        if not Child.objects.in_scope_before_restrictions(member).filter(pk=child.pk).exists():
            raise RestrictionRefused(f"{member} cannot see this child’s record, so cannot be named on its restriction")
    return members


def _check_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RestrictionRefused(f"Enter the reason for {what}", code="reason")
    return reason


@transaction.atomic
def child_restrict(*, child: Child, by, reason: str, members=(), now: datetime.datetime | None = None) -> Restriction:
    """Restrict the child's record to `members` and the manager `by` (issue 7). Restricting it
    again while restricted changes the reason and replaces the people named."""
    if not may_restrict(by, child):
        raise PermissionDenied("Only a manager of a council serving the child can restrict its record.")
    reason = _check_reason(reason, "restricting this record")
    members = _check_named(child, [m for m in members if m.pk != by.pk])
    now = now or timezone.now()
    restriction = Restriction.objects.select_for_update().filter(child=child).first() or Restriction(child=child)
    restriction.reason, restriction.restricted_by, restriction.restricted_at = reason, by, now
    restriction.lifted_at, restriction.lifted_by, restriction.lift_reason = None, None, ""
    restriction._change_reason = "Restricted"
    restriction.save()
    restriction.members.exclude(user__in=members).delete()
    named = set(restriction.members.values_list("user_id", flat=True))
    for member in members:
        if member.pk not in named:
            RestrictionMember.objects.create(restriction=restriction, user=member, added_by=by, added_at=now)
    return restriction


@transaction.atomic
def restriction_lift(*, restriction: Restriction, by, reason: str, now: datetime.datetime | None = None) -> Restriction:
    """Lift a restriction: the child is seen again by everyone in scope. The row (and its history)
    stays, so who restricted it and why is never lost."""
    restriction = Restriction.objects.select_for_update().get(pk=restriction.pk)
    if not restriction.in_force:
        raise RestrictionRefused("This record is not restricted")
    if not may_restrict(by, restriction.child):
        raise PermissionDenied("Only a manager of a council serving the child can lift its restriction.")
    restriction.lift_reason = _check_reason(reason, "lifting the restriction")
    restriction.lifted_at, restriction.lifted_by = now or timezone.now(), by
    restriction._change_reason = "Lifted"
    restriction.save()
    return restriction


@transaction.atomic
def restriction_member_add(*, restriction: Restriction, user, by) -> RestrictionMember:
    if not may_restrict(by, restriction.child):
        raise PermissionDenied("Only a manager of a council serving the child can name people on its restriction.")
    (user,) = _check_named(restriction.child, [user])
    member, _ = RestrictionMember.objects.get_or_create(restriction=restriction, user=user, defaults={"added_by": by})
    return member


@transaction.atomic
def restriction_member_remove(*, restriction: Restriction, user, by) -> None:
    if not may_restrict(by, restriction.child):
        raise PermissionDenied("Only a manager of a council serving the child can change who is named.")
    for member in restriction.members.filter(user=user):
        member._change_reason = f"Removed by {by}"
        member.delete()


def code_is_current(user, code: str) -> bool:
    """The code the person's authenticator app shows now (allauth's TOTP check: a code used once,
    for signing in or for another break-glass, is not accepted again)."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return authenticator is not None and TOTP(authenticator).validate_code((code or "").strip())


def break_glass_duration() -> datetime.timedelta:
    """How long emergency access lasts (security battery Z8: time-boxed; HOMEWARD_BREAK_GLASS_MINUTES)."""
    return datetime.timedelta(minutes=settings.HOMEWARD_BREAK_GLASS_MINUTES)


def break_glass_recipients(*, child: Child, restriction: Restriction, by, repeat: bool) -> list[User]:
    """Told at once (Z8): the managers and data protection officers (the privacy lead) of the
    responsible authority's council, and the manager who restricted the record. A second
    break-glass by the same person within BREAK_GLASS_REPEAT_WINDOW also goes to the managers of
    that person's own agencies."""
    people = [*_council_people(child.responsible_authority_id, [Role.MANAGER, Role.DATA_PROTECTION_OFFICER])]
    people.append(restriction.restricted_by)
    if repeat:
        own_agencies = [m.agency_id for m in by.active_memberships()]
        people += User.objects.filter(
            is_active=True,
            memberships__active=True,
            memberships__role=Role.MANAGER,
            memberships__agency__in=own_agencies,
        ).distinct()
    return [person for person in people if person.pk != by.pk]


@transaction.atomic
def break_glass(*, child: Child, by, reason: str, code: str, now: datetime.datetime | None = None) -> BreakGlassGrant:
    """Open a restricted child's record to `by` for break_glass_duration(): they give a reason
    of at least BREAK_GLASS_REASON_MIN_CHARS and their current authentication code; the people
    of break_glass_recipients() are notified at once (in their inbox and by email)."""
    from interviews.services import notify

    now = now or timezone.now()
    restriction = (
        Restriction.objects.filter(child=child, lifted_at__isnull=True).select_related("restricted_by").first()
    )
    if restriction is None or not may_break_glass(by, child):
        raise PermissionDenied("Break-glass is for a restricted record you would otherwise see.")
    reason = _check_reason(reason, "needing emergency access")
    if len(reason) < BREAK_GLASS_REASON_MIN_CHARS:
        raise RestrictionRefused(
            f"Say why you need emergency access in at least {BREAK_GLASS_REASON_MIN_CHARS} characters", code="reason"
        )
    if not code_is_current(by, code):
        raise RestrictionRefused("The authentication code is not right: enter the code your app shows now", code="code")
    repeat = BreakGlassGrant.objects.filter(user=by, granted_at__gt=now - BREAK_GLASS_REPEAT_WINDOW).exists()
    grant = BreakGlassGrant.objects.create(
        user=by, child=child, reason=reason, granted_at=now, expires_at=now + break_glass_duration()
    )
    message = f"{by.full_name} used break-glass to open a restricted record until {uk_datetime(grant.expires_at)}"
    if repeat:
        message = f"{message}: their second break-glass within 24 hours"
    notify(
        users=break_glass_recipients(child=child, restriction=restriction, by=by, repeat=repeat),
        message=message,
        kind="break_glass",
        now=now,
        link=child.get_absolute_url(),
    )
    return grant


def break_glass_refused(request, *, child: Child, reason: str, why: str) -> AccessLogEntry | None:
    """Log a refused break-glass (a wrong code, a reason too short) as a refused read."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    http = _http_request(request)
    return AccessLogEntry.objects.create(
        user=user,
        organisation=_organisation(user),
        kind=AccessKind.REFUSED,
        what=f"break-glass refused: {why}"[:200],
        child_id=child.pk,
        reason=(reason or "")[:500],
        path=http.get_full_path()[:500],
        request_id=request_id_of(request),
        ip=http.META.get("REMOTE_ADDR") or None,
    )
