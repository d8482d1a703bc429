"""Check that stamped synthetic forms equal the tool's own openpyxl-built forms.

    python benchmarks/check_synthetic.py WORKSPACE [--sample 50]

For a random sample of units in a workspace made by ``reporting demo --units N``,
rebuilds each unit's form through openpyxl (``samples._filled_form``) and compares
every zip member with the stamped file in inbox/ (document times aside), then
reads the stamped file back with openpyxl and checks the values and ``_meta``.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
import zipfile
from pathlib import Path

_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workspace", type=Path)
    ap.add_argument("--sample", type=int, default=50)
    ap.add_argument("--seed", type=int, default=2022)
    args = ap.parse_args(argv)

    import openpyxl

    from reporting.core import formlayout as fl
    from reporting.core.periods import Period
    from reporting.demo.figures import figures_for
    from reporting.demo.samples import _filled_form, _folder
    from reporting.workspace.config import load_workspace

    ws = load_workspace(args.workspace)
    problems: list[str] = []
    for folder in sorted(p for p in ws.inbox.iterdir() if p.is_dir()):
        m = re.match(r"(\d{4})年(\d{1,2})月$", folder.name)
        if not m:
            continue
        p = Period(int(m.group(1)), int(m.group(2)))
        assert folder == _folder(ws, p)
        fig = figures_for(ws, p, args.seed)
        prev_p = p.previous()
        prev = figures_for(ws, prev_p, args.seed) if prev_p else {}
        units = list(ws.units)
        chosen = random.Random(args.seed).sample(units, min(args.sample, len(units)))
        for u in chosen:
            path = folder / f"{u.name}.xlsx"
            stamped = zipfile.ZipFile(path)
            if stamped.testzip() is not None:
                problems.append(f"{path}: bad CRC")
                continue
            buf = io.BytesIO()
            _filled_form(ws, u.code, p, fig[u.code], prev.get(u.code)).save(buf)
            ref = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
            if stamped.namelist() != ref.namelist():
                problems.append(f"{path}: members {stamped.namelist()} != {ref.namelist()}")
                continue
            for name in ref.namelist():
                a, b = stamped.read(name), ref.read(name)
                if name == "docProps/core.xml":
                    a, b = _DATES.sub(rb"\1\2", a), _DATES.sub(rb"\1\2", b)
                if a != b:
                    problems.append(f"{path}: {name} differs")
            wb = openpyxl.load_workbook(path)
            sh, meta = wb[fl.DATA_SHEET], wb[fl.META_SHEET]
            pairs = [(meta.cell(r, 1).value, meta.cell(r, 2).value) for r in range(1, meta.max_row + 1)]
            rows = pairs[[k for k, _ in pairs].index(fl.META_ROWS) + 1:]
            got = {code: sh.cell(int(r), fl.COL_VALUE).value for r, code in rows}
            want = {i.code: (int(fig[u.code][i.code]) if i.is_integer else fig[u.code][i.code]) for i in ws.indicators}
            if got != want or meta["B3"].value != u.code or meta["B4"].value != u.name:
                problems.append(f"{path}: values or _meta wrong: {got} != {want}")
        print(f"{folder.name}: {len(chosen)} of {len(units)} units compared with openpyxl's own form")
    for p in problems:
        print(p)
    print("OK" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
