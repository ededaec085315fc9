"""Sessions (issue 7): a person sees where they are signed in and ends any other session; an
administrator ends every session of someone who leaves; a new password ends the others and a
change of two-factor authentication offers to (security battery S4, S6); secrets stay out of the
logs."""

import datetime
import logging

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from episodes.services import api_key_create
from privacy import services as privacy_services
from tests.factories import PASSWORD, make_child, totp_code

pytestmark = pytest.mark.django_db

LAPTOP = "Mozilla/5.0 (Windows NT 10.0) Chrome/131 office laptop"
PHONE = "Mozilla/5.0 (iPhone) Safari/605 phone"


class Devices:
    """Sign one person in on several browsers, each with its own TOTP code: a code works once
    (battery A7), so each sign-in happens 30 seconds after the one before."""

    def __init__(self):
        self.at = timezone.now()

    def sign_in(self, user, user_agent: str, client: Client | None = None) -> Client:
        self.at += datetime.timedelta(seconds=31)
        client = client or Client(HTTP_USER_AGENT=user_agent)
        with time_machine.travel(self.at, tick=False):
            client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
            response = client.post(reverse("mfa_authenticate"), {"code": totp_code(user, self.at)})
        assert response.status_code == 302, "signed in"
        return client

    def travel(self):
        self.at += datetime.timedelta(seconds=31)
        return time_machine.travel(self.at, tick=False)


def signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def session_of(user, user_agent: str) -> UserSession:
    return UserSession.objects.get(user=user, user_agent=user_agent)


@pytest.fixture
def devices():
    return Devices()


def test_a_person_sees_their_sessions_and_ends_one_other(world, devices):
    user = world.coordinator_a
    laptop = devices.sign_in(user, LAPTOP)
    phone = devices.sign_in(user, PHONE)
    with devices.travel():
        page = laptop.get(reverse("usersessions_list")).content.decode()
        assert PHONE in page and LAPTOP in page
        assert page.count("This session</strong>") == 1
        assert page.count("Sign out<span") == 1  # a button for the other session, not this one

        phone_session = session_of(user, PHONE)
        response = laptop.post(reverse("session_end", args=[phone_session.pk]), follow=True)
        assert "You signed out the session from" in response.content.decode()
        assert response.content.decode().count(PHONE) == 1  # in the message, no longer in the table
        assert not Session.objects.filter(session_key=phone_session.session_key).exists()
        assert not signed_in(phone)
        assert signed_in(laptop)


def test_ending_someone_elses_session_is_a_404_and_ends_nothing(world, devices):
    mine = devices.sign_in(world.coordinator_a, LAPTOP)
    theirs = devices.sign_in(world.social_worker_a, PHONE)
    with devices.travel():
        response = mine.post(reverse("session_end", args=[session_of(world.social_worker_a, PHONE).pk]))
        assert response.status_code == 404
        assert mine.post(reverse("session_end", args=[999999])).status_code == 404
        assert signed_in(theirs) and signed_in(mine)
        assert mine.get(reverse("session_end", args=[session_of(world.coordinator_a, LAPTOP).pk])).status_code == 405


def test_ending_this_session_from_the_list_signs_the_person_out(world, devices):
    laptop = devices.sign_in(world.coordinator_a, LAPTOP)
    with devices.travel():
        response = laptop.post(reverse("session_end", args=[session_of(world.coordinator_a, LAPTOP).pk]))
        assert response.status_code == 302 and response["Location"] == reverse("account_login")
        assert not signed_in(laptop)


def test_sign_out_of_all_other_sessions_keeps_this_one(world, devices):
    user = world.coordinator_a
    laptop = devices.sign_in(user, LAPTOP)
    phone = devices.sign_in(user, PHONE)
    tablet = devices.sign_in(user, "tablet")
    with devices.travel():
        laptop.post(reverse("usersessions_list"))
        assert signed_in(laptop)
        assert not signed_in(phone) and not signed_in(tablet)
        assert list(UserSession.objects.filter(user=user).values_list("user_agent", flat=True)) == [LAPTOP]


def test_an_administrator_ends_every_session_of_someone_who_leaves(client, world, devices):
    leaver = world.social_worker_a
    laptop = devices.sign_in(leaver, LAPTOP)
    phone = devices.sign_in(leaver, PHONE)
    colleague = devices.sign_in(world.coordinator_a, LAPTOP)
    client.force_login(world.admin)
    with devices.travel():
        response = client.post(
            reverse("admin:organisations_user_changelist"),
            {"action": "end_all_sessions", "_selected_action": [leaver.pk]},
            follow=True,
        )
        assert "Ended 2 sessions of 1 people." in response.content.decode()
        assert not signed_in(laptop) and not signed_in(phone)
        assert signed_in(colleague)
        assert not UserSession.objects.filter(user=leaver).exists()
        entry = LogEntry.objects.get(object_id=str(leaver.pk))
        assert entry.user == world.admin and "Ended all sessions (2)" in entry.get_change_message()


def test_the_session_key_changes_on_sign_in_whatever_cookie_was_set_before(world):
    """S4: a session key planted before sign-in (or made by the password step) is not the one
    the signed-in person ends up with."""
    user = world.coordinator_a
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "plantedbyanattacker0123456789abc"
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    before_mfa = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert before_mfa != "plantedbyanattacker0123456789abc"
    client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})
    after_mfa = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after_mfa != before_mfa
    assert not Session.objects.filter(session_key=before_mfa).exists()
    assert signed_in(client)


def test_the_session_key_changes_when_break_glass_raises_privilege(client, world):
    """S4 (step-up): breaking the glass, which re-asks for the authentication code, gives the
    session a new key; the old key no longer opens anything."""
    child = make_child(responsible=world.la_a, given_name="Zara", family_name="Restrictova")
    privacy_services.child_restrict(
        child=child, by=world.manager_a, reason="Honour-based abuse: the family must not learn where she is"
    )
    client.force_login(world.coordinator_a)
    before = client.session.session_key
    response = client.post(
        reverse("privacy:break_glass", args=[child.pk]),
        {"reason": "Reported missing overnight, police need her photo now", "code": totp_code(world.coordinator_a)},
    )
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get(child.get_absolute_url()).status_code == 200


def test_a_new_password_ends_every_other_session(world, devices):
    """S6: whoever learnt the old password is signed out everywhere."""
    user = world.coordinator_a
    laptop = devices.sign_in(user, LAPTOP)
    phone = devices.sign_in(user, PHONE)
    with devices.travel():
        response = laptop.post(
            reverse("account_change_password"),
            {
                "oldpassword": PASSWORD,
                "password1": "a-new-long-passphrase-2026",
                "password2": "a-new-long-passphrase-2026",
            },
            follow=True,
        )
        assert "your other sessions have ended" in response.content.decode()
        assert signed_in(laptop)
        assert not signed_in(phone)
        assert list(UserSession.objects.filter(user=user).values_list("user_agent", flat=True)) == [LAPTOP]


def test_a_change_of_two_factor_authentication_offers_to_end_the_other_sessions(
    world, devices, django_capture_on_commit_callbacks
):
    """S6: after new recovery codes (a change of authenticator) the two-factor page offers to end
    the other sessions, and ends them when the offer is taken."""
    user = world.coordinator_a
    laptop = devices.sign_in(user, LAPTOP)
    phone = devices.sign_in(user, PHONE)
    with devices.travel():
        laptop.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # allauth asks again first
        with django_capture_on_commit_callbacks(execute=True):
            laptop.post(reverse("mfa_generate_recovery_codes"))
        offer = laptop.get(reverse("mfa_index")).content.decode()
        assert "You are also signed in on 1 other session." in offer
        assert signed_in(phone)  # offered, not imposed
        laptop.post(reverse("usersessions_list"))
        assert not signed_in(phone) and signed_in(laptop)
        assert "Signed in elsewhere" not in laptop.get(reverse("mfa_index")).content.decode()


def test_passwords_and_api_keys_never_reach_the_logs(client, world, devices, caplog):
    """A failed and a successful sign-in, a password change, and API calls with a bad and a good
    key, all logged at DEBUG: no password and no key appears in any log line."""
    user = world.coordinator_a
    secrets = ["Wrong-guess-Passw0rd!", PASSWORD, "a-new-long-passphrase-2026"]
    _key, raw = api_key_create(agency=world.force_f1, name="Force system")
    secrets.append(raw)
    bad = "hw_" + "x" * 40
    secrets.append(bad)
    with caplog.at_level(logging.DEBUG):
        client.post(reverse("account_login"), {"login": user.email, "password": secrets[0]})
        laptop = devices.sign_in(user, LAPTOP)
        with devices.travel():
            laptop.post(
                reverse("account_change_password"),
                {"oldpassword": PASSWORD, "password1": secrets[2], "password2": secrets[2]},
            )
        for header in (f"Api-Key {raw}", f"Api-Key {bad}"):
            Client().post(
                reverse("api-police-reports"), {}, content_type="application/json", headers={"authorization": header}
            )
    logged = "\n".join(f"{record.getMessage()} {record.args!r} {record.__dict__!r}" for record in caplog.records)
    assert caplog.records, "the requests were logged"
    for secret in secrets:
        assert secret not in logged


def test_with_the_cache_down_people_stay_signed_in_and_can_sign_in(client, world, devices, settings, caplog):
    """S8: sessions are in the database and the cache holds only rate limits and throttles, so
    with Redis unreachable a signed-in person keeps working and a new sign-in works."""
    laptop = devices.sign_in(world.coordinator_a, LAPTOP)
    settings.CACHES = {
        "default": {
            "BACKEND": "missing.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with caplog.at_level(logging.WARNING, logger="missing.cache"):
        with devices.travel():
            assert signed_in(laptop)
            assert laptop.get(reverse("api-children-list")).status_code == 200  # the API throttle too
        phone = devices.sign_in(world.social_worker_a, PHONE)
        with devices.travel():
            assert signed_in(phone)
    assert "The cache is unavailable" in caplog.text
