"""Badge numbers are URL segments (contact cards, assessment pages): a slash, a space or a
control character is refused when an admin enters one, instead of breaking those pages."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("badge", ["GL1/001", "GL1 001", "GL1\x00", "GL1\t1"])
def test_a_badge_number_that_cannot_be_a_url_segment_is_refused(badge):
    officer = OfficerFactory.build(badge_number=badge)
    with pytest.raises(ValidationError) as refused:
        officer.full_clean(exclude=["user", "brigade"])
    assert "badge_number" in refused.value.message_dict


@pytest.mark.parametrize("badge", ["GL1-001", "YL3-009", "徐城管0012"])
def test_ordinary_badge_numbers_are_accepted(badge):
    OfficerFactory.build(badge_number=badge).full_clean(exclude=["user", "brigade"])
