"""The access log and the sharing records in the admin: read-only, for everyone, administrators
included; the information sharing agreements and the retention rules, kept by the administrator
with history; legal holds, retention reviews and the erasure log, read-only."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AccessLogEntry,
    ErasureRecord,
    LegalHold,
    RetentionReview,
    RetentionRule,
    SharingAgreement,
    SharingRecord,
)


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


@admin.register(RetentionRule)
class RetentionRuleAdmin(SimpleHistoryAdmin):
    """The administrator keeps the retention schedule: the defaults and any authority's own rule."""

    list_display = ["__str__", "record_type", "looked_after", "keep_until_birthday", "local_authority", "source"]
    list_filter = ["record_type", "looked_after", "local_authority"]
    list_select_related = ["local_authority"]


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdmin):
    """Placed and lifted by managers and data protection officers on the retention pages."""

    list_display = ["child_id", "placed_at", "placed_by", "lifted_at", "lifted_by"]
    list_select_related = ["placed_by", "lifted_by"]


@admin.register(RetentionReview)
class RetentionReviewAdmin(ReadOnlyAdmin):
    list_display = ["month", "local_authority", "made_at"]
    list_select_related = ["local_authority"]


@admin.register(ErasureRecord)
class ErasureRecordAdmin(ReadOnlyAdmin):
    """The tombstones of deleted records: nobody adds, changes or deletes them here."""

    list_display = ["erased_at", "erased_by", "child_id", "local_authority", "rule_description", "retain_until"]
    list_filter = ["local_authority"]
    list_select_related = ["erased_by", "local_authority"]
