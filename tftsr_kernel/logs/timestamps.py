"""Vectorised timestamp parsing: a catalogue of common layouts, each an RE2 pattern with named parts.

A layout's pattern names the parts it carries (``Y`` four-digit year, ``y`` two-digit year, ``m``
month number, ``b`` month name, ``d`` day, ``H``/``M``/``S`` time, ``f`` fraction, ``p`` AM/PM,
``tz`` zone, ``epoch`` seconds since 1970). Parsing rebuilds an ISO string from the parts with Arrow
compute kernels and converts it with ``strptime`` (bad values become null, never errors), so a
million timestamps take a fraction of a second and no Python loop runs per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MON = r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_DOW = r"(?i:mon|tue|wed|thu|fri|sat|sun)[a-z]*"
_TZ = r"(?P<tz>Z|[+-]\d\d:?\d\d|(?i:UTC|GMT))"


@dataclass(frozen=True)
class Layout:
    name: str
    pattern: str  # RE2, parts as named groups; used both to find and to take apart a timestamp

    @property
    def bare(self) -> str:
        """The pattern with its groups unnamed, for embedding into a line pattern."""
        import re

        return re.sub(r"\(\?P<\w+>", "(?:", self.pattern)


LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        Layout("iso", r"(?P<Y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})[T ](?P<H>\d{1,2}):(?P<M>\d\d):(?P<S>\d\d)"
               r"(?:[.,](?P<f>\d{1,9}))?(?: ?" + _TZ + r")?"),
        Layout("ctime", _DOW + r" (?P<b>" + _MON + r") +(?P<d>\d{1,2}) (?P<H>\d\d):(?P<M>\d\d):(?P<S>\d\d)"
               r"(?:\.(?P<f>\d{1,9}))? (?P<Y>\d{4})"),
        Layout("syslog", r"(?P<b>" + _MON + r") +(?P<d>\d{1,2}) (?P<H>\d\d):(?P<M>\d\d):(?P<S>\d\d)"
               r"(?:\.(?P<f>\d{1,9}))?"),
        Layout("clf", r"(?P<d>\d{1,2})/(?P<b>" + _MON + r")/(?P<Y>\d{4}):(?P<H>\d\d):(?P<M>\d\d):(?P<S>\d\d)"
               r"(?:\.(?P<f>\d{1,9}))?(?: " + _TZ + r")?"),
        Layout("yymmdd", r"(?P<y>\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d) (?P<H>[0-2]\d)(?P<M>[0-5]\d)(?P<S>[0-6]\d)"),
        Layout("yy/mm/dd", r"(?P<y>\d\d)/(?P<m>\d\d)/(?P<d>\d\d) (?P<H>\d\d):(?P<M>\d\d):(?P<S>\d\d)"
               r"(?:[.,](?P<f>\d{1,9}))?"),
        Layout("mdy", r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<Y>\d{4})[ ,:]+(?P<H>\d{1,2}):(?P<M>\d\d):(?P<S>\d\d)"
               r"(?:[.,](?P<f>\d{1,9}))?(?: ?(?P<p>(?i:AM|PM)))?"),
        Layout("dmy-mon", r"(?P<d>\d{1,2})[- ](?P<b>" + _MON + r")[- ](?P<Y>\d{4})[ :]"
               r"(?P<H>\d\d):(?P<M>\d\d):(?P<S>\d\d)"
               r"(?:[.,](?P<f>\d{1,9}))?"),
        Layout("mm.dd", r"(?P<m>[01]\d)\.(?P<d>[0-3]\d) (?P<H>\d\d):(?P<M>\d\d):(?P<S>\d\d)(?:[.,](?P<f>\d{1,9}))?"),
        Layout("time", r"(?P<H>[0-2]\d):(?P<M>[0-5]\d):(?P<S>[0-6]\d)(?:[.,](?P<f>\d{1,9}))?"),
        Layout("epoch", r"(?P<epoch>\d{9,10}(?:\.\d{1,9})?|\d{13}|\d{16}|\d{19})"),
    )
}

# Layouts tried, in this order, for a timestamp whose layout a format does not fix.
ANY = ("iso", "ctime", "syslog", "clf", "yy/mm/dd", "yymmdd", "mdy", "dmy-mon", "mm.dd", "time")


def any_pattern(names: tuple[str, ...] = ANY) -> str:
    return "(?:" + "|".join(LAYOUTS[n].bare for n in names) + ")"


@dataclass
class TsContext:
    """What a file tells us about timestamps that its lines leave out."""

    ref: dt.datetime | None = None  # naive local time the file was last written (mtime); fills a missing year/date
    year: int | None = None  # an explicit year for layouts without one


@dataclass
class ParsedTs:
    values: pa.TimestampArray  # timestamp[ns]; naive local time, or UTC where ``aware``
    aware: np.ndarray  # bool per row: the text carried a zone and ``values`` is UTC


def _field(parts: pa.StructArray, name: str) -> pa.Array | None:
    try:
        return pc.struct_field(parts, name)
    except (KeyError, pa.ArrowInvalid):
        return None


def _pad(a: pa.Array, width: int) -> pa.Array:
    return pc.utf8_lpad(a, width=width, padding="0")


def _to_int(a: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.cast(a, pa.int64()), 0))


def _parse_layout(text: pa.Array, layout: Layout, ctx: TsContext) -> ParsedTs:
    parts = pc.extract_regex(text, "^" + layout.pattern + "$")
    n = len(text)
    epoch = _field(parts, "epoch")
    if epoch is not None:
        return _parse_epoch(epoch)
    ref = ctx.ref or dt.datetime.now()
    day_only = False
    year = _field(parts, "Y")
    if year is None:
        yy = _field(parts, "y")
        if yy is not None:
            yyi = _to_int(yy)
            year = pa.array(np.where(yyi > 69, 1900 + yyi, 2000 + yyi).astype(str))
        else:
            year = pa.array(np.full(n, str(ctx.year or ref.year)))
    month = _field(parts, "m")
    if month is None:
        b = _field(parts, "b")
        if b is not None:
            idx = pc.index_in(pc.utf8_lower(pc.utf8_slice_codeunits(b, 0, 3)), value_set=pa.array(MONTHS))
            month = pc.cast(pc.add(idx, 1), pa.string())
        else:
            day_only = True
            month = pa.array(np.full(n, str(ref.month)))
    day = _field(parts, "d")
    if day is None:
        day = pa.array(np.full(n, str(ref.day)))
    hour = _field(parts, "H")
    pm = _field(parts, "p")
    if pm is not None and hour is not None:
        h = _to_int(hour)
        is_pm = np.asarray(pc.fill_null(pc.equal(pc.utf8_upper(pm), "PM"), False))
        is_am = np.asarray(pc.fill_null(pc.equal(pc.utf8_upper(pm), "AM"), False))
        h = np.where(is_pm & (h < 12), h + 12, np.where(is_am & (h == 12), 0, h))
        hour = pc.if_else(pc.is_null(_field(parts, "H")), pa.nulls(n, pa.string()), pa.array(h.astype(str)))
    assert hour is not None
    iso = pc.binary_join_element_wise(
        year, "-", _pad(month, 2), "-", _pad(day, 2), "T", _pad(hour, 2), ":",
        _field(parts, "M"), ":", _field(parts, "S"), "",
    )
    iso = pc.if_else(parts.is_valid(), iso, pa.nulls(n, pa.string()))
    base = pc.strptime(iso, format="%Y-%m-%dT%H:%M:%S", unit="ns", error_is_null=True)
    values = np.array(base.cast(pa.int64()).fill_null(0))
    mask = np.asarray(base.is_null())
    frac = _field(parts, "f")
    if frac is not None:
        f = frac.fill_null("")
        ns = _to_int(pc.if_else(pc.equal(f, ""), "0", pc.utf8_rpad(pc.utf8_slice_codeunits(f, 0, 9), 9, "0")))
        values = values + np.where(mask, 0, ns)
    aware = np.zeros(n, dtype=bool)
    tz = _field(parts, "tz")
    if tz is not None:
        offset = _tz_offset_ns(tz)
        aware = ~np.isnan(offset) & ~mask
        values = values - np.where(aware, np.nan_to_num(offset), 0).astype(np.int64)
    # A layout without a year (or without a date) takes it from the file's modification time; a value
    # that would then lie after the file was written belongs to the year (or day) before.
    if ctx.year is None and _field(parts, "Y") is None and _field(parts, "y") is None:
        limit = np.datetime64(ref + dt.timedelta(days=1), "ns").astype(np.int64)
        late = (values > limit) & ~mask
        if late.any():
            if day_only:
                values[late] -= 86_400 * 10**9
            else:
                values[late] = np.array([_year_back(int(v)) for v in values[late]], dtype=np.int64)
    arr = pa.array(values, type=pa.int64(), mask=mask).cast(pa.timestamp("ns"))
    return ParsedTs(arr, aware)


def _year_back(ns: int) -> int:
    t = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=ns // 1000)
    try:
        earlier = t.replace(year=t.year - 1)
    except ValueError:  # 29 February
        earlier = t.replace(year=t.year - 1, day=28)
    return ns - int((t - earlier).total_seconds()) * 10**9


def _tz_offset_ns(tz: pa.Array) -> np.ndarray:
    s = pc.utf8_upper(pc.replace_substring(tz, ":", "")).to_pylist()
    out = np.full(len(s), np.nan)
    for i, z in enumerate(s):
        if not z:
            continue
        if z in ("Z", "UTC", "GMT"):
            out[i] = 0.0
        elif len(z) == 5 and z[1:].isdigit():
            sign = -1 if z[0] == "-" else 1
            out[i] = sign * (int(z[1:3]) * 3600 + int(z[3:5]) * 60) * 1e9
    return out


def _parse_epoch(epoch: pa.Array) -> ParsedTs:
    text = epoch.fill_null("").to_pylist()
    values = np.zeros(len(text), dtype=np.int64)
    mask = np.ones(len(text), dtype=bool)
    for i, t in enumerate(text):
        if t:
            values[i] = epoch_to_ns(float(t) if "." in t else int(t))
            mask[i] = False
    return ParsedTs(pa.array(values, mask=mask).cast(pa.timestamp("ns")), ~mask)


def epoch_to_ns(v: float | int) -> int:
    """Seconds, milliseconds, microseconds or nanoseconds since 1970, told apart by magnitude."""
    a = abs(v)
    if a < 1e11:
        return int(round(v * 1e9))
    if a < 1e14:
        return int(v) * 1_000_000
    if a < 1e17:
        return int(v) * 1_000
    return int(v)


def parse_timestamps(text: pa.Array, ctx: TsContext, layouts: tuple[str, ...] = ANY) -> ParsedTs:
    """Parse a string array, trying ``layouts`` in order and keeping the first that reads each value.

    Logs repeat the same timestamp text many times (one second, many lines), so each distinct value is
    parsed once and the results are spread back to the rows."""
    text = text.cast(pa.string())
    if len(text) > 64:
        enc = pc.dictionary_encode(text)
        if len(enc.dictionary) < 0.7 * len(text):
            uniq = _parse_distinct(enc.dictionary, ctx, layouts)
            idx = enc.indices
            values = uniq.values.take(idx)
            aware = np.zeros(len(text), dtype=bool)
            valid_idx = np.asarray(idx.is_valid())
            aware[valid_idx] = uniq.aware[np.asarray(idx.drop_null())]
            return ParsedTs(values, aware)
    return _parse_distinct(text, ctx, layouts)


def _parse_distinct(text: pa.Array, ctx: TsContext, layouts: tuple[str, ...]) -> ParsedTs:
    text = pc.utf8_trim_whitespace(text)
    n = len(text)
    result: ParsedTs | None = None
    for name in layouts:
        if result is not None:
            todo = np.asarray(result.values.is_null()) & np.asarray(text.is_valid())
            if not todo.any():
                break
            sub = _parse_layout(pc.filter(text, pa.array(todo)), LAYOUTS[name], ctx)
            idx = np.flatnonzero(todo)
            vals = np.array(result.values.cast(pa.int64()).fill_null(0))
            mask = np.asarray(result.values.is_null()).copy()
            got = np.asarray(sub.values.is_valid())
            vals[idx[got]] = np.asarray(sub.values.cast(pa.int64()).fill_null(0))[got]
            mask[idx[got]] = False
            aware = result.aware.copy()
            aware[idx[got]] = sub.aware[got]
            result = ParsedTs(pa.array(vals, mask=mask).cast(pa.timestamp("ns")), aware)
        else:
            result = _parse_layout(text, LAYOUTS[name], ctx)
    if result is None:
        return ParsedTs(pa.nulls(n, pa.timestamp("ns")), np.zeros(n, dtype=bool))
    return result
