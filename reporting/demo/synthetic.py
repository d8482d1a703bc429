"""Synthetic workspaces of any size, for benchmarks and scale tests.

``reporting demo --units N`` writes a configuration of N units in two
groups (the default catalogue), targets, and clean submissions made
through the tool's own form.

Building every form through openpyxl costs about 20 ms a file (minutes for
20,000 units), so the forms are stamped from templates instead: the form
is built once with openpyxl (:func:`reporting.demo.samples._filled_form`, the
same path the sample inbox takes) for the first unit of each *shape* (which
cells hold a number, a "—" or nothing, and the two content-sized column
widths), saved, and split at the few places where units differ: the unit
name (填报单位 cell, ``_meta`` unit_name, the document subject), the unit
code (``_meta``), and the number of every target, last-month and value
cell. Each unit's file is that template with its own text in those places,
zipped with fixed member times. The first units of each shape are also
built through openpyxl and compared part by part, so a change to the form
that the stamping does not know about fails loudly instead of writing
files that differ from the tool's own.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reporting.core.periods import Period
from reporting.workspace.config import Workspace

if TYPE_CHECKING:
    from reporting.core.models import Unit


def write_synthetic_config(root: Path, n_units: int, seed: int = 2022) -> None:
    """A workspace with ``n_units`` units: 60% towns, 40% zones, codes u00001..."""
    from reporting.workspace.init import default_file

    root.mkdir(parents=True, exist_ok=True)
    for sub in ("templates/targets", "inbox", "outbox"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    base = default_file("workspace.toml")
    head = base.split("[[groups]]", 1)[0]
    lines = [head.rstrip(), "",
             '[[groups]]', 'code = "town"', 'name = "镇"', 'name_en = "Towns"', "",
             '[[groups]]', 'code = "zone"', 'name = "开发区（街道）"', 'name_en = "Zones and streets"', ""]
    n_towns = max(1, round(n_units * 0.6)) if n_units > 1 else 1
    for i in range(1, n_units + 1):
        group = "town" if i <= n_towns else "zone"
        label = "镇" if group == "town" else "园区"
        lines += ["[[units]]", f'code = "u{i:05d}"', f'name = "示例{label}{i:05d}"', f'group = "{group}"',
                  f'emails = ["u{i:05d}@example.org"]', ""]
    (root / "templates" / "workspace.toml").write_text("\n".join(lines), encoding="utf-8")
    (root / "templates" / "indicators.toml").write_text(default_file("indicators.toml"), encoding="utf-8")
    for old in (root / "templates" / "targets").glob("*.xlsx"):
        old.unlink()


def write_plain_submissions(ws: Workspace, periods: list[Period], seed: int = 2022) -> int:
    """One clean form per unit and period, in inbox/<year>年<month>月/, each with a receipt time before the deadline."""
    from reporting.demo.figures import figures_for
    from reporting.demo.samples import _folder, _stamp

    count = 0
    for p in periods:
        folder = _folder(ws, p)
        folder.mkdir(parents=True, exist_ok=True)
        figures = figures_for(ws, p, seed)
        prev_p = p.previous()
        prev = figures_for(ws, prev_p, seed) if prev_p else {}
        stamp = FormStamper(ws, p)
        for n, u in enumerate(ws.units):
            data = stamp.form_bytes(u, figures[u.code], prev.get(u.code))
            path = folder / f"{u.name}.xlsx"
            path.write_bytes(data)
            _stamp(path, p, n % 600)  # received in the morning hours of the 3rd of the next month: on time
            count += 1
    return count


# --------------------------------------------------------------------------- stamping forms from templates

DATA_PART = "xl/worksheets/sheet1.xml"  # openpyxl names sheets by position: the data sheet is first
META_PART = "xl/worksheets/sheet2.xml"
CORE_PART = "docProps/core.xml"
_DATES = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def form_time(period: Period) -> dt.datetime:
    """A fixed document time for a period's forms (the 1st of the next month), so output is reproducible."""
    y, m = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return dt.datetime(y, m, 1, 9, 0, 0)


@dataclass
class _Template:
    """A saved form split into literal chunks and named slots, per zip member."""

    names: list[str]  # member order as openpyxl wrote it
    static: dict[str, tuple[int, int, int, bytes]]  # name -> (crc, size, compressed size, raw deflate)
    parts: dict[str, list[str | tuple[Any, ...]]]  # name -> chunks: str literal or slot key

    def render(self, slots: dict[tuple[Any, ...], str]) -> dict[str, bytes]:
        return {name: "".join(c if isinstance(c, str) else slots[c] for c in chunks).encode("utf-8")
                for name, chunks in self.parts.items()}


class FormStamper:
    """Makes form files for one period, byte-for-byte what openpyxl would write apart from the clock."""

    verify_per_shape = 2  # units per shape (after the template's own) also built through openpyxl and compared

    def __init__(self, ws: Workspace, period: Period):
        from reporting.core import formlayout as fl
        from reporting.core.messages import t

        self.ws = ws
        self.period = period
        self.targets = ws.targets_for(period.year)
        self.inds = list(ws.indicators)
        self.no_target = t("form.no_target", "zh")
        self.span = period.range_zh()
        self.unit_label: Callable[[str], str] = lambda name: t("form.unit", "zh", unit=name)
        self.first_row = fl.FIRST_DATA_ROW
        self.when = form_time(period)
        self.zip_time = ((self.when.hour << 11) | (self.when.minute << 5) | (self.when.second // 2),
                         ((self.when.year - 1980) << 9) | (self.when.month << 5) | self.when.day)
        self.templates: dict[tuple[Any, ...], _Template] = {}
        self.checked: dict[tuple[Any, ...], int] = {}

    # ---- what varies between units

    def _cells(self, unit: Unit, values: dict[str, float],
               previous: dict[str, float] | None) -> tuple[tuple[Any, ...], dict[tuple[Any, ...], str]]:
        """(shape, slot texts): the shape picks the template, the slots fill it."""
        from openpyxl.compat.strings import safe_string

        from reporting.core.textnorm import column_width
        from reporting.render.forms import _fmt, _number

        previous = previous or {}
        kinds: list[tuple[str, str]] = []
        slots: dict[tuple[Any, ...], str] = {
            ("unit_label",): escape(self.unit_label(unit.name)),
            ("unit_name",): escape(unit.name),
            ("unit_code",): escape(unit.code),
            ("subject",): escape(f"{unit.name} {self.span}"),
        }
        d_text: list[str] = []
        e_text: list[str] = []
        for n, ind in enumerate(self.inds):
            tv = _number(ind, self.targets.unit_target(unit.code, ind.code)) if self.targets else None
            pv = _number(ind, previous.get(ind.code))
            if self.targets is None:
                dk = "none"
            elif tv is None:
                dk = "text"
            else:
                dk = "num"
                slots[("D", n)] = safe_string(tv)
            ek = "none" if pv is None else "num"
            if pv is not None:
                slots[("E", n)] = safe_string(pv)
            v = values[ind.code]
            slots[("F", n)] = safe_string(int(v) if ind.is_integer else v)
            kinds.append((dk, ek))
            d_text.append(_fmt(ind, tv))
            e_text.append(_fmt(ind, pv))
        # the same widths build_form computes for the two content-sized columns
        from reporting.core.formlayout import COL_PREVIOUS, COL_TARGET, HEADERS

        dw = column_width(d_text + [HEADERS[COL_TARGET - 1]], minimum=11, maximum=20, padding=3)
        ew = column_width(e_text + [HEADERS[COL_PREVIOUS - 1]], minimum=11, maximum=20, padding=3)
        return (tuple(kinds), dw, ew), slots

    # ---- templates

    def _openpyxl_parts(self, unit: Unit, values: dict[str, float],
                        previous: dict[str, float] | None) -> tuple[list[str], dict[str, bytes]]:
        import zipfile

        from reporting.demo.samples import _filled_form

        wb = _filled_form(self.ws, unit.code, self.period, values, previous)
        buf = io.BytesIO()
        wb.save(buf)
        with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
            names = z.namelist()
            return names, {n: z.read(n) for n in names}

    def _make_template(self, unit: Unit, values: dict[str, float], previous: dict[str, float] | None,
                       slots: dict[tuple[Any, ...], str]) -> _Template:
        names, parts = self._openpyxl_parts(unit, values, previous)
        for needed in (DATA_PART, META_PART, CORE_PART):
            if needed not in parts:
                raise RuntimeError(f"form template has no {needed}; the stamping in synthetic.py needs updating")
        spans: dict[str, list[tuple[int, int, tuple[Any, ...]]]] = {DATA_PART: [], META_PART: [], CORE_PART: []}
        data = parts[DATA_PART].decode("utf-8")
        meta = parts[META_PART].decode("utf-8")
        core = parts[CORE_PART].decode("utf-8")
        spans[DATA_PART].append(_span(data, "A2", slots[("unit_label",)], ("unit_label",)))
        for key in slots:
            if key[0] in ("D", "E", "F"):
                ref = f"{key[0]}{self.first_row + key[1]}"
                spans[DATA_PART].append(_span(data, ref, slots[key], key))
        for meta_key, slot in (("unit", ("unit_code",)), ("unit_name", ("unit_name",))):
            m = re.search(r'<c r="A(\d+)"[^>]*><is><t>' + meta_key + "</t></is></c>", meta)
            if m is None:
                raise RuntimeError(f"_meta has no {meta_key} row; the stamping in synthetic.py needs updating")
            spans[META_PART].append(_span(meta, f"B{m.group(1)}", slots[slot], slot))
        m = re.search(r"<dc:subject[^>]*>([^<]*)</dc:subject>", core)
        if m is None or html.unescape(m.group(1)) != html.unescape(slots[("subject",)]):
            raise RuntimeError("core.xml has no subject; the stamping in synthetic.py needs updating")
        spans[CORE_PART].append((m.start(1), m.end(1), ("subject",)))
        core = _DATES.sub(lambda m: m.group(1) + self.when.strftime("%Y-%m-%dT%H:%M:%SZ") + m.group(2), core)
        texts = {DATA_PART: data, META_PART: meta, CORE_PART: core}
        chunks: dict[str, list[str | tuple[Any, ...]]] = {}
        for name, text in texts.items():
            out: list[str | tuple[Any, ...]] = []
            pos = 0
            for s, e, key in sorted(spans[name]):
                out += [text[pos:s], key]
                pos = e
            out.append(text[pos:])
            chunks[name] = out
        static = {n: _deflate(parts[n]) for n in names if n not in texts}
        return _Template(names, static, chunks)

    # ---- the file

    def form_bytes(self, unit: Unit, values: dict[str, float], previous: dict[str, float] | None) -> bytes:
        """The .xlsx bytes of ``unit``'s form filled in with ``values``."""
        shape, slots = self._cells(unit, values, previous)
        tpl = self.templates.get(shape)
        fresh = tpl is None
        if tpl is None:
            tpl = self.templates[shape] = self._make_template(unit, values, previous, slots)
        rendered = tpl.render(slots)
        if not fresh and self.checked.get(shape, 0) < self.verify_per_shape:
            self.checked[shape] = self.checked.get(shape, 0) + 1
            self._verify(unit, values, previous, rendered)
        return self._zip(tpl, rendered)

    def _verify(self, unit: Unit, values: dict[str, float], previous: dict[str, float] | None,
                rendered: dict[str, bytes]) -> None:
        _, parts = self._openpyxl_parts(unit, values, previous)
        for name, data in rendered.items():
            want = parts[name]
            if name == CORE_PART:
                want = _DATES.sub(lambda m: m.group(1) + m.group(2), want.decode("utf-8")).encode("utf-8")
                data = _DATES.sub(lambda m: m.group(1) + m.group(2), data.decode("utf-8")).encode("utf-8")
            # the same text: openpyxl writes non-ASCII as character references when lxml is installed
            if data != want and html.unescape(data.decode("utf-8")) != html.unescape(want.decode("utf-8")):
                raise RuntimeError(f"stamped form for {unit.code} differs from openpyxl's in {name}; "
                                   "the stamping in synthetic.py needs updating")

    def _zip(self, tpl: _Template, rendered: dict[str, bytes]) -> bytes:
        t, d = self.zip_time
        out = bytearray()
        central = bytearray()
        for name in tpl.names:
            if name in rendered:
                crc, size, csize, comp = _deflate(rendered[name])
            else:
                crc, size, csize, comp = tpl.static[name]
            fname = name.encode("ascii")
            offset = len(out)
            out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, t, d, crc, csize, size, len(fname), 0)
            out += fname
            out += comp
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, t, d, crc, csize, size,
                                   len(fname), 0, 0, 0, 0, 0, offset)
            central += fname
        cd_offset = len(out)
        out += central
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(tpl.names), len(tpl.names), len(central),
                           cd_offset, 0)
        return bytes(out)


def _span(xml: str, ref: str, expected: str, key: tuple[Any, ...]) -> tuple[int, int, tuple[Any, ...]]:
    """Where the text of cell ``ref`` (``<v>`` or inline ``<t>``) sits in the sheet XML; it must be ``expected``."""
    m = re.search(r'<c r="' + ref + r'"[^>]*>(?:<v>|<is><t(?: [^>]*)?>)([^<]*)<', xml)
    # openpyxl writes non-ASCII text as character references when lxml is installed: compare the text
    if m is None or html.unescape(m.group(1)) != html.unescape(expected):
        found = m.group(1) if m else None
        raise RuntimeError(f"form cell {ref} holds {found!r}, expected {expected!r}; "
                           "the stamping in synthetic.py needs updating")
    return m.start(1), m.end(1), key


def _deflate(data: bytes) -> tuple[int, int, int, bytes]:
    """(crc32, size, compressed size, raw deflate stream) of one zip member, zlib's default level."""
    c = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    comp = c.compress(data) + c.flush()
    return zlib.crc32(data), len(data), len(comp), comp
