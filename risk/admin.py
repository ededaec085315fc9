"""Administrators tighten a local authority's escalation rules here, and name the senior post
holders the rules tell. Every change keeps its history; a number looser than the statutory
floor is refused and nothing is saved. Firings are shown read-only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from . import rules, services
from .models import Escalation, RuleThreshold, SeniorPostHolder


class RuleThresholdForm(forms.ModelForm):
    reason = forms.CharField(
        label="Why the change", max_length=200, help_text="Kept in the rule's history, e.g. the board decision."
    )

    class Meta:
        model = RuleThreshold
        fields = ["local_authority", "rule", "threshold", "window_days", "respond_within"]

    def clean(self):
        data = super().clean()
        rule = rules.BY_CODE.get(data.get("rule") or "")
        if rule is not None:
            errors = rules.threshold_errors(rule, {f: data.get(f) for f in rules.SETTING_FIELDS})
            if errors:
                raise ValidationError(errors)
        return data


@admin.register(RuleThreshold)
class RuleThresholdAdmin(SimpleHistoryAdmin):
    form = RuleThresholdForm
    list_display = ["local_authority", "rule", "threshold", "window_days", "respond_within"]
    list_filter = ["rule"]
    list_select_related = ["local_authority"]
    search_fields = ["local_authority__name"]

    def get_readonly_fields(self, request, obj=None):
        return ["local_authority", "rule"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        """Through the service, like every other change: it validates again and moves the clocks
        of children missing now."""
        saved = services.rule_threshold_set(
            local_authority=obj.local_authority,
            rule=obj.rule,
            by=request.user,
            threshold=form.cleaned_data.get("threshold"),
            window_days=form.cleaned_data.get("window_days"),
            respond_within=form.cleaned_data.get("respond_within"),
            reason=form.cleaned_data["reason"],
        )
        obj.pk = saved.pk
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        # Return to the default by emptying the numbers: the history stays.
        return False


@admin.register(SeniorPostHolder)
class SeniorPostHolderAdmin(SimpleHistoryAdmin):
    list_display = ["user", "post", "local_authority"]
    list_filter = ["post"]
    list_select_related = ["user", "local_authority"]
    autocomplete_fields = ["user"]


@admin.register(Escalation)
class EscalationAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "rule", "fired_at", "local_authority"]
    list_filter = ["rule"]
    list_select_related = ["local_authority"]
    date_hierarchy = "fired_at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
