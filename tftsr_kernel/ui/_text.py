"""Log lines as display segments: every sensitive value masked, nothing ever rendered as HTML.

A segment is ``[text, kind]``; kind is ``""`` (plain), ``"self"`` (the value under review, masked),
``"other"`` (another detected value, masked), ``"redacted"`` (an approved value's replacement) or
``"kept"`` (a rejected value: it stays in the text that is sent, but is masked on screen too).
The browser puts each segment into the DOM with ``textContent``.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from ..pii import mask
from ..store.paths import resource_dir

if TYPE_CHECKING:
    from ..workbench import Workbench

Segment = list[str]


def widget_file(name: str) -> Path:
    return resource_dir("widgets") / name


def widget_module(name: str) -> str:
    """A widget's ES module: the shared DOM helpers (``dom.js``) followed by the widget's own file."""
    return widget_file("dom.js").read_text(encoding="utf-8") + "\n" + widget_file(name).read_text(encoding="utf-8")


class LineSource:
    """Lines of an issue's log files with the spans on them; file texts cached (a few files at most)."""

    def __init__(self, wb: Workbench, cache_files: int = 8) -> None:
        self.wb = wb
        self._cache: OrderedDict[str, tuple[str, list[int]]] = OrderedDict()
        self._cache_files = cache_files

    def _text(self, log_file_id: str) -> tuple[str, list[int]]:
        hit = self._cache.get(log_file_id)
        if hit is not None:
            self._cache.move_to_end(log_file_id)
            return hit
        text = self.wb.log_text(log_file_id)
        starts = [0]
        i = text.find("\n")
        while i != -1:
            starts.append(i + 1)
            i = text.find("\n", i + 1)
        self._cache[log_file_id] = (text, starts)
        if len(self._cache) > self._cache_files:
            self._cache.popitem(last=False)
        return text, starts

    def line(self, log_file_id: str, line_no: int) -> tuple[int, str]:
        """(offset of the line in the file, text of the line without its newline)."""
        text, starts = self._text(log_file_id)
        if not 1 <= line_no <= len(starts):
            return 0, ""
        start = starts[line_no - 1]
        end = starts[line_no] - 1 if line_no < len(starts) else len(text)
        return start, text[start:end].rstrip("\r")

    def line_of(self, log_file_id: str, offset: int) -> int:
        return bisect.bisect_right(self._text(log_file_id)[1], offset)

    def segments(self, log_file_id: str, line_no: int, *, focus: str | None = None, after: bool = False,
                 window: int | None = None) -> list[Segment]:
        """The line as segments. ``focus`` is the span id shown as ``self``; with ``after``, approved spans
        become ``[TYPE]`` and rejected ones are marked kept (still masked); ``window`` trims to that many characters
        either side of the focus span."""
        start, line = self.line(log_file_id, line_no)
        end = start + len(line)
        spans = self.wb.line_spans(log_file_id, start, max(end, start + 1))
        text = self._text(log_file_id)[0]
        out: list[Segment] = []
        pos = start
        lo, hi = start, end
        if window is not None and focus is not None:
            for s in spans:
                if s["id"] == focus:
                    lo, hi = max(start, s["start_offset"] - window), min(end, s["end_offset"] + window)
        if lo > start:
            out.append(["…", ""])
            pos = lo
        for s in sorted(spans, key=lambda r: r["start_offset"]):
            a, b = max(s["start_offset"], pos), min(s["end_offset"], hi)
            if b <= a or a >= hi:
                continue
            if a > pos:
                out.append([text[pos:a], ""])
            value = text[s["start_offset"]:s["end_offset"]]
            if after and s["status"] == "approved":
                out.append([f"[{s['pii_type']}]", "redacted"])
            elif after and s["status"] == "rejected":
                out.append([mask(value), "kept"])  # kept in the text sent; still masked on screen
            else:
                out.append([mask(value), "self" if s["id"] == focus else "other"])
            pos = max(pos, s["end_offset"])
        if pos < hi:
            out.append([text[pos:hi], ""])
        if hi < end:
            out.append(["…", ""])
        return out
