"""Pure chart builders: DataFrame -> plotly Figure. No Streamlit, no database.

One diverging colour scale everywhere (ColorBrewer RdBu end points, colour-blind safe): −1 "limited" red,
0 "no call" grey, +1 "deepening" blue. Stance is an assessment of how real and strong the cooperation is, not
approval (``../shared/ANNOTATION.md``), so every label says "deepening / limited", never "for / against".

Everything that comes from an article (institution, outlet, speaker names, quotes) is HTML-escaped before it
reaches a plotly string (titles, ticks, hover, annotations): plotly renders a subset of HTML and decodes
entities back to plain characters, so escaped text is shown as text. A leading ``$`` is escaped too, so
nothing is typeset as LaTeX. Each bar and cell carries the raw group value in ``customdata`` for drill-down.
"""

from __future__ import annotations

import html
import json
import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.filters import TYPE_LABELS

NEGATIVE = "#b2182b"
NEUTRAL = "#b8b8b8"
POSITIVE = "#2166ac"
MEAN_MARK = "#222222"
BASELINE = "#777777"
SPARSE_TEXT = "#8a8a8a"  # count shown in a blank (white) heatmap cell: too few quotes for a mean
STANCE_COLOURS = {-1: NEGATIVE, 0: NEUTRAL, 1: POSITIVE}
# The one vocabulary for stance values (UI, legends, metrics, colour bar, override buttons, exports, CLI, docs).
STANCE_NAMES = {-1: "limited (−1)", 0: "no call (0)", 1: "deepening (+1)"}
STANCE_DEFINITION = ("Stance = the speaker's assessment of the cooperation, not approval: +1 deepening (real, "
                     "substantial or growing), −1 limited (constrained, hollow or doomed), 0 no call.")
MEAN_LABEL = "Mean stance (−1 limited … +1 deepening)"
# Diverging scale for means in [−1, 1]: the midpoint is a clear mid-grey, so "mean 0" never looks like the
# blank (white) cells that have too few quotes.
DIVERGING_SCALE = [[0.0, NEGATIVE], [0.25, "#ef8a62"], [0.5, "#d9d9d9"], [0.75, "#67a9cf"], [1.0, POSITIVE]]
TOPIC = "Russia–North Korea cooperation"
FONT = "DejaVu Sans, Arial, sans-serif"
GROUP_LABELS = {"institution": "Institution", "outlet": "Publisher", "institution_type": "Institution type",
                "speaker": "Speaker", "host": "Host", "country": "Publisher country", "ownership": "Ownership",
                "state_owned": "State or private"}
# Ranking: groups are ordered by a Bayesian (shrunk) mean, pulled toward the overall mean with the weight of
# PRIOR_QUOTES imaginary quotes, so a group resting on 2 quotes cannot top the list on luck alone.
PRIOR_QUOTES = 5
SMALL_GROUP = 10  # rows with fewer quotes are drawn pale and tagged "few"
OTHER_OUTLETS = "other outlets"
# A light template: plotly_white's full template adds ~7 KB of JSON to every chart sent to the browser.
_TEMPLATE = go.layout.Template(layout={
    "paper_bgcolor": "white", "plot_bgcolor": "white", "hovermode": "closest",
    "xaxis": {"gridcolor": "#ebebeb", "linecolor": "#ccc", "zerolinecolor": "#ebebeb", "automargin": True},
    "yaxis": {"gridcolor": "#ebebeb", "linecolor": "#ccc", "zerolinecolor": "#ebebeb", "automargin": True},
})


def text(value: object, limit: int | None = None) -> str:
    """Article-derived text made safe for any plotly string: escaped HTML, no LaTeX, optionally shortened."""
    raw = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if limit is not None and len(raw) > limit:
        raw = raw[: limit - 1] + "…"
    return html.escape(raw).replace("$", "&#36;")


def _label(group: str, value: object) -> str:
    return TYPE_LABELS.get(str(value), str(value)) if group == "institution_type" else str(value)


def shrunk_means(df: pd.DataFrame, prior: float, k: float = PRIOR_QUOTES) -> pd.Series:
    """Bayesian mean per row: (sum of stances + k·prior) / (n + k); columns ``n`` and ``mean``."""
    n = df["n"].astype(float)
    return (df["mean"].astype(float) * n + k * prior) / (n + k)


def overall_mean(df: pd.DataFrame) -> float:
    """The quote-weighted mean stance of the groups (the shrinkage target)."""
    n = float(df["n"].sum())
    return float((df["pos"].sum() - df["neg"].sum()) / n) if n else 0.0


def _layout(fig: go.Figure, title: str, subtitle: str | None = None, *, height: int = 420,
            top: int = 96) -> go.Figure:
    full = html.escape(title) if not subtitle else f"{html.escape(title)}<br><sup>{text(subtitle)}</sup>"
    fig.update_layout(
        title={"text": full, "x": 0.0, "xanchor": "left", "xref": "container", "y": 1 - 14 / height,
               "yanchor": "top", "yref": "container", "pad": {"l": 10}, "font": {"size": 16}},
        font={"family": FONT, "size": 12, "color": "#222"},
        template=_TEMPLATE,
        height=height,
        margin={"l": 8, "r": 12, "t": top, "b": 70},
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.0, "xanchor": "left",
                "x": 0.0, "title": {"text": ""}},
        hoverlabel={"align": "left"},
    )
    return fig


def empty_figure(title: str, message: str) -> go.Figure:
    """A blank chart that says why it is blank (filters matched nothing)."""
    fig = go.Figure()
    fig.add_annotation(text=text(message), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14, "color": "#666"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, height=240, top=60)


def fold_rest(df: pd.DataFrame, top: int, label: str = OTHER_OUTLETS) -> pd.DataFrame:
    """The ``top`` largest groups, and the rest summed into one row named ``label (k)``."""
    if len(df) <= top:
        return df
    ordered = df.sort_values(["n", "group"], ascending=[False, True])
    head, rest = ordered.head(top), ordered.iloc[top:]
    n = int(rest["n"].sum())
    row = {"group": f"{label} ({len(rest)})", "n": n, "prior": head["prior"].iloc[0] if "prior" in head else None, "neg": int(rest["neg"].sum()), "neu": int(rest["neu"].sum()),
           "pos": int(rest["pos"].sum()), "mean": float((rest["pos"].sum() - rest["neg"].sum()) / n) if n else 0.0,
           "other": True}
    return pd.concat([head.assign(other=False), pd.DataFrame([row])], ignore_index=True)


def diverging_bars(
    df: pd.DataFrame, *, group: str, title: str, subtitle: str | None = None, prior: float | None = None,
    baseline: float | None = None,
) -> go.Figure:
    """Diverging stacked bars of −1/0/+1 counts per group (left), and the mean on its own axis (right).

    ``df`` has columns group, n, neg, neu, pos, mean, optionally ex_neg / ex_pos (example quotes) and
    ``other`` (a folded "other outlets" row, always drawn last). Rows are ranked by the shrunk mean toward
    ``prior`` (default: the groups' overall mean); every tick says n, small groups are pale and tagged.
    ``baseline`` (the mean of all quotes, ignoring the group pickers) is drawn as a dashed line.
    """
    label = GROUP_LABELS.get(group, group)
    if df.empty:
        return empty_figure(title, "No quotes match the current filters.")
    data = df.copy()
    if "other" not in data:
        data["other"] = False
    data["other"] = data["other"].fillna(False).astype(bool)
    if prior is None:
        prior = float(data["prior"].iloc[0]) if "prior" in data and pd.notna(data["prior"].iloc[0]) else overall_mean(data)
    data["rank"] = shrunk_means(data, prior)
    # Plotly draws the first category at the bottom: "other" first, then ascending rank (most deepening on top).
    data = data.sort_values(["other", "rank", "n"], ascending=[False, True, True]).reset_index(drop=True)
    names = [_label(group, g) for g in data["group"]]
    small = [int(n) < SMALL_GROUP and not o for n, o in zip(data["n"], data["other"], strict=True)]
    # Two-line ticks (name, then n) keep the label column narrow enough for a phone screen.
    ticks = [f"{text(nm, 26)}<br><span style='font-size:10px;color:#666'>n={int(n)}{' · few' if s else ''}</span>"
             for nm, n, s in zip(names, data["n"], small, strict=True)]
    seen: dict[str, int] = {}
    for i, t in enumerate(ticks):  # categories must be unique; truncation could collide
        seen[t] = seen.get(t, 0) + 1
        if seen[t] > 1:
            ticks[i] = f"{t} ({seen[t]})"
    ex_neg = data["ex_neg"] if "ex_neg" in data else pd.Series([None] * len(data))
    ex_pos = data["ex_pos"] if "ex_pos" in data else pd.Series([None] * len(data))
    base = [
        f"<b>{text(nm, 80)}</b><br>{int(r.n)} quotes: {int(r.pos)} deepening · {int(r.neu)} no call · "
        f"{int(r.neg)} limited<br>mean {r.mean:+.2f} · ranked by shrunk mean {r.rank:+.2f}"
        + ("<br>few quotes: read with care" if s else "")
        for nm, r, s in zip(names, data.itertuples(), small, strict=True)
    ]
    hover_neg = [b + (f"<br><i>e.g. {text(e, 140)}</i>" if text(e) else "") for b, e in zip(base, ex_neg, strict=True)]
    hover_pos = [b + (f"<br><i>e.g. {text(e, 140)}</i>" if text(e) else "") for b, e in zip(base, ex_pos, strict=True)]
    raw = [json.dumps([group, None if o else str(g)]) for g, o in zip(data["group"], data["other"], strict=True)]
    opacity = [0.45 if s else 1.0 for s in small]
    half = data["neu"] / 2
    # Two x axes side by side on one y axis (laid out by hand: make_subplots costs ~50 ms a chart).
    fig = go.Figure()
    common = {"orientation": "h", "customdata": raw, "hoverinfo": "text", "y": ticks}
    fig.add_bar(x=-data["neg"], base=-half, name=STANCE_NAMES[-1], hovertext=hover_neg,
                marker={"color": NEGATIVE, "opacity": opacity}, **common)
    fig.add_bar(x=data["neu"], base=-half, name=STANCE_NAMES[0], hovertext=base,
                marker={"color": NEUTRAL, "opacity": opacity}, **common)
    fig.add_bar(x=data["pos"], base=half, name=STANCE_NAMES[1], hovertext=hover_pos,
                marker={"color": POSITIVE, "opacity": opacity}, **common)
    fig.add_scatter(y=ticks, x=data["rank"], xaxis="x2", mode="markers", name="shrunk mean ◆", customdata=raw,
                    marker={"symbol": "diamond", "size": 10, "color": MEAN_MARK, "opacity": opacity},
                    hovertext=base, hoverinfo="text")
    if baseline is not None and not math.isnan(baseline):
        fig.add_shape(type="line", x0=baseline, x1=baseline, y0=0, y1=1, xref="x2", yref="paper",
                      line={"color": BASELINE, "dash": "dash", "width": 1})
        fig.add_annotation(x=baseline, y=1.0, yref="paper", xref="x2", text=f"all {baseline:+.2f}",
                           showarrow=False, yanchor="bottom", font={"size": 10, "color": BASELINE})
    reach = float(max((half + data[["neg", "pos"]].max(axis=1)).max(), 1))
    fig.update_layout(
        barmode="overlay", bargap=0.3,
        xaxis={"domain": [0.0, 0.7], "title": {"text": "← limited · quotes · deepening →"},
               "range": [-reach * 1.05, reach * 1.05], "zeroline": True, "zerolinecolor": "#555",
               "zerolinewidth": 1, "tickformat": "d"},
        xaxis2={"domain": [0.74, 1.0], "anchor": "y", "range": [-1.08, 1.08],
                "tickvals": [-1, 0, 1], "ticktext": ["−1", "0", "+1"], "zeroline": True, "zerolinecolor": "#bbb"},
        # No y title: the chart heading names the groups, and on a phone every pixel goes to the bars.
        yaxis={"automargin": True},
        meta={"group_label": label},
    )
    return _layout(fig, title, subtitle, height=max(300, 190 + 32 * len(data)))


def heatmap(df: pd.DataFrame, *, min_quotes: int, title: str, subtitle: str | None = None) -> go.Figure:
    """Mean stance per institution × outlet. Cells with fewer than ``min_quotes`` quotes are left white with
    their count in grey (no colour: too few to trust a mean), so they never look like a mean of 0 (mid-grey)."""
    if df.empty:
        return empty_figure(title, "No institution × outlet pairs match the current filters.")
    inst_order = df.groupby("institution")["mean"].mean().sort_values().index.tolist()
    outlet_order = df.groupby("outlet")["n"].sum().sort_values(ascending=False).index.tolist()
    mean = df.pivot(index="institution", columns="outlet", values="mean").reindex(
        index=inst_order, columns=outlet_order)
    count = df.pivot(index="institution", columns="outlet", values="n").reindex(
        index=inst_order, columns=outlet_order).fillna(0).astype(int)
    enough = count >= min_quotes
    shown = mean.where(enough)
    y = [text(i, 30) for i in inst_order]
    x = [text(o, 20) for o in outlet_order]
    hover = [
        [f"<b>{text(i, 80)}</b> in <b>{text(o, 60)}</b><br>{count.at[i, o]} quotes"
         + (f", mean stance {mean.at[i, o]:+.2f}" if enough.at[i, o] else
            (f"<br>fewer than {min_quotes}: no mean shown" if count.at[i, o] else ""))
         for o in outlet_order]
        for i in inst_order
    ]
    labels = [[str(count.at[i, o]) if count.at[i, o] >= min_quotes else
               (f"({count.at[i, o]})" if count.at[i, o] else "") for o in outlet_order] for i in inst_order]
    cells = [[json.dumps(["cell", [str(i), str(o)]]) for o in outlet_order] for i in inst_order]
    fig = go.Figure()
    fig.add_heatmap(z=shown.values, x=x, y=y, colorscale=DIVERGING_SCALE, zmin=-1, zmax=1, zmid=0,
                    text=labels, texttemplate="%{text}", textfont={"size": 10}, customdata=cells,
                    colorbar={"title": {"text": "Mean stance", "side": "top"}, "tickvals": [-1, 0, 1],
                              "ticktext": ["−1 limited", "0 no call", "+1 deepening"], "len": 0.8,
                              "thickness": 12},
                    hoverinfo="text", hovertext=hover, xgap=2, ygap=2, hoverongaps=True)
    fig.update_layout(xaxis={"title": "Outlet", "side": "bottom", "tickangle": -35, "showgrid": False},
                      yaxis={"title": "Institution", "automargin": True, "showgrid": False},
                      plot_bgcolor="white")
    return _layout(fig, title, subtitle, height=max(340, 220 + 26 * len(inst_order)), top=80)


def timeline(df: pd.DataFrame, *, title: str, subtitle: str | None = None, min_quotes: int = 3) -> go.Figure:
    """Monthly quote counts by stance (limited below zero) on top; below, on its own axis, the monthly mean
    with a 95 % band (±1.96·sd/√n). Months with fewer than ``min_quotes`` quotes get a hollow marker and no
    line, so a mean resting on one quote does not swing the curve."""
    if df.empty:
        return empty_figure(title, "No dated quotes match the current filters.")
    df = _every_month(df)
    months = [d.strftime("%Y-%m") for d in df["month"]]
    hover = [f"<b>{m}</b><br>{int(r.n)} quotes: {int(r.pos)} deepening · {int(r.neu)} no call · "
             f"{int(r.neg)} limited" + (f"<br>mean {r.mean:+.2f}" if r.n else "")
             for m, r in zip(months, df.itertuples(), strict=True)]
    sd = df["sd"] if "sd" in df else pd.Series([float("nan")] * len(df))
    half_band = [min(1.96 * float(s) / math.sqrt(n), 2.0) if n > 1 and pd.notna(s) else None
                 for s, n in zip(sd, df["n"], strict=True)]
    solid = df["n"] >= min_quotes
    fig = go.Figure()
    custom = [json.dumps(["month", m]) for m in months]
    for value, column in ((-1, "neg"), (0, "neu"), (1, "pos")):
        fig.add_bar(x=months, y=-df[column] if value < 0 else df[column], name=STANCE_NAMES[value],
                    marker_color=STANCE_COLOURS[value], hovertext=hover, hoverinfo="text", customdata=custom)
    fig.add_scatter(x=months, y=df["mean"].where(solid), xaxis="x2", yaxis="y2", mode="lines+markers",
                    name="monthly mean (95 % band)", line={"color": MEAN_MARK, "width": 2}, marker={"size": 6},
                    hovertext=hover, hoverinfo="text",
                    error_y={"type": "data", "array": [b if ok else None for b, ok in zip(half_band, solid, strict=True)],
                             "color": "#999", "thickness": 1, "width": 3},
                    connectgaps=False, customdata=custom)
    sparse = (~solid) & (df["n"] > 0)
    if sparse.any():
        fig.add_scatter(x=months, y=df["mean"].where(sparse), xaxis="x2", yaxis="y2", mode="markers",
                        name=f"mean of < {min_quotes} quotes", hovertext=hover, hoverinfo="text", customdata=custom,
                        marker={"size": 7, "symbol": "circle-open", "color": "#888"})
    reach = float(max(df["neg"].max(), (df["neu"] + df["pos"]).max(), 1)) * 1.05
    # Counts on top, the mean on its own axis below (never overlaid on the count axis).
    fig.update_layout(
        barmode="relative",
        xaxis={"type": "category", "anchor": "y", "showticklabels": False},
        xaxis2={"type": "category", "anchor": "y2", "matches": "x", "title": {"text": "Month of publication"}},
        yaxis={"domain": [0.42, 1.0], "title": {"text": "quotes"}, "zeroline": True, "zerolinecolor": "#555",
               "range": [-reach, reach]},
        yaxis2={"domain": [0.0, 0.36], "title": {"text": "mean"}, "range": [-1.1, 1.1], "tickvals": [-1, 0, 1],
                "ticktext": ["−1", "0", "+1"], "zeroline": True, "zerolinecolor": "#bbb"},
    )
    return _layout(fig, title, subtitle, height=500, top=80)


def small_multiples(df: pd.DataFrame, *, title: str, subtitle: str | None = None, baseline: pd.DataFrame | None = None,
                    min_quotes: int = 3) -> go.Figure:
    """Monthly mean stance, one small panel per group (``group, month, n, mean``), each with the all-quotes
    monthly mean (``baseline``: month, n, mean) as a grey line: "selection vs all"."""
    if df.empty:
        return empty_figure(title, "Nothing to compare under the current filters.")
    groups = list(dict.fromkeys(df.sort_values("n", ascending=False)["group"]))
    cols = 2 if len(groups) > 1 else 1
    rows = math.ceil(len(groups) / cols)
    fig = make_subplots(rows=rows, cols=cols, shared_xaxes=True, shared_yaxes=True, vertical_spacing=0.12 / max(rows, 1) + 0.04,
                        horizontal_spacing=0.06, subplot_titles=[text(g, 34) for g in groups])
    months = sorted({pd.Timestamp(m).strftime("%Y-%m") for m in df["month"]}
                    | ({pd.Timestamp(m).strftime("%Y-%m") for m in baseline["month"]} if baseline is not None else set()))
    for i, g in enumerate(groups):
        r, c = i // cols + 1, i % cols + 1
        sub = df[df["group"] == g].assign(m=lambda d: [pd.Timestamp(v).strftime("%Y-%m") for v in d["month"]])
        sub = sub.set_index("m").reindex(months)
        ok = sub["n"].fillna(0) >= min_quotes
        if baseline is not None:
            b = baseline.assign(m=[pd.Timestamp(v).strftime("%Y-%m") for v in baseline["month"]]).set_index("m").reindex(months)
            fig.add_scatter(x=months, y=b["mean"], mode="lines", line={"color": "#bbbbbb", "width": 1.5},
                            name="all quotes", legendgroup="all", showlegend=i == 0, hoverinfo="skip", row=r, col=c)
        fig.add_scatter(x=months, y=sub["mean"].where(ok), mode="lines+markers", line={"color": MEAN_MARK, "width": 2},
                        marker={"size": 5}, name=f"selection (≥ {min_quotes} quotes a month)", legendgroup="sel",
                        showlegend=i == 0, customdata=[json.dumps(["month", m]) for m in months],
                        hovertext=[f"<b>{text(g, 60)}</b> {m}<br>{int(n) if pd.notna(n) else 0} quotes"
                                   + (f", mean {v:+.2f}" if pd.notna(v) else "")
                                   for m, n, v in zip(months, sub["n"], sub["mean"], strict=True)],
                        hoverinfo="text", row=r, col=c)
    fig.update_yaxes(range=[-1.1, 1.1], tickvals=[-1, 0, 1], ticktext=["−1", "0", "+1"], zeroline=True,
                     zerolinecolor="#bbb")
    fig.update_xaxes(type="category", nticks=6)
    for ann in fig.layout.annotations:
        ann.font = {"size": 12}
    return _layout(fig, title, subtitle, height=max(300, 120 + 190 * rows), top=90)


def _every_month(df: pd.DataFrame) -> pd.DataFrame:
    """Months without quotes as explicit zero rows, so a gap in coverage shows as a gap, not a jump."""
    index = pd.to_datetime(df["month"])
    full = pd.date_range(index.min(), index.max(), freq="MS")
    out = df.assign(month=index).set_index("month").reindex(full)
    counts = ["n", "neg", "neu", "pos"]
    out[counts] = out[counts].fillna(0).astype(int)
    return out.rename_axis("month").reset_index()


def stance_strip_svg(neg: int, neu: int, pos: int) -> str:
    """The mini bar of an expert row as a base64 SVG data URL: one 100 % bar, limited red · no call grey ·
    deepening blue (a BarChartColumn can only draw one colour). Numbers only: nothing from an article."""
    import base64

    total = max(int(neg) + int(neu) + int(pos), 1)
    x, parts = 0.0, []
    for count, colour in ((neg, NEGATIVE), (neu, NEUTRAL), (pos, POSITIVE)):
        w = 100.0 * int(count) / total
        if w:
            parts.append(f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="14" fill="{colour}"/>')
        x += w
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="14" viewBox="0 0 100 14">{"".join(parts)}</svg>'
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def stance_strip(neg: int, neu: int, pos: int) -> list[int]:
    """Counts in the order limited, no call, deepening."""
    return [int(neg), int(neu), int(pos)]
