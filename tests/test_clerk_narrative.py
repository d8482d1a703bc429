"""Issue 11, narrative: a small group says how many units it names; no "其中0项"."""

from __future__ import annotations

from typing import Any

import pytest

from reporting.render.narrative import narrative


def results(n_units: int, *, completed: int = 0) -> dict[str, Any]:
    inds = [{"code": f"i{k}", "name": f"指标{k}", "weight": 1.0, "status": "completed" if k < completed else "behind",
             "rate": 0.5, "gap": -0.1} for k in range(3)]
    units = [{"code": f"u{k}", "name": f"单位{k}", "group": "town", "status": "ok", "score": 100.0 - k, "rank": k + 1}
             for k in range(n_units)]
    return {"period": "2023-03", "as_of": "2023-03-31", "schedule": 0.25,
            "district": {"indicators": inds}, "groups": [{"code": "town", "name": "镇"}], "units": units}


def group_line(paras: list[str]) -> str:
    return next(p for p in paras if p.startswith("镇"))


@pytest.mark.parametrize(("n", "top", "bottom"), [(4, "三", "一"), (5, "三", "两")])
def test_fewer_than_three_trailing_units_says_how_many(n: int, top: str, bottom: str) -> None:
    line = group_line(narrative(results(n), "zh"))
    assert f"前{top}位" in line and f"后{bottom}位" in line and "后三位" not in line


def test_six_units_keep_the_usual_three_and_three() -> None:
    line = group_line(narrative(results(6), "zh"))
    assert "前三位" in line and "后三位" in line


def test_no_of_which_zero() -> None:
    assert not any("其中0项" in p for p in narrative(results(6, completed=0), "zh"))
    assert any("其中1项" in p for p in narrative(results(6, completed=1), "zh"))
    en = " ".join(narrative(results(6, completed=0), "en"))
    assert "0 of them" not in en
