"""The monthly governance pack: its contents against a small history whose answers are known,
the analyst's pack without names, who may ask for and download one, the Celery job, and the
log of every generation.

The history (November 2026, GMT, so UK time is UTC; Manchester is LA-A, Stockport LA-B):

| child | authority | last seen | returned | grade | interview after it |
| Amy Ashworth | Manchester | 2 Nov 22:30 | 3 Nov 02:00 | high | open, due 6 Nov 02:00: breached |
| Amy Ashworth | Manchester | 10 Nov 09:00 | 10 Nov 15:00 | low | declined 14 Nov 12:00, due 13 Nov 15:00: breached |
| =Ben Jones   | Manchester | 14 Nov 01:15 | 15 Nov 01:14 | high | completed 16 Nov, in time |
| Dan Stock    | Stockport  | 5 and 6 Nov  | same day     | high | open, breached (never in Manchester's pack) |

Amy also went missing on 5 October (the previous period). Escalations: Amy's "2 or more
episodes" on 10 November and "Missing more than 24 hours" on 20 October; Ben's "Missing more
than 24 hours" on 14 November; Dan's on 6 November.
"""

import datetime
import io
import zipfile

import pytest
import time_machine
from django.urls import reverse

from deadlines.models import OutboxMessage
from episodes.models import Category, Episode, EpisodeState, RiskLevel, Source
from interviews.models import ReturnInterview, Status, Triage
from privacy.models import AccessKind, AccessLogEntry
from reporting import pack, pack_services, tasks
from reporting.models import GovernancePack
from risk.models import Escalation
from tests.factories import make_child
from tests.interviews.test_pdf import poppler

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
NOVEMBER = datetime.date(2026, 11, 1)
HOURS = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(month, day, hour=12, minute=0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def episode(child, last_seen, returned, risk_level=RiskLevel.MEDIUM) -> Episode:
    return Episode.objects.create(
        child=child,
        local_authority=child.responsible_authority,
        category=Category.MISSING,
        last_seen_at=last_seen,
        reported_at=last_seen,
        returned_at=returned,
        state=EpisodeState.RETURNED,
        source=Source.FORM,
        risk_level=risk_level,
    )


def interview(after: Episode, status: str, *, outcome_at=None) -> ReturnInterview:
    made = ReturnInterview.objects.create(
        child=after.child,
        local_authority=after.local_authority,
        status=status,
        returned_at=after.returned_at,
        due_at=after.returned_at + 72 * HOURS,
        outcome_at=outcome_at,
        completed_at=outcome_at if status == Status.COMPLETED else None,
        triage=Triage.RED,
    )
    made.episodes.add(after)
    return made


def escalation(child, rule, fired_at) -> Escalation:
    return Escalation.objects.create(
        rule=rule,
        child=child,
        local_authority=child.responsible_authority,
        trigger_key=f"test:{fired_at:%Y%m%d}",
        fired_at=fired_at,
        reason="test",
    )


@pytest.fixture
def history(world):
    amy = make_child(responsible=world.la_a, given_name="Amy", family_name="Ashworth")
    ben = make_child(responsible=world.la_a, given_name="=Ben", family_name="Jones")
    dan = make_child(responsible=world.la_b, given_name="Dan", family_name="Stock")
    first = episode(amy, at(11, 2, 22, 30), at(11, 3, 2), RiskLevel.HIGH)
    second = episode(amy, at(11, 10, 9), at(11, 10, 15), RiskLevel.LOW)
    bens = episode(ben, at(11, 14, 1, 15), at(11, 15, 1, 14), RiskLevel.HIGH)
    episode(amy, at(10, 5, 10), at(10, 5, 12))
    dans = episode(dan, at(11, 5), at(11, 5, 18), RiskLevel.HIGH)
    episode(dan, at(11, 6), at(11, 6, 18), RiskLevel.HIGH)
    interview(first, Status.AWAITING_ALLOCATION)
    interview(second, Status.DECLINED, outcome_at=at(11, 14, 12))
    interview(bens, Status.COMPLETED, outcome_at=at(11, 16))
    interview(dans, Status.AWAITING_ALLOCATION)
    escalation(amy, "two_or_more_episodes", at(11, 10, 15))
    escalation(amy, "missing_24_hours", at(10, 20))
    escalation(ben, "missing_24_hours", at(11, 14, 2))
    escalation(dan, "missing_24_hours", at(11, 6, 2))
    return {"amy": amy, "ben": ben, "dan": dan}


def made(user, authority) -> GovernancePack:
    pack_row = pack_services.governance_pack_request(user=user, local_authority=authority, month=NOVEMBER)
    return pack_services.governance_pack_generate(pack_id=pack_row.pk)


def csv_files(pack_row: GovernancePack) -> dict[str, str]:
    with pack_row.csv_zip.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def pdf_text(pack_row: GovernancePack) -> str:
    with pack_row.pdf.open("rb") as handle:
        pdf = handle.read()
    assert "Tagged:          yes" in poppler("pdfinfo", pdf)
    return " ".join(poppler("pdftotext", pdf).split())


# -- The contents ------------------------------------------------------------------------------


def test_a_managers_pack_lists_the_high_risk_and_repeat_children_breaches_and_escalations(world, history):
    amy, ben = history["amy"], history["ben"]

    pack_row = made(world.manager_a, world.la_a)

    assert (pack_row.state, pack_row.percent, pack_row.with_names) == ("done", 100, True)
    assert sorted(pack_row.named_children) == sorted([amy.pk, ben.pk])
    files = csv_files(pack_row)
    assert files["headlines.csv"] == (
        "figure,this_period,previous_period,change\r\n"
        "Episodes,3,1,2\r\n"
        "Children,2,1,1\r\n"
        "Children with 2 or more episodes,1,0,1\r\n"
        "Missing,3,1,2\r\n"
        "Absent,0,0,0\r\n"
        "Away from placement without authorisation,0,0,0\r\n"
    )
    assert files["return_interviews.csv"] == (
        "figure,this_period,previous_period,change\r\n"
        "Return interviews offered,3,0,3\r\n"
        "Completed,1,0,1\r\n"
        "Declined,1,0,1\r\n"
        "Completed within 72 hours of return,1,0,1\r\n"
    )
    assert files["high_risk_children.csv"] == (
        "child_id,name,episodes,first_last_seen,latest_last_seen\r\n"
        f"{amy.pk},Amy Ashworth,1,02/11/2026 22:30,02/11/2026 22:30\r\n"
        f"{ben.pk},'=Ben Jones,1,14/11/2026 01:15,14/11/2026 01:15\r\n"
    )
    assert files["repeat_children.csv"] == (
        "child_id,name,episodes,first_last_seen,latest_last_seen\r\n"
        f"{amy.pk},Amy Ashworth,2,02/11/2026 22:30,10/11/2026 09:00\r\n"
    )
    assert files["interview_clocks_breached.csv"] == (
        "child_id,name,returned_at,due_at,status,outcome_at\r\n"
        f"{amy.pk},Amy Ashworth,03/11/2026 02:00,06/11/2026 02:00,Waiting to be allocated,\r\n"
        f"{amy.pk},Amy Ashworth,10/11/2026 15:00,13/11/2026 15:00,Declined,14/11/2026 12:00\r\n"
    )
    assert files["pack_counts.csv"] == (
        "figure,count\r\n"
        "Children graded high risk,2\r\n"
        "Episodes graded high risk,2\r\n"
        "Children with 2 or more episodes,1\r\n"
        "Return interview clocks breached,2\r\n"
        "Escalations fired,2\r\n"
    )
    escalations = files["escalations.csv"].splitlines()
    assert escalations[0] == "rule,trigger,escalations,children"
    assert "missing_24_hours,Missing more than 24 hours,1,1" in escalations
    assert "two_or_more_episodes,2 or more episodes,1,1" in escalations
    assert "missing_72_hours,Missing 72 hours or more,0,0" in escalations
    assert files["duration.csv"].splitlines()[:3] == [
        "value,episodes,children",
        "Under 6 hours,1,1",
        "6 to 24 hours,2,2",
    ]
    assert "Dan" not in "".join(files.values())

    text = pdf_text(pack_row)
    assert "Governance pack: Manchester, November 2026" in text
    assert "Amy Ashworth" in text and "=Ben Jones" in text
    assert "Return interview clocks breached 2" in text
    assert "2 or more episodes 1 1" in text
    assert "Dan Stock" not in text


def test_an_analysts_pack_has_the_same_figures_small_ones_withheld_and_no_names(world, history):
    managers = csv_files(made(world.manager_a, world.la_a))

    pack_row = made(world.analyst_a, world.la_a)

    assert (pack_row.state, pack_row.with_names, pack_row.named_children) == ("done", False, [])
    files = csv_files(pack_row)
    assert set(files) == set(managers) - {
        "high_risk_children.csv",
        "repeat_children.csv",
        "interview_clocks_breached.csv",
    }
    withheld = 0
    for name, text in files.items():
        for mine, theirs in zip(managers[name].splitlines(), text.splitlines(), strict=True):
            for cell, their_cell in zip(mine.split(","), theirs.split(","), strict=True):
                assert their_cell in (cell, "Suppressed"), name
                withheld += their_cell != cell
    assert withheld > 0
    everything = "".join(files.values()) + pdf_text(pack_row)
    for child in history.values():
        assert child.family_name not in everything
    assert "The children are not named in this pack" in everything
    assert "counts from 1 to 5 are shown as" in " ".join(pdf_text(pack_row).split())


def test_a_month_with_nothing_gives_a_pack_of_zeros(world):
    pack_row = made(world.manager_a, world.la_a)

    files = csv_files(pack_row)
    assert files["high_risk_children.csv"] == "child_id,name,episodes,first_last_seen,latest_last_seen\r\n"
    assert "Episodes,0,0,0" in files["headlines.csv"]
    assert "None in the month." in pdf_text(pack_row)


# -- Who may ask and download ------------------------------------------------------------------


def test_a_manager_asks_from_the_dashboard_and_the_job_is_queued_through_the_outbox(client, world):
    client.force_login(world.manager_a)
    page = client.get(reverse("reporting:dashboard")).content.decode()
    assert "Generate the monthly governance pack" in page

    response = client.post(reverse("reporting:pack_new"), {"pack_month": "2026-11-01", "pack_authority": world.la_a.pk})

    pack_row = GovernancePack.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reporting:pack_detail", args=[pack_row.pk])
    assert (pack_row.requested_by, pack_row.local_authority, pack_row.month) == (world.manager_a, world.la_a, NOVEMBER)
    assert pack_row.state == "queued"
    message = OutboxMessage.objects.get(task_name="reporting.tasks.generate_governance_pack")
    assert message.args == [pack_row.pk]
    page = client.get(reverse("reporting:pack_detail", args=[pack_row.pk])).content.decode()
    assert 'aria-live="polite"' in page and "Refresh" in page


def test_another_authoritys_coordinator_cannot_ask_and_nothing_is_written(client, world):
    client.force_login(world.coordinator_b)

    response = client.post(reverse("reporting:pack_new"), {"pack_month": "2026-11-01", "pack_authority": world.la_a.pk})

    assert response.status_code == 200
    assert "Authority for the pack must be one of the authorities in the list" in response.content.decode()
    assert not GovernancePack.objects.exists()
    with pytest.raises(pack_services.PermissionDenied):
        pack_services.governance_pack_request(user=world.coordinator_b, local_authority=world.la_a, month=NOVEMBER)
    assert not GovernancePack.objects.exists()


@pytest.mark.parametrize("persona", ["social_worker_a", "police_f1", "rhi_worker", "iro_a", "admin"])
def test_roles_without_the_dashboard_get_404_for_the_pack_form(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("reporting:pack_new")).status_code == 404
    response = client.post(reverse("reporting:pack_new"), {"pack_month": "2026-11-01", "pack_authority": world.la_a.pk})
    assert response.status_code == 404
    assert not GovernancePack.objects.exists()


def test_downloading_the_pack_writes_the_access_log_for_each_child_named(client, world, history):
    pack_row = made(world.manager_a, world.la_a)
    client.force_login(world.manager_a)

    response = client.get(reverse("reporting:pack_download", args=[pack_row.pk, "pdf"]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="Governance_pack_2026-11_E08000003.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    logged = AccessLogEntry.objects.filter(user=world.manager_a, kind=AccessKind.EXPORT)
    assert set(logged.values_list("child_id", flat=True)) == {None, history["amy"].pk, history["ben"].pk}
    response = client.get(reverse("reporting:pack_download", args=[pack_row.pk, "csv"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"


@pytest.mark.parametrize("persona", ["coordinator_b", "analyst_a", "social_worker_a", "police_f1"])
def test_anyone_who_does_not_read_its_names_gets_404_for_the_pack_and_its_files(client, world, history, persona):
    pack_row = made(world.manager_a, world.la_a)
    client.force_login(getattr(world, persona))
    for route, args in [
        ("reporting:pack_detail", [pack_row.pk]),
        ("reporting:pack_status", [pack_row.pk]),
        ("reporting:pack_download", [pack_row.pk, "pdf"]),
        ("reporting:pack_download", [pack_row.pk, "csv"]),
    ]:
        assert client.get(reverse(route, args=args)).status_code == 404, route
    assert not AccessLogEntry.objects.filter(kind=AccessKind.EXPORT).exists()


def test_a_colleague_who_reads_the_dashboard_opens_and_downloads_the_pack_and_is_logged(client, world, history):
    pack_row = made(world.manager_a, world.la_a)
    client.force_login(world.coordinator_a)

    listed = client.get(reverse("reporting:dashboard")).content.decode()
    page = client.get(reverse("reporting:pack_detail", args=[pack_row.pk]))
    response = client.get(reverse("reporting:pack_download", args=[pack_row.pk, "pdf"]))

    assert reverse("reporting:pack_detail", args=[pack_row.pk]) in listed
    assert world.manager_a.full_name in listed
    assert page.status_code == 200 and response.status_code == 200
    logged = AccessLogEntry.objects.filter(user=world.coordinator_a, kind=AccessKind.EXPORT)
    assert set(logged.values_list("child_id", flat=True)) == {None, history["amy"].pk, history["ben"].pk}


def test_a_pack_without_names_is_for_every_reader_of_the_dashboard(client, world, history):
    pack_row = made(world.analyst_a, world.la_a)
    client.force_login(world.manager_a)

    assert client.get(reverse("reporting:pack_download", args=[pack_row.pk, "csv"])).status_code == 200


def test_a_pack_naming_a_restricted_child_is_only_for_those_who_may_see_that_child(client, world, history):
    from privacy import services as privacy_services

    pack_row = made(world.manager_a, world.la_a)
    privacy_services.child_restrict(
        child=history["amy"], by=world.manager_a, reason="Adoption placement: the address must not be known."
    )

    client.force_login(world.coordinator_a)
    assert client.get(reverse("reporting:pack_download", args=[pack_row.pk, "pdf"])).status_code == 404
    assert (
        reverse("reporting:pack_detail", args=[pack_row.pk])
        not in client.get(reverse("reporting:dashboard")).content.decode()
    )
    client.force_login(world.manager_a)
    assert client.get(reverse("reporting:pack_download", args=[pack_row.pk, "pdf"])).status_code == 200


def test_a_pack_not_ready_yet_has_no_files(client, world):
    pack_row = pack_services.governance_pack_request(user=world.manager_a, local_authority=world.la_a, month=NOVEMBER)
    client.force_login(world.manager_a)
    assert client.get(reverse("reporting:pack_download", args=[pack_row.pk, "pdf"])).status_code == 404
    status = client.get(reverse("reporting:pack_status", args=[pack_row.pk])).json()
    assert status == {"state": "queued", "state_label": "Waiting to start", "percent": 0, "step": "", "finished": False}


# -- The job and its log -----------------------------------------------------------------------


def test_the_celery_task_generates_the_pack(world, history):
    pack_row = pack_services.governance_pack_request(user=world.manager_a, local_authority=world.la_a, month=NOVEMBER)

    tasks.generate_governance_pack(pack_row.pk)

    pack_row.refresh_from_db()
    assert pack_row.state == "done" and pack_row.pdf and pack_row.csv_zip


def test_a_pack_generated_twice_is_not_made_again(world, history):
    pack_row = made(world.manager_a, world.la_a)
    pdf_name = pack_row.pdf.name

    again = pack_services.governance_pack_generate(pack_id=pack_row.pk)

    assert (again.state, again.pdf.name) == ("done", pdf_name)


def test_progress_is_saved_as_each_part_is_done(world, history, monkeypatch):
    seen = []
    real = pack.pack_pdf

    def pdf_watching(contents):
        seen.append(GovernancePack.objects.values_list("state", "progress", "step").get())
        return real(contents)

    monkeypatch.setattr(pack_services, "pack_pdf", pdf_watching)
    made(world.manager_a, world.la_a)

    assert seen == [("running", 70, "Writing the PDF")]


def test_an_error_marks_the_pack_failed_and_logs_it(client, world, history, monkeypatch, caplog):
    def broken(contents):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(pack_services, "pack_pdf", broken)
    pack_row = made(world.manager_a, world.la_a)

    assert (pack_row.state, bool(pack_row.pdf)) == ("failed", False)
    assert "Governance pack" in caplog.text and "failed" in caplog.text
    client.force_login(world.manager_a)
    assert "could not be made" in client.get(reverse("reporting:pack_detail", args=[pack_row.pk])).content.decode()


def test_every_generation_is_logged_with_who_asked_for_what(world, history):
    made(world.manager_a, world.la_a)
    made(world.analyst_a, world.la_a)
    made(world.coordinator_b, world.la_b)

    rows = GovernancePack.objects.order_by("pk")
    assert [(p.requested_by, p.local_authority, p.month, p.state) for p in rows] == [
        (world.manager_a, world.la_a, NOVEMBER, "done"),
        (world.analyst_a, world.la_a, NOVEMBER, "done"),
        (world.coordinator_b, world.la_b, NOVEMBER, "done"),
    ]
    reasons = list(
        GovernancePack.history.filter(id=rows[0].pk)
        .order_by("history_date")
        .values_list("history_change_reason", "history_user")
    )
    assert reasons == [
        ("Governance pack asked for", world.manager_a.pk),
        ("Governance pack generated", world.manager_a.pk),
    ]
