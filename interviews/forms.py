"""Forms for the return interview pages. They only translate: every rule is in services.py."""

from django import forms

from episodes.forms import DATETIME_HINT, UKDateTimeField, apply_service_errors  # noqa: F401
from privacy.models import SharingAgreement

from .models import (
    OUTCOMES,
    PULL_FACTORS,
    PUSH_FACTORS,
    REFERRALS,
    Consent,
    ContactMethod,
    ContactResult,
    Status,
    Triage,
)

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _text(label: str, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}), **kwargs)


class TriageForm(forms.Form):
    triage = forms.ChoiceField(label="Triage", choices=Triage.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Why are you changing the triage?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This is kept in the interview’s history",
    )


class AllocateForm(forms.Form):
    worker = forms.ModelChoiceField(label="Return interview worker", queryset=None, empty_label="Choose a worker")

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers


class ContactAttemptForm(forms.Form):
    attempted_at = UKDateTimeField(label="When was the attempt made?", help_text=DATETIME_HINT)
    method = forms.ChoiceField(label="How?", choices=ContactMethod.choices, widget=forms.RadioSelect)
    result = forms.ChoiceField(label="What happened?", choices=ContactResult.choices, widget=forms.RadioSelect)
    notes = _text("Notes", max_length=2000)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome", choices=[(s.value, s.label) for s in Status if s in OUTCOMES], widget=forms.RadioSelect
    )
    at = UKDateTimeField(label="When?", help_text=DATETIME_HINT)
    reason = _text("Reason", help_text="Required when an interview is not appropriate")
    parents_offered = forms.ChoiceField(
        label="If declined: were parents or carers offered the chance to give information?",
        choices=YES_NO,
        required=False,
        widget=forms.RadioSelect,
    )
    parents_information = _text("What did the parents or carers say?")

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["parents_offered"] = _yes_no(data["parents_offered"])
        return data


class RecordForm(forms.Form):
    held_at = UKDateTimeField(label="When did the interview take place?", required=False, help_text=DATETIME_HINT)
    place = forms.CharField(label="Where did the interview take place?", required=False, max_length=300)
    seen_alone = forms.ChoiceField(
        label="Was the child seen alone?", choices=YES_NO, required=False, widget=forms.RadioSelect
    )
    present = forms.CharField(label="Who else was present?", required=False, max_length=500)
    push_factors = forms.MultipleChoiceField(
        label="Push factors", choices=PUSH_FACTORS, required=False, widget=forms.CheckboxSelectMultiple
    )
    pull_factors = forms.MultipleChoiceField(
        label="Pull factors", choices=PULL_FACTORS, required=False, widget=forms.CheckboxSelectMultiple
    )
    primary_factor = forms.ChoiceField(
        label="Primary factor",
        choices=[("", "Choose the primary factor"), *PUSH_FACTORS, *PULL_FACTORS],
        required=False,
        help_text="One of the push or pull factors above",
    )
    where_stayed = _text("Where were they?")
    with_whom = _text("Who were they with?")
    harm = _text("Were they harmed?")
    drugs_alcohol = _text("Drugs or alcohol")
    exploitation = _text("Exploitation indicators")
    crime = _text("Crime, by or against the child")
    where_slept = _text("Where did they sleep?")
    food_money = _text("Food and money")
    how_returned = _text("How did they return?")
    what_would_help = _text("What would stop it happening again?")
    child_words = _text("The child’s own words")
    referrals = forms.MultipleChoiceField(
        label="Onward referrals", choices=REFERRALS, required=False, widget=forms.CheckboxSelectMultiple
    )
    consent = forms.ChoiceField(
        label="Did the child consent to sharing?", choices=Consent.choices, required=False, widget=forms.RadioSelect
    )
    share_with = forms.CharField(label="Shared with whom?", required=False, max_length=500)

    @classmethod
    def initial_from(cls, record) -> dict:
        initial = {name: getattr(record, name) for name in cls.base_fields}
        initial["seen_alone"] = {True: "yes", False: "no"}.get(record.seen_alone, "")
        return initial

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["seen_alone"] = _yes_no(data["seen_alone"])
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("authorise", "Authorise and share"), ("return", "Return to the worker with comments")],
        widget=forms.RadioSelect,
    )
    comments = _text("Comments", help_text="Required when returning the record")
    agreement = forms.ModelChoiceField(
        label="Information sharing agreement",
        queryset=SharingAgreement.objects.filter(active=True),
        required=False,
        empty_label="Choose the agreement",
        help_text="What sharing the record with the police relies on. Needed when you authorise a record that goes "
        "outside your agency.",
    )


class VisitForm(forms.Form):
    visited_at = UKDateTimeField(label="When did the social worker visit?", help_text=DATETIME_HINT)
    seen_alone = forms.ChoiceField(label="Was the child seen alone?", choices=YES_NO, widget=forms.RadioSelect)
    notes = _text("Notes")
