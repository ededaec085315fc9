"""A coordinator allocates to a return interview worker of an agency serving the child;
reallocation keeps the history."""

import pytest
from django.core.exceptions import ValidationError

from interviews import services
from interviews.models import Notification, Status
from organisations.roles import AgencyKind, Role
from tests.factories import AgencyFactory, person

pytestmark = pytest.mark.django_db


def test_a_coordinator_allocates_to_a_charity_worker_who_is_told(world, interview):
    services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    interview.refresh_from_db()
    assert (interview.status, interview.worker, interview.allocated_by) == (
        Status.ALLOCATED,
        world.rhi_worker,
        world.coordinator_a,
    )
    assert Notification.objects.get(user=world.rhi_worker).kind == "allocated"


def test_reallocation_keeps_the_history(world, interview):
    council_worker = person(Role.RHI_WORKER, world.council_a, full_name="Mo Team")
    services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    services.interview_allocate(interview=interview, worker=council_worker, by=world.coordinator_a)
    workers = [h.worker_id for h in interview.history.order_by("history_date", "history_id")]
    assert workers[-2:] == [world.rhi_worker.pk, council_worker.pk]
    assert interview.history.first().history_change_reason == "Reallocated to Mo Team"


@pytest.mark.parametrize("who", ["social_worker_a", "worker_elsewhere", "police_worker"])
def test_allocating_to_someone_who_is_not_a_worker_serving_the_child_saves_nothing(world, interview, who):
    if who == "worker_elsewhere":
        other = AgencyFactory(name="Stockport charity", kind=AgencyKind.VOLUNTARY, serves=[world.la_b])
        worker = person(Role.RHI_WORKER, other)
    elif who == "police_worker":
        worker = person(Role.RHI_WORKER, world.force_f1)
    else:
        worker = world.social_worker_a
    history = interview.history.count()
    with pytest.raises(ValidationError) as error:
        services.interview_allocate(interview=interview, worker=worker, by=world.coordinator_a)
    assert "is not a return interview worker of an agency serving Chloe Ashdown" in str(error.value)
    interview.refresh_from_db()
    assert interview.worker is None and interview.status == Status.AWAITING_ALLOCATION
    assert interview.history.count() == history
    assert not Notification.objects.exists()
