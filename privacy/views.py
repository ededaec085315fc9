"""The data protection officer's search of the access log."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from children.models import Child
from organisations.roles import Role

from . import selectors

PAGE_SIZE = 50


class AccessLogSearchForm(forms.Form):
    user = forms.EmailField(label="Who viewed (email address)", required=False)
    child = forms.IntegerField(label="Which child (Homeward child number)", required=False, min_value=1)


@login_required
def access_log_search(request):
    officer = request.user
    if not officer.has_role(Role.DATA_PROTECTION_OFFICER):
        raise PermissionDenied("The access log is searched by a data protection officer.")
    form = AccessLogSearchForm(request.GET or None)
    page = None
    names = {}
    if form.is_bound and form.is_valid():
        entries = selectors.log_for_officer(
            officer=officer, user_email=form.cleaned_data["user"] or "", child_id=form.cleaned_data["child"]
        )
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        names = {
            child.pk: child.full_name
            for child in Child.objects.filter(pk__in={e.child_id for e in page.object_list if e.child_id})
        }
    return render(
        request,
        "privacy/access_log_search.html",
        {"form": form, "page_obj": page, "rows": [(e, names.get(e.child_id)) for e in page or []]},
    )
