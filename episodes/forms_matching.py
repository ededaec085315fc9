"""The decision on a record waiting to be confirmed: which of its candidate children it is
about, or none of them. The service checks the decision; the form only reads the choice."""

from django import forms
from django.utils.dateformat import format as format_date

NEW_CHILD = "new"


def _choice_label(child) -> str:
    born = f", born {format_date(child.date_of_birth, 'j F Y')}" if child.date_of_birth else ""
    return f"This is {child.full_name}{born}"


class HeldDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Which child is this police record about?",
        help_text="Confirming adds the police record to that child's record as an episode. "
        "Choose “None of these” only when you are sure it is about a child Homeward does not know.",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the child this record is about, or “None of these: a new child”",
            "invalid_choice": "Choose one of the children listed, or “None of these: a new child”",
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(child.pk): child for child in candidates}
        self.fields["decision"].choices = [(pk, _choice_label(child)) for pk, child in self.candidates.items()] + [
            (NEW_CHILD, "None of these: a new child")
        ]

    @property
    def is_new_child(self) -> bool:
        return self.cleaned_data["decision"] == NEW_CHILD

    @property
    def child(self):
        return self.candidates.get(self.cleaned_data["decision"])
