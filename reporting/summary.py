"""Plain-text reports for the terminal: what each command prints.

Kept out of the CLI so that the text can be tested and reused (the email
bodies quote some of it).
"""

from __future__ import annotations

from typing import Any

from reporting.messages import t


def config_summary(ws: Any, lang: str) -> str:
    s = ws.settings
    lines = [t("config.ok", lang, path=ws.root), t("config.district", lang, district=s.district, language=s.lang, cap=s.cap)]
    for g in ws.groups:
        units = ws.units_in(g.code)
        lines.append("  " + t("config.group", lang, group=g.display_name(lang), n=len(units),
                                 units="、".join(f"{u.display_name(lang)}({u.code})" for u in units)))
    scored = [i for i in ws.indicators if i.weight > 0]
    lines.append(t("config.indicators", lang, n=len(ws.indicators), scored=len(scored),
                   weights=sum(i.weight for i in scored)))
    for i in ws.indicators:
        extra = []
        if i.schedule:
            extra.append("季节性序时" if lang == "zh" else "seasonal schedule")
        if i.le:
            extra.append(f"≤ {i.le}")
        tail = f"  [{'; '.join(extra)}]" if extra else ""
        lines.append(f"  {i.code:<18} {i.display_name(lang)}（{i.display_unit(lang)}）  w={i.weight:g}{tail}")
    if ws.targets:
        lines.append(t("config.targets", lang, years=", ".join(str(y) for y in sorted(ws.targets))))
    else:
        lines.append(t("config.no_targets", lang))
    return "\n".join(lines)
