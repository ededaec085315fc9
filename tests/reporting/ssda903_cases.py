"""The tricky cases of the SSDA903 export, built in Manchester (LA-A) for the collection year
1 April 2025 to 31 March 2026, or the same story moved to a later year; `expected_missing_rows`
is the Missing table they must give."""

import datetime
from dataclasses import dataclass

from children import services as children_services
from children.models import Child, EthnicityCode, Gender, LegalStatus
from episodes.services import away_episode_create
from tests.factories import World, make_child, make_episode

YEAR = 2025
LAC = LegalStatus.LOOKED_AFTER_CARE_ORDER


def at(text: str) -> datetime.datetime:
    """A UK wall-clock time, as the police feed and the forms take it."""
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def police(child: Child, last_seen: str, returned: str | None = None, category: str = "missing"):
    row = {"last_seen_at": last_seen, "reported_at": last_seen, "category": category, "risk_level": "medium"}
    if returned:
        row["returned_at"] = returned
    return make_episode(child=child, **row)


def away(child: Child, by, last_seen: str, returned: str | None = None):
    return away_episode_create(
        child=child,
        by=by,
        last_seen_at=at(last_seen),
        returned_at=at(returned) if returned else None,
        whereabouts="At a friend's flat, address known",
    )


@dataclass
class Cases:
    open_at_year_end: Child
    became_looked_after: Child
    same_day: Child
    turned_18: Child
    overlapping: Child
    absent_and_away: Child
    not_looked_after: Child
    other_authority: Child


def lac_child(world: World, name: str, **fields) -> Child:
    defaults = {
        "given_name": name,
        "family_name": "Testcase",
        "date_of_birth": datetime.date(2011, 6, 15),
        "gender": Gender.FEMALE,
        "ethnicity_code": EthnicityCode.WBRI,
        "legal_status": LAC,
        "legal_status_since": datetime.date(2020, 1, 6),
    }
    defaults.update(fields)
    return make_child(responsible=world.la_a, by=world.coordinator_a, **defaults)


def build_cases(world: World, year: int = YEAR) -> Cases:
    """The cases for the collection year starting in `year` (the same story a year later for 2026)."""
    offset = year - YEAR

    def t(text: str) -> str:
        return f"{int(text[:4]) + offset}{text[4:]}"

    def d(y: int, m: int, day: int) -> datetime.date:
        return datetime.date(y + offset, m, day)

    by = world.coordinator_a
    # Open at year end: missing from 28 March 2026, back on 3 April (after the year); one before
    # the year began that ended in it; one wholly before the year (not reported).
    open_at_year_end = lac_child(
        world,
        "Olivia",
        upn="A123456789012",
        mother=True,
        mother_child_dob=d(2026, 1, 2),
        date_of_birth=datetime.date(2009, 5, 1),
    )
    police(open_at_year_end, t("2026-03-28T20:00"), t("2026-04-03T09:00"))
    police(open_at_year_end, t("2025-03-30T22:00"), t("2025-04-02T08:00"))
    police(open_at_year_end, t("2025-02-01T22:00"), t("2025-02-02T08:00"))

    # Became looked after on 10 June 2025, in the middle of an episode; an earlier one is not his.
    became_looked_after = make_child(
        responsible=world.la_a,
        by=by,
        given_name="Ben",
        family_name="Testcase",
        date_of_birth=datetime.date(2012, 2, 29),
        gender=Gender.MALE,
        ethnicity_code=EthnicityCode.BCRB,
        upn="UN4",
        legal_status=LegalStatus.CHILD_IN_NEED,
    )
    police(became_looked_after, t("2025-05-01T15:00"), t("2025-05-02T10:00"))
    police(became_looked_after, t("2025-06-08T19:00"), t("2025-06-12T10:00"))
    children_services.child_update(
        child=became_looked_after,
        by=by,
        reason="Care order made",
        legal_status=LAC,
        legal_status_since=d(2025, 6, 10),
    )

    # Gone twice on one day: two periods, both on 14 September 2025.
    same_day = lac_child(world, "Sam", gender=Gender.MALE, ethnicity_code="")
    police(same_day, t("2025-09-14T09:00"), t("2025-09-14T11:00"))
    police(same_day, t("2025-09-14T18:00"), t("2025-09-14T21:30"))

    # Turned 18 on 10 February 2026 while missing from 5 to 15 February: care ended that day.
    turned_18 = lac_child(world, "Tara", date_of_birth=d(2008, 2, 10))
    police(turned_18, t("2026-02-05T23:00"), t("2026-02-15T12:00"))

    # Two police records of one child that overlap: one period, 1 to 5 November 2025.
    overlapping = lac_child(world, "Omar", gender=Gender.MALE, ethnicity_code=EthnicityCode.APKN)
    police(overlapping, t("2025-11-01T10:00"), t("2025-11-03T10:00"))
    police(overlapping, t("2025-11-02T09:00"), t("2025-11-05T18:00"))

    # A police 'absent' (whereabouts unknown) that overlaps the council's away-from-placement
    # record of the same night is one missing period; the away record alone is 'A'; a police
    # 'absent' alone is 'M', because the child's whereabouts were not known.
    absent_and_away = lac_child(world, "Ava", ethnicity_code=EthnicityCode.MWAS)
    police(absent_and_away, t("2025-12-01T18:00"), t("2025-12-01T23:00"), category="absent")
    away(absent_and_away, by, t("2025-12-01T21:00"), t("2025-12-02T10:00"))
    away(absent_and_away, by, t("2026-01-10T16:00"), t("2026-01-11T11:00"))
    police(absent_and_away, t("2026-01-20T17:00"), t("2026-01-20T22:00"), category="absent")

    not_looked_after = make_child(
        responsible=world.la_a, by=by, given_name="Nina", family_name="Testcase", legal_status=LegalStatus.CHILD_IN_NEED
    )
    police(not_looked_after, t("2025-10-01T10:00"), t("2025-10-01T20:00"))
    other_authority = children_services.child_update(  # looked after by Stockport, placed in Manchester
        child=world.c4, by=by, reason="Care order date recorded", legal_status_since=datetime.date(2019, 3, 1)
    )
    police(other_authority, t("2025-10-02T10:00"), t("2025-10-02T20:00"))
    return Cases(
        open_at_year_end=open_at_year_end,
        became_looked_after=became_looked_after,
        same_day=same_day,
        turned_18=turned_18,
        overlapping=overlapping,
        absent_and_away=absent_and_away,
        not_looked_after=not_looked_after,
        other_authority=other_authority,
    )


def expected_missing_rows(cases: Cases, year: int = YEAR) -> list[list[str]]:
    offset = year - YEAR

    def shift(period: list[str]) -> list[str]:
        return [f"{v[:6]}{int(v[6:]) + offset}" if len(v) == 10 else v for v in period]

    def rows(child, *periods):
        return [[str(child.pk), child.date_of_birth.strftime("%d/%m/%Y"), *period] for period in map(shift, periods)]

    return [
        *rows(cases.open_at_year_end, ["M", "30/03/2025", "02/04/2025"], ["M", "28/03/2026", ""]),
        *rows(cases.became_looked_after, ["M", "10/06/2025", "12/06/2025"]),
        *rows(cases.same_day, ["M", "14/09/2025", "14/09/2025"], ["M", "14/09/2025", "14/09/2025"]),
        *rows(cases.turned_18, ["M", "05/02/2026", "10/02/2026"]),
        *rows(cases.overlapping, ["M", "01/11/2025", "05/11/2025"]),
        *rows(
            cases.absent_and_away,
            ["M", "01/12/2025", "02/12/2025"],
            ["A", "10/01/2026", "11/01/2026"],
            ["M", "20/01/2026", "20/01/2026"],
        ),
    ]
