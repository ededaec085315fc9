"""The product's way of writing a moment and a tag, as pages show them."""

import datetime

import pytest
from django.template import Context, Template
from django.template.defaultfilters import date

from missing.moments import uk_datetime

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime.datetime(2026, 12, 7, 9, 5, tzinfo=UTC), "7 Dec 2026 09:05"),  # GMT: as in UTC
        (datetime.datetime(2026, 7, 1, 23, 30, tzinfo=UTC), "2 Jul 2026 00:30"),  # BST: the next day in the UK
        (
            datetime.datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
            "29 Mar 2026 00:59",
        ),  # a minute before the clocks go forward
        (datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29 Mar 2026 02:00"),
        (datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "25 Oct 2026 01:30"),  # the hour that comes twice
        (datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25 Oct 2026 01:30"),
    ],
)
def test_a_moment_is_written_in_uk_time_as_the_date_filter_writes_it(moment, shown):
    in_a_page = Template('{{ moment|date:"j M Y H:i" }}|{% load govuk %}{{ moment|uk_datetime }}')
    assert in_a_page.render(Context({"moment": moment})) == f"{shown}|{shown}"
    assert uk_datetime(moment) == shown


def test_an_empty_value_writes_nothing_and_a_day_without_a_time_is_written_as_before():
    assert uk_datetime(None) == "" == uk_datetime("")
    naive = datetime.datetime(2026, 12, 7, 9, 5)
    assert uk_datetime(naive) == date(naive, "j M Y H:i") == "7 Dec 2026 09:05"


def test_a_tag_escapes_its_words_and_takes_a_colour_or_none():
    drawn = Template('{% load govuk %}{% govuk_tag words "red" %}|{% govuk_tag "Closed" %}').render(
        Context({"words": "<b>Overdue</b>"})
    )
    red, plain = drawn.split("|")
    assert red == '<strong class="govuk-tag govuk-tag--red">&lt;b&gt;Overdue&lt;/b&gt;</strong>'
    assert plain == '<strong class="govuk-tag">Closed</strong>'
