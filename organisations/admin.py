"""Administrators create accounts, agencies and memberships here; every change keeps history."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Agency, LocalAuthority, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["agency"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "email", "is_active", "last_login"]
    search_fields = ["full_name", "email"]
    list_filter = ["is_active", "memberships__role"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["end_all_sessions"]

    @admin.action(description="End all sessions of the selected people (they have left, or lost a device)")
    def end_all_sessions(self, request, queryset):
        ended = 0
        for user in queryset:
            count = services.sessions_end_all(user)
            self.log_change(request, user, f"Ended all sessions ({count})")
            ended += count
        self.message_user(
            request, f"Ended {ended} session{'s' if ended != 1 else ''} of {len(queryset)} people.", messages.SUCCESS
        )


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "code"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    filter_horizontal = ["local_authorities"]


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "ons_code", "region"]
    search_fields = ["name", "ons_code"]
    list_filter = ["region"]
