"""Small-number suppression for analysts (reporting/suppression.py): counts from 1 to 5 are
withheld, with one more where a single withheld count could be worked out from its table."""

import pytest

from reporting import suppression


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        ([10, 8, 0], [10, 8, 0]),  # nothing small: all shown, zero included
        ([10, 3, 7], [10, None, None]),  # one small: the next smallest goes with it
        ([10, 3, 2, 9], [10, None, None, 9]),  # two small: neither gives the other away
        ([3, 0, 0], [None, 0, 0]),  # nothing else to withhold
        ([6, 5], [None, None]),
        ([1, 2, 3, 4, 5], [None] * 5),
    ],
)
def test_small_counts_and_the_one_that_would_give_them_away_are_withheld(counts, shown):
    assert suppression.suppress_cells(counts) == shown


def test_a_count_on_its_own_is_withheld_from_1_to_5():
    assert [suppression.suppress_count(n) for n in (0, 1, 5, 6, 40)] == [0, None, None, 6, 40]


def test_a_withheld_count_is_shown_as_a_word():
    assert (suppression.cell(None), suppression.cell(0), suppression.cell(12)) == ("Suppressed", 0, 12)
