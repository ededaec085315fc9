"""The rules of the return interview, one function each, with their sources and numbers.

Triage follows the voluntary service's red / amber / green (seeds/004, 'Our work in Birmingham
2013-2014': green under 2 missing episodes and few or no risk factors; amber more information
needed; red an interview needed: more than 2 missing episodes, CSE, length of the episode,
substance misuse, learning difficulty...), and correlates absences with missing episodes
(seeds/004: 'a failure to correlate missing and absent ... procedural mis-diagnosis of risk').
"""

import dataclasses
import datetime

# DfE statutory guidance (2014), quoted in seeds/004: the interview within 72 hours of return.
INTERVIEW_WITHIN = datetime.timedelta(hours=72)
# Local practice (the return interview issue): remind the worker when 48 hours have gone.
REMINDER_AFTER = datetime.timedelta(hours=48)
# Wigan protocol (seeds/002): a looked-after child's social worker visits within 24 hours.
SOCIAL_WORKER_VISIT_WITHIN = datetime.timedelta(hours=24)

# Triage: the window in which earlier episodes count.
EPISODE_WINDOW = datetime.timedelta(days=365)
# seeds/004: red for "more than 2 missing episodes"; green "less than 2".
RED_MISSING_EPISODES = 3
AMBER_MISSING_EPISODES = 2
# WMP policy (seeds/004): 3 absences in 90 days for one child trigger a safeguarding review.
ABSENCE_WINDOW = datetime.timedelta(days=90)
RED_ABSENCES = 3
# Length of the episode: over 24 hours is 'need to know' (Wigan §12); half a day asks for more.
RED_EPISODE_LENGTH = datetime.timedelta(hours=24)
AMBER_EPISODE_LENGTH = datetime.timedelta(hours=12)
# domain.md: a child of 12 or under whose whereabouts are unknown is always missing.
RED_AGE_AT_MOST = 12

# Vulnerability flags that make an interview needed (seeds/004's red list), and the others.
RED_FLAGS = ("flag_cse", "flag_criminal_exploitation", "flag_trafficking", "flag_substance_misuse", "flag_disability")
AMBER_FLAGS = (
    "flag_uasc",
    "flag_radicalisation",
    "flag_forced_marriage",
    "flag_fgm",
    "flag_mental_health",
    "flag_self_harm",
    "flag_medication",
)


def _elapsed(moment: datetime.datetime, hours: datetime.timedelta) -> datetime.datetime:
    # In UTC: adding to a Europe/London time would add wall-clock hours, not elapsed ones.
    return moment.astimezone(datetime.UTC) + hours


def interview_due(returned_at: datetime.datetime) -> datetime.datetime:
    """DfE statutory guidance: the interview within 72 hours of return, elapsed time (a return
    at 12:00 BST on Saturday 24 October 2026 is due at 11:00 GMT on Tuesday 27 October)."""
    return _elapsed(returned_at, INTERVIEW_WITHIN)


def reminder_due(returned_at: datetime.datetime) -> datetime.datetime:
    """Remind the worker 48 hours after the return, a day before the interview is due."""
    return _elapsed(returned_at, REMINDER_AFTER)


def social_worker_visit_due(returned_at: datetime.datetime) -> datetime.datetime:
    """Wigan protocol: the social worker of a looked-after child visits within 24 hours of return."""
    return _elapsed(returned_at, SOCIAL_WORKER_VISIT_WITHIN)


@dataclasses.dataclass(frozen=True)
class TriageFacts:
    """What triage reads about one return: the episode, the child and their recent history."""

    category: str
    risk_level: str
    cse_concern: str
    duration: datetime.timedelta | None
    age: int | None
    missing_in_window: int
    absences_in_window: int
    flags: tuple[str, ...]


def triage(facts: TriageFacts) -> tuple[str, list[str]]:
    """Red / amber / green with the reasons, worst first."""
    from children.models import VULNERABILITY_FLAGS

    labels = dict(VULNERABILITY_FLAGS)
    red, amber = [], []
    if facts.missing_in_window >= RED_MISSING_EPISODES:
        red.append(f"{facts.missing_in_window} missing episodes in the last 12 months")
    elif facts.missing_in_window >= AMBER_MISSING_EPISODES:
        amber.append(f"{facts.missing_in_window} missing episodes in the last 12 months")
    if facts.absences_in_window >= RED_ABSENCES:
        red.append(f"{facts.absences_in_window} absences in the last 90 days")
    elif facts.absences_in_window and facts.missing_in_window:
        amber.append(f"{facts.absences_in_window} absences as well as missing episodes in the last 90 days")
    if facts.cse_concern == "yes":
        red.append("The police recorded a CSE concern")
    for flag in facts.flags:
        if flag in RED_FLAGS:
            red.append(labels[flag])
        elif flag in AMBER_FLAGS:
            amber.append(labels[flag])
    if facts.duration is not None and facts.duration >= RED_EPISODE_LENGTH:
        red.append("Away for 24 hours or more")
    elif facts.duration is not None and facts.duration >= AMBER_EPISODE_LENGTH:
        amber.append("Away for 12 hours or more")
    if facts.age is not None and facts.age <= RED_AGE_AT_MOST:
        red.append(f"Aged {facts.age}: 12 or under")
    if facts.risk_level == "high":
        red.append("Police risk grade high")
    elif facts.risk_level == "medium":
        amber.append("Police risk grade medium")
    if red:
        return "red", red + amber
    if amber:
        return "amber", amber
    return "green", ["Fewer than 2 missing episodes and no risk factors"]


def offers_interview(offer: str, triage_colour: str) -> bool:
    """The local authority's setting (InterviewSetting) for the episode's category."""
    return offer == "always" or (offer == "red" and triage_colour == "red")


# Statutory guidance (seeds/004, 'Independent return interviews'): "Local Authorities must
# provide the children missing ... the opportunity to speak to an independent person ... within
# 72 hours of returning". A local authority may offer more, never less: after a missing episode
# the interview is always offered.
STATUTORY_OFFER_AFTER_MISSING = "always"


def offer_setting_errors(*, after_missing: str) -> dict[str, str]:
    if after_missing != STATUTORY_OFFER_AFTER_MISSING:
        return {
            "after_missing": "Statutory guidance requires an interview to be offered after every missing "
            "episode: this cannot be set lower"
        }
    return {}
