"""收文登记: the clerk's own record of when each file arrived (``templates/收文登记.xlsx``).

A file's modification time is not proof of when it arrived: a fresh copy of the
workspace, a download or a backup restore gives every file today's date. The
store knows arrival times only from the day it began. For files older than the
store the clerk may write the time each one came (from the email or the
receipt book) into the register; a registered time wins over every other
source and counts as known, so a late file is called late and an on-time file
on time. Without it such a file is never called late on its file time alone.

One sheet; a header row with 文件 (the path under inbox/, as ``reporting check`` shows it)
and 收到时间 (an Excel date-time, or text such as ``2023-01-03 09:15``);
any other columns (单位, 备注) are for the clerk.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from reporting.core.cells import a1

FILENAME = "收文登记.xlsx"
_FILE_HEADS = ("文件", "文件名", "文件路径", "file")
_TIME_HEADS = ("收到时间", "收文时间", "报送时间", "接收时间", "received")
_TIME_TEXT = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：时](\d{1,2})"
                        r"(?:[:：分](\d{1,2})秒?)?)?\s*$")


@dataclass
class Register:
    """Received times by the file's path under inbox/ (forward slashes), as ``reporting check`` shows it.

    Only the whole path matches: a bare name matches a file directly in inbox/, never one in a
    month's folder, so that a time registered for November's 湖塘镇.xlsx is never December's.
    """

    by_path: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # "收文登记.xlsx 收文登记!B7：…" lines

    def time_of(self, display: str) -> float | None:
        """The registered time of the file shown as ``display`` (its path under inbox/), or None."""
        return self.by_path.get(display)


def register_path(root: Path) -> Path:
    return Path(root) / "templates" / FILENAME


def parse_time(value: object) -> dt.datetime | None:
    """A register cell as a local date-time: an Excel date or date-time, or text like 2023-01-03 09:15."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        m = _TIME_TEXT.match(value)
        if m:
            y, mo, d, h, mi, s = (int(x) if x else 0 for x in m.groups())
            try:
                return dt.datetime(y, mo, d, h, mi, s)
            except ValueError:
                return None
    return None


_CACHE: dict[tuple[str, int, int, str], Register] = {}


def load_register(root: Path, lang: str = "zh") -> Register:
    """The workspace's register (empty when there is none); bad rows are named in ``problems``, never raised."""
    from reporting.core.messages import t

    path = register_path(root)
    try:
        st = path.stat()
    except OSError:
        return Register()
    key = (str(path), st.st_mtime_ns, st.st_size, lang)
    if key in _CACHE:
        return _CACHE[key]
    from reporting.io.book import read_book

    reg = Register()
    try:
        book = read_book(path.read_bytes(), FILENAME)
    except OSError as exc:
        reg.problems.append(t("register.unreadable", lang, file=FILENAME, detail=exc.strerror or exc))
        return reg
    if not book.sheets:
        reg.problems.append(t("register.unreadable", lang, file=FILENAME,
                              detail=book.issues[0].message(lang) if book.issues else ""))
        return reg
    for grid in book.sheets:
        head = _header(grid.rows)
        if head is None:
            continue
        r0, c_file, c_time = head
        for r in range(r0 + 1, len(grid.rows)):
            name = grid.cell(r, c_file)
            raw = grid.cell(r, c_time)
            if name is None or not str(name).strip():
                continue
            when = parse_time(raw)
            if when is None:
                reg.problems.append(t("register.bad_time", lang, file=FILENAME, cell=f"{grid.name}!{a1(r, c_time)}",
                                      value="" if raw is None else str(raw), name=str(name).strip()))
                continue
            display = str(name).strip().replace("\\", "/").removeprefix("inbox/").strip("/")
            reg.by_path[display] = when.timestamp()
        break
    else:
        reg.problems.append(t("register.no_header", lang, file=FILENAME))
    _CACHE[key] = reg
    return reg


def _header(rows: list[list[object]]) -> tuple[int, int, int] | None:
    """(row, file column, time column) of the first row in the top ten naming both columns."""
    for r, row in enumerate(rows[:10]):
        cells = [str(v).strip().lower() if v is not None else "" for v in row]
        c_file = next((c for c, v in enumerate(cells) if v in _FILE_HEADS), None)
        c_time = next((c for c, v in enumerate(cells) if v in _TIME_HEADS), None)
        if c_file is not None and c_time is not None:
            return r, c_file, c_time
    return None


def write_register(path: Path, rows: list[tuple[str, str, dt.datetime]], lang: str = "zh") -> None:
    """A register workbook: (file under inbox/, unit name, received) per row, for the sample and for clerks."""
    import io

    import openpyxl
    from openpyxl.styles import Alignment, Font

    from reporting.workspace.atomic import write_bytes

    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = "收文登记"
    sh.append(["文件", "单位", "收到时间", "备注"])
    for name, unit, when in rows:
        sh.append([name, unit, when, ""])
    for cell in sh[1]:
        cell.font = Font(name="宋体", bold=True)
    for row in sh.iter_rows(min_row=2):
        row[2].number_format = "yyyy-mm-dd hh:mm"
        row[2].alignment = Alignment(horizontal="center")
    for col, width in zip("ABCD", (52, 22, 18, 24), strict=True):
        sh.column_dimensions[col].width = width
    sh.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    write_bytes(path, buf.getvalue())
