"""How the interview pages show time left and triage."""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

from episodes.templatetags.episodes_tags import duration_words

register = template.Library()

TRIAGE_COLOURS = {"red": "red", "amber": "orange", "green": "green"}


@register.filter
def countdown(delta: datetime.timedelta) -> str:
    """'Due in 5 hours 12 minutes' or 'Overdue by 1 day 3 hours'."""
    if delta <= datetime.timedelta(0):
        return f"Overdue by {duration_words(-delta)}"
    return f"Due in {duration_words(delta)}"


@register.simple_tag
def time_left(due_at: datetime.datetime, now: datetime.datetime | None = None):
    """The countdown to `due_at` as a <time> that static/homeward/ticking.mjs keeps true while
    the page stays open; overdue is a red tag."""
    words = countdown(due_at - (now or timezone.now()))
    tag = "govuk-tag govuk-tag--red" if words.startswith("Overdue") else ""
    return format_html(
        '<time class="homeward-tick {}" data-tick="countdown" datetime="{}">{}</time>',
        tag,
        due_at.isoformat(),
        words,
    )


@register.filter
def triage_colour(value: str) -> str:
    return TRIAGE_COLOURS.get(value, "grey")


@register.inclusion_tag("interviews/_episode_interview.html", takes_context=True)
def episode_interview(context, episode):
    """The episode page's return interview section: the interview that covers this return (if
    the reader may see it) and, for a looked-after child, the social worker's visit."""
    from interviews import permissions
    from interviews.models import ReturnInterview, SocialWorkerVisit

    user = context["request"].user
    interview = (
        ReturnInterview.objects.visible_to(user)
        .filter(episodes=episode)
        .select_related("worker")
        .order_by("-pk")
        .first()
    )
    visit = SocialWorkerVisit.objects.filter(episode=episode).first() if episode.child.is_looked_after else None
    return {
        "episode": episode,
        "interview": interview,
        "visit": visit,
        "visit_clock": _visit_clock(episode) if episode.child.is_looked_after and visit is None else None,
        "can_record_visit": episode.child.is_looked_after
        and episode.returned_at is not None
        and permissions.can_record_visit(user, episode.child, interview),
        "now": timezone.now(),
    }


def _visit_clock(episode):
    from django.contrib.contenttypes.models import ContentType

    from deadlines.models import Deadline, DeadlineState
    from interviews.services import SOCIAL_WORKER_VISIT

    return (
        Deadline.objects.filter(
            kind=SOCIAL_WORKER_VISIT,
            subject_type=ContentType.objects.get_for_model(episode),
            subject_id=episode.pk,
            state__in=[DeadlineState.OPEN, DeadlineState.BREACHED],
        )
        .order_by("-opened_at")
        .first()
    )


@register.inclusion_tag("interviews/_child_interviews.html", takes_context=True)
def child_interviews(context, child):
    """The child page's return interviews, newest first, as far as the reader may see them."""
    from interviews.models import ReturnInterview

    user = context["request"].user
    return {
        "interviews": ReturnInterview.objects.visible_to(user)
        .filter(child=child)
        .select_related("worker")
        .order_by("-returned_at", "-pk"),
        "now": timezone.now(),
    }
