"""The naive baseline: what a clerk's colleague would write with pandas in an afternoon.

    python benchmarks/baseline.py INBOX OUT.xlsx

Reads every .xlsx under INBOX with ``pandas.read_excel`` (openpyxl engine),
takes the indicator rows of the form by position (name in column B, value in
column F, rows under the header), concatenates, ranks every unit within each
indicator with ``groupby().rank()``, and writes the long table and a wide
ranking with ``DataFrame.to_excel``. No validation, no recognition, no
provenance, no charts: a lower bound on the work, not a competitor.
"""

from __future__ import annotations

import sys
from pathlib import Path

FIRST_ROW = 3  # 0-based: the form's data rows start in Excel row 4
NAME_COL, VALUE_COL = 1, 5  # B, F


def main(argv: list[str]) -> int:
    import pandas as pd

    inbox, out = Path(argv[0]), Path(argv[1])
    frames = []
    for path in sorted(inbox.rglob("*.xlsx")):
        if path.name.startswith(("~$", ".")):
            continue
        df = pd.read_excel(path, sheet_name=0, header=None, engine="openpyxl")
        block = df.iloc[FIRST_ROW:, [0, NAME_COL, VALUE_COL]]
        block = block[pd.to_numeric(block[0], errors="coerce").notna()]  # rows with a 序号
        block = block.iloc[:, 1:].set_axis(["indicator", "value"], axis=1)
        block["unit"] = path.stem
        frames.append(block)
    data = pd.concat(frames, ignore_index=True)
    data["value"] = pd.to_numeric(data["value"], errors="coerce")
    data["rank"] = data.groupby("indicator")["value"].rank(ascending=False, method="min")
    wide = data.pivot_table(index="unit", columns="indicator", values="rank")
    with pd.ExcelWriter(out) as xw:
        data.to_excel(xw, sheet_name="values", index=False)
        wide.to_excel(xw, sheet_name="ranks")
    print(f"{len(frames)} files, {len(data)} rows -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
