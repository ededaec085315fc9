"""The idle clock restarts at most every SESSION_RENEW_SECONDS: a page within that time of the
last restart writes nothing to the session or the session list, but the idle limit, the list of
sessions and the need for two-factor authentication still hold (missing/middleware.py)."""

import datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

RENEW = datetime.timedelta(seconds=settings.SESSION_RENEW_SECONDS)
IDLE = settings.SESSION_IDLE_TIMEOUT


@pytest.fixture
def start():
    return timezone.now()


def signed_in_client(user, start, **headers) -> Client:
    client = Client(**headers)
    with time_machine.travel(start, tick=False):
        client.force_login(user)
        assert client.get(reverse("home")).status_code == 200
    return client


def get(client, at, name="home", **extra):
    with time_machine.travel(at, tick=False):
        return client.get(reverse(name), **extra)


def session_expiry(client) -> datetime.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_page_soon_after_the_last_renewal_writes_nothing_but_the_access_log(world, start):
    client = signed_in_client(world.coordinator_a, start)
    with CaptureQueriesContext(connection) as captured:
        assert get(client, start + RENEW / 2).status_code == 200
    writes = [q["sql"] for q in captured if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 1 and "privacy_accesslogentry" in writes[0]


def test_the_idle_clock_restarts_once_the_renewal_time_has_passed(world, start):
    client = signed_in_client(world.coordinator_a, start)
    first = session_expiry(client)
    get(client, start + RENEW / 2)
    assert session_expiry(client) == first
    get(client, start + RENEW)
    assert session_expiry(client) == first + RENEW


def test_a_session_idle_for_the_limit_less_the_renewal_time_is_still_open(world, start):
    """The page that came just before the renewal time was due is the worst case."""
    client = signed_in_client(world.coordinator_a, start)
    last_action = start + RENEW - datetime.timedelta(seconds=1)
    get(client, last_action)
    assert get(client, last_action + IDLE - RENEW).status_code == 200


def test_a_session_idle_for_the_whole_limit_is_closed(world, start):
    client = signed_in_client(world.coordinator_a, start)
    get(client, start + RENEW / 2)
    response = get(client, start + RENEW / 2 + IDLE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_stay_signed_in_always_restarts_the_idle_clock(world, start):
    client = signed_in_client(world.coordinator_a, start)
    first = session_expiry(client)
    assert get(client, start + RENEW / 3, "keepalive").status_code == 204
    assert session_expiry(client) == first + RENEW / 3


def test_the_session_list_shows_activity_to_within_the_renewal_time(world, start):
    user = world.coordinator_a
    client = signed_in_client(user, start)
    recorded = UserSession.objects.get(user=user).last_seen_at
    get(client, start + RENEW / 2)
    assert UserSession.objects.get(user=user).last_seen_at == recorded
    get(client, start + RENEW * 2)
    assert UserSession.objects.get(user=user).last_seen_at == start + RENEW * 2


def test_a_new_browser_address_is_recorded_at_once(world, start):
    user = world.coordinator_a
    client = signed_in_client(user, start, REMOTE_ADDR="192.0.2.10")
    get(client, start + datetime.timedelta(seconds=1), REMOTE_ADDR="198.51.100.7")
    assert UserSession.objects.get(user=user).ip == "198.51.100.7"


def test_a_removed_authenticator_is_noticed_at_the_next_renewal(world, start):
    user = world.coordinator_a
    client = signed_in_client(user, start)
    Authenticator.objects.filter(user=user).delete()
    response = get(client, start + RENEW)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_the_timeout_warning_counts_from_the_earliest_the_session_can_end(world, start):
    client = signed_in_client(world.coordinator_a, start)
    page = get(client, start + datetime.timedelta(seconds=1)).content.decode()
    assert f'data-session-timeout-seconds="{int((IDLE - RENEW).total_seconds())}"' in page
