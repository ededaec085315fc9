"""The access log for API reads: a row for each child a record or a page of a list shows."""

from .models import AccessKind
from .services import note_access


class AccessLogged:
    """Mixed into a read-only viewset: `access_what` names what it reads, and `access_subject`
    says which child (and episode) one record is about."""

    access_what = "record"

    def access_subject(self, obj) -> dict:
        return {"child": getattr(obj, "child_id", None)}

    def get_object(self):
        obj = super().get_object()
        note_access(self.request, kind=AccessKind.API, what=self.access_what, **self.access_subject(obj))
        return obj

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        for obj in page if page is not None else queryset:
            note_access(
                self.request, kind=AccessKind.API, what=f"list of {self.access_what}s", **self.access_subject(obj)
            )
        return page
