"""Distance found from where missing from: the postcode districts, their loader, and the
dashboard's distance bands (reporting/geography.py)."""

import pytest
from django.core.management import call_command

from reporting import geography
from reporting.models import PostcodeDistrict
from tests.factories import make_child
from tests.reporting.test_dashboard import HOURS, at, board_for, clock, episode, records, rows  # noqa: F401

pytestmark = pytest.mark.django_db


def district(code) -> PostcodeDistrict:
    return PostcodeDistrict.objects.get(outward_code=code)


@pytest.mark.parametrize(
    ("there", "low", "high"),
    # Straight-line distances from Manchester city centre, as any map gives them.
    [("M1", 0, 0), ("SK1", 5, 7), ("WN1", 16, 19), ("LS1", 34, 38), ("B2", 66, 72), ("NW1", 158, 168)],
)
def test_the_bundled_districts_give_the_distances_a_map_gives(there, low, high):
    assert low <= geography.miles_between(district("M1"), district(there)) <= high


def test_the_dashboard_puts_each_episode_in_its_distance_band(world):
    child = make_child(responsible=world.la_a)
    other = make_child(responsible=world.la_a)
    found = [
        "M1 2AB",  # under 5 miles: the same district
        "SK1 1QP",  # 5 to 10
        "WN1 1PX",  # 10 to 20
        "LS1 4AP",  # 20 to 40
        "B2 4QA",  # 40 to 80
        "NW1 2RT",  # 80 or more
        "ZE1 0AA",  # not known: Lerwick is not in the bundled list
        "",  # not known: not recorded
    ]
    for day, postcode in enumerate(found, start=1):
        episode(child, at(11, day), at(11, day, 18), missing_from_postcode="M1 1AE", found_postcode=postcode)
    episode(other, at(11, 20), missing_from_postcode="M1 1AE")  # still missing
    episode(other, at(11, 21), at(11, 22), found_postcode="M1 1AE")  # where from not recorded

    assert rows(board_for(world.manager_a), "distance") == [
        ("under-5", 1, 1),
        ("5-10", 1, 1),
        ("10-20", 1, 1),
        ("20-40", 1, 1),
        ("40-80", 1, 1),
        ("80-plus", 1, 1),
        ("none", 3, 2),
        ("still-missing", 1, 1),
    ]


def test_the_records_behind_a_distance_band_are_its_episodes(client, world):
    child = make_child(responsible=world.la_a)
    near = episode(child, at(11, 3), at(11, 3, 18), missing_from_postcode="M1 1AE", found_postcode="M14 4SQ")
    far = episode(child, at(11, 4), at(11, 5), missing_from_postcode="M1 1AE", found_postcode="NW1 2RT")

    text = records(
        client, world.manager_a, measure="distance", value="80-plus", period_from="2026-11-01", period_to="2026-11-30"
    ).content.decode()

    assert far.get_absolute_url() + '"' in text
    assert near.get_absolute_url() + '"' not in text


def test_the_page_shows_the_distance_table(client, world):
    child = make_child(responsible=world.la_a)
    episode(child, at(11, 3), at(11, 3, 18), missing_from_postcode="M1 1AE", found_postcode="WN1 1PX")
    client.force_login(world.manager_a)

    text = client.get("/reporting/dashboard/", {"period_from": "2026-11-01", "period_to": "2026-11-30"}).content
    text = text.decode()

    assert "Distance found from where missing from" in text
    assert "10 to 20 miles" in text


# -- Loading a fuller list ---------------------------------------------------------------------


def load(tmp_path, text, capsys):
    path = tmp_path / "districts.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit) as refused:
        call_command("load_postcode_districts", str(path))
    return refused.value.code, capsys.readouterr()


def test_a_file_of_districts_creates_new_ones_and_corrects_old_ones(tmp_path, capsys):
    path = tmp_path / "districts.csv"
    path.write_text("outward_code,latitude,longitude,name\nze1,60.153,-1.149,Lerwick\nM1,53.4785,-2.2356,\n")

    call_command("load_postcode_districts", str(path))

    assert capsys.readouterr().out.strip() == "created 1, updated 1 postcode districts"
    assert (district("ZE1").latitude, district("M1").longitude) == (60.153, -2.2356)


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        (
            "outward_code,latitude,longitude\nZE1,60.1,-1.1\nM1 1AE,53.4,-2.2\nAB10,forty,-2.1\nE1,40.0,-0.05\n",
            [
                "line 3: outward_code: not a postcode district: 'M1 1AE'",
                "line 4: latitude: not a number: 'forty'",
                "line 5: latitude: 40.0 is outside the United Kingdom (49.0 to 61.0)",
            ],
        ),
        (
            "outward_code,latitude,longitude\nE1,51.5,-0.05\nE1,51.5,-0.06\n",
            ["line 3: outward_code: E1 is given twice"],
        ),
        ("postcode,lat,long\nE1,51.5,-0.05\n", ["missing: outward_code, latitude, longitude"]),
        ("outward_code,latitude,longitude\n", ["the file holds no postcode districts"]),
    ],
)
def test_a_file_with_any_bad_row_loads_nothing_and_names_each_fault(tmp_path, capsys, text, messages):
    before = list(PostcodeDistrict.objects.values_list("outward_code", "latitude", "longitude"))

    status, printed = load(tmp_path, text, capsys)

    assert status == 2
    assert "Nothing was loaded" in printed.err
    for message in messages:
        assert message in printed.err
    assert list(PostcodeDistrict.objects.values_list("outward_code", "latitude", "longitude")) == before


def test_with_no_file_the_bundled_list_is_loaded_again(capsys):
    PostcodeDistrict.objects.filter(outward_code="M1").update(latitude=50.0)

    call_command("load_postcode_districts")

    assert district("M1").latitude == pytest.approx(53.478484)
    assert "updated 119 postcode districts" in capsys.readouterr().out


def test_the_bundled_file_has_greater_manchesters_districts():
    codes = set(PostcodeDistrict.objects.values_list("outward_code", flat=True))
    assert {"M1", "M14", "SK1", "WN1", "OL1", "BL1", "WA14"} <= codes
    assert all(49 < lat < 61 for lat in PostcodeDistrict.objects.values_list("latitude", flat=True))
