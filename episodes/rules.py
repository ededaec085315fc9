"""Rules from the guidance and the police feed spec, one function each, with their sources."""

import datetime

from children.models import age_on

from .models import Category

# DfE statutory guidance (domain.md, 'After the child is found'): a safe-and-well check within
# 24 hours of return.
SAFE_AND_WELL_WITHIN = datetime.timedelta(hours=24)
# A child is anyone under 18 (domain.md, 'Children'); the police feed spec rejects a person 18
# or over when last seen.
ADULT_AGE = 18
# domain.md, 'Episodes': a child of 12 or under whose whereabouts are unknown is always missing.
ALWAYS_MISSING_AT_OR_UNDER = 12


def safe_and_well_due(returned_at: datetime.datetime) -> datetime.datetime:
    """Police safe-and-well check: as soon as possible, within 24 elapsed hours of return."""
    return returned_at + SAFE_AND_WELL_WITHIN


def time_errors(
    *,
    last_seen_at: datetime.datetime | None,
    reported_at: datetime.datetime | None,
    returned_at: datetime.datetime | None,
    now: datetime.datetime,
    safe_and_well_at: datetime.datetime | None = None,
) -> dict[str, str]:
    """Police feed spec, 'What a row may not say': the order of an episode's times, and no
    time in the future. Returns column -> reason."""
    errors = {}
    for name, value in (
        ("last_seen_at", last_seen_at),
        ("reported_at", reported_at),
        ("returned_at", returned_at),
        ("safe_and_well_at", safe_and_well_at),
    ):
        if value is not None and value > now:
            errors[name] = "is in the future"
    if last_seen_at is not None:
        if returned_at is not None and returned_at < last_seen_at and "returned_at" not in errors:
            errors["returned_at"] = "is before last_seen_at"
        if reported_at is not None and reported_at < last_seen_at and "reported_at" not in errors:
            errors["reported_at"] = "is before last_seen_at"
    if safe_and_well_at is not None and "safe_and_well_at" not in errors:
        if returned_at is None:
            errors["safe_and_well_at"] = "is given but the child has not returned (returned_at is blank)"
        elif safe_and_well_at < returned_at:
            errors["safe_and_well_at"] = "is before returned_at"
    return errors


def date_of_birth_error(date_of_birth: datetime.date | None, last_seen_at: datetime.datetime | None, today) -> str:
    """Police feed spec: a date of birth in the future, or one that makes the person 18 or
    over when last seen, is rejected."""
    if date_of_birth is None:
        return ""
    if date_of_birth > today:
        return "is in the future"
    if last_seen_at is not None:
        age = age_on(date_of_birth, last_seen_at.date())
        if age is not None and age >= ADULT_AGE:
            return f"makes the person {age} when last seen: Homeward is for children under {ADULT_AGE}"
    return ""


def classification_concerns(*, category: str, cse_concern: str, age: int | None, whereabouts_known: bool) -> list[str]:
    """domain.md, 'Episodes': any known CSE risk means missing, not absent; a child of 12 or
    under whose whereabouts are unknown is always missing. Shown to people, never applied
    silently: the police own their classification."""
    concerns = []
    if category == Category.ABSENT and cse_concern == "yes":
        concerns.append("Recorded as absent but with a CSE concern: any known CSE risk means missing.")
    if category == Category.ABSENT and not whereabouts_known and age is not None and age <= ALWAYS_MISSING_AT_OR_UNDER:
        concerns.append(
            f"Recorded as absent but the child is {age}: a child of {ALWAYS_MISSING_AT_OR_UNDER} or under "
            "whose whereabouts are unknown is always missing."
        )
    return concerns


# How the feed's column names read in a sentence on a form.
TIME_WORDS = {
    "last_seen_at": "the time last seen",
    "reported_at": "the time reported",
    "returned_at": "the return time",
    "safe_and_well_at": "the safe-and-well check time",
}


def described(errors: dict[str, str]) -> dict[str, str]:
    """Feed-style reasons ("is before last_seen_at") as sentences for a form."""
    sentences = {}
    for column, reason in errors.items():
        for name, words in TIME_WORDS.items():
            reason = reason.replace(name, words)
        subject = TIME_WORDS.get(column, column.replace("_", " "))
        sentences[column] = f"{subject[:1].upper()}{subject[1:]} {reason}."
    return sentences
