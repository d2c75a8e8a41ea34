"""Read a spreadsheet (CSV or .xlsx) as a header and numbered rows of text.

Row numbers are the spreadsheet's: the header is row 1, so the first family is row 2.
Text files may be UTF-8 (with or without a BOM), UTF-16 or UTF-32 (Excel's "Unicode text",
found by its byte-order mark or its zero bytes) or Windows-1252 (Excel's "CSV" on Windows); a
file mixing UTF-8 and Windows-1252 rows (two exports pasted together) is read row by row, each in
its own encoding, and the note names the Windows-1252 rows.
Charset detection libraries were tried and left out: on short Windows-1252 rosters they
guess Johab or Windows-1250 and garble "José". A quote that is never closed is an error
naming its row (csv would read the rest of the file into one cell). Control characters in
cells (line breaks from Alt+Enter, NUL) are replaced or removed, and each change is recorded.
"""
from __future__ import annotations

import codecs
import collections
import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from common.errors import NewsletterError
from common.problems import Problem
from common.yaml_source import display_path

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32 text"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 text"),
         (codecs.BOM_UTF8, "utf-8-sig", ""), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 text (Excel's \"Unicode text\")"),
         (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 text"))
_BREAKS = re.compile(r"[ ]*[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+[ ]*")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
_DEFUSED = re.compile(r"^'(?=[=+\-@\t\r])")  # what `subscribers export` puts before a formula-like cell


@dataclass
class Table:
    path: Path
    headers: list[str]
    header_row: int
    rows: Iterable[tuple[int, list[str]]]  # (spreadsheet row number, cells), blank rows left out
    notes: list[str] = field(default_factory=list)  # how the file was read, when it matters
    cleaned: list[tuple[int, int, str]] = field(default_factory=list)  # (row, column index, what was changed)
    sheets: tuple[str, ...] = ()  # every sheet of a workbook

    def loaded(self) -> "Table":
        """This table with its rows read into a list (they are read once, as they stream)."""
        if not isinstance(self.rows, list):
            self.rows = list(self.rows)
        return self


def read_table(path: Path, sheet: str | None = None) -> Table:
    """Read `path` (.csv, .txt, .tsv or .xlsx); NewsletterError for a missing or unreadable file."""
    return open_table(path, sheet).loaded()


def open_table(path: Path, sheet: str | None = None) -> Table:
    """read_table() whose rows stream: `rows` is an iterator read once, in order, holding one row
    at a time (any size of file in bounded memory); `notes` and `cleaned` are complete once it is
    exhausted. Errors about the file as a whole (missing, empty, not a workbook, no such sheet)
    come at once; a broken quote or an unreadable CSV record while the rows are read."""
    shown = display_path(path)
    if not path.is_file():
        raise NewsletterError([Problem(shown, "", "file not found", "check the path and the file name")])
    suffix, notes, sheets = path.suffix.lower(), [], ()
    if suffix in (".xlsx", ".xlsm"):
        numbered, sheets = _xlsx_rows(path, sheet, shown, notes)
    elif suffix in (".csv", ".txt", ".tsv", ""):
        numbered = _csv_rows(path, shown, notes)
    else:
        raise NewsletterError([Problem(shown, "", f"cannot read {suffix} files",
                                       "save the spreadsheet as .xlsx or .csv (UTF-8) and import that")])
    cleaned: list[tuple[int, int, str]] = []
    rows = ((n, cells) for n, cells in ((n, _clean_row(n, cells, cleaned)) for n, cells in numbered) if any(cells))
    first = next(rows, None)
    if first is None:
        raise NewsletterError([Problem(shown, "", "the file is empty", "export the roster again, with its header row")])
    header_row, headers = first
    cleaned[:] = [c for c in cleaned if c[0] != header_row]
    return Table(path, headers, header_row, rows, notes, cleaned, sheets)


def _clean_row(number: int, cells: list[str], cleaned: list) -> list[str]:
    cells = [cell.strip() for cell in cells]
    joined = " ".join(cells)
    if joined.isprintable() and "'" not in joined:  # the usual row: one C-speed test for all its cells
        return cells
    out = []
    for index, cell in enumerate(cells):
        text = cell.strip()
        if not text.isprintable():  # fast test: only such cells can hold control characters
            text, what = clean_text(text)
            if what:
                cleaned.append((number, index, what))
        out.append(_DEFUSED.sub("", text, count=1) if text[:1] == "'" else text)
    return out


def clean_text(text: str) -> tuple[str, str]:
    """`text` with line breaks and tabs made one space and other control characters removed,
    and what was done ("" when nothing)."""
    done = []
    if _BREAKS.search(text):
        text, done = _BREAKS.sub(" ", text).strip(), ["line breaks replaced by spaces"]
    if _CONTROLS.search(text):
        text = _CONTROLS.sub("", text).strip()
        done.append("control characters removed")
    return text, " and ".join(done)


def decode(raw: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read in, when worth saying ("" for UTF-8)."""
    text, label, _ = decode_lines(raw)
    return text, label


def decode_lines(raw: bytes) -> tuple[str, str, list[int]]:
    """decode(), and for a file mixing UTF-8 and Windows-1252 lines (rows pasted together from two
    exports), each line in its own encoding: the numbers of the lines read as Windows-1252."""
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            return raw.decode(codec, errors="replace"), label, []
    if raw.count(0) > len(raw) // 4:  # UTF-16 without a byte-order mark: every other byte is zero
        codec = "utf-16-le" if raw[1::2].count(0) > raw[0::2].count(0) else "utf-16-be"
        return raw.decode(codec, errors="replace"), "UTF-16 text", []
    try:
        return raw.decode("utf-8"), "", []
    except UnicodeDecodeError:
        pass
    texts, legacy, utf8 = [], [], False
    for number, line in enumerate(raw.split(b"\n"), 1):
        try:
            texts.append(line.decode("utf-8"))
            utf8 = utf8 or not line.isascii()       # UTF-8 letters (é as two bytes) in this line
        except UnicodeDecodeError:
            texts.append(line.decode("cp1252", errors="replace"))
            legacy.append(number)
    if not utf8:
        return "\n".join(texts), "Windows-1252 text (not UTF-8)", []
    return "\n".join(texts), "UTF-8 text with some rows in Windows-1252", legacy


CHUNK = 1 << 20  # bytes of a text file decoded at a time


def _codec(head: bytes) -> tuple[str | None, str]:
    """(codec, label) of a file starting with `head`; codec None: UTF-8, line by line Windows-1252
    where a line is not UTF-8 (decode_lines' rules, applied as the file streams)."""
    for bom, codec, label in _BOMS:
        if head.startswith(bom):
            return codec, label
    if head.count(0) > len(head) // 4:  # UTF-16 without a byte-order mark: every other byte is zero
        return ("utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"), "UTF-16 text"
    return None, ""


@dataclass
class _Decoding:
    utf8: bool = False                              # a line with UTF-8 letters was read
    legacy: collections.deque = field(default_factory=collections.deque)  # Windows-1252 lines not yet given a row


def _text_lines(path: Path, codec: str | None, state: _Decoding) -> Iterator[str]:
    """The lines of a text file, decoded a chunk at a time (newline="": ends kept as written)."""
    if codec:
        with open(path, encoding=codec, errors="replace", newline="") as text:
            yield from text
        return
    with open(path, "rb") as raw:
        rest, line_base = b"", 0
        while True:
            chunk = raw.read(CHUNK)
            data = rest + chunk
            if chunk:
                cut = data.rfind(b"\n") + 1
                if not cut:         # no line end yet: read on
                    rest = data
                    continue
                data, rest = data[:cut], data[cut:]
            elif not data:
                return
            else:
                rest = b""
            try:
                text = data.decode("utf-8")
                state.utf8 = state.utf8 or not data.isascii()
            except UnicodeDecodeError:
                texts = []
                for number, line in enumerate(data.split(b"\n"), line_base + 1):
                    try:
                        texts.append(line.decode("utf-8"))
                        state.utf8 = state.utf8 or not line.isascii()
                    except UnicodeDecodeError:
                        texts.append(line.decode("cp1252", errors="replace"))
                        state.legacy.append(number)
                text = "\n".join(texts)
            line_base += data.count(b"\n")
            yield from io.StringIO(text, newline="")
            if not chunk:
                return


def _csv_rows(path: Path, shown: str, notes: list[str]) -> Iterator[tuple[int, list[str]]]:
    with open(path, "rb") as raw:
        head = raw.read(65536)
    codec, label = _codec(head)
    if codec:
        notes.extend([f"read as {label}"] if label else [])
        sample = head.decode(codec, errors="replace")[:8192]
    else:
        sample = "\n".join(line.decode("utf-8", errors="replace") if _is_utf8(line) else line.decode("cp1252", "replace")
                           for line in head.split(b"\n"))[:8192]
    try:  # only the delimiter: Sniffer's guesses of quoting miss Excel's doubled quotes ("Maria ""Mary""")
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    dialect = type("Export", (csv.excel,), {"delimiter": delimiter})
    return _csv_records(path, shown, notes, codec, dialect)


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _csv_records(path: Path, shown: str, notes: list[str], codec: str | None, dialect) -> Iterator[tuple[int, list[str]]]:
    state = _Decoding()
    reader = csv.reader(_text_lines(path, codec, state), dialect)
    count, start, next_start, legacy_rows = 0, 1, 1, []  # records read, the line the last one starts on
    try:
        for cells in reader:
            count, start = count + 1, next_start
            if state.legacy and state.legacy[0] <= reader.line_num:  # a Windows-1252 line of this record
                legacy_rows.append(count)
                while state.legacy and state.legacy[0] <= reader.line_num:
                    state.legacy.popleft()
            next_start = reader.line_num + 1
            yield count, cells
    except csv.Error as e:
        raise NewsletterError([Problem(shown, "", f"not a readable CSV file: {e}", "save it again as CSV (UTF-8)",
                                       reader.line_num)]) from None
    if count and _unclosed_quote(path, codec, start, dialect):
        raise NewsletterError([Problem(
            shown, "", f"row {count}: a quoted cell starts here and its closing quote (\") is missing, so "
            "everything after it would be read as one cell", "add the missing quote in that row (or remove the stray "
            "one), save, and import again", start)])
    if codec is None and legacy_rows and not state.utf8:
        notes.append("read as Windows-1252 text (not UTF-8)")
    elif legacy_rows:       # which rows: the record each Windows-1252 line belongs to
        notes.append(f"read as UTF-8, except row{'s' if len(legacy_rows) > 1 else ''} "
                     f"{', '.join(map(str, legacy_rows))}, which {'are' if len(legacy_rows) > 1 else 'is'} "
                     "Windows-1252 (each row read in its own encoding; check those names); save the file again as "
                     "CSV (UTF-8)")


def _unclosed_quote(path: Path, codec: str | None, start_line: int, dialect) -> bool:
    """Whether the last record (from line `start_line`) runs to the end of the file inside quotes."""
    tail = itertools.islice(_text_lines(path, codec, _Decoding()), start_line - 1, None)
    try:
        for _ in csv.reader(tail, dialect, strict=True):
            pass
    except csv.Error as e:
        return "unexpected end of data" in str(e)
    return False


def _xlsx_rows(path: Path, sheet: str | None, shown: str, notes: list[str]):
    import openpyxl  # only needed for .xlsx
    from openpyxl.utils.exceptions import InvalidFileException
    from zipfile import BadZipFile

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError) as e:
        raise NewsletterError([Problem(shown, "", f"not a readable .xlsx workbook ({e})",
                                       "open it in Excel and save it again as .xlsx, or export CSV")]) from None
    rows = None
    try:
        names = tuple(book.sheetnames)
        if sheet and sheet not in names:
            raise NewsletterError([Problem(shown, "", f"no sheet named '{sheet}'",
                                           f"sheets are: {', '.join(names)}; choose one with --sheet NAME")])
        worksheet = book[sheet] if sheet else book.worksheets[0]
        if len(names) > 1:
            listed = ", ".join(f"'{n}'" for n in names)
            notes.append(f"read sheet '{worksheet.title}' of {len(names)} ({listed})" +
                         ("" if sheet else "; to read another, add --sheet NAME"))
        rows = _sheet_rows(book, worksheet)
        return rows, names
    finally:
        if rows is None:
            book.close()


def _sheet_rows(book, worksheet) -> Iterator[tuple[int, list[str]]]:
    """The rows of `worksheet` as they stream from the file (openpyxl's read-only mode); the
    workbook is closed when they end (or when this iterator is dropped)."""
    try:
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
