"""A local authority's return interview offers: set by an administrator, never below the
statutory floor, with their history, and followed by the next return."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from interviews import services
from interviews.models import InterviewSetting, Offer, ReturnInterview

from .helpers import returned_episode

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def test_an_administrator_offers_an_interview_after_every_absence(admin_client, world):
    response = admin_client.post(
        reverse("admin:interviews_interviewsetting_add"),
        {"local_authority": world.la_a.pk, "after_missing": "always", "after_absence": "always", "after_away": "red"},
    )
    assert response.status_code == 302
    setting = InterviewSetting.objects.get(local_authority=world.la_a)
    assert setting.after_absence == Offer.ALWAYS
    assert setting.history.get().history_user == world.admin

    returned = timezone.now() - datetime.timedelta(hours=1)
    episode = returned_episode(
        world, world.c1, last_seen=returned - datetime.timedelta(hours=2), returned=returned, category="absent"
    )
    assert ReturnInterview.objects.filter(episodes=episode).exists()  # green triage, offered all the same


def test_the_statutory_floor_cannot_be_lowered_and_nothing_is_saved(admin_client, world):
    response = admin_client.post(
        reverse("admin:interviews_interviewsetting_add"),
        {"local_authority": world.la_a.pk, "after_missing": "red", "after_absence": "red", "after_away": "red"},
    )
    assert response.status_code == 200
    assert "Statutory guidance requires an interview to be offered after every missing episode" in (
        response.content.decode()
    )
    assert not InterviewSetting.objects.exists()


def test_the_service_refuses_the_same_for_any_caller(world):
    with pytest.raises(ValidationError) as refused:
        services.interview_setting_save(
            local_authority=world.la_a, by=world.admin, after_missing="never", after_absence="red", after_away="red"
        )
    assert "after_missing" in refused.value.message_dict
    assert not InterviewSetting.objects.exists()
