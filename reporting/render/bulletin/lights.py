"""指标亮灯: every unit × indicator as a coloured mark (● and the rate) on its light's fill, with a legend.

The light is ``score.lights``'s, the same the document's annex shows. Static formats, not an icon
set: an icon set would recompute from the cell's number and could disagree with the scorer's
status at a rounding edge; and a ● with its words in the legend still reads on a grey printer.
Written only when ``[lights] enabled`` (the default).
"""

from __future__ import annotations

from typing import Any

from reporting.render.bulletin.context import Ctx
from reporting.render.bulletin.layout import (
    AMBER_FILL,
    AMBER_FONT,
    GREEN_FILL,
    GREEN_FONT,
    RED_FILL,
    RED_FONT,
    Formats,
    Sheet,
    text_height,
)
from reporting.render.narrative import DASH, display_name, fmt_rate
from reporting.score.lights import GREEN, GREY, RED, YELLOW, light_counts, unit_lights
from reporting.workspace.config_document import LightSettings

MARK = "●"
LOOK = {GREEN: (GREEN_FILL, GREEN_FONT), YELLOW: (AMBER_FILL, AMBER_FONT), RED: (RED_FILL, RED_FONT),
        GREY: (None, "#7F7F7F")}
IND_WIDTH = 11.0  # characters: "● 100.0%" and a two-line indicator name


def write(wb: Any, F: Formats, ctx: Ctx) -> None:
    settings = getattr(ctx, "lights", None) or LightSettings()
    if not settings.enabled:
        return
    sh = Sheet(wb, ctx.L("sheet.lights"), ctx, default_row=18)
    lang = ctx.lang
    inds = ctx.indicators
    ncol = len(inds) + 2
    heads = [ctx.L("col.unit_name")] + [display_name(i, lang) for i in inds] + [ctx.L("lights.count")]
    head_row = 3
    for c, h in enumerate(heads):
        sh.put(head_row, c, h, F.th(), measure=c == 0)
    looks = {colour: F.td(align="center", **({"bg_color": fill} if fill else {}), font_color=font)
             for colour, (fill, font) in LOOK.items()}
    f_name, f_center = F.td(align="left"), F.td(align="center")
    lit = unit_lights(ctx.results, settings)
    missing_word = ctx.L("unit.missing")
    r = head_row + 1
    for g in ctx.groups:
        members = ctx.units_in(g.code)
        if not members:
            continue
        sh.merge(r, 0, r, ncol - 1, display_name(g, lang), F.group())
        r += 1
        for u in members:
            sh.text(r, 0, display_name(u, lang), f_name)
            row = lit.get(u.code, {})
            for c, ind in enumerate(inds, 1):
                light = row.get(ind.code)
                if light is None or light.colour == GREY:
                    sh.ws.write_string(r, c, DASH, looks[GREY])
                    continue
                v = ctx.value(u.code, ind.code)
                text = f"{MARK} {missing_word}" if light.reason == "missing" else f"{MARK} {fmt_rate(v.rate)}"
                sh.ws.write_string(r, c, text, looks[light.colour])
            counts = light_counts(row)
            sh.text(r, ncol - 1, f"{counts[GREEN]}/{counts[YELLOW]}/{counts[RED]}", f_center)
            r += 1
    sh.fit_columns(ncol, minimum=8, maximum=30, fixed={**{c: IND_WIDTH for c in range(1, ncol - 1)},
                                                       ncol - 1: 10})
    head_h = max(text_height(h, sh.col_px(1), 11, 1.3) for h in heads[1:-1]) if inds else 20
    sh.row(head_row, head_h)
    total_px = sh.span_px(0, ncol - 1)
    sh.merge(0, 0, 0, ncol - 1, ctx.L("lights.title", period=ctx.period_text), F.sheet_title())
    sh.row(0, 32)
    note_key = "lights.note_schedule" if settings.mode == "schedule" else "lights.note_average"
    note = ctx.L(note_key, n=f"{settings.yellow_within:g}")
    sh.merge(1, 0, 1, ncol - 1, note, F.note())
    sh.row(1, text_height(note, total_px, 10, 1.45))
    # the legend: one cell per colour, as the table draws it
    sh.ws.write_string(2, 0, ctx.L("lights.legend"), F(align="right", font_size=10))
    for c, colour in enumerate((GREEN, YELLOW, RED), 1):
        sh.ws.write_string(2, c, f"{MARK} {ctx.L(f'lights.{colour}')}", looks[colour])
    sh.ws.freeze_panes(head_row + 1, 1)
    sh.page_setup(repeat=(head_row, head_row))
