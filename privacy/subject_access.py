"""Subject access (UK GDPR Article 15): a data protection officer opens a request for one
child, marks the third parties to redact, generates everything held (with its history) as a
JSON bundle and a PDF, and completes the request by its statutory due date."""

import calendar
import datetime
import json
import re

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from children.models import Child
from organisations.roles import Role

from .models import AccessLogEntry, SharingRecord, SubjectAccessRequest

REDACTED = "[redacted: third party]"
# Fields that always name or describe someone other than the child.
ALWAYS_THIRD_PARTY = {
    "children.child": {"associates"},
    "episodes.episode": {"officer", "went_missing_with"},
    "interviews.interviewrecord": {"present"},
}
# Derived or internal columns that hold nothing the child does not get elsewhere.
LEFT_OUT = {"search_text", "name_key", "version"}


def subject_access_due(received_on: datetime.date) -> datetime.date:
    """ICO, "Right of access: time limits": one calendar month from the day the request is
    received, ending on the corresponding calendar date of the next month; where that month has
    no such date, on its last day (received 31 January -> due 28 or 29 February)."""
    year, month = (received_on.year + 1, 1) if received_on.month == 12 else (received_on.year, received_on.month + 1)
    last_day = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(received_on.day, last_day))


# --- Who may see what ----------------------------------------------------------------------------


def _officer_authorities(officer) -> set[int]:
    agencies = [m.agency for m in officer.active_memberships() if m.role == Role.DATA_PROTECTION_OFFICER]
    return {a.pk for agency in agencies for a in agency.local_authorities.all()}


def children_for_officer(officer) -> QuerySet[Child]:
    """The children a data protection officer answers requests for: those of the local
    authorities their councils serve (the same reach as their search of the access log)."""
    authorities = _officer_authorities(officer)
    return Child.objects.filter(Q(responsible_authority_id__in=authorities) | Q(host_authority_id__in=authorities))


def requests_for_officer(officer) -> QuerySet[SubjectAccessRequest]:
    return SubjectAccessRequest.objects.filter(child__in=children_for_officer(officer)).select_related("child")


def _check_officer(officer, child) -> None:
    if (
        not officer.has_role(Role.DATA_PROTECTION_OFFICER)
        or not children_for_officer(officer).filter(pk=child.pk).exists()
    ):
        raise ValidationError("Only a data protection officer of a council serving the child can do this.")


# --- Transitions ---------------------------------------------------------------------------------


@transaction.atomic
def subject_access_request_open(
    *, child: Child | None, by, requested_by: str, received_on: datetime.date | None
) -> SubjectAccessRequest:
    if child is None:
        raise ValidationError("Choose the child the request is about.")
    if not requested_by.strip():
        raise ValidationError("Say who asked: the child, a parent or a representative.")
    if received_on is None:
        raise ValidationError("Enter the date the request was received.")
    if received_on > timezone.localdate():
        raise ValidationError("The date the request was received cannot be in the future.")
    _check_officer(by, child)
    return SubjectAccessRequest.objects.create(
        child=child,
        requested_by=requested_by.strip(),
        received_on=received_on,
        due_on=subject_access_due(received_on),
        opened_by=by,
    )


def _locked(sar: SubjectAccessRequest) -> SubjectAccessRequest:
    return SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)


@transaction.atomic
def subject_access_redaction_add(*, sar: SubjectAccessRequest, by, phrase: str) -> SubjectAccessRequest:
    """Mark a third party's name or phrase for redaction; files made before are discarded."""
    phrase = " ".join(phrase.split())
    if not phrase:
        raise ValidationError("Enter the name or phrase of the third party to redact.")
    sar = _locked(sar)
    _check_open(sar, by)
    if phrase.casefold() not in {p.casefold() for p in sar.redactions}:
        sar.redactions = [*sar.redactions, phrase]
    _discard_files(sar)
    sar._change_reason = "redaction marked"
    sar.save()
    return sar


@transaction.atomic
def subject_access_redaction_remove(*, sar: SubjectAccessRequest, by, phrase: str) -> SubjectAccessRequest:
    sar = _locked(sar)
    _check_open(sar, by)
    sar.redactions = [p for p in sar.redactions if p != phrase]
    _discard_files(sar)
    sar._change_reason = "redaction removed"
    sar.save()
    return sar


def _discard_files(sar: SubjectAccessRequest) -> None:
    sar.bundle_json, sar.bundle_pdf, sar.generated_at = b"", b"", None


def _check_open(sar: SubjectAccessRequest, by) -> None:
    _check_officer(by, sar.child)
    if sar.state != SubjectAccessRequest.State.OPEN:
        raise ValidationError("This request is completed: its files can no longer change.")


@transaction.atomic
def subject_access_generate(*, sar: SubjectAccessRequest, by) -> SubjectAccessRequest:
    """1. Gather the child's record and every case record about them, each with its history.
    2. Redact the always-third-party fields and every phrase the officer marked.
    3. Write the JSON bundle (UTC) and the PDF (UK time) onto the request."""
    from weasyprint import HTML

    from interviews.pdf import BASE_URL, StaticFilesOnly

    sar = _locked(sar)
    _check_open(sar, by)
    now = timezone.now()
    bundle = redact(subject_access_bundle(sar.child, generated_at=now), sar.redactions)
    sar.bundle_json = json.dumps(bundle, cls=DjangoJSONEncoder, indent=2, sort_keys=True).encode()
    html = render_to_string("privacy/subject_access_pdf.html", {"sar": sar, "bundle": bundle, "generated_at": now})
    sar.bundle_pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf(
        pdf_variant="pdf/ua-1"
    )
    sar.generated_at = now
    sar._change_reason = "bundle generated"
    sar.save()
    return sar


@transaction.atomic
def subject_access_complete(*, sar: SubjectAccessRequest, by) -> SubjectAccessRequest:
    sar = _locked(sar)
    _check_open(sar, by)
    if not sar.generated_at:
        raise ValidationError("Generate the record before completing the request.")
    sar.state = SubjectAccessRequest.State.COMPLETED
    sar.completed_at, sar.completed_by = timezone.now(), by
    sar._change_reason = "completed"
    sar.save()
    return sar


# --- The bundle ----------------------------------------------------------------------------------


def _utc(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _value(obj, field):
    if field.is_relation:
        related = getattr(obj, field.name, None)
        return None if related is None else str(related)
    value = field.value_from_object(obj)
    if isinstance(field, models.FileField):
        return value.name or ""
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, memoryview | bytes):
        return None
    return _utc(value)


def _fields(obj) -> dict:
    label = obj._meta.label_lower
    third_party = ALWAYS_THIRD_PARTY.get(label, set())
    out = {}
    for field in obj._meta.concrete_fields:
        if field.name in LEFT_OUT:
            continue
        value = _value(obj, field)
        out[field.name] = REDACTED if field.name in third_party and value else value
    return out


def _history(obj) -> list[dict]:
    """Every history row of `obj`, oldest first: who, when, what kind of change, and what changed."""
    third_party = ALWAYS_THIRD_PARTY.get(obj._meta.label_lower, set())
    kinds = {"+": "created", "~": "changed", "-": "deleted"}
    rows, previous = [], None
    for row in obj.history.order_by("history_date", "history_id").select_related("history_user"):
        changes = {}
        if previous is not None:
            for change in row.diff_against(previous).changes:
                if change.field in LEFT_OUT:
                    continue
                old, new = _utc(change.old), _utc(change.new)
                if change.field in third_party:
                    old, new = (REDACTED if old else old), (REDACTED if new else new)
                changes[change.field] = {"from": old, "to": new}
        rows.append(
            {
                "at": _utc(row.history_date),
                "by": str(row.history_user) if row.history_user else None,
                "kind": kinds.get(row.history_type, row.history_type),
                "reason": row.history_change_reason or "",
                "changes": changes,
            }
        )
        previous = row
    return rows


def _record(obj, **parts) -> dict:
    return {"id": obj.pk, "fields": _fields(obj), "history": _history(obj), **parts}


def _one(obj, name):
    try:
        return getattr(obj, name)
    except models.ObjectDoesNotExist:
        return None


def subject_access_bundle(child: Child, *, generated_at: datetime.datetime) -> dict:
    """Everything Homeward holds about the child, with history, in stable keys (times in UTC)."""
    episodes = []
    for episode in child.episodes.order_by("last_seen_at", "pk"):
        check, visit = _one(episode, "safe_and_well"), _one(episode, "social_worker_visit")
        episodes.append(
            _record(
                episode,
                reclassifications=[_record(r) for r in episode.reclassifications.order_by("pk")],
                safe_and_well_check=_record(check) if check else None,
                social_worker_visit=_record(visit) if visit else None,
            )
        )
    interviews = []
    for interview in child.return_interviews.order_by("pk"):
        record = _one(interview, "record")
        interviews.append(
            _record(
                interview,
                episodes=sorted(interview.episodes.values_list("pk", flat=True)),
                contact_attempts=[_record(a) for a in interview.contact_attempts.order_by("pk")],
                record=_record(record) if record else None,
            )
        )
    escalations = []
    for escalation in child.escalations.order_by("pk"):
        task = _one(escalation, "task")
        escalations.append(_record(escalation, task=_record(task) if task else None))
    meetings = []
    for meeting_record in child.meeting_records.select_related("meeting").order_by("pk"):
        meetings.append(
            _record(
                meeting_record,
                meeting=_record(meeting_record.meeting),
                actions=[_record(a) for a in meeting_record.actions.order_by("pk")],
            )
        )
    return {
        "format": "homeward-subject-access/1",
        "generated_at": _utc(generated_at),
        "child": _record(child, aliases=[_record(a) for a in child.aliases.order_by("pk")]),
        "episodes": episodes,
        "return_interviews": interviews,
        "risk_assessments": [
            _record(a, addresses=[_record(x) for x in a.addresses.order_by("pk")])
            for a in child.risk_assessments.order_by("pk")
        ],
        "escalations": escalations,
        "meetings": meetings,
        "sharing_records": [_record(s) for s in SharingRecord.objects.filter(child=child).order_by("shared_at", "pk")],
        "disclosure_log": [
            {
                "at": _utc(e.at),
                "who": str(e.user),
                "organisation": e.organisation,
                "kind": e.get_kind_display(),
                "what": e.what,
                "reason": e.reason,
            }
            for e in AccessLogEntry.objects.filter(child_id=child.pk).select_related("user").order_by("at", "id")
        ],
    }


def redact(value, phrases: list[str]):
    """Replace every marked phrase (any case) in every string of the bundle."""
    if not phrases:
        return value
    pattern = re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)), re.IGNORECASE)

    def walk(item):
        if isinstance(item, str):
            return pattern.sub(REDACTED, item)
        if isinstance(item, dict):
            return {key: walk(v) for key, v in item.items()}
        if isinstance(item, list):
            return [walk(v) for v in item]
        return item

    return walk(value)
