"""Pure chart builders: DataFrame -> plotly Figure. No Streamlit, no database.

One diverging colour scale everywhere (ColorBrewer RdBu end points, colour-blind safe): -1 red, 0 grey,
+1 blue. Hover text carries counts and an example quote; text from articles is HTML-escaped because plotly
renders a subset of HTML in hover labels.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from dashboard.filters import TYPE_LABELS

NEGATIVE = "#b2182b"
NEUTRAL = "#b8b8b8"
POSITIVE = "#2166ac"
MEAN_MARK = "#222222"
MISSING = "#d4d4d4"  # greyed heatmap cells: too few quotes to trust a mean
STANCE_COLOURS = {-1: NEGATIVE, 0: NEUTRAL, 1: POSITIVE}
STANCE_NAMES = {-1: "Against (−1)", 0: "Neutral (0)", 1: "For (+1)"}
# Continuous scale for means in [-1, 1], grey at 0, same end colours as the bars.
DIVERGING_SCALE = [[0.0, NEGATIVE], [0.25, "#ef8a62"], [0.5, "#f2f2f2"], [0.75, "#67a9cf"], [1.0, POSITIVE]]
TOPIC = "Russia–North Korea cooperation"
FONT = "DejaVu Sans, Arial, sans-serif"
GROUP_LABELS = {"institution": "Institution", "outlet": "Outlet", "institution_type": "Institution type",
                "speaker": "Speaker"}


def _esc(value: object, limit: int = 140) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text)


def _short(label: object, limit: int = 42) -> str:
    text = str(label)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _layout(
    fig: go.Figure, title: str, subtitle: str | None = None, *, height: int = 420, top: int = 120
) -> go.Figure:
    full = title if not subtitle else f"{title}<br><sup>{html.escape(subtitle)}</sup>"
    fig.update_layout(
        # A fixed 18 px from the top edge, whatever the height (plotly ignores title.pad in some renderers).
        title={"text": full, "x": 0.0, "xanchor": "left", "xref": "container", "y": 1 - 18 / height,
               "yanchor": "top", "yref": "container", "pad": {"l": 10}, "font": {"size": 17}},
        font={"family": FONT, "size": 12, "color": "#222"},
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 20, "t": top, "b": 100},
        # Legend under the plot (container coordinates): the top edge belongs to the mean-stance axis.
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.0, "xanchor": "left",
                "x": 0.0, "title": {"text": ""}},
        hoverlabel={"align": "left"},
    )
    return fig


def empty_figure(title: str, message: str) -> go.Figure:
    """A blank chart that says why it is blank (filters matched nothing)."""
    fig = go.Figure()
    fig.add_annotation(text=html.escape(message), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14, "color": "#666"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, height=260, top=60)


def diverging_bars(df: pd.DataFrame, *, group: str, title: str, subtitle: str | None = None) -> go.Figure:
    """Diverging stacked bars of -1/0/+1 counts per group, sorted by mean stance, mean marked with a diamond.

    ``df`` has columns group, n, neg, neu, pos, mean and optionally ex_neg / ex_pos (example quotes).
    Neutral counts straddle zero so the bars' balance is visible at a glance; the mean stance uses the
    top axis (-1..+1).
    """
    label = GROUP_LABELS.get(group, group)
    if df.empty:
        return empty_figure(title, "No quotes match the current filters.")
    data = df.sort_values(["mean", "n"], ascending=[True, True]).reset_index(drop=True)
    names = [TYPE_LABELS.get(str(g), str(g)) if group == "institution_type" else str(g) for g in data["group"]]
    ticks = [_short(n) for n in names]
    # Plotly needs unique category labels; truncation could collide, so keep them distinct.
    seen: dict[str, int] = {}
    for i, t in enumerate(ticks):
        seen[t] = seen.get(t, 0) + 1
        if seen[t] > 1:
            ticks[i] = f"{t} ({seen[t]})"
    ex_neg = data.get("ex_neg", pd.Series([None] * len(data)))
    ex_pos = data.get("ex_pos", pd.Series([None] * len(data)))
    base = [
        f"<b>{_esc(n, 80)}</b><br>{int(r.n)} quotes: {int(r.neg)} against · {int(r.neu)} neutral · "
        f"{int(r.pos)} for<br>mean stance {r.mean:+.2f}"
        for n, r in zip(names, data.itertuples(), strict=True)
    ]
    hover_neg = [b + (f"<br><i>e.g. {_esc(e)}</i>" if _esc(e) else "") for b, e in zip(base, ex_neg, strict=True)]
    hover_pos = [b + (f"<br><i>e.g. {_esc(e)}</i>" if _esc(e) else "") for b, e in zip(base, ex_pos, strict=True)]
    half = data["neu"] / 2
    fig = go.Figure()
    fig.add_bar(y=ticks, x=-data["neg"], base=-half, orientation="h", name=STANCE_NAMES[-1],
                marker_color=NEGATIVE, customdata=data["neg"], hovertext=hover_neg, hoverinfo="text")
    fig.add_bar(y=ticks, x=data["neu"], base=-half, orientation="h", name=STANCE_NAMES[0],
                marker_color=NEUTRAL, hovertext=base, hoverinfo="text")
    fig.add_bar(y=ticks, x=data["pos"], base=half, orientation="h", name=STANCE_NAMES[1],
                marker_color=POSITIVE, hovertext=hover_pos, hoverinfo="text")
    fig.add_scatter(y=ticks, x=data["mean"], xaxis="x2", mode="markers", name="Mean stance ◆ (top axis)",
                    marker={"symbol": "diamond", "size": 11, "color": MEAN_MARK,
                            "line": {"color": "white", "width": 1.5}},
                    hovertext=base, hoverinfo="text")
    reach = float(max((half + data[["neg", "pos"]].max(axis=1)).max(), 1))
    fig.update_layout(
        barmode="overlay",
        bargap=0.3,
        xaxis={"title": "Quotes (← against · for →)", "range": [-reach * 1.05, reach * 1.05],
               "zeroline": True, "zerolinecolor": "#555", "zerolinewidth": 1, "tickformat": "d"},
        xaxis2={"overlaying": "x", "side": "top", "range": [-1.05, 1.05], "title": {"text": "Mean stance ◆", "standoff": 4},
                "tickvals": [-1, -0.5, 0, 0.5, 1], "ticktext": ["−1", "−0.5", "0", "+0.5", "+1"],
                "showgrid": False},
        yaxis={"title": label, "automargin": True},
    )
    return _layout(fig, title, subtitle, height=max(320, 240 + 26 * len(data)))


def heatmap(df: pd.DataFrame, *, min_quotes: int, title: str, subtitle: str | None = None) -> go.Figure:
    """Mean stance per institution × outlet; cells with fewer than ``min_quotes`` quotes are grey."""
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
    sparse = count.where(~enough & (count > 0)).map(lambda v: 0.0 if pd.notna(v) else None)
    y = [_short(i, 38) for i in inst_order]
    x = [_short(o, 24) for o in outlet_order]
    hover = [
        [f"<b>{_esc(i, 80)}</b> in <b>{_esc(o, 60)}</b><br>{count.at[i, o]} quotes"
         + (f", mean stance {mean.at[i, o]:+.2f}" if pd.notna(mean.at[i, o]) else "")
         + ("" if enough.at[i, o] else f"<br>(fewer than {min_quotes}: greyed)")
         for o in outlet_order]
        for i in inst_order
    ]
    text = [[str(count.at[i, o]) if count.at[i, o] >= min_quotes else "" for o in outlet_order] for i in inst_order]
    fig = go.Figure()
    sparse_text = [[str(count.at[i, o]) if 0 < count.at[i, o] < min_quotes else "" for o in outlet_order]
                   for i in inst_order]
    fig.add_heatmap(z=sparse.values, x=x, y=y, colorscale=[[0, MISSING], [1, MISSING]], showscale=False,
                    text=sparse_text, texttemplate="%{text}", textfont={"size": 10, "color": "#666"},
                    hoverinfo="text", hovertext=hover, xgap=2, ygap=2)
    fig.add_heatmap(z=shown.values, x=x, y=y, colorscale=DIVERGING_SCALE, zmin=-1, zmax=1, zmid=0,
                    text=text, texttemplate="%{text}", textfont={"size": 10},
                    colorbar={"title": {"text": "Mean stance", "side": "top"}, "tickvals": [-1, 0, 1],
                              "ticktext": ["−1 against", "0", "+1 for"], "len": 0.85},
                    hoverinfo="text", hovertext=hover, xgap=2, ygap=2)
    fig.update_layout(xaxis={"title": "Outlet", "side": "bottom", "tickangle": -30},
                      yaxis={"title": "Institution", "automargin": True})
    return _layout(fig, title, subtitle, height=max(340, 220 + 28 * len(inst_order)), top=80)


def timeline(df: pd.DataFrame, *, title: str, subtitle: str | None = None) -> go.Figure:
    """Monthly quote counts split by stance (against below zero) with the mean stance as a line."""
    if df.empty:
        return empty_figure(title, "No dated quotes match the current filters.")
    df = _every_month(df)
    months = [d.strftime("%Y-%m") for d in df["month"]]
    hover = [f"<b>{m}</b><br>{int(r.n)} quotes: {int(r.neg)} against · {int(r.neu)} neutral · "
             + (f"{int(r.pos)} for<br>mean stance {r.mean:+.2f}" if r.n else f"{int(r.pos)} for")
             for m, r in zip(months, df.itertuples(), strict=True)]
    fig = go.Figure()
    fig.add_bar(x=months, y=-df["neg"], name=STANCE_NAMES[-1], marker_color=NEGATIVE, hovertext=hover,
                hoverinfo="text")
    fig.add_bar(x=months, y=df["neu"], name=STANCE_NAMES[0], marker_color=NEUTRAL, hovertext=hover,
                hoverinfo="text")
    fig.add_bar(x=months, y=df["pos"], name=STANCE_NAMES[1], marker_color=POSITIVE, hovertext=hover,
                hoverinfo="text")
    fig.add_scatter(x=months, y=df["mean"], yaxis="y2", mode="lines+markers", name="Mean stance (right axis)",
                    line={"color": MEAN_MARK, "width": 2}, marker={"size": 5}, hovertext=hover,
                    hoverinfo="text")
    # Symmetric count axis so its zero lines up with the zero of the mean-stance axis on the right.
    reach = float(max(df["neg"].max(), (df["neu"] + df["pos"]).max(), 1)) * 1.05
    fig.update_layout(
        barmode="relative",
        xaxis={"title": "Month of publication", "type": "category"},
        yaxis={"title": "Quotes (against below zero)", "zeroline": True, "zerolinecolor": "#555",
               "range": [-reach, reach]},
        yaxis2={"overlaying": "y", "side": "right", "range": [-1.05, 1.05], "title": "Mean stance",
                "tickvals": [-1, -0.5, 0, 0.5, 1], "ticktext": ["−1", "−0.5", "0", "+0.5", "+1"],
                "showgrid": False, "zeroline": False},
    )
    return _layout(fig, title, subtitle, height=460, top=80)


def _every_month(df: pd.DataFrame) -> pd.DataFrame:
    """Months without quotes as explicit zero rows, so a gap in coverage shows as a gap, not a jump."""
    index = pd.to_datetime(df["month"])
    full = pd.date_range(index.min(), index.max(), freq="MS")
    out = df.assign(month=index).set_index("month").reindex(full)
    counts = ["n", "neg", "neu", "pos"]
    out[counts] = out[counts].fillna(0).astype(int)
    return out.rename_axis("month").reset_index()


def stance_strip(neg: int, neu: int, pos: int) -> list[int]:
    """The mini bar of an expert row: counts in the order against, neutral, for."""
    return [int(neg), int(neu), int(pos)]
