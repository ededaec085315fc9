"""Who may see which escalation: whoever may see its child (children/scope.py). Anything else is
a 404 wherever it is asked for."""

from django.db import models


class EscalationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EscalationQuerySet":
        from children.models import Child

        return self.filter(child__in=Child.objects.visible_to(user).values("pk"))
