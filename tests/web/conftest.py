"""The site-wide pages: the casework cast and make_ticket of tests/cases/conftest.py, shared."""

from tests.cases.conftest import (  # noqa: F401  the casework cast and make_ticket, shared
    category,
    enforceable_category,
    fast_password_hashing,
    handler_municipal,
    make_ticket,
    media,
    officer_gulou_colleague,
    supervisor_quanshan,
)
