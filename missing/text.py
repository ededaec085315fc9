"""Text that people and partner systems send: control characters are refused everywhere.

Issue 7 ('Bad input'): an answer holding a control character gets a clear message and nothing is
stored. Tab, line feed and carriage return are text; the rest of C0 and C1, DEL, and the Unicode
bidirectional overrides (which make a name read differently from how it is stored) are not."""

import re

from django.core.exceptions import ValidationError

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def no_control_characters(value) -> None:
    """The validator on every text field of every form (installed by install_form_validator)."""
    if isinstance(value, str) and (found := CONTROL_CHARACTERS.search(value)):
        raise ValidationError(
            "Remove the control character (U+%(code)04X) from this answer: it may have been pasted in by mistake.",
            code="control_character",
            params={"code": ord(found.group())},
        )


def install_form_validator() -> None:
    """Every django.forms.CharField (and so every text field of every form, model form and admin
    form) checks for control characters. Run before any form class is defined: missing/__init__."""
    from django import forms

    if no_control_characters not in forms.CharField.default_validators:
        forms.CharField.default_validators = [*forms.CharField.default_validators, no_control_characters]
