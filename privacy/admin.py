"""The access log and the sharing records in the admin: read-only, for everyone, administrators
included; the information sharing agreements, kept by the administrator with history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AccessLogEntry, SharingAgreement, SharingRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only the services write: nobody adds, changes or deletes them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "organisation", "kind", "what", "child_id", "episode_id"]
    list_filter = ["kind"]
    search_fields = ["user__email", "user__full_name", "what", "path"]
    list_select_related = ["user"]


@admin.register(SharingAgreement)
class SharingAgreementAdmin(SimpleHistoryAdmin):
    """The administrator keeps the list of information sharing agreements a share can rely on."""

    list_display = ["name", "reference", "lawful_basis", "active", "review_on"]
    list_filter = ["active", "lawful_basis"]
    search_fields = ["name", "reference", "parties"]


@admin.register(SharingRecord)
class SharingRecordAdmin(ReadOnlyAdmin):
    """What was shared outside the owning agency: read-only, written only by the services."""

    list_display = ["shared_at", "what", "to_agency", "agreement", "lawful_basis", "shared_by"]
    list_filter = ["lawful_basis", "agreement"]
    list_select_related = ["to_agency", "agreement", "shared_by"]
