"""Forms for the meeting pages. They only translate: every rule is in services.py (a chair, an
action's owner and due date are required there, with the messages people see)."""

from django import forms

from episodes.forms import DATE_HINT, DATETIME_HINT, UKDateTimeField, apply_service_errors  # noqa: F401

from . import rules
from .models import LegalOption, RiskLevel


def _text(label: str, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}), **kwargs)


class MeetingCreateForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of meeting", choices=rules.MeetingKind.choices, widget=forms.RadioSelect)
    children = forms.ModelMultipleChoiceField(
        label="Children the meeting covers",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each child gets a separate record and action plan",
    )
    due_on = forms.DateField(label="To be held by", required=False, help_text=DATE_HINT)

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = children


class MeetingHeldForm(forms.Form):
    held_at = UKDateTimeField(label="When was the meeting held?", required=False, help_text=DATETIME_HINT)
    chair = forms.ModelChoiceField(
        label="Who chaired it?", queryset=None, required=False, empty_label="Choose the chair"
    )
    attended = forms.MultipleChoiceField(
        label="Who attended?", choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )
    review_on = forms.DateField(label="Review date", required=False, help_text=DATE_HINT)

    def __init__(self, *args, chairs, invitees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = chairs
        self.fields["attended"].choices = [(str(i.pk), f"{i.name}, {i.agency}") for i in invitees]
        self.invitee_ids = [i.pk for i in invitees]

    def attendance(self) -> dict[int, bool]:
        came = {int(pk) for pk in self.cleaned_data["attended"]}
        return {pk: pk in came for pk in self.invitee_ids}


class MeetingNotNeededForm(forms.Form):
    reason = forms.CharField(
        label="Why is the meeting not needed?",
        max_length=300,
        required=False,
        help_text="For example, the child returned before the strategy meeting. This is kept in the meeting's history.",
    )


class InviteeForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, required=False)
    agency = forms.CharField(label="Agency", max_length=200, required=False)
    role = forms.CharField(label="Role", max_length=200, required=False)


class MeetingRecordForm(forms.Form):
    information_shared = _text("Information shared")
    legal_options = forms.MultipleChoiceField(
        label="Legal options decided", choices=LegalOption.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    legal_reasons = _text("Legal options: the decision and why")
    media = _text("Media")
    plan_on_return = _text("The plan on return")
    reducing_risk = _text("Reducing future risk")

    @classmethod
    def initial_from(cls, record) -> dict:
        return {name: getattr(record, name) for name in cls.base_fields}


class ActionForm(forms.Form):
    description = forms.CharField(label="Action", max_length=500, required=False)
    owner = forms.ModelChoiceField(label="Owner", queryset=None, required=False, empty_label="Choose the owner")
    due_on = forms.DateField(label="Due by", required=False, help_text=DATE_HINT)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


ADDRESS_ROWS = 3


class AssessmentForm(forms.Form):
    """The sections of the risk assessment and action plan (Wigan Appendix a), and up to three
    addresses; the 6-hour rule is the service's."""

    why = forms.CharField(label="Why this version", max_length=200, required=False)
    pattern_history = _text("Pattern and history")
    concerns = _text("Concerns and vulnerabilities")
    current_circumstances = _text("Current circumstances")
    level = forms.ChoiceField(
        label="Overall level of risk", choices=RiskLevel.choices, required=False, widget=forms.RadioSelect
    )
    level_rationale = _text("Why this level")
    people_to_contact = _text("People to contact when the child is absent")
    on_return = _text("What happens on return")
    young_person_participation = _text("How the young person took part")
    carers_participation = _text("How parents and carers took part")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, ADDRESS_ROWS + 1):
            self.fields[f"address_{n}"] = forms.CharField(label=f"Address {n}", max_length=300, required=False)
            self.fields[f"known_risk_{n}"] = forms.CharField(
                label=f"Address {n}: its known risk", max_length=500, required=False
            )
            self.fields[f"hours_{n}"] = forms.IntegerField(
                label=f"Address {n}: hours before reporting to the police",
                required=False,
                help_text="Never more than 6 hours",
            )

    @classmethod
    def initial_from(cls, assessment) -> dict:
        from risk.services import ASSESSMENT_FIELDS

        initial = {name: getattr(assessment, name) for name in ASSESSMENT_FIELDS}
        for n, address in enumerate(assessment.addresses.all()[:ADDRESS_ROWS], start=1):
            initial.update(
                {
                    f"address_{n}": address.address,
                    f"known_risk_{n}": address.known_risk,
                    f"hours_{n}": address.report_within_hours,
                }
            )
        return initial

    def service_kwargs(self) -> dict:
        from risk.services import ASSESSMENT_FIELDS

        data = {name: self.cleaned_data[name] for name in ASSESSMENT_FIELDS}
        addresses = []
        for n in range(1, ADDRESS_ROWS + 1):
            row = {
                "address": self.cleaned_data[f"address_{n}"],
                "known_risk": self.cleaned_data[f"known_risk_{n}"],
                "report_within_hours": self.cleaned_data[f"hours_{n}"],
            }
            if row["address"] or row["known_risk"] or row["report_within_hours"] is not None:
                addresses.append(row)
        return {"data": data, "addresses": addresses}


class SignForm(forms.Form):
    as_role = forms.ChoiceField(
        label="Sign as",
        choices=[("social_worker", "The child's social worker"), ("manager", "The manager")],
        widget=forms.RadioSelect,
    )
