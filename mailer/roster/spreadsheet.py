"""Read a spreadsheet (CSV or .xlsx) as a header and numbered rows of text.

Row numbers are the spreadsheet's: the header is row 1, so the first family is row 2.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from common.errors import NewsletterError
from common.problems import Problem
from common.yaml_source import display_path


@dataclass
class Table:
    path: Path
    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells), blank rows left out


def read_table(path: Path, sheet: str | None = None) -> Table:
    """Read `path` (.csv, .txt, .tsv or .xlsx); NewsletterError for a missing or unreadable file."""
    shown = display_path(path)
    if not path.is_file():
        raise NewsletterError([Problem(shown, "", "file not found", "check the path and the file name")])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        numbered = list(_xlsx_rows(path, sheet, shown))
    elif suffix in (".csv", ".txt", ".tsv", ""):
        numbered = list(enumerate(_csv_rows(path, shown), start=1))
    else:
        raise NewsletterError([Problem(shown, "", f"cannot read {suffix} files",
                                 "save the spreadsheet as .xlsx or .csv (UTF-8) and import that")])
    numbered = [(n, [c.strip() for c in cells]) for n, cells in numbered]
    numbered = [(n, cells) for n, cells in numbered if any(cells)]
    if not numbered:
        raise NewsletterError([Problem(shown, "", "the file is empty", "export the roster again, with its header row")])
    (header_row, headers), rows = numbered[0], numbered[1:]
    return Table(path, headers, header_row, rows)


def _csv_rows(path: Path, shown: str) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel on Windows saves "CSV" this way
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as e:
        raise NewsletterError([Problem(shown, "", f"not a readable CSV file: {e}", "save it again as CSV (UTF-8)")]) from None


def _xlsx_rows(path: Path, sheet: str | None, shown: str) -> Iterator[tuple[int, list[str]]]:
    import openpyxl  # only needed for .xlsx
    from openpyxl.utils.exceptions import InvalidFileException
    from zipfile import BadZipFile

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError) as e:
        raise NewsletterError([Problem(shown, "", f"not a readable .xlsx workbook ({e})",
                                 "open it in Excel and save it again as .xlsx, or export CSV")]) from None
    try:
        if sheet and sheet not in book.sheetnames:
            raise NewsletterError([Problem(shown, "", f"no sheet named '{sheet}'",
                                     f"sheets are: {', '.join(book.sheetnames)}")])
        worksheet = book[sheet] if sheet else book.worksheets[0]
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    finally:
        book.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)
