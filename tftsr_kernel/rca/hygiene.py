"""Notebook hygiene: find (nbscan) and replace (nbscrub) sensitive values in ``.ipynb`` files.

A notebook keeps its sources, outputs, metadata and widget state as plain text on disk, so an
investigator's notebook can leak exactly what the store so carefully redacts. Two sources say what
is sensitive:

- the detector, ``tftsr_kernel.pii.scan_text`` (when the pii layer is installed): every finding
  counts, except values a reviewer explicitly *rejected* (decided to keep) in the store;
- the store's approved values: ``pii_spans`` rows with status ``approved`` still hold
  ``original_value`` until redaction is finalised; after that only ``value_hash`` remains, and a
  detector finding whose hash matches is replaced with the span's recorded replacement.

Findings never carry the value itself: a :class:`Finding` says where (notebook, cell, field) and
what type, plus the value's hash, so it can be printed and logged safely.

    findings = nbscan(["investigation.ipynb"], guard=SensitiveValues.from_store(store))
    nbscrub("investigation.ipynb", guard=guard)             # in place; backup at .ipynb.bak
    nbscrub("investigation.ipynb", out="clean.ipynb", guard=guard)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..crypto import sha256_hex
from ..errors import InputError
from ..store import Store

# Output payloads that are binary (base64): scanning them finds only noise and rewriting them
# would corrupt the image.
BINARY_MIME_PREFIXES = ("image/", "application/pdf", "audio/", "video/")
WIDGET_STATE_KEY = "application/vnd.jupyter.widget-state+json"

Detector = Callable[[str], list[tuple[int, int, str]]]

# Token boundaries, coarse to fine, for finding values known only by their hash.
_TOKENIZERS = [re.compile(p) for p in (
    r"[^\s\"'`<>()\[\]{}|\\]+",
    r"[^\s\"'`<>()\[\]{}|\\,;=]+",
    r"[^\s\"'`<>()\[\]{}|\\,;=@]+",
    r"[^\s\"'`<>()\[\]{}|\\,;=@:/?&#]+",
)]


def _value_hash(type_: str, value: str) -> str:
    try:
        from ..pii.spans import value_hash
    except ImportError:  # pragma: no cover - the pii layer ships with the package
        return sha256_hex(f"{type_}\x00{value}")
    return value_hash(type_, value)


def load_detector() -> Detector | None:
    """``tftsr_kernel.pii.scan_text`` adapted to ``text -> [(start, end, type)]``; None if absent."""
    try:
        from ..pii.engine import scan_text
    except ImportError:  # pragma: no cover - the pii layer ships with the package
        return None

    def detect(text: str) -> list[tuple[int, int, str]]:
        found = []
        for span in scan_text(text):
            if isinstance(span, dict):
                found.append((int(span["start"]), int(span["end"]), str(span["type"])))
            else:
                found.append((int(span.start), int(span.end), str(span.type)))
        return found

    return detect


@dataclass(frozen=True)
class Finding:
    """One sensitive value in a notebook (never the value itself)."""

    path: str
    where: str          # e.g. "cells[3].outputs[0].text", "metadata.widgets..."
    type: str
    value_hash: str
    source: str         # "store" (an approved value) or "detector"

    def message(self) -> str:
        return f"{self.path}: {self.where}: {self.type} ({self.source}, value {self.value_hash[:12]})"


@dataclass
class SensitiveValues:
    """What must not appear in text we write, and what to put in its place."""

    approved: dict[str, tuple[str, str]] = field(default_factory=dict)   # value -> (type, replacement)
    approved_hashes: dict[str, tuple[str, str]] = field(default_factory=dict)  # hash -> (type, replacement)
    rejected_hashes: set[str] = field(default_factory=set)
    detector: Detector | None = None
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)
    _types: list[str] | None = field(default=None, repr=False)

    def __repr__(self) -> str:  # never the values
        return (f"SensitiveValues(approved={len(self.approved)}, hashes={len(self.approved_hashes)}, "
                f"rejected={len(self.rejected_hashes)}, detector={self.detector is not None})")

    @classmethod
    def from_store(cls, store: Store | None, *, detector: Detector | None | bool = True) -> SensitiveValues:
        """Approved and rejected values of every issue in ``store`` (None: detector only)."""
        det: Detector | None = load_detector() if detector is True else (detector or None)
        guard = cls(detector=det)
        if store is None:
            return guard
        rows = store.query("SELECT pii_type, original_value, value_hash, replacement, status FROM pii_spans "
                           "WHERE status IN ('approved', 'rejected')")
        for r in rows:
            if r["status"] == "rejected":
                guard.rejected_hashes.add(r["value_hash"])
                continue
            replacement = r["replacement"] or f"[{r['pii_type']}]"
            guard.approved_hashes[r["value_hash"]] = (r["pii_type"], replacement)
            if r["original_value"]:
                guard.approved[r["original_value"]] = (r["pii_type"], replacement)
        # An approved value wins over a rejection of the same hash elsewhere.
        guard.rejected_hashes -= set(guard.approved_hashes)
        return guard

    @property
    def usable(self) -> bool:
        return self.detector is not None or bool(self.approved)

    def _literal_pattern(self) -> re.Pattern[str] | None:
        if not self.approved:
            return None
        if self._pattern is None:
            values = sorted(self.approved, key=len, reverse=True)
            # Whole tokens only: an approved user name "ab" must not match inside "tab" or a cell id.
            self._pattern = re.compile(
                r"(?<![A-Za-z0-9])(?:" + "|".join(re.escape(v) for v in values) + r")(?![A-Za-z0-9])")
        return self._pattern

    def find(self, text: str) -> list[tuple[int, int, str, str, str, str]]:
        """Non-overlapping ``(start, end, type, value_hash, replacement, source)``, in order."""
        hits: list[tuple[int, int, str, str, str, str]] = []
        pattern = self._literal_pattern()
        if pattern is not None:
            for m in pattern.finditer(text):
                type_, repl = self.approved[m.group(0)]
                hits.append((m.start(), m.end(), type_, _value_hash(type_, m.group(0)), repl, "store"))
        hits += self._hash_hits(text)
        if self.detector is not None:
            for start, end, type_ in self.detector(text):
                h = _value_hash(type_, text[start:end])
                if h in self.rejected_hashes:
                    continue
                _, repl = self.approved_hashes.get(h, (type_, f"[{type_}]"))
                hits.append((start, end, type_, h, repl, "detector"))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        merged: list[tuple[int, int, str, str, str, str]] = []
        for hit in hits:
            if merged and hit[0] < merged[-1][1]:
                continue  # overlaps an earlier, longer (or same-start) hit
            merged.append(hit)
        return merged

    def _hash_hits(self, text: str) -> list[tuple[int, int, str, str, str, str]]:
        """Approved values known only by hash (redaction finalised): every token of ``text``, cut at
        several sets of delimiters, is hashed under each approved type and looked up. This finds a
        value wherever it appears, even where the detector's context rules do not fire."""
        if not self.approved_hashes:
            return []
        if self._types is None:
            self._types = sorted({t for t, _ in self.approved_hashes.values()})
        seen: set[tuple[int, int]] = set()
        hits = []
        for pattern in _TOKENIZERS:
            for m in pattern.finditer(text):
                start, end = m.start(), m.end()
                while end > start and text[end - 1] in ".,":
                    end -= 1
                if (start, end) in seen or end - start < 3:
                    continue
                seen.add((start, end))
                value = text[start:end]
                for type_ in self._types:
                    h = _value_hash(type_, value)
                    if h in self.approved_hashes:
                        hits.append((start, end, type_, h, self.approved_hashes[h][1], "store"))
        return hits

    def clean(self, text: str) -> str:
        """``text`` with every sensitive value replaced (repeated until nothing is found)."""
        for _ in range(5):
            hits = self.find(text)
            if not hits:
                return text
            parts, pos = [], 0
            for start, end, _type, _h, repl, _src in hits:
                parts += [text[pos:start], repl]
                pos = end
            parts.append(text[pos:])
            text = "".join(parts)
        return text

    def clean_obj(self, value: Any) -> Any:
        """A JSON-like structure with every string cleaned."""
        if isinstance(value, str):
            return self.clean(value)
        if isinstance(value, list):
            return [self.clean_obj(v) for v in value]
        if isinstance(value, dict):
            return {k: self.clean_obj(v) for k, v in value.items()}
        return value


# -- walking a notebook ---------------------------------------------------------------------------
def _is_multiline(value: list[Any]) -> bool:
    """nbformat stores multiline strings as lists of lines, each but the last ending in a newline."""
    return bool(value) and all(isinstance(v, str) for v in value) and all(v.endswith("\n") for v in value[:-1])


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, list):
        if _is_multiline(value):
            yield where, "".join(value)
        else:
            for i, v in enumerate(value):
                yield from _strings(v, f"{where}[{i}]")
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and k.startswith(BINARY_MIME_PREFIXES):
                continue
            yield from _strings(v, f"{where}.{k}" if where else str(k))


def _rewrite(value: Any, fix: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fix(value)
    if isinstance(value, list):
        if _is_multiline(value):
            joined = "".join(value)
            fixed = fix(joined)
            return value if fixed == joined else fixed.splitlines(keepends=True)
        return [_rewrite(v, fix) for v in value]
    if isinstance(value, dict):
        return {k: (v if isinstance(k, str) and k.startswith(BINARY_MIME_PREFIXES) else _rewrite(v, fix))
                for k, v in value.items()}
    return value


def scan_notebook_dict(nb: dict[str, Any], guard: SensitiveValues, path: str = "<notebook>") -> list[Finding]:
    """Findings in every cell's source, outputs, attachments and metadata, and the notebook metadata
    (including ``metadata.widgets`` widget state)."""
    findings: list[Finding] = []
    for where, text in _strings({"cells": nb.get("cells", []), "metadata": nb.get("metadata", {})}, ""):
        for _start, _end, type_, h, _repl, source in guard.find(text):
            findings.append(Finding(path, where, type_, h, source))
    return findings


def scrub_notebook_dict(nb: dict[str, Any], guard: SensitiveValues) -> int:
    """Replace sensitive values in place in ``nb``; returns how many strings changed."""
    changed = 0

    def fix(text: str) -> str:
        nonlocal changed
        cleaned = guard.clean(text)
        if cleaned != text:
            changed += 1
        return cleaned

    # Cell ids are structural (nbformat requires [a-zA-Z0-9-_]+) and random; never rewrite them.
    nb["cells"] = [{k: (v if k == "id" else _rewrite(v, fix)) for k, v in cell.items()} if isinstance(cell, dict)
                   else _rewrite(cell, fix) for cell in nb.get("cells", [])]
    nb["metadata"] = _rewrite(nb.get("metadata", {}), fix)
    return changed


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}; check the path") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path} is not a notebook (not valid JSON); give an .ipynb file") from exc
    if not isinstance(data, dict) or "cells" not in data:
        raise InputError(f"{path} is not a notebook (it has no cells); give an .ipynb file")
    return data


def _require(guard: SensitiveValues) -> None:
    if not guard.usable:
        raise InputError("nothing to scan with: the detector is not installed and the store has no approved "
                         "values; install the pii layer or open a store with TFTSR_DB_KEY")


def nbscan(paths: Iterable[str | os.PathLike[str]], guard: SensitiveValues) -> list[Finding]:
    """Findings in each notebook, in file order."""
    _require(guard)
    findings: list[Finding] = []
    for p in paths:
        path = Path(p)
        findings += scan_notebook_dict(_read(path), guard, str(path))
    return findings


def write_notebook_json(nb: dict[str, Any], target: Path) -> None:
    """Write atomically (temp file in the same folder, then rename); never follows a symlink target."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(nb, fh, indent=1, ensure_ascii=False, sort_keys=True)
            fh.write("\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class ScrubResult:
    path: Path                 # the scrubbed notebook written
    replaced: int              # findings replaced
    backup: Path | None        # the original, kept when scrubbing in place


def nbscrub(path: str | os.PathLike[str], guard: SensitiveValues, out: str | os.PathLike[str] | None = None,
            *, backup: bool = True) -> ScrubResult:
    """Replace sensitive values; in place (keeping ``NB.ipynb.bak``, mode 0600) or into ``out``."""
    _require(guard)
    src = Path(path)
    nb = _read(src)
    found = len(scan_notebook_dict(nb, guard, str(src)))
    scrub_notebook_dict(nb, guard)
    saved: Path | None = None
    if out is None:
        if found and backup:
            saved = src.with_name(src.name + ".bak")
            shutil.copyfile(src, saved)
            os.chmod(saved, 0o600)
        target = src
    else:
        target = Path(out)
    if found or out is not None:
        write_notebook_json(nb, target)
    return ScrubResult(target, found, saved)
