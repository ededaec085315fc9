"""Who may see which escalation: whoever may see its child (children/scope.py). Anything else is
a 404 wherever it is asked for."""

from django.db import models

from children.scope import of_visible_children


class EscalationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EscalationQuerySet":
        return self.filter(of_visible_children(user, using=self.db))


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MeetingQuerySet":
        """Meetings with at least one child the user may see; each child's record is filtered
        separately (MeetingRecordQuerySet)."""
        from .models import MeetingRecord

        records = MeetingRecord.objects.filter(of_visible_children(user, using=self.db))
        return self.filter(pk__in=records.values("meeting_id"))


class MeetingRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MeetingRecordQuerySet":
        return self.filter(of_visible_children(user, using=self.db))
