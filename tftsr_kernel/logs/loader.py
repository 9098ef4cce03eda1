"""``load_logs`` and ``iter_log_chunks``: inputs in, one pandas DataFrame (or a stream of them) out."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from tqdm.auto import tqdm

from . import levels
from .formats import RAW, Format, detect, resolve
from .notes import LoadNote, Notes
from .parsing import Records, make_parser, null_array
from .readers import (
    CHUNK_BYTES,
    DEFAULT_MAX_DECOMPRESSED,
    LINE_CAP,
    InputProblem,
    LineBatch,
    LogInput,
    ReadStats,
    expand,
    iter_line_batches,
    open_binary,
)
from .templates import Miner, template_id
from .timestamps import TsContext

PathsLike = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
_ROTATION = re.compile(r"^(?P<base>.+?)(?:[.-](?P<n>\d{1,3})|[.-](?P<date>\d{8}|\d{4}-\d\d-\d\d))?"
                       r"(?:\.(?:gz|bz2|xz|zip))?$")


@dataclass
class FileInfo:
    """What happened to one input; ``df.attrs["tftsr_files"]`` holds these as dicts."""

    file: str
    format: str = ""
    encoding: str = ""
    compression: str = ""
    records: int = 0
    lines: int = 0
    bytes: int = 0
    replacements: int = 0
    truncated_lines: list[int] = field(default_factory=list)
    loaded: bool = False


def rotation_key(path: Path) -> tuple[str, int, str]:
    """(set name, rotation number, date suffix): ``app.log.2.gz`` -> ("…/app.log", 2, "")."""
    m = _ROTATION.match(path.name)
    assert m is not None
    return str(path.parent / m.group("base")), int(m.group("n") or 0), m.group("date") or ""


def _order_inputs(inputs: list[LogInput]) -> list[LogInput]:
    """Group rotated sets together, oldest file first (highest number, earliest date suffix)."""
    groups: dict[str, list[LogInput]] = {}
    for inp in inputs:
        key = rotation_key(inp.path)[0] if inp.member is None else inp.name
        groups.setdefault(key, []).append(inp)
    out: list[LogInput] = []
    for members in groups.values():
        out.extend(sorted(members, key=lambda i: (-rotation_key(i.path)[1],
                                                  rotation_key(i.path)[2] or "99999999")))
    return out


def _ctx(inp: LogInput, year: int | None) -> TsContext:
    try:
        ref = dt.datetime.fromtimestamp(inp.path.stat().st_mtime)
    except OSError:
        ref = None
    return TsContext(ref=ref, year=year)


def _file_records(inp: LogInput, fmt_choice: str, year: int | None, chunk_bytes: int, cap: int,
                  notes: Notes, info: FileInfo) -> Iterator[Records]:
    stats = ReadStats()
    info.compression = inp.compression or ""
    stream = open_binary(inp, cap)
    try:
        batches = iter_line_batches(stream, inp.name, stats, chunk_bytes)
        first = next(batches, None)
        info.encoding = stats.encoding
        if first is None or len(first.lines) == 0:
            raise InputProblem("empty", f"{inp.name} is empty; there is nothing to load.")
        fmt: Format
        if fmt_choice == "auto":
            sample = first.lines.slice(0, 200).to_pylist()
            found = detect(sample)
            fmt = found.format
            if not found.recognised:
                notes.add(inp.name, "unknown_format",
                          f"{inp.name} is in no format we recognise; each line was loaded as one record with any "
                          "level keyword picked out (pass format= to choose a format).")
        else:
            fmt = resolve(fmt_choice)
        info.format = fmt.name
        parser = make_parser(fmt, _ctx(inp, year))
        batch: LineBatch | None = first
        while batch is not None:
            rec = parser.feed(batch)
            # give the batch's freed temporaries back (malloc_trim under load_logs' system allocator);
            # otherwise they stay in the heap between the arrays the DataFrame keeps (~0.25x the input)
            pa.default_memory_pool().release_unused()
            if rec is not None and len(rec):
                yield rec
            batch = next(batches, None)
        rec = parser.flush()
        if rec is not None and len(rec):
            yield rec
    finally:
        stream.close()
        info.lines, info.bytes, info.replacements = stats.lines, stats.bytes_read, stats.replacements
        info.truncated_lines = list(stats.truncated)
        info.encoding = stats.encoding
    if stats.replacements:
        notes.add(inp.name, "invalid_utf8", f"{inp.name} holds {stats.replacements} invalid {stats.encoding} "
                                            "byte sequence(s); each was replaced with U+FFFD.")
    for ln in stats.truncated:
        notes.add(inp.name, "long_line", f"{inp.name} line {ln} is longer than {LINE_CAP:,} bytes; it was kept, "
                                         "truncated to that length and marked '…[truncated]'.", ln)


_NO_TS = pa.nulls(0, pa.timestamp("ns"))
_NO_LINES = np.zeros(0, dtype=np.int64)


class _Assembler:
    """Collects record blocks and builds one DataFrame with the standard columns."""

    def __init__(self, tz: str | None, miner: Miner | None, notes: Notes) -> None:
        self.tz, self.miner, self.notes = tz, miner, notes
        self.blocks: list[tuple[int, Records, np.ndarray | None]] = []
        self.files: list[str] = []

    def add(self, file_index: int, rec: Records) -> None:
        cids = self.miner.assign(rec.message) if self.miner is not None else None
        self.blocks.append((file_index, rec, cids))

    def frame(self, notes_attr: list[LoadNote], files_attr: list[FileInfo]) -> pd.DataFrame:
        blocks = self.blocks
        n = sum(len(r) for _, r, _ in blocks)
        # Fill preallocated arrays block by block and let each block's copy go at once, so the
        # DataFrame's numeric columns never exist twice (they are 8 bytes a row each).
        nat = np.iinfo(np.int64).min
        vals = np.empty(n, dtype=np.int64)
        line_no = np.empty(n, dtype=np.int64)
        aware = np.empty(n, dtype=bool)
        at = 0
        for _, r, _ in blocks:
            k = len(r)
            vals[at:at + k] = np.asarray(pc.fill_null(r.ts.cast(pa.int64()), nat))
            line_no[at:at + k] = r.line_no
            aware[at:at + k] = r.aware
            r.ts, r.line_no = _NO_TS, _NO_LINES
            at += k
        ts = self._ts(vals, vals != nat, aware)
        cols: dict[str, Any] = {"ts": ts}
        codes = np.concatenate([r.level for _, r, _ in blocks]) if blocks else np.zeros(0, np.int8)
        cols["level"] = levels.to_categorical(codes)
        for name in ("source", "message"):
            cols[name] = _str_series([getattr(r, name) for _, r, _ in blocks])
        if self.miner is not None and blocks:
            cids = np.concatenate([c for _, _, c in blocks if c is not None])
            temps, tcodes = self.miner.templates(cids)
            del cids
            ids = [template_id(t) for t in temps]
            # map the few distinct templates to sorted categories, then index per row in a small int type
            uniq_ids, id_codes = np.unique(np.array(ids, dtype=object), return_inverse=True)
            cols["template_id"] = pd.Categorical.from_codes(_small(id_codes)[tcodes],
                                                            categories=[str(i) for i in uniq_ids])
            uniq_t, t_codes = np.unique(np.array(temps, dtype=object), return_inverse=True)
            cols["template"] = pd.Categorical.from_codes(_small(t_codes)[tcodes], categories=list(uniq_t))
            del tcodes
        else:
            empty = pd.Categorical.from_codes(np.full(n, -1, np.int8), categories=pd.Index([], dtype="str"))
            cols["template_id"], cols["template"] = empty, empty.copy()
        file_codes = np.concatenate([np.full(len(r), fi, np.int32) for fi, r, _ in blocks]) \
            if blocks else np.zeros(0, np.int32)
        cols["file"] = pd.Categorical.from_codes(file_codes, categories=pd.Index(self.files, dtype="str")) \
            if len(set(self.files)) == len(self.files) else pd.Categorical([self.files[i] for i in file_codes])
        cols["line_no"] = line_no
        cols["raw"] = _str_series([r.raw for _, r, _ in blocks])
        names: dict[str, None] = {}
        for _, r, _ in blocks:
            names.update(dict.fromkeys(r.fields))
        for name in names:
            cols[name] = _field_series(name, blocks)
        df = pd.DataFrame(cols, copy=False)
        df.attrs["tftsr_notes"] = [note.as_dict() for note in notes_attr]
        df.attrs["tftsr_files"] = [dict(vars(f)) for f in files_attr]
        return df

    def _ts(self, vals: np.ndarray, valid: np.ndarray, aware: np.ndarray) -> pd.Series:
        naive = pd.Series(vals.view("datetime64[ns]"), copy=False)  # invalid rows already hold NaT
        local = valid & ~aware
        if self.tz is None and not (aware & valid).any():
            return naive
        out = naive.copy()
        if local.any():
            if self.tz is not None:
                localized = pd.DatetimeIndex(naive[local]).tz_localize(self.tz, ambiguous="NaT", nonexistent="NaT")
                out[local] = localized.tz_convert("UTC").tz_localize(None)
            else:
                self.notes.add("", "mixed_timezones", "Some files carry time zones and some do not; timestamps "
                                                      "without a zone were taken as UTC (pass tz= to set their zone).")
        return out.dt.tz_localize("UTC")


def _small(codes: np.ndarray) -> np.ndarray:
    """Category codes in the smallest integer type that holds them (pandas would narrow them anyway)."""
    top = int(codes.max()) if len(codes) else 0
    return codes.astype(np.int8 if top < 127 else np.int16 if top < 32767 else np.int32)


def _str_series(arrays: list[pa.Array]) -> pd.Series:
    if not arrays:
        return pd.Series([], dtype="str")
    chunked = pa.chunked_array([a.cast(pa.large_string()) for a in arrays], pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(chunked))


def _field_series(name: str, blocks: list[tuple[int, Records, np.ndarray | None]]) -> pd.Series:
    types = {r.fields[name].type for _, r, _ in blocks if name in r.fields}
    if len(types) == 1:
        typ = types.pop()
    elif all(pa.types.is_integer(t) for t in types):
        typ = pa.int64()
    elif all(pa.types.is_integer(t) or pa.types.is_floating(t) for t in types):
        typ = pa.float64()
    else:
        typ = pa.large_string()
    parts = [r.fields[name].cast(typ) if name in r.fields else null_array(len(r), typ) for _, r, _ in blocks]
    chunked = pa.chunked_array(parts, typ)
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return _str_series(parts)
    mapping = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(), pa.float64(): pd.Float64Dtype()}
    return chunked.to_pandas(types_mapper=mapping.get)


def _progress(total: int, progress: bool | None) -> Any:
    return tqdm(total=total, unit="B", unit_scale=True, desc="loading logs", disable=progress is False,
                delay=0 if progress else 1.0, leave=False)


def _prepare(paths: PathsLike, notes: Notes, fmt: str) -> list[LogInput]:
    if fmt != "auto":
        resolve(fmt)  # unknown names fail before any work
    problems: list[tuple[str, InputProblem]] = []
    inputs = expand(paths, problems)  # type: ignore[arg-type]
    for name, problem in problems:
        notes.add(name, problem.kind, str(problem))
    return _order_inputs(inputs)


def iter_log_chunks(paths: PathsLike, format: str = "auto", tz: str | None = None, templates: bool = True, *,
                    chunk_bytes: int = CHUNK_BYTES, year: int | None = None,
                    max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED,
                    notes: list[LoadNote] | None = None) -> Iterator[pd.DataFrame]:
    """Stream DataFrame chunks (about ``chunk_bytes`` of text each) with the columns of ``load_logs``.

    Memory stays flat in the size of the input. Templates come from one Drain tree that learns as it
    goes, so a chunk carries the template its lines had when the chunk was made. Problems are appended
    to ``notes`` (a list you pass in) and logged; each chunk's ``attrs["tftsr_notes"]`` holds those so far.
    A file that fails part-way (a decompression bomb) stops there; chunks already yielded stand.
    """
    sink = Notes()
    inputs = _prepare(paths, sink, format)
    miner = Miner() if templates else None
    for inp in inputs:
        info = FileInfo(inp.name)
        try:
            for rec in _file_records(inp, format, year, chunk_bytes, max_decompressed_bytes, sink, info):
                asm = _Assembler(tz, miner, sink)
                asm.files = [inp.name]
                asm.add(0, rec)
                info.records += len(rec)
                yield asm.frame(list(sink), [info])
        except InputProblem as problem:
            sink.add(inp.name, problem.kind, str(problem))
        finally:
            if notes is not None:
                notes.extend(n for n in sink if n not in notes)


def load_logs(paths: PathsLike, format: str = "auto", tz: str | None = None, templates: bool = True,
              progress: bool | None = None, *, year: int | None = None,
              max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED, chunk_bytes: int = CHUNK_BYTES) -> pd.DataFrame:
    """Load log files, folders, globs and archives into one DataFrame.

    Columns: ``ts`` (datetime64[ns]; UTC-aware when the logs carry zones or ``tz`` is given), ``level``
    (ordered categorical TRACE < DEBUG < INFO < NOTICE < WARNING < ERROR < CRITICAL), ``source``,
    ``message``, ``template_id``, ``template`` (categoricals), ``file`` (categorical), ``line_no``
    (1-based line of the record's first line), ``raw``, then the fields of structured formats.
    ``format`` is ``"auto"`` (sniffed per file) or a format name. Problems never stop other files from
    loading; each is one sentence in ``df.attrs["tftsr_notes"]`` and on the ``tftsr_kernel.logs`` logger.
    ``df.attrs["tftsr_files"]`` says per file what was read (format, encoding, lines, records ...).
    """
    with _arrow_pool():
        return _load(paths, format, tz, templates, progress, year, max_decompressed_bytes, chunk_bytes)


@contextlib.contextmanager
def _arrow_pool() -> Iterator[None]:
    """Use the system allocator for Arrow while a whole load runs.

    With mimalloc (pyarrow's default) the batch-sized temporaries of parsing interleave with the
    arrays the DataFrame keeps, and the freed pages are not given back: peak RSS ran at ~4x the input
    against ~3x with malloc, which was also faster here. Buffers remember the pool they came from,
    so switching back afterwards is safe; another thread allocating meanwhile merely uses malloc too.
    """
    previous = pa.default_memory_pool()
    system = pa.system_memory_pool()
    if previous.backend_name == system.backend_name:
        yield
        return
    pa.set_memory_pool(system)
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


def _load(paths: PathsLike, format: str, tz: str | None, templates: bool, progress: bool | None,
          year: int | None, max_decompressed_bytes: int, chunk_bytes: int) -> pd.DataFrame:
    notes = Notes()
    inputs = _prepare(paths, notes, format)
    miner = Miner() if templates else None
    infos: list[FileInfo] = []
    per_file: list[tuple[LogInput, FileInfo, list[Records]]] = []
    total = 0
    for inp in inputs:
        with contextlib.suppress(OSError):
            total += inp.size
    bar = _progress(total, progress)
    try:
        for inp in inputs:
            info = FileInfo(inp.name)
            infos.append(info)
            recs: list[Records] = []
            done = 0
            try:
                size = inp.size
                for rec in _file_records(inp, format, year, chunk_bytes, max_decompressed_bytes, notes, info):
                    recs.append(rec)
                    step = min(info.bytes, size) - done if info.bytes else 0
                    if step > 0:
                        bar.update(step)
                        done += step
            except InputProblem as problem:
                notes.add(inp.name, problem.kind, str(problem))
                recs = []
            except OSError as exc:
                notes.add(inp.name, "unreadable", f"{inp.name} could not be read ({exc}); it was skipped.")
                recs = []
            else:
                info.loaded = True
                info.records = sum(len(r) for r in recs)
                per_file.append((inp, info, recs))
            bar.update(max(0, size - done) if "size" in locals() else 0)
    finally:
        bar.close()
    per_file = _time_order(per_file)
    asm = _Assembler(tz, miner, notes)
    for fi, (inp, _info, recs) in enumerate(per_file):
        asm.files.append(inp.name)
        for rec in recs:
            asm.add(fi, rec)
    return asm.frame(list(notes), infos)


def _time_order(per_file: list[tuple[LogInput, FileInfo, list[Records]]]) -> list[
        tuple[LogInput, FileInfo, list[Records]]]:
    """Within each rotated set, order files by their first timestamp (rotation number where there is none)."""
    groups: dict[str, list[tuple[LogInput, FileInfo, list[Records]]]] = {}
    for item in per_file:
        key = rotation_key(item[0].path)[0] if item[0].member is None else item[0].name
        groups.setdefault(key, []).append(item)
    out: list[tuple[LogInput, FileInfo, list[Records]]] = []
    for members in groups.values():
        firsts: list[int | None] = []
        for _inp, _info, recs in members:
            vals = [r.ts.cast(pa.int64()).filter(r.ts.is_valid()) for r in recs]
            present = [int(np.min(np.asarray(v))) for v in vals if len(v)]
            firsts.append(min(present) if present else None)
        if all(f is not None for f in firsts):
            order = sorted(range(len(members)), key=lambda i: (firsts[i], i))
            out.extend(members[i] for i in order)
        else:
            out.extend(members)
    return out


__all__ = ["FileInfo", "iter_log_chunks", "load_logs", "RAW"]
