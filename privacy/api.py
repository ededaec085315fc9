"""The access log for API reads: a row for each child a record or a page of a list shows."""

from django.http import Http404

from .models import AccessKind
from .services import access_refused, note_access


class AccessLogged:
    """Mixed into a read-only viewset: `access_what` names what it reads, and `access_subjects`
    says which children (and episode) one record shows."""

    access_what = "record"

    def access_subjects(self, obj) -> list[dict]:
        return [{"child": getattr(obj, "child_id", None)}]

    def _note(self, obj, what: str) -> None:
        for subject in self.access_subjects(obj):
            note_access(self.request, kind=AccessKind.API, what=what, **subject)

    def get_object(self):
        try:
            obj = super().get_object()
        except Http404:
            lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
            access_refused(self.request, model=self.get_queryset().model, pk=lookup)
            raise
        self._note(obj, self.access_what)
        return obj

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        for obj in page if page is not None else queryset:
            self._note(obj, f"list of {self.access_what}s")
        return page
