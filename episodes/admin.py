"""Administrators create and revoke partner systems' API keys here. Case records are shown
read-only, with their history: they change only through the services (feed, API, forms)."""

from django import forms
from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from organisations.models import Agency
from organisations.roles import AgencyKind

from . import services
from .models import ApiKey, Episode, HeldReport, ImportJob, Reclassification, SafeAndWellCheck


class ApiKeyForm(forms.ModelForm):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.filter(kind=AgencyKind.POLICE).order_by("name"),
        label="Police force",
        help_text="The key sends this force's police reports, and no other force's.",
    )

    class Meta:
        model = ApiKey
        fields = ["agency", "name"]


@admin.register(ApiKey)
class ApiKeyAdmin(SimpleHistoryAdmin):
    form = ApiKeyForm
    list_display = ["name", "agency", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["agency"]
    list_select_related = ["agency"]
    search_fields = ["name", "prefix", "agency__name", "agency__code"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["agency", "name"] if obj is None else ["agency", "name", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        """A new key comes from the service, which returns the key itself once: it is shown now
        and never again (only its hash is kept)."""
        key, raw = services.api_key_create(
            agency=form.cleaned_data["agency"], name=form.cleaned_data["name"], by=request.user
        )
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = key.pk, key.prefix, key.key_hash, key.created_at
        obj._state.adding = False
        self.message_user(
            request,
            f"The new key for {key.agency} is {raw} — copy it now into the partner system: "
            "it is shown only this once and cannot be recovered, only revoked and replaced.",
            messages.WARNING,
        )

    def has_change_permission(self, request, obj=None):
        # A key is never edited: it is revoked (the action) and a new one created.
        return False

    def has_delete_permission(self, request, obj=None):
        # Revoked keys stay, so the history of who sent what still names them.
        return False

    def has_revoke_permission(self, request):
        return request.user.has_perm("episodes.change_apikey")

    @admin.action(description="Revoke the selected keys (they stop working at once)", permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = 0
        for key in queryset.filter(revoked_at__isnull=True):
            services.api_key_revoke(key=key, by=request.user)
            revoked += 1
        self.message_user(request, f"Revoked {revoked} key{'' if revoked == 1 else 's'}.", messages.SUCCESS)


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """Case data, for looking at with its history: changes go through the services only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Episode)
class EpisodeAdmin(ReadOnlyHistoryAdmin):
    list_display = ["pk", "category", "state", "risk_level", "force", "force_reference", "local_authority"]
    list_filter = ["state", "category", "risk_level", "source"]
    list_select_related = ["force", "local_authority"]
    search_fields = ["force_reference"]
    date_hierarchy = "last_seen_at"


@admin.register(HeldReport)
class HeldReportAdmin(ReadOnlyHistoryAdmin):
    list_display = ["pk", "force", "force_reference", "local_authority", "decision", "received_at"]
    list_filter = ["decision"]
    list_select_related = ["force", "local_authority"]
    search_fields = ["force_reference"]


@admin.register(Reclassification)
class ReclassificationAdmin(ReadOnlyHistoryAdmin):
    list_display = ["episode_id", "field", "from_value", "to_value", "changed_at", "source"]
    list_filter = ["field"]


@admin.register(SafeAndWellCheck)
class SafeAndWellCheckAdmin(ReadOnlyHistoryAdmin):
    list_display = ["episode_id", "held_at", "harm_disclosed", "recorded_at"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyHistoryAdmin):
    list_display = ["original_name", "state", "uploaded_by", "queued_at", "created", "updated", "rejected", "held"]
    list_filter = ["state"]
    list_select_related = ["uploaded_by"]
