"""Forms for the episode pages: the list's filters, a police report recorded by hand, a return,
a reclassification, the safe-and-well check, away from placement, closing and reopening.

The hand-recorded report is read by the same row reader as the police feed (episodes.feed), so
a value means the same whichever door it came through. Date-times are typed as UK local time.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from children.models import Gender
from organisations.models import LocalAuthority

from . import permissions, rules
from .feed import Lookups, normalise_postcode, parse_report, parse_uk_datetime
from .models import (
    POLICE_CATEGORIES,
    Category,
    Episode,
    EpisodeState,
    HeldReport,
    MissingFrom,
    ReportedBy,
    ReturnMethod,
    RiskLevel,
    YesNoUnknown,
)
from .selectors import SORT_LAST_SEEN, SORTS

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
DATE_HINT = "For example, 2026-03-14"
DATETIME_HINT = "UK time. For example, 14 March 2026 at 9:30pm"
POLICE_CATEGORY_CHOICES = [(c.value, c.label) for c in POLICE_CATEGORIES]


def _blank(label: str, choices) -> list[tuple[str, str]]:
    return [("", label), *choices]


class DateTimeLocalInput(forms.DateTimeInput):
    """`<input type="datetime-local">`: the browser's date and time picker, offset-less."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"type": "datetime-local", **(attrs or {})}, format=DATETIME_LOCAL)


class UKDateTimeField(forms.Field):
    """A date-time typed as UK local time, read exactly as the police feed reads one (a time in
    the hour the clocks skip is refused; in the hour they repeat, the first is taken)."""

    widget = DateTimeLocalInput

    def to_python(self, value):
        if isinstance(value, datetime.datetime):
            return value
        value = (value or "").strip()
        if not value:
            return None
        moment, error, _ = parse_uk_datetime(value)
        if error.startswith(("cannot", "is a date")):
            raise ValidationError("Enter a date and a time, for example 14 March 2026 at 9:30pm")
        if error:
            raise ValidationError(f"{error[:1].upper()}{error[1:]}")
        return moment

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).replace(tzinfo=None)
        return value


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError shown on the form: keyed errors on their fields, the rest
    above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


# --- The episode list's filters ---------------------------------------------------------------


class EpisodeFilterForm(forms.Form):
    state = forms.ChoiceField(label="State", required=False, choices=_blank("Any state", EpisodeState.choices))
    category = forms.ChoiceField(label="Category", required=False, choices=_blank("Any category", Category.choices))
    risk_level = forms.ChoiceField(
        label="Risk grade", required=False, choices=_blank("Any risk grade", RiskLevel.choices)
    )
    local_authority = forms.ModelChoiceField(
        label="Local authority", required=False, queryset=None, empty_label="Any local authority"
    )
    last_seen_from = forms.DateField(
        label="Last seen on or after",
        required=False,
        help_text=DATE_HINT,
        widget=forms.DateInput(attrs={"class": "govuk-input--width-10"}),
    )
    last_seen_to = forms.DateField(
        label="Last seen on or before",
        required=False,
        help_text=DATE_HINT,
        widget=forms.DateInput(attrs={"class": "govuk-input--width-10"}),
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORTS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local_authority"].queryset = permissions.recordable_authorities(user).order_by("name")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("last_seen_from"), cleaned.get("last_seen_to")
        if start and end and end < start:
            self.add_error("last_seen_to", "The end date must be the same as or after the start date.")
        return cleaned

    def filters(self) -> dict:
        """The selector's keyword arguments; none when the form is not valid."""
        if not self.is_bound or not self.is_valid():
            return {"sort": SORT_LAST_SEEN}
        values = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        values.setdefault("sort", SORT_LAST_SEEN)
        return values


# --- A police report recorded by hand ---------------------------------------------------------

# The report's fields that describe the child: filled from the child's record when the report is
# recorded from the child's page.
CHILD_COLUMNS = ["given_name", "family_name", "date_of_birth", "gender", "ethnicity", "home_postcode"]


def _text(**kwargs) -> forms.CharField:
    return forms.CharField(required=False, **kwargs)


def _datetime(label: str, required: bool = False) -> forms.CharField:
    # Text, not a parsed value: the police feed's reader reads it, as it would a feed row.
    return forms.CharField(label=label, required=required, help_text=DATETIME_HINT, widget=DateTimeLocalInput())


def _postcode(label: str) -> forms.CharField:
    return _text(label=label, max_length=20, widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))


class PoliceReportForm(forms.Form):
    """The police feed's columns as a form (shared/spec/police-feed.md)."""

    force = forms.ModelChoiceField(label="Police force", queryset=None, to_field_name="code")
    force_reference = forms.CharField(
        label="Police reference",
        max_length=50,
        help_text="The force’s missing-person record number, for example MP/123456",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off"}),
    )
    local_authority = forms.ModelChoiceField(
        label="Local authority",
        queryset=None,
        help_text="The council area the child lives or is placed in",
    )
    category = forms.ChoiceField(label="Police category", choices=POLICE_CATEGORY_CHOICES, widget=forms.RadioSelect)
    risk_level = forms.ChoiceField(label="Risk grade", choices=RiskLevel.choices, widget=forms.RadioSelect)

    given_name = forms.CharField(label="Given name", max_length=200)
    family_name = forms.CharField(label="Family name", max_length=200)
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        help_text=DATE_HINT,
        widget=forms.DateInput(attrs={"class": "govuk-input--width-10"}),
    )
    gender = forms.ChoiceField(label="Gender", required=False, choices=_blank("Not recorded", Gender.choices))
    ethnicity = _text(label="Ethnicity", max_length=100)
    home_postcode = _postcode("Home postcode")

    last_seen_at = _datetime("When was the child last seen?", required=True)
    last_seen_location = _text(label="Where was the child last seen?", max_length=500)
    reported_at = _datetime("When were the police told?", required=True)
    reported_by = forms.ChoiceField(
        label="Who told the police?", required=False, choices=_blank("Not recorded", ReportedBy.choices)
    )
    missing_from = forms.ChoiceField(
        label="Where was the child expected to be?",
        required=False,
        choices=_blank("Not recorded", MissingFrom.choices),
    )
    missing_from_postcode = _postcode("Postcode of where the child was expected to be")
    circumstances = _text(label="Circumstances", max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}))
    cse_concern = forms.ChoiceField(
        label="Is there a child sexual exploitation (CSE) concern?",
        required=False,
        choices=_blank("Not recorded", YesNoUnknown.choices),
    )
    went_missing_with = _text(
        label="Police references of children who went missing with this child",
        max_length=1000,
        help_text="References of the same force, separated by semicolons, for example MP/123457; MP/123458",
    )

    returned_at = _datetime("When did the child return or was found?")
    found_location = _text(label="Where was the child found?", max_length=500)
    found_postcode = _postcode("Postcode where found")
    return_method = forms.ChoiceField(
        label="How did the child return?", required=False, choices=_blank("Not recorded", ReturnMethod.choices)
    )

    safe_and_well_at = _datetime("When was the safe-and-well check held?")
    safe_and_well_outcome = _text(
        label="Outcome of the safe-and-well check", max_length=20_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    harm_disclosed = forms.ChoiceField(
        label="Was harm disclosed?", required=False, choices=_blank("Not recorded", YesNoUnknown.choices)
    )
    officer = _text(label="Officer in the case", max_length=200)

    def __init__(self, *args, user, child=None, now: datetime.datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child
        self.now = now or timezone.now()
        self.report = None
        self.fields["force"].queryset = permissions.recordable_forces(user)
        authorities = Q(pk__in=permissions.recordable_authorities(user).values("pk"))
        if child is not None:
            for name in CHILD_COLUMNS:
                del self.fields[name]
            placed_in = child.host_authority or child.responsible_authority
            authorities |= Q(pk=placed_in.pk)
            self.fields["local_authority"].initial = placed_in.pk
        self.fields["local_authority"].queryset = LocalAuthority.objects.filter(authorities).order_by("name")
        forces = list(self.fields["force"].queryset)
        if len(forces) == 1:
            self.fields["force"].initial = forces[0].code

    def feed_row(self) -> dict[str, str]:
        """The form as a row of the police feed (column -> text)."""
        values = self.cleaned_data
        row = {}
        for name in self.fields:
            value = values.get(name)
            if value is None:
                row[name] = ""
            elif name == "force":
                row[name] = value.code
            elif name == "local_authority":
                row[name] = value.ons_code
            elif isinstance(value, datetime.date):
                row[name] = value.isoformat()
            else:
                row[name] = str(value)
        if self.child is not None:
            child = self.child
            row.update(
                given_name=child.given_name,
                family_name=child.family_name,
                date_of_birth=child.date_of_birth.isoformat() if child.date_of_birth else "",
                gender=child.gender,
                ethnicity=child.ethnicity,
                home_postcode=child.postcode,
            )
        return row

    def clean(self):
        cleaned = super().clean()
        report, errors = parse_report(self.feed_row(), line=0, lookups=Lookups(), now=self.now)
        for error in errors:
            field = error.column if error.column in self.fields else None
            if field is not None and self.has_error(field):
                continue
            self.add_error(field, rules.described({error.column: error.reason})[error.column])
        force, reference = cleaned.get("force"), cleaned.get("force_reference")
        if force is not None and reference and not self.has_error("force_reference"):
            record = {"force": force, "force_reference": reference.strip()}
            waiting = HeldReport.objects.filter(decision=HeldReport.Decision.WAITING, **record)
            if Episode.objects.filter(**record).exists() or waiting.exists():
                self.add_error(
                    "force_reference",
                    f"{force.code} already has a record with the reference {reference.strip()}: "
                    "change that record instead of recording it again",
                )
        self.report = report if not self.errors else None
        return cleaned


# --- Changes to an episode --------------------------------------------------------------------


class VersionedForm(forms.Form):
    """Carries the episode's version from the screen, so a save from a stale screen is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, episode: Episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.episode = episode
        self.fields["version"].initial = episode.version


class ReturnForm(VersionedForm):
    returned_at = UKDateTimeField(label="When did the child return or was found?", help_text=DATETIME_HINT)
    found_location = _text(label="Where was the child found?", max_length=500)
    found_postcode = _postcode("Postcode where found")
    return_method = forms.ChoiceField(
        label="How did the child return?", required=False, choices=ReturnMethod.choices, widget=forms.RadioSelect
    )

    def clean_found_postcode(self):
        value = self.cleaned_data["found_postcode"].strip()
        if not value:
            return ""
        postcode = normalise_postcode(value)
        if postcode is None:
            raise ValidationError("Enter a real UK postcode, like M1 1AE")
        return postcode


class ReclassifyForm(VersionedForm):
    category = forms.ChoiceField(label="Police category", choices=POLICE_CATEGORY_CHOICES, widget=forms.RadioSelect)
    risk_level = forms.ChoiceField(label="Risk grade", choices=RiskLevel.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Why is the episode being reclassified or re-graded?",
        max_length=500,
        help_text="This is kept in the episode’s history",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, episode: Episode, **kwargs):
        super().__init__(*args, episode=episode, **kwargs)
        self.fields["category"].initial = episode.category
        self.fields["risk_level"].initial = episode.risk_level


class SafeAndWellForm(forms.Form):
    held = forms.ChoiceField(
        label="Was a safe-and-well check held?",
        choices=[("yes", "Yes"), ("no", "No, it was decided not to hold one")],
        widget=forms.RadioSelect,
    )
    held_at = UKDateTimeField(label="When was the check held?", required=False, help_text=DATETIME_HINT)
    held_by = _text(
        label="Who held the check?", max_length=200, help_text="Name and force, for example PC Jo Smith, GMP"
    )
    outcome = _text(label="Outcome of the check", max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}))
    harm_disclosed = forms.ChoiceField(
        label="Was harm disclosed?", required=False, choices=YesNoUnknown.choices, widget=forms.RadioSelect
    )
    not_held_reason = _text(
        label="If no check was held, why not?",
        max_length=20_000,
        help_text="For example, agreed with the carer and social worker because of very frequent episodes",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def service_fields(self) -> dict:
        values = self.cleaned_data
        if values["held"] == "yes":
            return {
                "held_at": values["held_at"],
                "held_by": values["held_by"],
                "outcome": values["outcome"],
                "harm_disclosed": values["harm_disclosed"],
            }
        return {"not_held_reason": values["not_held_reason"]}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("held") == "yes" and cleaned.get("held_at") is None and not self.has_error("held_at"):
            self.add_error("held_at", "Enter when the check was held")
        if cleaned.get("held") == "no" and not cleaned.get("not_held_reason", "").strip():
            self.add_error("not_held_reason", "Say why it was decided not to hold a check")
        return cleaned


class AwayForm(forms.Form):
    last_seen_at = UKDateTimeField(
        label="When was the child last where they should have been?", help_text=DATETIME_HINT
    )
    whereabouts = forms.CharField(
        label="Where is the child?",
        max_length=500,
        help_text="Away from placement without authorisation means the child’s whereabouts are known",
    )
    returned_at = UKDateTimeField(
        label="When did the child come back?",
        required=False,
        help_text="Leave blank if the child is still away. " + DATETIME_HINT,
    )
    circumstances = _text(label="Circumstances", max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}))


class CloseForm(VersionedForm):
    reason = _text(
        label="Anything to note on closing the episode?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReopenForm(VersionedForm):
    reason = forms.CharField(
        label="Why is the episode being reopened?",
        max_length=500,
        help_text="This is kept in the episode’s history",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
