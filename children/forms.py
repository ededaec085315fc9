"""Forms for finding, recording and changing a child's record."""

from django import forms
from django.conf import settings
from django.db.models import Q
from django.template.defaultfilters import filesizeformat

from organisations.models import LocalAuthority, User
from organisations.roles import Role

from .models import VULNERABILITY_FLAGS, Child, Establishment


class ChildSearchForm(forms.Form):
    q = forms.CharField(
        label="Name or alias",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        help_text="For example, 2011-03-27",
        widget=forms.DateInput(attrs={"class": "govuk-input--width-10"}),
    )


def authorities_served_by(user):
    return LocalAuthority.objects.filter(
        agencies__memberships__user=user, agencies__memberships__active=True
    ).distinct()


class ChildForm(forms.ModelForm):
    aliases = forms.CharField(
        label="Other names the child is known by",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One name on each line",
    )
    reason = forms.CharField(
        label="Why are you changing this record?",
        max_length=500,
        widget=forms.TextInput(),
        help_text="This is kept in the record's history",
    )

    class Meta:
        model = Child
        fields = [
            "given_name",
            "family_name",
            "date_of_birth",
            "date_of_birth_estimated",
            "gender",
            "ethnicity",
            "ethnicity_code",
            "upn",
            "mother",
            "mother_child_dob",
            "address",
            "postcode",
            "legal_status",
            "legal_status_since",
            "s47_enquiry",
            "responsible_authority",
            "host_authority",
            "placement_type",
            "establishment",
            "placement_start",
            "placement_emergency",
            "social_worker",
            "iro",
            *[name for name, _ in VULNERABILITY_FLAGS],
            "physical_description",
            "usual_clothing",
            "phone",
            "places_frequented",
            "associates",
            "photo",
            "photo_taken_on",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"class": "govuk-input--width-10"}),
            "legal_status_since": forms.DateInput(attrs={"class": "govuk-input--width-10"}),
            "placement_start": forms.DateInput(attrs={"class": "govuk-input--width-10"}),
            "photo_taken_on": forms.DateInput(attrs={"class": "govuk-input--width-10"}),
            "mother_child_dob": forms.DateInput(attrs={"class": "govuk-input--width-10"}),
            "upn": forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off"}),
            "postcode": forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}),
            "address": forms.Textarea(attrs={"rows": 3}),
            "physical_description": forms.Textarea(attrs={"rows": 3}),
            "usual_clothing": forms.Textarea(attrs={"rows": 2}),
            "places_frequented": forms.Textarea(attrs={"rows": 3}),
            "associates": forms.Textarea(attrs={"rows": 3}),
            "photo": forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
        }
        help_texts = {
            "date_of_birth": "For example, 2011-03-27. Leave blank if not known.",
            "legal_status_since": "For example, 2024-09-01",
            "mother_child_dob": "For example, 2025-11-20",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        served = authorities_served_by(user)
        # A host authority's staff may correct a placed child's record without changing who is
        # responsible for them; nobody can file a child under an authority they do not serve.
        keep = [self.instance.responsible_authority_id] if self.instance.pk else []
        self.fields["responsible_authority"].queryset = LocalAuthority.objects.filter(
            Q(pk__in=served.values("pk")) | Q(pk__in=keep)
        )
        self.fields["host_authority"].queryset = LocalAuthority.objects.all()
        self.fields["establishment"].queryset = Establishment.objects.select_related("local_authority")
        colleagues = User.objects.filter(
            is_active=True, memberships__active=True, memberships__agency__local_authorities__in=served
        ).distinct()
        self.fields["social_worker"].queryset = colleagues.filter(memberships__role=Role.SOCIAL_WORKER)
        self.fields["iro"].queryset = colleagues.filter(memberships__role=Role.IRO)
        if self.instance.pk:
            self.initial["aliases"] = "\n".join(a.name for a in self.instance.aliases.all())
        else:
            del self.fields["reason"]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        limit = settings.HOMEWARD_PHOTO_MAX_BYTES
        if photo and hasattr(photo, "size") and photo.size > limit:
            raise forms.ValidationError(f"The photo must be smaller than {filesizeformat(limit)}.")
        if photo and hasattr(photo, "content_type") and photo.content_type not in {"image/jpeg", "image/png"}:
            raise forms.ValidationError("The photo must be a JPEG or PNG image.")
        return photo

    def clean_upn(self):
        return self.cleaned_data["upn"].strip().upper()

    def clean_aliases(self):
        names = [line.strip() for line in self.cleaned_data["aliases"].splitlines() if line.strip()]
        too_long = [n for n in names if len(n) > 200]
        if too_long:
            raise forms.ValidationError("Each other name must be 200 characters or fewer.")
        return names

    def service_fields(self) -> dict:
        """The cleaned values the children services take, without the form-only fields."""
        values = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        values["aliases"] = self.cleaned_data.get("aliases", [])
        return values
