"""What every download for a spreadsheet shares (the assessment's tables, the queue's export):
the attachment header with a Chinese file name, and cells a spreadsheet reads as data, never as
a formula to run (CSV injection) nor as characters it cannot hold."""

from typing import Any
from urllib.parse import quote

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
# Excel reads a CSV file as the local code page (GB18030 in China) unless it starts with this.
BOM = "\ufeff"
# A spreadsheet opening a CSV evaluates a cell that starts with one of these (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def attachment(filename: str) -> str:
    """A Content-Disposition for ``filename`` (RFC 6266/5987): an ASCII fallback for old
    clients, the Chinese name for the others."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: "" for None, text that would start a formula quoted with '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def xlsx_row(sheet: WriteOnlyWorksheet, values: list[Any]) -> list[Any]:
    """``values`` as a write-only sheet's row: text that openpyxl would store as a formula (it
    starts with "=") is kept as text, and characters a workbook cannot hold (C0 controls in
    rows stored before they were refused) are dropped."""
    row: list[Any] = []
    for value in values:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                row.append(cell)
                continue
        row.append(value)
    return row
