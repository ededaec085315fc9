"""The episode pages: the list, an episode with its timeline, and the forms that change one.

Each view reads through the access scope (out of scope is a 404), asks episodes.permissions
whether the role may act (a 403), calls one service and renders.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from children.models import Child
from privacy.services import OutOfScope, note_access, note_children

from . import permissions, rules, selectors, services
from .forms import (
    AwayForm,
    CloseForm,
    EpisodeFilterForm,
    PoliceReportForm,
    ReclassifyForm,
    ReopenForm,
    ReturnForm,
    SafeAndWellForm,
    apply_service_errors,
)
from .models import Episode, HeldReport, Source

PAGE_SIZE = 25


def _episode_or_404(user, pk) -> Episode:
    try:
        return selectors.episode_for_user(user=user, pk=pk)
    except Episode.DoesNotExist:
        raise OutOfScope("No episode found", model=Episode, pk=pk) from None


def _child_or_404(user, pk) -> Child:
    try:
        return Child.objects.visible_to(user).select_related("responsible_authority", "host_authority").get(pk=pk)
    except (Child.DoesNotExist, ValueError):
        raise OutOfScope("No child found", model=Child, pk=pk) from None


def _posted(request):
    """The submitted data, or None for a GET: an empty POST is still a submission to check."""
    return request.POST if request.method == "POST" else None


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


@login_required
def episode_list(request):
    user = request.user
    now = timezone.now()
    form = EpisodeFilterForm(request.GET or None, user=user)
    episodes = selectors.episode_list(user=user, now=now, **form.filters())
    page = Paginator(episodes, PAGE_SIZE).get_page(request.GET.get("page"))
    note_children(request, [episode.child_id for episode in page.object_list], what="list of episodes")
    return render(
        request,
        "episodes/episode_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": [(episode, episode.duration(now)) for episode in page.object_list],
            "filtered": any(value for name, value in request.GET.items() if name not in ("page", "sort")),
            "can_record": permissions.can_record_report(user),
            "can_upload": permissions.can_upload_feed(user),
            "can_decide": permissions.can_decide_matches(user),
        },
    )


@login_required
def episode_detail(request, pk):
    user = request.user
    episode = _episode_or_404(user, pk)
    child = episode.child
    note_access(request, what="episode", child=child, episode=episode)
    now = timezone.now()
    return render(
        request,
        "episodes/episode_detail.html",
        {
            "episode": episode,
            "child": child,
            "duration": episode.duration(now),
            "check": getattr(episode, "safe_and_well", None),
            "safe_and_well_deadline": selectors.safe_and_well_deadline(episode=episode),
            "linked": selectors.linked_episodes(episode=episode, user=user),
            "concerns": rules.classification_concerns(
                category=episode.category,
                cse_concern=episode.cse_concern,
                age=child.age_on(timezone.localtime(episode.last_seen_at).date()),
                whereabouts_known=episode.whereabouts_known,
            ),
            "timeline": selectors.episode_timeline(episode=episode, user=user),
            "actions": permissions.episode_actions(user, episode),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def episode_create(request):
    """Record a police report by hand; with ?child=<id>, a report about that child."""
    user = request.user
    child = _child_or_404(user, request.GET["child"]) if request.GET.get("child") else None
    _require(permissions.can_record_report(user), "Only police SPOCs, coordinators and managers record reports.")
    form = PoliceReportForm(_posted(request), user=user, child=child)
    if request.method == "POST" and form.is_valid():
        source = services.IntakeSource(Source.FORM, f"Recorded by hand by {user}", user)
        (outcome,) = services.intake_reports(reports=[form.report], source=source, child=child)
        if outcome.outcome == services.Outcome.HELD:
            return _held(request, outcome.held)
        messages.success(request, "The police report was recorded.")
        return redirect(outcome.episode)
    return render(request, "episodes/report_form.html", {"form": form, "child": child})


def _held(request, held: HeldReport):
    """The report may be about a child already known: a coordinator confirms which."""
    if HeldReport.objects.visible_to(request.user).filter(pk=held.pk).exists():
        messages.info(request, "The report may be about a child already known. Confirm which child it is about.")
        return redirect("episodes:held_detail", held.pk)
    messages.info(
        request,
        "The report was recorded. It may be about a child already known, so the missing hub will "
        "confirm which child it is about before it appears in the list.",
    )
    return redirect("episodes:list")


@login_required
@require_http_methods(["GET", "POST"])
def episode_create_away(request):
    """Away from placement without authorisation: a looked-after child whose whereabouts are known."""
    user = request.user
    if not request.GET.get("child"):
        raise Http404("Choose the child from their page")
    child = _child_or_404(user, request.GET["child"])
    _require(permissions.can_record_away(user), "Only coordinators, social workers and managers record this.")
    form = AwayForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.away_episode_create(child=child, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "The time away from placement was recorded.")
            return redirect(episode)
    return render(
        request,
        "episodes/episode_change.html",
        {
            "form": form,
            "episode": None,
            "child": child,
            "title": "Record time away from placement without authorisation",
            "button": "Record time away",
            "back": child.get_absolute_url(),
        },
    )


# --- Changes to an episode --------------------------------------------------------------------

CHANGES = {
    "record_return": {
        "form": ReturnForm,
        "title": "Record the child’s return",
        "button": "Record return",
        "done": "The return was recorded.",
    },
    "reclassify": {
        "form": ReclassifyForm,
        "title": "Reclassify or re-grade the episode",
        "button": "Save classification",
        "done": "The classification was changed.",
    },
    "safe_and_well": {
        "form": SafeAndWellForm,
        "title": "Record the safe-and-well check",
        "button": "Record check",
        "done": "The safe-and-well check was recorded.",
    },
    "close": {
        "form": CloseForm,
        "title": "Close the episode",
        "button": "Close episode",
        "done": "The episode was closed.",
    },
    "reopen": {
        "form": ReopenForm,
        "title": "Reopen the episode",
        "button": "Reopen episode",
        "done": "The episode was reopened.",
    },
}


def _save(action: str, episode: Episode, form, user):
    """The one service each form calls."""
    data = form.cleaned_data
    version = data.get("version")
    if action == "record_return":
        return services.episode_record_return(
            episode=episode,
            by=user,
            returned_at=data["returned_at"],
            found_location=data["found_location"],
            found_postcode=data["found_postcode"],
            return_method=data["return_method"],
            expected_version=version,
        )
    if action == "reclassify":
        return services.episode_reclassify(
            episode=episode,
            by=user,
            category=data["category"],
            risk_level=data["risk_level"],
            reason=data["reason"],
            expected_version=version,
        )
    if action == "safe_and_well":
        return services.safe_and_well_record(episode=episode, by=user, **form.service_fields())
    if action == "close":
        return services.episode_close(episode=episode, by=user, reason=data["reason"], expected_version=version)
    return services.episode_reopen(episode=episode, by=user, reason=data["reason"], expected_version=version)


def _from_stale_screen(request, episode: Episode) -> bool:
    """A save made from a form opened before the episode last changed: the service answers
    with the conflict, so the person sees what changed."""
    submitted = request.POST.get("version") if request.method == "POST" else None
    return submitted not in (None, "", str(episode.version))


def _change(request, pk, action: str):
    user = request.user
    episode = _episode_or_404(user, pk)
    allowed, states = permissions.ACTIONS[action]
    _require(allowed(user, episode), "Your role cannot do this to this episode.")
    page = CHANGES[action]
    if episode.state not in states and not _from_stale_screen(request, episode):
        messages.info(request, f"This episode is {episode.get_state_display().lower()}: there is nothing to do here.")
        return redirect(episode)
    form_class = page["form"]
    kwargs = {} if form_class is SafeAndWellForm else {"episode": episode}
    form = form_class(_posted(request), **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            _save(action, episode, form, user)
        except services.EpisodeConflict as conflict:
            return render(
                request,
                "episodes/conflict.html",
                {
                    "episode": conflict.episode,
                    "child": conflict.episode.child,
                    "duration": conflict.episode.duration(timezone.now()),
                    "changes": conflict.changes,
                    "title": page["title"],
                    "again": reverse(f"episodes:{action}", args=[episode.pk]),
                },
                status=409,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, page["done"])
            return redirect(episode)
    return render(
        request,
        "episodes/episode_change.html",
        {
            "form": form,
            "episode": episode,
            "child": episode.child,
            "title": page["title"],
            "button": page["button"],
            "back": episode.get_absolute_url(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def episode_record_return(request, pk):
    return _change(request, pk, "record_return")


@login_required
@require_http_methods(["GET", "POST"])
def episode_reclassify(request, pk):
    return _change(request, pk, "reclassify")


@login_required
@require_http_methods(["GET", "POST"])
def episode_safe_and_well(request, pk):
    return _change(request, pk, "safe_and_well")


@login_required
@require_http_methods(["GET", "POST"])
def episode_close(request, pk):
    return _change(request, pk, "close")


@login_required
@require_http_methods(["GET", "POST"])
def episode_reopen(request, pk):
    return _change(request, pk, "reopen")
