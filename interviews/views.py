"""The return interview pages: the hub's list, a worker's caseload, an interview with the forms
that change it, the inbox and the record's PDF.

Each view reads through the scope (out of scope is a 404), asks interviews.permissions whether
the person may act (403), calls one service and renders.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from episodes.models import Episode
from privacy.models import AccessKind
from privacy.selectors import shares_of
from privacy.services import OutOfScope, note_access, note_children

from . import permissions, selectors, services
from .forms import (
    AllocateForm,
    ContactAttemptForm,
    OutcomeForm,
    RecordForm,
    ReviewForm,
    TriageForm,
    VisitForm,
    apply_service_errors,
)
from .models import InterviewDownload, Notification, ReturnInterview, Status

PAGE_SIZE = 25


def _interview_or_404(user, pk) -> ReturnInterview:
    try:
        return selectors.interview_for_user(user=user, pk=pk)
    except ReturnInterview.DoesNotExist:
        raise OutOfScope("No return interview found", model=ReturnInterview, pk=pk) from None


def _posted(request):
    return request.POST if request.method == "POST" else None


@login_required
def interview_list(request):
    user = request.user
    if not permissions.can_list_interviews(user):
        raise PermissionDenied("The interview list is for coordinators and managers.")
    status = request.GET.get("status", "open")
    if status not in ("", "open", *Status.values):
        status = "open"
    page = Paginator(selectors.interview_list(user=user, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    note_children(request, [i.child_id for i in page.object_list], what="list of return interviews")
    now = timezone.now()
    return render(
        request,
        "interviews/interview_list.html",
        {
            "page_obj": page,
            "interviews": page.object_list,
            "now": now,
            "status": status,
            "statuses": [("open", "Open"), *Status.choices, ("", "All")],
        },
    )


@login_required
def caseload(request):
    user = request.user
    if not permissions.can_have_caseload(user):
        raise PermissionDenied("The caseload is for return interview workers.")
    now = timezone.now()
    interviews = list(selectors.caseload(user=user, now=now))
    note_children(request, [i.child_id for i in interviews], what="caseload")
    return render(request, "interviews/caseload.html", {"interviews": interviews, "now": now})


@login_required
def interview_detail(request, pk):
    user = request.user
    interview = _interview_or_404(user, pk)
    note_access(request, what="return interview", child=interview.child_id)
    record = services.record_for(interview)
    now = timezone.now()
    return render(
        request,
        "interviews/interview_detail.html",
        {
            "interview": interview,
            "child": interview.child,
            "record": record if record.pk else None,
            "shares": shares_of(record) if record.pk else [],
            "attempts": interview.contact_attempts.select_related("recorded_by"),
            "episodes": interview.episodes.order_by("last_seen_at"),
            "now": now,
            "overdue": interview.is_overdue(now),
            "history": interview.history.select_related("history_user").order_by("-history_date", "-history_id")[:20],
            "can_coordinate": permissions.can_coordinate(user, interview),
            "can_work": permissions.can_work_on(user, interview),
            "can_authorise": permissions.can_authorise(user, interview),
            "can_download": permissions.can_download(user, interview),
            "can_record_visit": permissions.can_record_visit(user, interview.child, interview),
        },
    )


def _change(request, pk, *, form_class, title, button, done, allowed, call, form_kwargs=None):
    """One change to an interview: the form, the service call, the message."""
    user = request.user
    interview = _interview_or_404(user, pk)
    if not allowed(user, interview):
        raise PermissionDenied("You cannot make this change to the interview.")
    kwargs = form_kwargs(interview) if form_kwargs else {}
    form = form_class(_posted(request), **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            call(interview, form, user)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(interview)
    return render(
        request,
        "interviews/change.html",
        {"form": form, "interview": interview, "child": interview.child, "title": title, "button": button},
    )


@login_required
def interview_triage(request, pk):
    return _change(
        request,
        pk,
        form_class=TriageForm,
        title="Override the triage",
        button="Save triage",
        done="The triage was changed.",
        allowed=permissions.can_coordinate,
        call=lambda i, f, u: services.triage_override(interview=i, by=u, **f.cleaned_data),
    )


@login_required
def interview_allocate(request, pk):
    return _change(
        request,
        pk,
        form_class=AllocateForm,
        title="Allocate the interview",
        button="Allocate",
        done="The interview was allocated.",
        allowed=permissions.can_coordinate,
        form_kwargs=lambda i: {"workers": services.eligible_workers(i)},
        call=lambda i, f, u: services.interview_allocate(interview=i, by=u, worker=f.cleaned_data["worker"]),
    )


@login_required
def interview_attempt(request, pk):
    return _change(
        request,
        pk,
        form_class=ContactAttemptForm,
        title="Record a contact attempt",
        button="Record attempt",
        done="The contact attempt was recorded.",
        allowed=permissions.can_work_on,
        call=lambda i, f, u: services.contact_attempt_record(interview=i, by=u, **f.cleaned_data),
    )


@login_required
def interview_outcome(request, pk):
    return _change(
        request,
        pk,
        form_class=OutcomeForm,
        title="Record the outcome",
        button="Record outcome",
        done="The outcome was recorded.",
        allowed=permissions.can_work_on,
        call=lambda i, f, u: services.interview_outcome_record(interview=i, by=u, **f.service_kwargs()),
    )


@login_required
def interview_review(request, pk):
    def call(interview, form, user):
        if form.cleaned_data["decision"] == "authorise":
            services.record_authorise(
                interview=interview,
                by=user,
                comments=form.cleaned_data["comments"],
                agreement=form.cleaned_data["agreement"],
            )
        else:
            services.record_return(interview=interview, by=user, comments=form.cleaned_data["comments"])

    return _change(
        request,
        pk,
        form_class=ReviewForm,
        title="Authorise the interview record",
        button="Save decision",
        done="Your decision was saved.",
        allowed=permissions.can_authorise,
        call=call,
    )


@login_required
def social_worker_visit(request, episode_pk):
    """The social worker's visit after a looked-after child's return: per return, whether or not
    a return interview was offered."""
    user = request.user
    episode = get_object_or_404(Episode.objects.visible_to(user).select_related("child"), pk=episode_pk)
    interview = ReturnInterview.objects.visible_to(user).filter(episodes=episode).order_by("-pk").first()
    if not permissions.can_record_visit(user, episode.child, interview):
        raise PermissionDenied("Only the child's social worker or the hub records the visit.")
    back = interview.get_absolute_url() if interview else episode.get_absolute_url()
    form = VisitForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.social_worker_visit_record(
                episode=episode,
                by=user,
                visited_at=form.cleaned_data["visited_at"],
                seen_alone=form.cleaned_data["seen_alone"] == "yes",
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "The social worker’s visit was recorded.")
            return redirect(back)
    return render(
        request,
        "interviews/change.html",
        {
            "form": form,
            "back": back,
            "child": episode.child,
            "title": "Record the social worker’s visit",
            "button": "Record visit",
        },
    )


@login_required
def interview_record(request, pk):
    """The interview record after the Wigan form: save a draft, or save and submit."""
    user = request.user
    interview = _interview_or_404(user, pk)
    if not permissions.can_work_on(user, interview):
        raise PermissionDenied("Only the allocated worker or a coordinator writes the record.")
    record = services.record_for(interview)
    form = RecordForm(_posted(request), initial=RecordForm.initial_from(record))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_save(interview=interview, by=user, data=form.service_data())
            if "submit" in request.POST:
                services.record_submit(interview=interview, by=user)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            submitted = "submit" in request.POST
            messages.success(request, "The record was sent for authorisation." if submitted else "The draft was saved.")
            return redirect(interview)
    return render(
        request,
        "interviews/record_form.html",
        {"form": form, "interview": interview, "child": interview.child, "record": record},
    )


@login_required
def interview_pdf_download(request, pk):
    user = request.user
    interview = _interview_or_404(user, pk)
    if not permissions.can_download(user, interview):
        raise PermissionDenied("The record can be downloaded once authorised, by the people it is shared with.")
    from .pdf import interview_pdf  # WeasyPrint is slow to import: only when a PDF is asked for

    InterviewDownload.objects.create(interview=interview, user=user)
    note_access(request, kind=AccessKind.PDF, what="return interview record (PDF)", child=interview.child_id)
    response = HttpResponse(interview_pdf(interview, request=request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="return-interview-{interview.pk}.pdf"'
    return response


@login_required
def inbox(request):
    notifications = request.user.notifications.select_related("interview")[:100]
    return render(request, "interviews/inbox.html", {"notifications": notifications})


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.notification_mark_read(notification=notification, by=request.user)
    if (
        notification.interview_id
        and ReturnInterview.objects.visible_to(request.user).filter(pk=notification.interview_id).exists()
    ):
        return redirect(notification.interview)
    # Only a path on this site: a link is never an open redirect. The page itself checks access.
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    return redirect("interviews:inbox")
