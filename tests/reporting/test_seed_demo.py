"""`seed_demo` builds a usable demo: one person per role who can sign in, and synthetic children."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from children.models import LOOKED_AFTER, Child
from organisations.demo import DEMO_PASSWORD, DEMO_PEOPLE
from organisations.models import User
from organisations.roles import Role

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_a_person_for_every_role_and_children(capsys):
    call_command("seed_demo", children=40)
    output = capsys.readouterr().out

    roles = {m.role for user in User.objects.all() for m in user.memberships.all()}
    assert roles == set(Role.values)
    assert Child.objects.count() == 40
    assert Child.objects.filter(legal_status__in=LOOKED_AFTER).exists()
    assert all(email in output for email, *_ in DEMO_PEOPLE) and DEMO_PASSWORD in output
    ages = [c.age_on(c.created_at.date()) for c in Child.objects.all()]
    assert all(8 <= age <= 17 for age in ages)
    assert Child.history.filter(history_change_reason="Demo data").count() == 40


def test_seed_demo_twice_adds_nothing(capsys):
    call_command("seed_demo", children=10)
    call_command("seed_demo", children=10)
    assert Child.objects.count() == 10
    assert User.objects.count() == len(DEMO_PEOPLE)


def test_demo_sign_ins_work_without_mfa_in_the_demo(client, settings):
    call_command("seed_demo", children=5)
    settings.HOMEWARD_REQUIRE_MFA = False
    response = client.post(
        reverse("account_login"), {"login": "coordinator@demo.homeward.invalid", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert "What needs doing today" in client.get(reverse("home")).content.decode()
