"""Investigation views over a loaded DataFrame: a timeline by level, new templates, top templates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

from .levels import LEVELS

_COLOURS = {"TRACE": "#c7c7c7", "DEBUG": "#9edae5", "INFO": "#1f77b4", "NOTICE": "#17becf",
            "WARNING": "#ff7f0e", "ERROR": "#d62728", "CRITICAL": "#7f0000", "(none)": "#7f7f7f"}


def _when(value: Any, like: pd.Series) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    tz = getattr(like.dt, "tz", None)
    if tz is not None and ts.tzinfo is None:
        ts = ts.tz_localize(tz)
    elif tz is None and ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts


def timeline(df: pd.DataFrame, freq: str = "1min", window: tuple[Any, Any] | None = None,
             title: str | None = None) -> Figure:
    """Stacked counts of records per ``freq`` bucket by level; ``window=(start, end)`` is shaded."""
    from matplotlib.figure import Figure  # imported here: loading logs should not pay for matplotlib

    fig = Figure(figsize=(11, 3.6), layout="constrained")
    ax = fig.add_subplot()
    data = df.loc[df["ts"].notna(), ["ts", "level"]]
    if data.empty:
        ax.text(0.5, 0.5, "no timestamped records", ha="center", va="center", transform=ax.transAxes)
    else:
        level = data["level"].astype("str").fillna("(none)").where(data["level"].notna(), "(none)")
        counts = (pd.DataFrame({"ts": data["ts"], "level": level})
                  .groupby([pd.Grouper(key="ts", freq=freq), "level"]).size().unstack(fill_value=0))
        order = [lv for lv in (*LEVELS, "(none)") if lv in counts.columns]
        counts = counts[order]
        width = pd.Timedelta(freq) * 0.9
        bottom = None
        for lv in order:
            ax.bar(counts.index, counts[lv].to_numpy(), width=width, bottom=bottom, label=lv,
                   color=_COLOURS[lv], align="edge")
            bottom = counts[lv].to_numpy() if bottom is None else bottom + counts[lv].to_numpy()
        ax.legend(loc="upper left", fontsize="small", ncols=min(len(order), 7))
    if window is not None and not data.empty:
        start, end = (_when(w, data["ts"]) for w in window)
        ax.axvspan(start, end, color="#d62728", alpha=0.12, label="incident window")
    ax.set_ylabel(f"records per {freq}")
    ax.set_title(title or "log records by level")
    fig.autofmt_xdate()
    return fig


def _summary(sub: pd.DataFrame) -> pd.DataFrame:
    if sub.empty:
        return pd.DataFrame({"template_id": pd.Series([], dtype="str"), "template": pd.Series([], dtype="str"),
                             "count": pd.Series([], dtype="int64"), "first_seen": pd.Series([], dtype="datetime64[ns]"),
                             "last_seen": pd.Series([], dtype="datetime64[ns]"), "example": pd.Series([], dtype="str")})
    g = sub.groupby("template_id", observed=True, sort=False)
    out = pd.DataFrame({
        "template": g["template"].first().astype("str"),
        "count": g.size(),
        "first_seen": g["ts"].min(),
        "last_seen": g["ts"].max(),
        "example": g["message"].first(),
    }).reset_index()
    out["template_id"] = out["template_id"].astype("str")
    return out


def new_templates(df: pd.DataFrame, after: Any) -> pd.DataFrame:
    """Templates whose first timestamped record comes after ``after`` — what changed — earliest first."""
    data = df[df["ts"].notna() & df["template_id"].notna()]
    s = _summary(data)
    if s.empty:
        return s
    cut = _when(after, data["ts"])
    return s[s["first_seen"] > cut].sort_values(["first_seen", "template_id"]).reset_index(drop=True)


def top_templates(df: pd.DataFrame, level: str | None = "ERROR", n: int = 20) -> pd.DataFrame:
    """The ``n`` most frequent templates among records at ``level`` or more severe (all records if None)."""
    data = df[df["template_id"].notna()]
    if level is not None:
        lv = level.upper()
        if lv not in LEVELS:
            raise ValueError(f"unknown level {level!r}; choose one of {', '.join(LEVELS)}.")
        data = data[data["level"].notna() & (data["level"] >= lv)]
    s = _summary(data)
    return s.sort_values(["count", "template_id"], ascending=[False, True]).head(n).reset_index(drop=True)
