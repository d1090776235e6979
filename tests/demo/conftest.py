"""The demo city: the casework fixtures of tests/cases/conftest.py, shared (the seeded city
itself is tests/conftest.py's demo_city)."""

from tests.cases.conftest import (  # noqa: F401  the casework cast and make_ticket, shared
    category,
    enforceable_category,
    handler_municipal,
    make_ticket,
    media,
    officer_gulou_colleague,
    supervisor_quanshan,
)
