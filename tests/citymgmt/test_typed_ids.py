"""Ids typed or posted by anyone: only ASCII digits within a bigint are an id (``str.isdigit``
also accepts "²", which ``int()`` refuses, and ``int()`` accepts digits of other scripts)."""

import pytest

from citymgmt.text import as_id, ascii_digits


@pytest.mark.parametrize(
    "value", ["²", "١٢", "٣", "1²", "", " 1", "1 ", "-1", "+1", "1e3", None, 7]
)
def test_anything_but_ascii_digits_is_not_an_id(value):
    assert as_id(value) is None
    assert not ascii_digits(value)


def test_ascii_digits_within_a_bigint_are_an_id():
    assert as_id("0042") == 42
    assert as_id("9" * 18) == int("9" * 18)
    assert as_id("9" * 19) is None
    assert ascii_digits("9" * 19)
