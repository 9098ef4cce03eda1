"""Turn batches of lines into records: one per log event, multi-line records joined, fields split out."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from . import levels
from .formats import Format
from .readers import LineBatch
from .timestamps import ANY, ParsedTs, TsContext, epoch_to_ns, parse_timestamps

CORE = ("ts", "level", "source", "message", "template_id", "template", "file", "line_no", "raw")
STR = pa.large_string()


@dataclass
class Records:
    """Column arrays for ``n`` records (Arrow for text, NumPy for numbers)."""

    ts: pa.Array  # timestamp[ns], naive local or UTC where ``aware``
    aware: np.ndarray
    level: np.ndarray  # int8 codes into levels.LEVELS, -1 for none
    source: pa.Array
    message: pa.Array
    raw: pa.Array
    line_no: np.ndarray
    fields: dict[str, pa.Array] = field(default_factory=dict)
    # True where the record is the first part of a line the runtime split (CRI "P", Docker 16 KB pieces)
    partial: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.raw)

    def take(self, idx: np.ndarray) -> Records:
        ix = pa.array(idx, pa.int64())
        return Records(self.ts.take(ix), self.aware[idx], self.level[idx], self.source.take(ix),
                       self.message.take(ix), self.raw.take(ix), self.line_no[idx],
                       {k: v.take(ix) for k, v in self.fields.items()},
                       None if self.partial is None else self.partial[idx])


def concat_records(a: Records, b: Records) -> Records:
    """Rows of ``a`` then ``b`` (fields missing on one side are null; differing field types become text)."""
    fields: dict[str, pa.Array] = {}
    for name in dict.fromkeys([*a.fields, *b.fields]):
        parts = [r.fields.get(name) for r in (a, b)]
        types = {p.type for p in parts if p is not None}
        typ = types.pop() if len(types) == 1 else STR
        fields[name] = pa.concat_arrays([p.cast(typ) if p is not None else pa.nulls(len(r), typ)
                                         for p, r in zip(parts, (a, b), strict=True)])
    partial = None if a.partial is None and b.partial is None else np.concatenate(
        [r.partial if r.partial is not None else np.zeros(len(r), bool) for r in (a, b)])
    return Records(pa.concat_arrays([a.ts, b.ts]), np.concatenate([a.aware, b.aware]),
                   np.concatenate([a.level, b.level]), pa.concat_arrays([_s(a.source), _s(b.source)]),
                   pa.concat_arrays([_s(a.message), _s(b.message)]), pa.concat_arrays([_s(a.raw), _s(b.raw)]),
                   np.concatenate([a.line_no, b.line_no]), fields, partial)


_MAX_PENDING_ROWS = 100_000


class PartialLineJoiner:
    """Rejoins lines a container runtime split: a partial record continues in the next record of its stream.

    CRI writes long lines as ``P`` pieces ended by an ``F`` piece; Docker's json-file driver writes a
    line over 16 KB as pieces whose ``log`` lacks the final newline. The joined record keeps the first
    piece's timestamp, line number and fields; its message is the pieces concatenated and its raw text
    the piece lines joined by newlines. A record still open at the end of a batch waits for the next.
    """

    def __init__(self, parser: RegexParser | StructuredParser) -> None:
        self.parser = parser
        self.pending: Records | None = None

    def feed(self, batch: LineBatch) -> Records | None:
        return self._join(self.parser.feed(batch), final=False)

    def flush(self) -> Records | None:
        return self._join(self.parser.flush(), final=True)

    def _join(self, rec: Records | None, final: bool) -> Records | None:
        if self.pending is not None:
            rec = self.pending if rec is None or not len(rec) else concat_records(self.pending, rec)
            self.pending = None
        if rec is None or rec.partial is None or not rec.partial.any():
            return rec
        n = len(rec)
        streams = rec.source.to_pylist()
        partial = rec.partial
        open_head: dict[object, int] = {}  # stream -> head row of the record being built
        members: dict[int, list[int]] = {}
        keep = np.ones(n, dtype=bool)
        for i in range(n):
            key = streams[i]
            head = open_head.get(key)
            if head is None:
                if partial[i]:
                    open_head[key] = i
                    members[i] = [i]
                continue
            members[head].append(i)
            keep[i] = False
            if not partial[i]:
                del open_head[key]
        cut = n
        if open_head and not final:
            # carry from the first unfinished record; a finished record whose pieces reach past that
            # point goes along too, so no piece is both emitted now and carried
            cut = min(open_head.values())
            moved = True
            while moved:
                moved = False
                for head, rows in members.items():
                    if head < cut <= rows[-1]:
                        cut, moved = head, True
            if cut == 0 and n > _MAX_PENDING_ROWS:
                cut = n  # a stream that never finishes its line: give up waiting and emit the pieces joined
            else:
                self.pending = rec.take(np.arange(cut, n))
        messages = rec.message.to_pylist() if members else []
        raws = rec.raw.to_pylist() if members else []
        for head, rows in members.items():
            if head >= cut:
                continue
            messages[head] = "".join(messages[r] or "" for r in rows)
            raws[head] = "\n".join(raws[r] or "" for r in rows)
        joined = Records(rec.ts, rec.aware, rec.level.copy(), rec.source, pa.array(messages, STR),
                         pa.array(raws, STR), rec.line_no, rec.fields, np.zeros(n, dtype=bool))
        heads = np.array([h for h in members if h < cut], dtype=np.int64)
        if len(heads):
            text = joined.message.take(pa.array(heads))
            found = levels.codes_from_text(text)
            joined.level[heads] = np.where(found >= 0, found, joined.level[heads])
        return joined.take(np.flatnonzero(keep[:cut]))


_ZEROS: list[pa.Buffer] = []


def null_array(n: int, typ: pa.DataType) -> pa.Array:
    """``n`` nulls of a string or fixed-width type whose buffers all share one zero-filled buffer.

    A field only some files have is null in every row of the others; ``pa.nulls`` would allocate
    8 bytes of offsets per row for each such column, which for a mixed load adds up to a large part of
    the input's size. Here every null chunk of every column reuses the same zeros."""
    fixed = pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_timestamp(typ) \
        or pa.types.is_boolean(typ)
    if not (fixed or pa.types.is_large_string(typ)):
        return pa.nulls(n, typ)
    need = (n + 1) * 8
    if not _ZEROS or _ZEROS[0].size < need:
        _ZEROS[:] = [pa.py_buffer(bytes(max(need, 1 << 20)))]
    zero = _ZEROS[0]
    if pa.types.is_large_string(typ):
        return pa.Array.from_buffers(typ, n, [zero, zero, zero.slice(0, 0)], null_count=n)
    return pa.Array.from_buffers(typ, n, [zero, zero], null_count=n)


def _s(a: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    return a.cast(STR)


def _blank(lines: pa.Array) -> np.ndarray:
    return np.asarray(pc.match_substring_regex(lines, r"^\s*$").fill_null(True))


def _group(parts: pa.StructArray, names: set[str], name: str) -> pa.Array | None:
    """A named group, coalesced with its alternative spellings (``name__2`` ...)."""
    found = [pc.struct_field(parts, g) for g in sorted(names) if g == name or g.startswith(name + "__")]
    if not found:
        return None
    out = found[0] if len(found) == 1 else pc.coalesce(*[pc.if_else(pc.equal(f, ""), pa.nulls(len(f), f.type), f)
                                                           for f in found])
    return pc.if_else(pc.equal(out, ""), pa.nulls(len(out), out.type), out)


_TAIL = re.compile(r"\(\?P<(?:message|_rest)>\.\*\)\$$")


def strip_prefix(lines: pa.Array, cut: np.ndarray) -> pa.Array:
    """Each string with its first ``cut[i]`` bytes removed (``cut`` falls on character boundaries)."""
    lines = _s(lines)
    n = len(lines)
    if n == 0 or not cut.any():
        return lines
    if lines.null_count:
        lines = pc.fill_null(lines, "")
    off = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset:lines.offset + n + 1]
    cut = np.minimum(cut.astype(np.int64), off[1:] - off[:-1])
    sizes = off[1:] - off[:-1] - cut
    # a list-view over the text bytes selects each kept tail; flattening copies just those bytes
    values = pa.UInt8Array.from_buffers(pa.uint8(), int(off[-1]), [None, lines.buffers()[2]])
    view = pa.LargeListViewArray.from_arrays(pa.array(off[:-1] + cut), pa.array(sizes), values)
    flat = pc.list_flatten(view)  # may be a zero-copy slice of ``values``
    kept = flat.buffers()[1].slice(flat.offset)
    new_off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(sizes, out=new_off[1:])
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(new_off), kept)


class RegexParser:
    """Stateful per file: keeps the tail of a multi-line record until the next batch shows where it ends."""

    def __init__(self, fmt: Format, ctx: TsContext) -> None:
        self.fmt, self.ctx = fmt, ctx
        # A head ending in ``(?P<message>.*)$`` is matched without that tail: RE2 then extracts only the
        # short prefix, and the message is the line with the matched prefix cut off (about 3x cheaper
        # than capturing the rest of every line). Leftmost-first matching makes the groups the same.
        tail = _TAIL.search(fmt.head)
        if tail is not None and fmt.head.startswith("^"):
            self.head = "^(?P<_all>" + fmt.head[1:tail.start()] + ")"
            self.strip = True
        else:
            self.head, self.strip = fmt.head, False
        self.groups = set(re.findall(r"\(\?P<(\w+)>", self.head)) - {"_all"}
        self.carry: pa.Array | None = None
        self.carry_nos: np.ndarray | None = None

    def feed(self, batch: LineBatch, final: bool = False) -> Records | None:
        lines: pa.Array = batch.lines
        nos = np.arange(batch.first_line_no, batch.first_line_no + len(lines), dtype=np.int64)
        if self.carry is not None and self.carry_nos is not None:
            lines = pa.concat_arrays([self.carry, lines])
            nos = np.concatenate([self.carry_nos, nos])
            self.carry = self.carry_nos = None
        keep = ~_blank(lines)
        if not keep.all():
            lines, nos = lines.filter(pa.array(keep)), nos[keep]
        if len(lines) == 0:
            return None
        parts = pc.extract_regex(lines, self.head)
        heads = np.asarray(parts.is_valid())
        if self.fmt.multiline and not final:
            last = np.flatnonzero(heads)
            if len(last) and last[-1] > 0:
                k = int(last[-1])
                self.carry, self.carry_nos = lines.slice(k), nos[k:]
                lines, nos, parts, heads = lines.slice(0, k), nos[:k], parts.slice(0, k), heads[:k]
        return self._records(lines, nos, parts, heads)

    def flush(self) -> Records | None:
        if self.carry is None:
            return None
        return self.feed(LineBatch(pa.array([], STR), 0), final=True)

    def _records(self, lines: pa.Array, nos: np.ndarray, parts: pa.StructArray, heads: np.ndarray) -> Records:
        fmt = self.fmt
        n = len(lines)
        if fmt.multiline and not heads.all():
            first = int(np.argmax(heads)) if heads.any() else n
            starts_mask = heads.copy()
            starts_mask[:first] = True  # lines before any head have no owner: records of their own
        else:
            starts_mask = np.ones(n, dtype=bool)
        starts = np.flatnonzero(starts_mask)
        idx = pa.array(starts)
        take_parts = parts.take(idx) if len(starts) != n else parts
        raw = lines.take(idx) if len(starts) != n else lines
        valid = np.asarray(take_parts.is_valid())

        def grp(name: str) -> pa.Array | None:
            g = _group(take_parts, self.groups, name)
            if g is None:
                return None
            return pc.if_else(pa.array(valid), g, pa.nulls(len(g), g.type))

        if fmt.message_parts:
            pieces = [pc.fill_null(grp(p), "") for p in fmt.message_parts]
            message = pc.binary_join_element_wise(*pieces, pa.scalar(" ", pieces[0].type))
            message = pc.if_else(pa.array(valid), message, raw)
        elif self.strip:
            whole = pc.struct_field(take_parts, "_all")
            cut = np.asarray(pc.binary_length(whole).fill_null(0), dtype=np.int64)
            message = strip_prefix(raw, np.where(valid, cut, 0))
        else:
            msg = grp("message")
            message = raw if msg is None else pc.if_else(pa.array(valid), pc.fill_null(msg, ""), raw)
        ends = np.append(starts[1:], n)
        multi = np.flatnonzero(ends - starts > 1)
        if len(multi):
            raws, msgs = [], []
            heads_msg = message.take(pa.array(multi)).to_pylist()
            for j, hm in zip(multi, heads_msg, strict=True):
                cont = lines.slice(int(starts[j]) + 1, int(ends[j] - starts[j] - 1)).to_pylist()
                tail = "\n".join(cont)
                raws.append(raw[int(j)].as_py() + "\n" + tail)
                msgs.append(hm + "\n" + tail)
            mask = np.zeros(len(starts), dtype=bool)
            mask[multi] = True
            raw = pc.replace_with_mask(raw, pa.array(mask), pa.array(raws, raw.type))
            message = pc.replace_with_mask(_s(message), pa.array(mask), pa.array(msgs, STR))
        ts_text = grp("ts")
        ts = (parse_timestamps(ts_text, self.ctx, fmt.ts_layouts) if ts_text is not None
              else ParsedTs(pa.nulls(len(starts), pa.timestamp("ns")), np.zeros(len(starts), dtype=bool)))
        level = np.full(len(starts), -1, dtype=np.int8)
        for how in fmt.level_from.split("+"):
            todo = level == -1
            if not todo.any():
                break
            if how == "text":
                got = levels.codes_from_text(message)
            else:
                col = grp(how if how != "status" else "status")
                if col is None:
                    continue
                got = {"pri": levels.codes_from_pri, "status": levels.codes_from_status}.get(
                    how, levels.codes_from_words)(col)
            level = np.where(todo, got, level).astype(np.int8)
        src = grp("source")
        if "thread" in {g.split("__")[0] for g in self.groups}:
            thread = grp("thread")
            src = thread if src is None else pc.coalesce(src, thread) if thread is not None else src
        fields: dict[str, pa.Array] = {}
        for g in sorted(self.groups):
            base = g.split("__")[0]
            if g.startswith("_") or base in CORE or base in fields or base == "pri" and "pri" in fields:
                continue
            col = grp(base)
            if col is None:
                continue
            if base in fmt.int_fields:
                col = pc.cast(pc.if_else(pc.match_substring_regex(col, r"^\d{1,18}$"), col,
                                         pa.nulls(len(col), col.type)), pa.int64())
            else:
                col = _s(col)
            fields[base] = col
        partial = None
        if fmt.name == "cri" and "tag" in fields:
            partial = np.asarray(pc.fill_null(pc.equal(fields["tag"], "P"), False))
        return Records(ts.values, ts.aware, level,
                       _s(src) if src is not None else null_array(len(starts), STR),
                       _s(message), _s(raw), nos[starts], fields, partial)


# --- structured formats: JSON lines (incl. journald, Docker) and logfmt ----------------------------------

TS_KEYS = ("@timestamp", "timestamp", "time", "ts", "datetime", "date", "t", "eventtime", "asctime",
           "__realtime_timestamp", "_source_realtime_timestamp", "logtime", "log_time")
LEVEL_KEYS = ("level", "severity", "lvl", "loglevel", "log.level", "levelname", "level_name", "priority",
              "severity_text", "severitytext")
MESSAGE_KEYS = ("message", "msg", "log", "text", "@message", "event", "body", "short_message", "log.message")
SOURCE_KEYS = ("logger", "logger_name", "log.logger", "loggername", "name", "component", "module", "source",
               "syslog_identifier", "_systemd_unit", "service", "service.name", "app", "application", "caller",
               "stream", "_comm", "hostname", "host", "host.name", "_hostname")
_LOGFMT = re.compile(r'([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)')


def _flatten(obj: dict[str, Any], prefix: str = "", out: dict[str, Any] | None = None) -> dict[str, Any]:
    out = {} if out is None else out
    for k, v in obj.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            _flatten(v, key + ".", out)
        elif isinstance(v, list | dict):
            out[key] = json.dumps(v, ensure_ascii=False)
        else:
            out[key] = v
    return out


def _column(values: list[Any]) -> pa.Array:
    try:
        arr = pa.array(values)
        if pa.types.is_null(arr.type):
            return arr.cast(STR)
        return arr.cast(STR) if pa.types.is_string(arr.type) else arr
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else v if isinstance(v, str) else json.dumps(v) for v in values], STR)


def _table_from_rows(rows: list[dict[str, Any] | None]) -> pa.Table:
    keys: dict[str, None] = {}
    for r in rows:
        if r:
            keys.update(dict.fromkeys(r))
    return pa.table({k: _column([r.get(k) if r else None for r in rows]) for k in keys}) if keys else \
        pa.table({"_": pa.nulls(len(rows))}).drop(["_"])


def _parse_logfmt(line: str) -> dict[str, Any] | None:
    pairs = _LOGFMT.findall(line)
    if not pairs:
        return None
    out: dict[str, Any] = {}
    for k, v in pairs:
        if v.startswith('"') and v.endswith('"') and len(v) >= 2:
            try:
                v = json.loads(v)
            except ValueError:
                v = v[1:-1]
        out[k] = v
    return out


def _json_rows(lines: list[str]) -> list[dict[str, Any] | None]:
    rows: list[dict[str, Any] | None] = []
    for ln in lines:
        try:
            obj = json.loads(ln)
        except ValueError:
            rows.append(None)
            continue
        rows.append(_flatten(obj) if isinstance(obj, dict) else None)
    return rows


def _arrow_json(lines: pa.Array) -> pa.Table | None:
    """Fast path: Arrow's JSON reader over the batch; None when the lines are not uniform enough.

    Timestamp keys are read as text, so that we (not Arrow) decide what a zone offset means."""
    try:
        first = json.loads(lines[0].as_py())
    except ValueError:
        return None
    if not isinstance(first, dict):
        return None
    as_text = [k for k in first if k.lower() in TS_KEYS and isinstance(first[k], str)]
    schema = pa.schema([(k, pa.string()) for k in as_text])
    listed = pa.LargeListArray.from_arrays(pa.array([0, len(lines)], pa.int64()), lines)
    data = pc.binary_join(listed, pa.scalar("\n", STR))[0].as_py().encode()
    try:
        options = pajson.ParseOptions(newlines_in_values=False, explicit_schema=schema,
                                      unexpected_field_behavior="infer")
        table = pajson.read_json(io.BytesIO(data), parse_options=options,
                                 read_options=pajson.ReadOptions(block_size=max(1 << 20, len(data) + 1)))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != len(lines):
        return None
    while any(pa.types.is_struct(f.type) for f in table.schema):
        table = table.flatten()
    cols = {}
    for name, col in zip(table.column_names, table.columns, strict=True):
        c = col.combine_chunks()
        if pa.types.is_list(c.type) or pa.types.is_large_list(c.type) or pa.types.is_struct(c.type):
            c = pa.array([None if v is None else json.dumps(v) for v in c.to_pylist()], STR)
        elif pa.types.is_string(c.type):
            c = c.cast(STR)
        cols[name] = c
    return pa.table(cols) if cols else None


def _pick(table: pa.Table, keys: tuple[str, ...]) -> str | None:
    lower = {c.lower(): c for c in table.column_names}
    for k in keys:
        if k in lower and table[lower[k]].null_count < table.num_rows:
            return lower[k]
    return None


def _ts_from_column(col: pa.Array, ctx: TsContext) -> ParsedTs:
    n = len(col)
    if pa.types.is_timestamp(col.type):
        aware = col.type.tz is not None
        vals = col.cast(pa.timestamp("ns", col.type.tz)).cast(pa.int64()).cast(pa.timestamp("ns"))
        return ParsedTs(vals, np.full(n, aware) & np.asarray(col.is_valid()))
    if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
        vals = [None if v is None else epoch_to_ns(v) for v in col.to_pylist()]
        arr = pa.array(vals, pa.int64()).cast(pa.timestamp("ns"))
        return ParsedTs(arr, np.asarray(arr.is_valid()))
    text = _s(col)
    return parse_timestamps(text, ctx, (*ANY, "epoch"))


class StructuredParser:
    def __init__(self, fmt: Format, ctx: TsContext) -> None:
        self.fmt, self.ctx = fmt, ctx

    def flush(self) -> Records | None:
        return None

    def feed(self, batch: LineBatch, final: bool = False) -> Records | None:
        lines = batch.lines
        nos = np.arange(batch.first_line_no, batch.first_line_no + len(lines), dtype=np.int64)
        keep = ~_blank(lines)
        if not keep.all():
            lines, nos = lines.filter(pa.array(keep)), nos[keep]
        if len(lines) == 0:
            return None
        table = _arrow_json(lines) if self.fmt.kind == "json" else None
        if table is None:
            py = lines.to_pylist()
            rows = _json_rows(py) if self.fmt.kind == "json" else [_parse_logfmt(ln) for ln in py]
            table = _table_from_rows(rows)
        n = len(lines)
        partial = np.zeros(n, dtype=bool)
        used: set[str] = set()
        if src_key := _pick(table, SOURCE_KEYS):
            used.add(src_key)
        ts_key, level_key = _pick(table, TS_KEYS), _pick(table, LEVEL_KEYS)
        msg_key = _pick(table, MESSAGE_KEYS)
        if ts_key:
            ts = _ts_from_column(table[ts_key].combine_chunks(), self.ctx)
            used.add(ts_key)
        else:
            ts = ParsedTs(pa.nulls(n, pa.timestamp("ns")), np.zeros(n, dtype=bool))
        if msg_key:
            message = _s(table[msg_key])
            if self.fmt.name == "docker":
                partial = ~np.asarray(pc.fill_null(pc.ends_with(message, "\n"), True))
                message = pc.utf8_rtrim(message, "\r\n")
            message = pc.coalesce(message, lines)
            used.add(msg_key)
        else:
            message = lines
        if level_key:
            level = levels.codes_from_words(_s(table[level_key]))
            used.add(level_key)
        else:
            level = np.full(n, -1, dtype=np.int8)
        if (level == -1).any():
            level = np.where(level == -1, levels.codes_from_text(message), level).astype(np.int8)
        source = _s(table[src_key]) if src_key else null_array(n, STR)
        fields = {}
        for name in table.column_names:
            if name in used:
                continue
            key = f"field.{name}" if name in CORE else name
            col = table[name]
            fields[key] = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        return Records(ts.values, ts.aware, level, source, _s(message), _s(lines), nos, fields,
                       partial if self.fmt.name == "docker" and msg_key else None)


def make_parser(fmt: Format, ctx: TsContext) -> RegexParser | StructuredParser | PartialLineJoiner:
    parser = RegexParser(fmt, ctx) if fmt.kind == "regex" else StructuredParser(fmt, ctx)
    return PartialLineJoiner(parser) if fmt.name in ("cri", "docker") else parser
