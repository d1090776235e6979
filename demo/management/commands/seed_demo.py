"""Seed the demo data and print the logins.

Seeding runs as a list of steps (``STEPS``); each is a callable taking ``stdout`` and returning a
dict with any of ``counts`` (totals now in the database), ``created`` (rows this run added) and
``logins`` (``DemoLogin`` rows). Later data (cases, patrols, assessments) is added by appending a
step after the city. Every step must be deterministic and idempotent, like ``seed_city``.
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse

from demo.assessments import seed_assessments
from demo.cases import seed_tickets
from demo.cases.reminders import seed_reminders
from demo.cases.residents import seed_resident_side
from demo.grids import DEMO_PASSWORD, DemoLogin, seed_city
from demo.hotline import seed_hotline
from demo.open311 import seed_integrations
from demo.patrols import seed_patrols
from demo.privacy import seed_privacy
from demo.shops import seed_shops
from demo.surveys import seed_surveys

SeedStep = Callable[..., dict[str, Any]]
STEPS: list[tuple[str, SeedStep]] = [
    ("city", seed_city),
    ("tickets", seed_tickets),
    ("residents", seed_resident_side),
    ("integrations", seed_integrations),
    ("hotline", seed_hotline),
    ("patrols", seed_patrols),
    ("shops", seed_shops),
    ("privacy", seed_privacy),
    ("reminders", seed_reminders),
    ("surveys", seed_surveys),
    ("assessments", seed_assessments),
]

BOARD_EXAMPLE = "320311010001"  # 泰山社区
ROLE_HOMES = {
    "admin": "admin:index",
    "assessor": "web:assessor_home",
    "supervisor": "web:supervisor_home",
    "handler": "web:handler_home",
    "officer": "web:officer_home",
}
COUNT_LABELS = [
    ("districts", "districts"),
    ("streets", "streets"),
    ("communities", "communities"),
    ("grid_cells", "unit grids"),
    ("brigades", "brigades"),
    ("officers", "officers"),
    ("current_assignments", "current assignments"),
    ("ended_assignments", "ended (history)"),
    ("users", "users"),
    ("tickets", "tickets"),
    ("ticket_events", "ticket events"),
]


def _url(name: str, *args: str, fallback: str) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


class Command(BaseCommand):
    help = (
        "Create the demo city (Xuzhou: 3 districts, 254 communities, 10 brigades, 212 officers) "
        "and its demo users. Safe to run again: only what is missing is created."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        counts: dict[str, int] = {}
        created: dict[str, int] = {}
        logins: list[DemoLogin] = []
        started = time.monotonic()
        for label, step in STEPS:
            if verbosity > 1:
                self.stdout.write(f"Seeding {label}…")
            result = step(stdout=self.stdout if verbosity > 1 else None)
            counts.update(result.get("counts", {}))
            for key, n in result.get("created", {}).items():
                created[key] = created.get(key, 0) + n
            logins += result.get("logins", [])
        elapsed = time.monotonic() - started
        if verbosity > 0:
            self._report(counts, created, logins, elapsed)

    def _report(
        self,
        counts: dict[str, int],
        created: dict[str, int],
        logins: list[DemoLogin],
        elapsed: float,
    ) -> None:
        out = self.stdout.write
        totals = ", ".join(f"{counts[k]:,} {label}" for k, label in COUNT_LABELS if k in counts)
        out(self.style.SUCCESS(f"Demo data ready in {elapsed:.1f} s: {totals}."))
        made = ", ".join(f"{n:,} {key.replace('_', ' ')}" for key, n in created.items() if n)
        out(f"Created this run: {made}." if made else "Nothing new: the demo data was all there.")

        out("")
        out(self.style.MIGRATE_HEADING(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        shown = [login for login in logins if login.role != "officer"]
        officers = [login for login in logins if login.role == "officer"]
        seen_brigades: set[str] = set()
        for login in officers:
            brigade = login.username.split("_")[1]
            if brigade not in seen_brigades:
                seen_brigades.add(brigade)
                shown.append(login)
        width = max((len(login.username) for login in shown), default=8)
        for login in shown:
            out(
                f"  {login.role:<10}  {login.username:<{width}}  "
                f"{login.display_name}  {login.description}"
            )
        hidden = len(officers) - len(seen_brigades)
        if hidden > 0:
            out(f"  … and {hidden} more officers: off_<brigade>_NN (e.g. {officers[-1].username})")

        out("")
        try:
            login_url = resolve_url(settings.LOGIN_URL)
        except NoReverseMatch:
            login_url = "/login/"
        out(f"Sign in at {login_url}; each role then lands on its home page:")
        homes = {role: _url(name, fallback="/") for role, name in ROLE_HOMES.items()}
        out("  " + ", ".join(f"{role} {url}" for role, url in homes.items()))
        board = _url(
            "grids:community_board", BOARD_EXAMPLE, fallback=f"/communities/{BOARD_EXAMPLE}/"
        )
        out(f"Public notice board (no login), e.g. 泰山社区: {board}")
