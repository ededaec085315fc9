"""Forms for restricting a child's record, lifting the restriction and breaking the glass, and
for legal holds and confirming a deletion: they only read the input; the rules are in
privacy/services.py and privacy/retention.py."""

from django import forms

from .retention import REASON_MAX_CHARS
from .services import BREAK_GLASS_REASON_MIN_CHARS


class RestrictForm(forms.Form):
    reason = forms.CharField(
        label="Why is this record restricted?",
        help_text=(
            "For example: forced marriage, honour-based abuse, witness protection, a relative of a member of staff."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for restricting this record"},
    )
    members = forms.ModelMultipleChoiceField(
        label="Who else may see this record",
        help_text="Only the people you tick, and you, will see anything of this child.",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = people
        self.fields["members"].label_from_instance = lambda user: f"{user.full_name} ({user.email})"


class LiftForm(forms.Form):
    reason = forms.CharField(
        label="Why is the restriction lifted?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for lifting the restriction"},
    )


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to see this record now?",
        help_text=f"At least {BREAK_GLASS_REASON_MIN_CHARS} characters. The child’s managers are told at once.",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=BREAK_GLASS_REASON_MIN_CHARS,
        error_messages={
            "required": "Enter why you need emergency access",
            "min_length": f"Say why you need emergency access in at least {BREAK_GLASS_REASON_MIN_CHARS} characters",
        },
    )
    code = forms.CharField(
        label="Authentication code",
        help_text="The 6-digit code your authenticator app shows now.",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": "Enter the code your authenticator app shows"},
    )


class BreakGlassReviewForm(forms.Form):
    note = forms.CharField(
        label="What did you find?",
        help_text="For example, whether the reason held up and what the person read. Kept with the record of the use.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what you found when you reviewed this use of break-glass"},
    )


def _reason(label: str, required: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text or f"Up to {REASON_MAX_CHARS} characters.",
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": required,
            "max_length": f"The reason must be {REASON_MAX_CHARS} characters or fewer",
        },
    )


class LegalHoldForm(forms.Form):
    reason = _reason(
        "Why must this record be kept?",
        "Enter the reason for the legal hold",
        "For example: a claim against the council, a public inquiry, a police investigation. "
        f"Up to {REASON_MAX_CHARS} characters.",
    )


class LiftLegalHoldForm(forms.Form):
    reason = _reason("Why is the legal hold lifted?", "Enter the reason for lifting the legal hold")


class ConfirmDeletionForm(forms.Form):
    reason = _reason(
        "Why may this record be deleted now?",
        "Enter the reason for deleting this record",
        "It is kept in the erasure log for ever: do not name the child or anyone else. "
        f"Up to {REASON_MAX_CHARS} characters.",
    )
