"""`seed_demo` builds a usable demo: one person per role who can sign in, synthetic children and
a year of their episodes, shaped like the councils' figures."""

import collections
import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from children.models import LOOKED_AFTER, Child, PlacementType
from deadlines.models import Deadline, DeadlineState
from episodes.deadlines import SAFE_AND_WELL
from episodes.models import POLICE_CATEGORIES, Category, Episode, EpisodeState, HeldReport, SafeAndWellCheck
from organisations.demo import DEMO_PASSWORD, DEMO_PEOPLE
from organisations.models import User
from organisations.roles import Role
from reporting.models import DashboardSnapshot
from tests.factories import ensure_reference_data

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_a_person_for_every_role_and_children(capsys):
    call_command("seed_demo", children=40)
    output = capsys.readouterr().out

    roles = {m.role for user in User.objects.all() for m in user.memberships.all()}
    assert roles == set(Role.values)
    # And the two records past their retention date (privacy/demo.py).
    assert Child.objects.count() == 42
    assert Child.objects.filter(legal_status__in=LOOKED_AFTER).exists()
    assert all(email in output for email, *_ in DEMO_PEOPLE) and DEMO_PASSWORD in output
    ages = [c.age_on(c.created_at.date()) for c in Child.objects.exclude(family_name__startswith="Retention-")]
    assert all(8 <= age <= 17 for age in ages)
    assert Child.history.filter(history_change_reason="Demo data").count() == 40
    # The regional team's dashboard figures, counted ahead (reporting/snapshot_services.py).
    assert "Counted 2 set(s) of dashboard figures for the regional team." in output
    assert DashboardSnapshot.objects.count() == 2


def test_seed_demo_twice_adds_nothing(capsys):
    call_command("seed_demo", children=10)
    before = (Episode.objects.count(), HeldReport.objects.count(), Episode.history.count())
    call_command("seed_demo", children=10)
    assert Child.objects.count() == 12
    assert User.objects.count() == len(DEMO_PEOPLE)
    assert (Episode.objects.count(), HeldReport.objects.count(), Episode.history.count()) == before
    assert "Episodes already exist: no demo episodes added." in capsys.readouterr().out


def _share(values, test) -> float:
    return sum(1 for value in values if test(value)) / len(values)


def test_seed_demo_adds_a_year_of_episodes_shaped_like_the_councils_figures(capsys):
    call_command("seed_demo", children=80)
    now = timezone.now()
    police = Episode.objects.filter(category__in=POLICE_CATEGORIES)

    # Durations of returned episodes: 30 % under 8 hours ... 3 % over 7 days (issue 3).
    hours = [e.duration_hours for e in police.exclude(returned_at=None)]
    assert 0.25 <= _share(hours, lambda h: h < 8) <= 0.40
    assert 0.15 <= _share(hours, lambda h: 8 <= h < 16) <= 0.27
    assert 0.10 <= _share(hours, lambda h: 24 <= h < 48) <= 0.23
    assert 0.07 <= _share(hours, lambda h: 48 <= h < 168) <= 0.17
    assert 0.01 <= _share(hours, lambda h: h >= 168) <= 0.06

    # Most children go missing once or never; a few a few dozen times, most often looked-after
    # children in residential homes.
    per_child = collections.Counter(police.values_list("child_id", flat=True))
    assert sum(1 for child in Child.objects.all() if per_child[child.pk] <= 1) >= 0.6 * Child.objects.count()
    assert max(per_child.values()) >= 18
    residential = Child.objects.filter(legal_status__in=LOOKED_AFTER, placement_type=PlacementType.RESIDENTIAL)
    others = Child.objects.exclude(legal_status__in=LOOKED_AFTER)
    assert sum(per_child[c.pk] for c in residential) / residential.count() > 2 * (
        sum(per_child[c.pk] for c in others) / others.count()
    )

    # Both police categories, evenings more than mornings, all in the last 12 months.
    assert police.filter(category=Category.MISSING).count() > police.filter(category=Category.ABSENT).count() > 0
    hour = collections.Counter(timezone.localtime(e.last_seen_at).hour for e in police)
    assert sum(hour[h] for h in range(17, 23)) > 2 * sum(hour[h] for h in range(5, 11))
    assert not police.filter(last_seen_at__lt=now - datetime.timedelta(days=367)).exists()

    # Some children are missing now; some came back without a safe-and-well check, and the
    # check is overdue for those back more than 24 hours; most returns have a check.
    assert police.filter(state=EpisodeState.MISSING, returned_at=None).count() == 8
    open_checks = Deadline.objects.filter(kind=SAFE_AND_WELL, state=DeadlineState.OPEN)
    assert open_checks.filter(due_at__lt=now).count() >= 2
    assert open_checks.filter(due_at__gte=now).exists()
    returned = police.exclude(returned_at=None)
    assert SafeAndWellCheck.objects.filter(episode__in=returned).count() >= 0.9 * returned.count()
    assert SafeAndWellCheck.objects.exclude(not_held_reason="").exists()

    # Through the intake, as the police feed would send them; some re-graded on the way.
    assert Episode.history.filter(history_change_reason__startswith="Demo police feed").exists()
    assert Episode.objects.filter(reclassifications__isnull=False).exists()

    # Children who went missing together, away-from-placement records, and records waiting for
    # the coordinator with the likely matches the spec names.
    assert 4 <= Episode.objects.filter(linked__isnull=False).distinct().count() <= 6
    assert Episode.objects.filter(category=Category.AWAY, whereabouts_known=True).exists()
    waiting = HeldReport.objects.filter(decision=HeldReport.Decision.WAITING)
    assert 4 <= waiting.count() <= 6
    reasons = set(waiting.values_list("match_candidates__reason", flat=True))
    assert {
        "same date of birth, name spelt differently",
        "same name, day and month of birth swapped",
        "known by this name (an alias)",
    } <= reasons
    # A held record creates no child until someone decides; two are the retention records.
    assert Child.objects.count() == 82
    assert "police records waiting to be confirmed" in capsys.readouterr().out


def test_demo_sign_ins_work_without_mfa_in_the_demo(client, settings):
    call_command("seed_demo", children=5)
    settings.HOMEWARD_REQUIRE_MFA = False
    response = client.post(
        reverse("account_login"), {"login": "coordinator@demo.homeward.invalid", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert "What needs doing today" in client.get(reverse("home")).content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_seed_demo_runs_on_postgresql_as_make_demo_runs_it(capsys):
    """With no test transaction around it, as `make demo` runs it against PostgreSQL: a firing
    that convenes a meeting locks rows, which PostgreSQL allows only inside a transaction."""
    from risk.models import Escalation, Meeting

    ensure_reference_data()  # an earlier transactional test may have flushed it
    call_command("seed_demo")
    assert Escalation.objects.exists()
    assert Meeting.objects.exists()
