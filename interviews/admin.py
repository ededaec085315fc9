"""Administrators set, per local authority, after which episodes a return interview is offered.
The statutory floor is kept by the service: a form that would go below it is refused."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from . import rules, services
from .models import InterviewSetting


class InterviewSettingForm(forms.ModelForm):
    class Meta:
        model = InterviewSetting
        fields = ["local_authority", "after_missing", "after_absence", "after_away"]

    def clean(self):
        cleaned = super().clean()
        for field, message in rules.offer_setting_errors(after_missing=cleaned.get("after_missing", "")).items():
            self.add_error(field, ValidationError(message))
        return cleaned


@admin.register(InterviewSetting)
class InterviewSettingAdmin(SimpleHistoryAdmin):
    form = InterviewSettingForm
    list_display = ["local_authority", "after_missing", "after_absence", "after_away"]
    list_select_related = ["local_authority"]
    search_fields = ["local_authority__name"]

    def get_readonly_fields(self, request, obj=None):
        return ["local_authority"] if obj else []

    def save_model(self, request, obj, form, change):
        saved = services.interview_setting_save(
            local_authority=obj.local_authority,
            by=request.user,
            after_missing=obj.after_missing,
            after_absence=obj.after_absence,
            after_away=obj.after_away,
        )
        obj.pk = saved.pk
