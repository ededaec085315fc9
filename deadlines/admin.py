from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Deadline, Heartbeat, OutboxMessage


@admin.register(Deadline)
class DeadlineAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "subject_type", "subject_id", "due_at", "state"]
    list_filter = ["kind", "state"]
    readonly_fields = ["kind", "subject_type", "subject_id", "due_at", "state", "opened_at", "closed_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "beat_at"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["task_name", "created_at", "published_at", "attempts"]
    readonly_fields = ["task_name", "args", "kwargs", "created_at", "published_at", "attempts", "last_error"]
