"""Demo return interviews, in every state: a year of them closed (most in time, some late,
declined, no contact, not appropriate, records authorised or waiting), and the recent ones open:
waiting for allocation, allocated and due in the next hours, or already breached."""

import datetime
import random

from django.utils import timezone

from deadlines.models import Deadline
from episodes.models import Episode
from privacy.models import LawfulBasis, SharingAgreement

from . import permissions, services
from .models import OPEN_STATUSES, Consent, ReturnInterview, Status

# Returns in the last fortnight stay open: under 72 hours ago they are due in the hours to come,
# older ones are breached. Older returns are given an outcome.
OPEN_FOR = datetime.timedelta(days=14)

RECORD = {
    "place": "A café near the child's school",
    "seen_alone": True,
    "push_factors": ["conflict_home"],
    "pull_factors": ["friends"],
    "primary_factor": "conflict_home",
    "where_stayed": "With friends in the city centre",
    "with_whom": "Two friends from school",
    "how_returned": "Came back on the bus when their phone ran out",
    "what_would_help": "Someone to talk to when things get heated at home",
    "child_words": "I didn't feel like anyone was listening.",
    "referrals": ["early_help"],
    "consent": Consent.YES,
    "share_with": "Social worker and police",
}


def demo_interviews_exist() -> bool:
    return ReturnInterview.objects.exclude(status__in=OPEN_STATUSES).exists()


def seed_interviews(*, coordinators, worker, manager, now=None, seed: int = 72) -> dict[str, int]:
    """Replay the demo episodes' returns in order, as the hub would have lived them."""
    now = now or timezone.now()
    rng = random.Random(seed)
    ReturnInterview.objects.all().delete()
    Deadline.objects.filter(kind__startswith="interviews.").delete()
    counts: dict[str, int] = {}
    agreement, _ = SharingAgreement.objects.get_or_create(
        name="Greater Manchester missing from home information sharing agreement",
        defaults={
            "reference": "GM-MFH-ISA-2025",
            "parties": "Greater Manchester Police; the ten Greater Manchester councils; the return interview services",
            "lawful_basis": LawfulBasis.PUBLIC_TASK,
            "special_category_condition": "DPA 2018 Schedule 1 paragraph 18: safeguarding of children",
        },
    )
    returned = (
        Episode.objects.filter(returned_at__isnull=False).order_by("returned_at").values_list("pk", "returned_at")
    )
    for episode_id, returned_at in returned:
        services.interviews_follow_returns(episode_ids=[episode_id], now=returned_at)
        interview = ReturnInterview.objects.filter(episodes=episode_id, status__in=OPEN_STATUSES).first()
        if interview is None:
            continue
        age = now - returned_at
        coordinator = next((c for c in coordinators if permissions.can_coordinate(c, interview)), None)
        if coordinator is None:
            continue
        if age < OPEN_FOR and rng.random() < 0.3:
            continue  # waiting for allocation
        at = returned_at + datetime.timedelta(hours=1)
        if worker in services.eligible_workers(interview):
            services.interview_allocate(interview=interview, worker=worker, by=coordinator, now=at)
        if age < OPEN_FOR:
            continue  # open: due in the next hours, or breached
        _close(rng, interview, worker if interview.worker_id else coordinator, manager, agreement, returned_at, now)
    for interview in ReturnInterview.objects.all():
        counts[interview.status] = counts.get(interview.status, 0) + 1
    return counts


def _close(rng, interview, by, manager, agreement, returned_at, now) -> None:
    roll = rng.random()
    hours = rng.choice([6, 20, 30, 50, 70]) if roll < 0.8 else rng.choice([80, 100])
    start = max(returned_at, interview.returned_at)
    held_at = min(start + datetime.timedelta(hours=hours), now - datetime.timedelta(hours=1))
    if roll < 0.7 or roll >= 0.8:
        services.record_save(interview=interview, by=by, data={**RECORD, "held_at": held_at}, now=held_at)
        services.record_submit(interview=interview, by=by, now=held_at)
        if rng.random() < 0.85 and permissions.can_authorise(manager, interview):
            services.record_authorise(
                interview=interview, by=manager, agreement=agreement, now=held_at + datetime.timedelta(hours=4)
            )
        return
    outcome = rng.choice([Status.DECLINED, Status.NO_CONTACT, Status.NOT_APPROPRIATE, Status.MISSING_AGAIN])
    services.interview_outcome_record(
        interview=interview,
        by=by,
        outcome=outcome,
        at=held_at,
        reason="Child in hospital; seen by the CAMHS team instead" if outcome == Status.NOT_APPROPRIATE else "",
        parents_offered=True if outcome == Status.DECLINED else None,
        parents_information="Foster carer shared what she knew" if outcome == Status.DECLINED else "",
        now=held_at,
    )
