"""The access log in the admin: read-only, for everyone, administrators included."""

from django.contrib import admin

from .models import AccessLogEntry


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "organisation", "kind", "what", "child_id", "episode_id"]
    list_filter = ["kind"]
    search_fields = ["user__email", "user__full_name", "what", "path"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
