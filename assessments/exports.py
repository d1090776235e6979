"""The month's tables as the bureau files them: an .xlsx workbook (openpyxl, a sheet per subject
kind) and a CSV per kind (UTF-8 with a BOM, so Excel reads the Chinese). Headers go through
gettext in the active language; both use the same columns (``columns``)."""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from assessments import presenting
from assessments.models import Run, Score, SubjectKind
from assessments.scheme import INDICATORS
from citymgmt.spreadsheets import BOM, XLSX, attachment, csv_cell

RATE_FORMAT = "0.0%"
SCORE_FORMAT = "0.00"
COUNT_FORMAT = "0"


def columns(run: Run, kind: str) -> list[tuple[str, str, int]]:
    """(header, number format or "", width) of each column of a kind's table."""
    cols = [
        (pgettext("assessment", "Rank"), COUNT_FORMAT, 6),
        (pgettext("assessment", "Name"), "", 24),
    ]
    if kind == SubjectKind.OFFICER:
        cols += [(_("Badge number"), "", 12), (_("Brigade"), "", 22)]
    cols += [
        (pgettext("assessment", "Composite"), SCORE_FORMAT, 10),
        (pgettext("assessment", "Grade"), "", 6),
        (pgettext("assessment", "Change"), SCORE_FORMAT, 8),
    ]
    for code in presenting.indicator_codes(run, kind):
        label = str(INDICATORS[code].label)
        cols += [
            (label, RATE_FORMAT, max(12, len(label) * 2 + 2)),
            (_("%(indicator)s: numerator") % {"indicator": label}, COUNT_FORMAT, 10),
            (_("%(indicator)s: denominator") % {"indicator": label}, COUNT_FORMAT, 10),
            (_("%(indicator)s: points") % {"indicator": label}, SCORE_FORMAT, 10),
        ]
    return cols


def _number(value: Any) -> float | int | None:
    if isinstance(value, Decimal):
        return float(value)
    return value


def rows(run: Run, kind: str, scores: QuerySet[Score]) -> Iterable[list[Any]]:
    codes = presenting.indicator_codes(run, kind)
    scores = scores.select_related("officer", "brigade")
    for score in scores:
        row: list[Any] = [score.rank, score.name]
        if kind == SubjectKind.OFFICER:
            badge = score.officer.badge_number if score.officer_id else ""
            row += [badge, score.brigade.name if score.brigade_id else ""]
        row += [_number(score.composite), score.grade, _number(score.change)]
        for code in codes:
            entry = score.indicators.get(code) or {}
            row += [entry.get("rate"), entry.get("num"), entry.get("den"), entry.get("points")]
        yield row


def command_centre_sheet(book: Workbook, run: Run) -> None:
    """The command centre's city-wide desk-step rates (按时立案率, 按时派遣率, 按时核查率) as a
    sheet of its own: a table of indicators, not of subjects."""
    steps = presenting.totals_view(run.totals or {})["steps"]
    if not steps:
        return
    sheet = book.create_sheet(pgettext("assessment", "Command centre"))
    sheet.append(
        [
            pgettext("assessment", "Indicator"),
            pgettext("assessment", "Rate"),
            pgettext("assessment", "Numerator"),
            pgettext("assessment", "Denominator"),
        ]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for step in steps:
        rate = step["in_time"] / step["due"] if step["due"] else None
        sheet.append([str(step["label"]), rate, step["in_time"], step["due"]])
        sheet.cell(row=sheet.max_row, column=2).number_format = RATE_FORMAT
    sheet.column_dimensions["A"].width = 24
    sheet.freeze_panes = "A2"


def workbook(
    run: Run, sheets: dict[str, QuerySet[Score]], *, command_centre: bool = False
) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    for kind, scores in sheets.items():
        sheet = book.create_sheet(str(presenting.KIND_PLURALS[kind]))
        cols = columns(run, kind)
        sheet.append([header for header, _format, _width in cols])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in rows(run, kind, scores):
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                # openpyxl stores a string starting with "=" as a formula: names are typed by
                # people (the admin), so they are kept as text, never evaluated.
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        for index, (_header, number_format, width) in enumerate(cols, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = width
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
        sheet.freeze_panes = "A2"
    if command_centre:
        command_centre_sheet(book, run)
    return book


def xlsx_response(
    run: Run,
    sheets: dict[str, QuerySet[Score]],
    *,
    filename: str,
    command_centre: bool = False,
) -> HttpResponse:
    buffer = io.BytesIO()
    workbook(run, sheets, command_centre=command_centre).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = attachment(filename)
    return response


def csv_response(run: Run, kind: str, scores: QuerySet[Score], *, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment(filename)
    response.write(BOM)  # Excel otherwise reads UTF-8 as the local code page
    writer = csv.writer(response)
    writer.writerow([header for header, _format, _width in columns(run, kind)])
    for row in rows(run, kind, scores):
        writer.writerow([csv_cell(value) for value in row])
    return response
