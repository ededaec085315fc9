"""Who may see which escalation: whoever may see its child (children/scope.py). Anything else is
a 404 wherever it is asked for."""

from django.db import models


class EscalationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EscalationQuerySet":
        from children.models import Child

        return self.filter(child__in=Child.objects.visible_to(user).values("pk"))


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MeetingQuerySet":
        """Meetings with at least one child the user may see; each child's record is filtered
        separately (MeetingRecordQuerySet)."""
        from children.models import Child

        from .models import MeetingRecord

        children = Child.objects.visible_to(user).values("pk")
        return self.filter(pk__in=MeetingRecord.objects.filter(child__in=children).values("meeting_id"))


class MeetingRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MeetingRecordQuerySet":
        from children.models import Child

        return self.filter(child__in=Child.objects.visible_to(user).values("pk"))
