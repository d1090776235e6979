"""The Chinese catalog is complete and the committed .mo matches the .po."""

import ast
import gettext
import re
from pathlib import Path

CATALOG = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def po_entries() -> list[dict]:
    """Entries of django.po: msgid, plural, msgstr(s), flags. Enough of the format for a check."""
    entries, current, key = [], None, None
    for raw in (CATALOG / "django.po").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            key = None
            continue
        if line.startswith("#,"):
            current = {"flags": line[2:].split(","), "parts": {}}
            entries.append(current)
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', line)
        if match:
            key = match.group(1)
            if key in ("msgctxt", "msgid") and (current is None or "msgid" in current["parts"]):
                current = {"flags": [], "parts": {}}
                entries.append(current)
            current["parts"][key] = [match.group(2)]
        elif line.startswith('"') and key:
            current["parts"][key].append(line)
    return [
        {"flags": [f.strip() for f in e["flags"]]} | {k: _unquote(v) for k, v in e["parts"].items()}
        for e in entries
        if e["parts"].get("msgid") is not None
    ]


def test_every_string_has_a_chinese_translation():
    untranslated = [
        e["msgid"]
        for e in po_entries()
        if e["msgid"] and (not (e.get("msgstr") or e.get("msgstr[0]")) or "fuzzy" in e["flags"])
    ]
    assert untranslated == []


def test_the_compiled_catalog_matches_the_source():
    with (CATALOG / "django.mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for entry in po_entries():
        if not entry["msgid"]:
            continue
        if "msgctxt" in entry:
            assert compiled.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"]
        elif "msgid_plural" in entry:
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr[0]"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]
