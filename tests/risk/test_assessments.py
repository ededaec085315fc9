"""Risk assessments: versions beside the old, addresses never over 6 hours before reporting to
the police, sign-off by a social worker and a manager in the child's scope, and the review clock
(within 3 working days of an emergency placement, 5 working days after a return, at least every
6 months)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from children.services import child_update
from deadlines.models import Deadline, DeadlineState
from deadlines.services import sweep
from interviews.models import Notification
from organisations.roles import Role
from risk import services
from risk.models import AssessmentAddress, AssessmentState, RiskAssessment
from risk.workingdays import UK_TIME
from tests.factories import make_child, person

from .helpers import hours, returned_episode

pytestmark = pytest.mark.django_db

SECTIONS = {
    "pattern_history": "Three episodes since August, evenings",
    "concerns": "Older associates in the city centre",
    "current_circumstances": "Settled at school; new placement",
    "level": "high",
    "level_rationale": "Associates of concern and the length of episodes",
    "people_to_contact": "Foster carer, then the emergency duty team",
    "on_return": "Social worker visits within 24 hours",
    "young_person_participation": "Took part and agreed the plan",
    "carers_participation": "Foster carer took part",
}
ADDRESS = {"address": "12 Oak Road, Salford", "known_risk": "Adults of concern", "report_within_hours": 2}


@pytest.fixture
def looked_after(world):
    return make_child(
        responsible=world.la_a, legal_status="looked_after_care_order", social_worker=world.social_worker_a
    )


def complete(world, child):
    assessment = services.assessment_start(child=child, by=world.social_worker_a)
    return services.assessment_save(assessment=assessment, by=world.social_worker_a, data=SECTIONS, addresses=[ADDRESS])


def signed(world, child, now=None):
    assessment = complete(world, child)
    services.assessment_sign(assessment=assessment, by=world.social_worker_a, as_role="social_worker", now=now)
    return services.assessment_sign(assessment=assessment, by=world.manager_a, as_role="manager", now=now)


def test_an_address_with_more_than_6_hours_before_reporting_is_refused_and_nothing_is_saved(world, looked_after):
    assessment = services.assessment_start(child=looked_after, by=world.social_worker_a)
    with pytest.raises(ValidationError) as refused:
        services.assessment_save(
            assessment=assessment,
            by=world.social_worker_a,
            data={"pattern_history": "Changed"},
            addresses=[{**ADDRESS, "report_within_hours": 7}],
        )
    assert "can never be longer than 6 hours" in refused.value.message_dict["addresses"][0]
    assessment.refresh_from_db()
    assert assessment.pattern_history == "" and not AssessmentAddress.objects.exists()
    assert assessment.history.count() == 1


def test_sign_off_by_the_social_worker_and_a_manager_signs_the_version(world, looked_after):
    assessment = signed(world, looked_after)
    assert assessment.state == AssessmentState.SIGNED
    assert (assessment.social_worker_signed_by, assessment.manager_signed_by) == (
        world.social_worker_a,
        world.manager_a,
    )


def test_a_signer_outside_the_childs_scope_is_refused_and_nothing_is_saved(world):
    child = make_child(responsible=world.la_b, legal_status="looked_after_care_order")
    stockport = person(Role.SOCIAL_WORKER, world.council_b, full_name="Sam Stockport")
    assessment = services.assessment_start(child=child, by=stockport)
    services.assessment_save(assessment=assessment, by=stockport, data=SECTIONS, addresses=[ADDRESS])
    with pytest.raises(ValidationError) as refused:
        services.assessment_sign(assessment=assessment, by=world.manager_a, as_role="manager")
    assert "outside this child's scope" in refused.value.message_dict["as_role"][0]
    assessment.refresh_from_db()
    assert assessment.manager_signed_by is None


def test_a_social_worker_cannot_sign_as_the_manager_nor_one_person_both(world, looked_after):
    assessment = complete(world, looked_after)
    with pytest.raises(ValidationError):
        services.assessment_sign(assessment=assessment, by=world.social_worker_a, as_role="manager")
    both = person(Role.MANAGER, world.council_a, full_name="Dual Role")
    from organisations.models import Membership

    Membership.objects.create(user=both, agency=world.council_a, role=Role.SOCIAL_WORKER)
    services.assessment_sign(assessment=assessment, by=both, as_role="social_worker")
    with pytest.raises(ValidationError) as refused:
        services.assessment_sign(assessment=assessment, by=both, as_role="manager")
    assert "two different people" in refused.value.message_dict["as_role"][0]


def test_a_version_missing_sections_cannot_be_signed(world, looked_after):
    assessment = services.assessment_start(child=looked_after, by=world.social_worker_a)
    with pytest.raises(ValidationError) as refused:
        services.assessment_sign(assessment=assessment, by=world.social_worker_a, as_role="social_worker")
    assert "Pattern and history" in refused.value.messages[0]
    assessment.refresh_from_db()
    assert assessment.social_worker_signed_by is None


def test_a_review_is_a_new_version_beside_the_old_starting_from_its_content(world, looked_after):
    first = signed(world, looked_after)
    second = services.assessment_start(child=looked_after, by=world.social_worker_a)
    assert second.version == 2 and second.pk != first.pk
    assert second.pattern_history == SECTIONS["pattern_history"]
    assert list(second.addresses.values_list("address", flat=True)) == [ADDRESS["address"]]
    services.assessment_save(assessment=second, by=world.social_worker_a, data={"level": "medium"})
    first.refresh_from_db()
    assert first.level == "high" and first.state == AssessmentState.SIGNED
    with pytest.raises(ValidationError):
        services.assessment_save(assessment=first, by=world.social_worker_a, data={"level": "low"})


def test_signing_opens_the_6_monthly_review_and_a_return_brings_it_forward_5_working_days(world, looked_after):
    signed(world, looked_after, now=datetime.datetime(2026, 12, 1, 10, 0, tzinfo=UK_TIME))
    clock = Deadline.objects.get(kind=services.ASSESSMENT_DUE, subject_id=looked_after.pk, state=DeadlineState.OPEN)
    assert clock.due_at == datetime.datetime(2027, 6, 1, 10, 0, tzinfo=UK_TIME)
    # A return on Thursday 24 December 2026: the review by the end of Tuesday 5 January 2027.
    returned = datetime.datetime(2026, 12, 24, 15, 0, tzinfo=UK_TIME)
    returned_episode(world, looked_after, last_seen=returned - hours(4), returned=returned)
    clock.refresh_from_db()
    assert clock.due_at == datetime.datetime(2027, 1, 6, tzinfo=UK_TIME)


def test_a_looked_after_childs_return_without_any_assessment_asks_for_one_and_the_sweep_tells(world, looked_after):
    returned = datetime.datetime(2026, 11, 6, 12, 0, tzinfo=UK_TIME)  # a Friday
    returned_episode(world, looked_after, last_seen=returned - hours(3), returned=returned)
    clock = Deadline.objects.get(kind=services.ASSESSMENT_DUE, subject_id=looked_after.pk)
    assert clock.due_at == datetime.datetime(2026, 11, 14, tzinfo=UK_TIME)  # end of Friday 13th
    sweep(clock.due_at)
    assert Notification.objects.filter(kind="assessment_overdue", user=world.social_worker_a).count() == 1


def open_assessment_clock(child):
    return Deadline.objects.filter(kind=services.ASSESSMENT_DUE, subject_id=child.pk, state=DeadlineState.OPEN).first()


def test_an_emergency_placement_asks_for_an_assessment_within_3_working_days(world, looked_after):
    # Placed in an emergency on Thursday 24 December 2026: Christmas Day and the substitute
    # Boxing Day (Monday 28th) are not working days, so it is due by the end of Thursday 31st.
    child_update(
        child=looked_after,
        by=world.coordinator_a,
        reason="Emergency placement",
        placement_start=datetime.date(2026, 12, 24),
        placement_emergency=True,
    )
    clock = open_assessment_clock(looked_after)
    assert clock.due_at == datetime.datetime(2027, 1, 1, tzinfo=UK_TIME)
    sweep(clock.due_at - hours(1))
    assert not Notification.objects.filter(kind="assessment_overdue").exists()
    sweep(clock.due_at)
    assert Notification.objects.filter(kind="assessment_overdue", user=world.social_worker_a).count() == 1


def test_signing_after_the_emergency_placement_meets_it_and_a_correction_closes_the_clock(world, looked_after):
    child_update(
        child=looked_after,
        by=world.coordinator_a,
        reason="Emergency placement",
        placement_start=datetime.date(2026, 12, 1),
        placement_emergency=True,
    )
    signed(world, looked_after, now=datetime.datetime(2026, 12, 2, 10, 0, tzinfo=UK_TIME))
    # Met, and the next is the 6-monthly review, not the emergency placement again.
    assert open_assessment_clock(looked_after).due_at == datetime.datetime(2027, 6, 2, 10, 0, tzinfo=UK_TIME)

    other = make_child(responsible=world.la_a, legal_status="looked_after_care_order")
    child_update(
        child=other,
        by=world.coordinator_a,
        reason="Placed",
        placement_start=datetime.date(2026, 12, 1),
        placement_emergency=True,
    )
    assert open_assessment_clock(other) is not None
    child_update(child=other, by=world.coordinator_a, reason="It was a planned placement", placement_emergency=False)
    assert open_assessment_clock(other) is None
    assert Deadline.objects.get(kind=services.ASSESSMENT_DUE, subject_id=other.pk).state == DeadlineState.CANCELLED


def test_an_emergency_placement_needs_its_start_date_and_a_child_at_home_has_no_clock(client, world):
    at_home = make_child(responsible=world.la_a)
    child_update(
        child=at_home,
        by=world.coordinator_a,
        reason="Placed",
        placement_start=datetime.date(2026, 12, 1),
        placement_emergency=True,
    )
    assert open_assessment_clock(at_home) is None  # only looked-after children have the clock

    client.force_login(world.coordinator_a)
    child = make_child(responsible=world.la_a, legal_status="looked_after_care_order")
    page = client.get(reverse("children:edit", args=[child.pk]))
    assert "This was an emergency placement" in page.content.decode()
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None and k != "photo"}
    data.update(
        placement_emergency="on",
        placement_start="",
        reason="Emergency placement",
        responsible_authority=child.responsible_authority_id,
    )
    response = client.post(reverse("children:edit", args=[child.pk]), data)
    assert response.status_code == 200
    assert "Enter the date the emergency placement started." in response.content.decode()
    child.refresh_from_db()
    assert child.placement_emergency is False and open_assessment_clock(child) is None


def test_the_assessment_pages_are_404_out_of_scope_and_the_form_refuses_7_hours(client, world, looked_after):
    assessment = services.assessment_start(child=looked_after, by=world.social_worker_a)
    client.force_login(world.coordinator_b)
    for url in (
        reverse("risk:assessment_list", args=[looked_after.pk]),
        assessment.get_absolute_url(),
        reverse("risk:assessment_edit", args=[assessment.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("risk:assessment_sign", args=[assessment.pk]), {"as_role": "manager"}).status_code == 404
    client.force_login(world.social_worker_a)
    response = client.post(
        reverse("risk:assessment_edit", args=[assessment.pk]),
        {"address_1": "1 High Street", "hours_1": "7", "pattern_history": "x"},
    )
    assert "can never be longer than 6 hours" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.pattern_history == ""


def test_starting_an_assessment_needs_a_council_role_for_the_child(world, looked_after):
    with pytest.raises(PermissionDenied):
        services.assessment_start(child=looked_after, by=world.police_f1)
    assert not RiskAssessment.objects.exists()
