"""Writing the access log. Views say what a request read with `note_access`; the middleware
writes the rows once the view has answered successfully (`access_log_write`): one per child
read, whatever number of parts of the page showed that child (security battery H2). And
recording what is shared outside the agency that owns it (`share_outside`)."""

import uuid

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest

from .models import AccessKind, AccessLogEntry, SharingRecord

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


def access_log_write(request, *, status_code: int) -> list[AccessLogEntry]:
    """Write the request's access rows, if it read case data and answered with success."""
    http = _http_request(request)
    notes = getattr(http, "_homeward_access", None)
    if not notes or status_code >= 400:
        return []
    shared = {
        "path": http.get_full_path()[:500],
        "request_id": request_id_of(request),
        "ip": http.META.get("REMOTE_ADDR") or None,
    }
    organisations: dict[int, str] = {}
    rows = []
    for note in notes.values():
        user = note.pop("user")
        if user.pk not in organisations:
            organisations[user.pk] = _organisation(user)
        rows.append(AccessLogEntry(user=user, organisation=organisations[user.pk], **shared, **note))
    http._homeward_access = {}
    return AccessLogEntry.objects.bulk_create(rows)


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
