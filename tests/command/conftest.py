"""The casework cast of tests/cases (make_ticket and the people who work tickets), shared."""

from tests.cases.conftest import (  # noqa: F401 the casework cast and make_ticket, shared
    category,
    enforceable_category,
    fast_password_hashing,
    make_ticket,
    media,
    supervisor_quanshan,
)
