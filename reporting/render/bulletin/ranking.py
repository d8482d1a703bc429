"""2. 综合排名: the composite ranking per group, with the change against last month."""

from __future__ import annotations

from typing import Any

from reporting.render.bulletin.context import Ctx, submission_text
from reporting.render.bulletin.layout import (
    SCORE_FMT,
    Formats,
    Sheet,
    change_text,
    comma_text,
    score_text,
    text_height,
)
from reporting.render.narrative import (
    DASH,
    display_name,
    fmt_rate,
)


def write(wb: Any, F: Formats, ctx: Ctx) -> None:
    sh = Sheet(wb, ctx.L("sheet.ranking"), ctx, default_row=20)
    lang = ctx.lang
    heads = [ctx.L("col.rank"), ctx.L("col.unit_name"), ctx.L("col.score"), ctx.L("col.prev_rank"),
             ctx.L("col.change"), ctx.L("col.on_schedule"), ctx.L("col.submission")]
    ncol = len(heads)
    for c, h in enumerate(heads):
        sh.put(2, c, h, F.th())
    sh.row(2, 36)
    r = 3
    tied_fmt = ctx.L("tied_fmt")
    change_fmt = ctx.L("change_fmt")
    tied_word = tied_fmt.split('"')[1]

    def tied_text(rank: Any) -> str:
        return tied_word + str(rank)

    f_rank = F.td(align="center", num_format="0")
    f_tied = F.td(align="center", num_format=tied_fmt)
    f_center = F.td(align="center")
    f_name = F.td(align="left")
    f_score = F.td(num_format=SCORE_FMT)
    f_change = F.td(align="center", num_format=change_fmt)
    f_look = {"missing": F.td(align="center", **F.status("missing")),
              "errors": F.td(align="center", **F.status("behind"))}
    text, number = sh.text, sh.number
    for g in ctx.groups:
        members = ctx.units_in(g.code)
        if not members:
            continue
        sh.merge(r, 0, r, ncol - 1, display_name(g, lang), F.group())
        r += 1
        first = r
        ranked = [u for u in members if u.rank is not None]
        unranked = [u for u in members if u.rank is None]
        for u in ranked + unranked:
            st = u.status
            rank = u.rank
            if rank is not None:
                if u.rank_tied:
                    number(r, 0, rank, f_tied, tied_text)
                else:
                    number(r, 0, rank, f_rank, str)
            else:
                text(r, 0, DASH, f_center)
            text(r, 1, display_name(u, lang), f_name)
            if u.score is not None:
                number(r, 2, u.score, f_score, score_text)
            else:
                text(r, 2, DASH, f_center)
            prev = u.previous_rank
            if prev is not None:
                number(r, 3, prev, f_rank, comma_text)
            else:
                text(r, 3, DASH, f_rank)
            change = u.rank_change
            if change is not None and rank is not None:
                number(r, 4, change, f_change, change_text)
            else:
                text(r, 4, DASH, f_center)
            if st == "missing" or not u.scored:
                text(r, 5, DASH, f_center)
            else:
                text(r, 5, f"{u.on_schedule or 0}/{u.scored or 0}", f_center)
            text(r, 6, submission_text(u, ctx), f_look.get(st, f_center))
            r += 1
        if ranked:
            sh.ws.conditional_format(first, 2, first + len(ranked) - 1, 2, {
                "type": "data_bar", "bar_color": "#9DC3E6", "bar_solid": True,
                "min_type": "num", "min_value": 0, "max_type": "max"})
    sh.fit_columns(ncol, minimum=8, maximum=40, fixed={2: 12})
    total_px = sh.span_px(0, ncol - 1)
    sh.merge(0, 0, 0, ncol - 1, ctx.L("ranking.title", period=ctx.period_text), F.sheet_title())
    sh.row(0, 32)
    note = ctx.L("ranking.note", cap=fmt_rate(ctx.results.cap).replace(".0%", "%"))
    provisional = [u for u in ctx.results.units if not u.score_complete and u.score is not None]
    if provisional:
        from reporting.core.messages import t

        note += ctx.L("ranking.note_provisional", units=t("list.sep", ctx.lang).join(
            (u.name_en or u.name) if ctx.lang == "en" else u.name for u in provisional))
    sh.merge(1, 0, 1, ncol - 1, note, F.note())
    sh.row(1, text_height(note, total_px, 10, 1.45))
    sh.ws.freeze_panes(3, 0)
    sh.page_setup(repeat=(2, 2))
