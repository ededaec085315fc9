"""A record's address as Django's `reverse` writes it, from the first row of a list to the last,
in a request and outside one, and under the prefix of a proxy that serves Homeward at a path."""

import pytest
from django.urls import reverse, set_script_prefix

from missing.links import record_url
from missing.requestmemo import RequestMemoMiddleware

NAMES = ("episodes:detail", "children:detail", "interviews:detail", "risk:escalation_detail", "risk:meeting_detail")


def in_a_request(work):
    """`work()` as a view would run it, with the request's memo."""
    answers = []
    RequestMemoMiddleware(lambda request: answers.append(work()))(object())
    return answers[0]


@pytest.mark.parametrize("prefix", ["/", "/homeward/"])
def test_every_row_links_to_its_own_record(prefix):
    set_script_prefix(prefix)
    try:
        ids = (1, 42, 7314159265358979, 9)

        def links():
            return [record_url(name, pk) for name in NAMES for pk in ids]

        expected = [reverse(name, args=[pk]) for name in NAMES for pk in ids]
        assert in_a_request(links) == expected
        assert links() == expected
        assert expected[1].startswith(prefix) and expected[1].endswith("/42/")
    finally:
        set_script_prefix("/")
