"""Demo retention: one synthetic record past its retention date and one kept by a legal hold, and
the month's review listing them, so the retention pages have something to show."""

import datetime

from django.utils import timezone

from children import services as children_services
from children.models import Child, LegalStatus
from organisations.models import LocalAuthority, User

from . import retention
from .models import LegalHold


def demo_retention_exists() -> bool:
    return LegalHold.objects.exists()


def seed_retention(*, manager: User) -> int:
    """Two synthetic records of Manchester, never looked after and past the 25th birthday: one
    awaiting a manager's decision, one under a legal hold. Returns how many reviews were made."""
    authority = LocalAuthority.objects.get(ons_code="E08000003")
    today = timezone.localdate()
    made = []
    for given, family, years_past in (("Demo", "Retention-Past", 1), ("Demo", "Retention-Held", 3)):
        child = children_services.child_create(
            by=manager,
            given_name=given,
            family_name=family,
            date_of_birth=today - datetime.timedelta(days=16 * 365),
            legal_status=LegalStatus.NONE,
            responsible_authority=authority,
        )
        # Older than any child Homeward takes on: set straight, as a record kept since then would be.
        born = retention.nth_birthday(today, -(25 + years_past))
        Child.objects.filter(pk=child.pk).update(date_of_birth=born)
        made.append(child)
    retention.legal_hold_place(child=made[1], by=manager, reason="Demo: a claim against the council is open")
    return len(retention.retention_reviews_make())
