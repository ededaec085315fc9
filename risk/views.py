"""The escalation pages (the list, one escalation with who it was sent to, acknowledging it) and
the meeting pages (the list, a meeting with each child's record the reader may see, recording it,
actions, the PDF).

Each view reads through the scope (out of scope is a 404), calls one service and renders.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from children.models import Child
from episodes.models import Episode
from privacy.models import AccessKind
from privacy.services import OutOfScope, note_access, note_children

from . import selectors, services
from .forms import (
    ActionForm,
    AssessmentForm,
    InviteeForm,
    MeetingCreateForm,
    MeetingHeldForm,
    MeetingNotNeededForm,
    MeetingRecordForm,
    SignForm,
    apply_service_errors,
)
from .models import Escalation, EscalationTask, Meeting, MeetingAction, MeetingRecord, MeetingState, RiskAssessment

PAGE_SIZE = 25


def _escalation_or_404(user, pk) -> Escalation:
    try:
        return selectors.escalation_for_user(user=user, pk=pk)
    except Escalation.DoesNotExist:
        raise OutOfScope("No escalation found", model=Escalation, pk=pk) from None


@login_required
def escalation_list(request):
    show = request.GET.get("show", "mine")
    if show not in ("mine", "all"):
        show = "mine"
    escalations = selectors.escalation_list(user=request.user, to_acknowledge=show == "mine")
    page = Paginator(escalations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "risk/escalation_list.html", {"page_obj": page, "show": show})


@login_required
def escalation_detail(request, pk):
    escalation = _escalation_or_404(request.user, pk)
    note_access(request, what="escalation", child=escalation.child_id, episode=escalation.episode_id)
    recipients = list(escalation.recipients.all())
    mine = next((r for r in recipients if r.user_id == request.user.pk), None)
    return render(
        request,
        "risk/escalation_detail.html",
        {
            "escalation": escalation,
            "rule": escalation.definition,
            "child": escalation.child,
            "recipients": recipients,
            "mine": mine,
            "task": EscalationTask.objects.filter(escalation=escalation)
            .select_related("assigned_to", "done_by")
            .first(),
            "can_complete_task": services.can_manage_meeting(request.user),
        },
    )


@login_required
@require_POST
def task_done(request, pk):
    escalation = _escalation_or_404(request.user, pk)
    task = get_object_or_404(EscalationTask, escalation=escalation)
    services.task_complete(task=task, by=request.user, notes=request.POST.get("notes", ""))
    messages.success(request, "The task was marked done.")
    return redirect(escalation)


@login_required
@require_POST
def escalation_acknowledge(request, pk):
    escalation = _escalation_or_404(request.user, pk)
    services.escalation_acknowledge(escalation=escalation, by=request.user)
    messages.success(request, "You acknowledged the escalation.")
    return redirect(escalation)


# --- Meetings ------------------------------------------------------------------------------------


def _meeting_or_404(user, pk) -> Meeting:
    try:
        return selectors.meeting_for_user(user=user, pk=pk)
    except Meeting.DoesNotExist:
        raise OutOfScope("No meeting found", model=Meeting, pk=pk) from None


def _posted(request):
    return request.POST if request.method == "POST" else None


def _require_manager(user) -> None:
    if not services.can_manage_meeting(user):
        raise PermissionDenied("Only council coordinators, managers and social workers can change meetings.")


@login_required
def meeting_list(request):
    state = request.GET.get("state", "")
    if state not in ("", *MeetingState.values):
        state = ""
    page = Paginator(selectors.meeting_list(user=request.user, state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    return render(
        request,
        "risk/meeting_list.html",
        {
            "page_obj": page,
            "rows": [(m, m.is_overdue(now)) for m in page.object_list],
            "state": state,
            "states": [("", "All"), *MeetingState.choices],
            "can_manage": services.can_manage_meeting(request.user),
        },
    )


@login_required
def meeting_create(request):
    user = request.user
    _require_manager(user)
    children = Child.objects.visible_to(user)
    first = request.GET.get("child")
    candidates = children.none()
    if first and first.isdigit():
        # The child, and the children who went missing with them (one meeting may cover them all).
        linked = Episode.objects.filter(linked__child_id=int(first)).values("child_id")
        candidates = children.filter(Q(pk=int(first)) | Q(pk__in=linked))
    if request.method == "POST":
        candidates = children
    form = MeetingCreateForm(_posted(request), children=candidates, initial={"children": [first] if first else []})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "The meeting was created.")
            return redirect(meeting)
    return render(request, "risk/change.html", {"form": form, "title": "Convene a meeting", "button": "Create"})


@login_required
def meeting_detail(request, pk):
    user = request.user
    meeting = _meeting_or_404(user, pk)
    note_children(request, [r.child_id for r in selectors.visible_records(user=user, meeting=meeting)], what="meeting")
    now = timezone.now()
    return render(
        request,
        "risk/meeting_detail.html",
        {
            "meeting": meeting,
            "records": list(selectors.visible_records(user=user, meeting=meeting)),
            "invitees": list(meeting.invitees.all()),
            "overdue": meeting.is_overdue(now),
            "now": now,
            "can_manage": services.can_manage_meeting(user, meeting),
            "history": meeting.history.select_related("history_user").order_by("-history_date", "-history_id")[:20],
        },
    )


def _meeting_change(request, meeting, *, form, title, button, done, call):
    if request.method == "POST" and form.is_valid():
        try:
            call(form)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(meeting)
    return render(request, "risk/change.html", {"form": form, "meeting": meeting, "title": title, "button": button})


@login_required
def meeting_held(request, pk):
    user = request.user
    meeting = _meeting_or_404(user, pk)
    _require_manager(user)
    invitees = list(meeting.invitees.all())
    form = MeetingHeldForm(
        _posted(request),
        chairs=selectors.people_for_meeting(meeting),
        invitees=invitees,
        initial={"attended": [str(i.pk) for i in invitees if i.attended]},
    )
    return _meeting_change(
        request,
        meeting,
        form=form,
        title="Record the meeting",
        button="Save",
        done="The meeting was recorded.",
        call=lambda f: services.meeting_record_held(
            meeting=meeting,
            by=user,
            held_at=f.cleaned_data["held_at"],
            chair=f.cleaned_data["chair"],
            review_on=f.cleaned_data["review_on"],
            attended=f.attendance(),
        ),
    )


@login_required
def meeting_not_needed(request, pk):
    user = request.user
    meeting = _meeting_or_404(user, pk)
    _require_manager(user)
    return _meeting_change(
        request,
        meeting,
        form=MeetingNotNeededForm(_posted(request)),
        title="The meeting is not needed",
        button="Record that it is not needed",
        done="The meeting was recorded as not needed.",
        call=lambda f: services.meeting_not_needed(meeting=meeting, by=user, reason=f.cleaned_data["reason"]),
    )


@login_required
def meeting_invitee(request, pk):
    user = request.user
    meeting = _meeting_or_404(user, pk)
    _require_manager(user)
    return _meeting_change(
        request,
        meeting,
        form=InviteeForm(_posted(request)),
        title="Invite someone",
        button="Invite",
        done="The invitation was recorded.",
        call=lambda f: services.invitee_add(meeting=meeting, by=user, **f.cleaned_data),
    )


def _record_or_404(user, meeting, record_pk) -> MeetingRecord:
    try:
        return selectors.record_for_user(user=user, meeting=meeting, pk=record_pk)
    except MeetingRecord.DoesNotExist:
        raise OutOfScope("No record found", model=MeetingRecord, pk=record_pk) from None


@login_required
def meeting_record(request, pk, record_pk):
    user = request.user
    meeting = _meeting_or_404(user, pk)
    record = _record_or_404(user, meeting, record_pk)
    _require_manager(user)
    return _meeting_change(
        request,
        meeting,
        form=MeetingRecordForm(_posted(request), initial=MeetingRecordForm.initial_from(record)),
        title=f"What was shared and decided for {record.child.full_name}",
        button="Save",
        done="The child’s record was saved.",
        call=lambda f: services.meeting_record_save(record=record, by=user, data=f.cleaned_data),
    )


@login_required
def meeting_action_add(request, pk, record_pk):
    user = request.user
    meeting = _meeting_or_404(user, pk)
    record = _record_or_404(user, meeting, record_pk)
    _require_manager(user)
    return _meeting_change(
        request,
        meeting,
        form=ActionForm(_posted(request), owners=selectors.people_for_meeting(meeting)),
        title=f"Add an action for {record.child.full_name}",
        button="Add action",
        done="The action was added.",
        call=lambda f: services.meeting_action_add(record=record, by=user, **f.cleaned_data),
    )


@login_required
@require_POST
def meeting_action_complete(request, pk, action_pk):
    user = request.user
    meeting = _meeting_or_404(user, pk)
    action = get_object_or_404(
        MeetingAction, pk=action_pk, record__in=selectors.visible_records(user=user, meeting=meeting)
    )
    services.meeting_action_complete(action=action, by=user)
    messages.success(request, "The action was marked done.")
    return redirect(meeting)


@login_required
def meeting_pdf_download(request, pk):
    user = request.user
    meeting = _meeting_or_404(user, pk)
    from .pdf import meeting_pdf  # WeasyPrint is slow to import: only when a PDF is asked for

    records = list(selectors.visible_records(user=user, meeting=meeting))
    note_children(request, [r.child_id for r in records], what="meeting record (PDF)", kind=AccessKind.PDF)
    response = HttpResponse(meeting_pdf(meeting, records), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.pdf"'
    return response


# --- Risk assessments ----------------------------------------------------------------------------


def _child_or_404(user, pk) -> Child:
    try:
        return Child.objects.visible_to(user).get(pk=pk)
    except Child.DoesNotExist:
        raise OutOfScope("No child found", model=Child, pk=pk) from None


def _assessment_or_404(user, pk) -> RiskAssessment:
    try:
        return selectors.assessment_for_user(user=user, pk=pk)
    except RiskAssessment.DoesNotExist:
        raise OutOfScope("No risk assessment found", model=RiskAssessment, pk=pk) from None


@login_required
def assessment_list(request, child_pk):
    user = request.user
    child = _child_or_404(user, child_pk)
    note_access(request, what="risk assessments", child=child)
    return render(
        request,
        "risk/assessment_list.html",
        {
            "child": child,
            "assessments": selectors.assessments_of(child=child),
            "due": selectors.assessment_due(child=child),
            "can_assess": services.can_assess(user, child),
        },
    )


@login_required
@require_POST
def assessment_start(request, child_pk):
    user = request.user
    child = _child_or_404(user, child_pk)
    assessment = services.assessment_start(child=child, by=user)
    return redirect("risk:assessment_edit", assessment.pk)


@login_required
def assessment_detail(request, pk):
    user = request.user
    assessment = _assessment_or_404(user, pk)
    note_access(request, what="risk assessment", child=assessment.child_id)
    return render(
        request,
        "risk/assessment_detail.html",
        {
            "assessment": assessment,
            "child": assessment.child,
            "addresses": list(assessment.addresses.all()),
            "can_assess": services.can_assess(user, assessment.child),
            "sign_form": SignForm(),
        },
    )


@login_required
def assessment_edit(request, pk):
    user = request.user
    assessment = _assessment_or_404(user, pk)
    if not services.can_assess(user, assessment.child):
        raise PermissionDenied("Only the child's council social workers, managers and coordinators write assessments.")
    form = AssessmentForm(_posted(request), initial=AssessmentForm.initial_from(assessment))
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_save(assessment=assessment, by=user, **form.service_kwargs())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "The draft was saved.")
            return redirect(assessment)
    return render(
        request,
        "risk/assessment_form.html",
        {"form": form, "assessment": assessment, "child": assessment.child},
    )


@login_required
@require_POST
def assessment_sign(request, pk):
    user = request.user
    assessment = _assessment_or_404(user, pk)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_sign(assessment=assessment, by=user, as_role=form.cleaned_data["as_role"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "You signed the assessment.")
            return redirect(assessment)
    return render(
        request,
        "risk/assessment_detail.html",
        {
            "assessment": assessment,
            "child": assessment.child,
            "addresses": list(assessment.addresses.all()),
            "can_assess": services.can_assess(user, assessment.child),
            "sign_form": form,
        },
    )
