"""The span review widget: detected values grouped by type, then by distinct value, one page at a time.

Grouping, filtering and paging run in Python (SQL over the store); only the visible page (``rows``),
the per-type summary and the selected value's occurrences travel to the browser. Decisions made in
the browser arrive as custom messages and go through :meth:`Workbench.decide` (stored and audited)
before the widget redraws, so they are there after a kernel restart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ..errors import TFTSRError
from ._text import LineSource, widget_file, widget_module

if TYPE_CHECKING:
    from ..workbench import Workbench

SNIPPETS_PER_VALUE = 2
SNIPPET_WINDOW = 48
DETAIL_OCCURRENCES = 20


class ReviewWidget(anywidget.AnyWidget):
    """Review the current issue's detected values: approve (redact) or reject (keep)."""

    _esm = widget_module("review.js")
    _css = widget_file("common.css")

    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    types = traitlets.List(traitlets.Dict()).tag(sync=True)
    progress = traitlets.Dict({"decided": 0, "total": 0}).tag(sync=True)
    total_rows = traitlets.Int(0).tag(sync=True)
    page = traitlets.Int(0).tag(sync=True)
    page_size = traitlets.Int(50).tag(sync=True)
    filter_type = traitlets.Unicode("").tag(sync=True)
    filter_status = traitlets.Unicode("").tag(sync=True)
    filter_text = traitlets.Unicode("").tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    detail = traitlets.Dict().tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, wb: Workbench, issue: str | None = None, page_size: int = 50, **kwargs: Any) -> None:
        self._ready = False
        super().__init__(page_size=page_size, **kwargs)
        self._wb = wb
        self._issue = wb.issue(issue)["id"]
        self._lines = LineSource(wb)
        self.on_msg(self._on_custom)
        self._ready = True
        self.refresh()

    def __repr__(self) -> str:
        return f"ReviewWidget(issue={self._issue!r}, values={self.progress.get('total', 0)})"

    # -- data ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the summary, the current page and the selected value from the store."""
        rows = self._wb.review_types(self._issue)
        types = [{"type": t["type"], "values": int(t["values"]), "decided": int(t["decided"] or 0),
                  "occurrences": int(t["occurrences"])} for t in rows]
        with self.hold_sync():
            self.types = types
            self.progress = {"decided": sum(t["decided"] for t in types), "total": sum(t["values"] for t in types),
                             "spans": sum(t["occurrences"] for t in types),
                             "spans_decided": sum(int(t["occurrences_decided"] or 0) for t in rows)}
            self._load_page()
            self._load_detail()

    def _load_page(self) -> None:
        total, groups = self._wb.review_groups(
            self._issue, pii_type=self.filter_type or None, status=self.filter_status or None,
            text=self.filter_text or None, offset=self.page * self.page_size, limit=self.page_size)
        pages = max(1, -(-total // self.page_size))
        if self.page >= pages:
            self.page = pages - 1  # re-enters through the observer with a valid page
            return
        rows = []
        for g in groups:
            snippets = []
            for occ in self._wb.value_occurrences(g["pii_type"], g["value_hash"], self._issue,
                                                  limit=SNIPPETS_PER_VALUE):
                snippets.append({"file": occ["file_name"], "line": occ["line_no"],
                                 "segments": self._lines.segments(occ["log_file_id"], occ["line_no"], focus=occ["id"],
                                                                  window=SNIPPET_WINDOW)})
            rows.append({"key": f"{g['pii_type']}:{g['value_hash']}", "type": g["pii_type"],
                         "value_hash": g["value_hash"], "preview": g["preview"], "count": g["occurrences"],
                         "files": g["files"], "status": g["status"], "snippets": snippets})
        self.total_rows = total
        self.rows = rows

    def _load_detail(self) -> None:
        if not self.selected:
            self.detail = {}
            return
        pii_type, _, value_hash = self.selected.partition(":")
        occurrences = self._wb.value_occurrences(pii_type, value_hash, self._issue, limit=DETAIL_OCCURRENCES)
        if not occurrences:
            self.detail = {}
            return
        row = next((r for r in self.rows if r["key"] == self.selected), None)
        statuses = {o["status"] for o in occurrences}
        self.detail = {
            "key": self.selected, "type": pii_type, "value_hash": value_hash,
            "preview": row["preview"] if row else f"[{pii_type}]",
            "count": row["count"] if row else len(occurrences),
            "status": row["status"] if row else (statuses.pop() if len(statuses) == 1 else "mixed"),
            "occurrences": [{
                "span_id": o["id"], "file": o["file_name"], "line": o["line_no"], "status": o["status"],
                "before": self._lines.segments(o["log_file_id"], o["line_no"], focus=o["id"]),
                "after": self._lines.segments(o["log_file_id"], o["line_no"], focus=o["id"], after=True),
            } for o in occurrences],
        }

    @traitlets.observe("page", "page_size", "filter_type", "filter_status", "filter_text")
    def _on_view_change(self, change: dict[str, Any]) -> None:
        if not self._ready:
            return
        if change["name"] != "page" and self.page != 0:
            self.page = 0
            return
        self._guarded(self._load_page)

    @traitlets.observe("selected")
    def _on_select(self, change: dict[str, Any]) -> None:
        if not self._ready:
            return
        self._guarded(self._load_detail)

    # -- decisions ---------------------------------------------------------------------------
    def decide(self, decision: str, scope: str, *, pii_type: str = "", value_hash: str = "", span_id: str = "") -> int:
        """Apply one decision from the browser (or from Python): ``approve``/``reject`` a value, an occurrence
        or every value of a type. Stored and audited at once; returns the spans changed."""
        if decision not in ("approve", "reject"):
            raise ValueError(f"decision must be approve or reject, not {decision!r}")
        status = "approved" if decision == "approve" else "rejected"
        if scope == "type":
            kw: dict[str, Any] = {"approve": [pii_type]} if decision == "approve" else {"reject": [pii_type]}
            changed = self._wb.decide(issue=self._issue, **kw)
            what = f"every {pii_type} value"
        elif scope == "value":
            changed = self._wb.decide(values=[(pii_type, value_hash)], status=status, issue=self._issue)
            what = f"{pii_type} value"
        elif scope == "span":
            changed = self._wb.decide(span_ids=[span_id], status=status, issue=self._issue)
            what = "one occurrence"
        else:
            raise ValueError(f"scope must be type, value or span, not {scope!r}")
        self.refresh()
        self.message = f"{status} {what} ({changed} span{'s' if changed != 1 else ''})"
        return changed

    def _on_custom(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("action") != "decide":
            return
        self._guarded(lambda: self.decide(str(content.get("decision", "")), str(content.get("scope", "")),
                                          pii_type=str(content.get("type", "")),
                                          value_hash=str(content.get("value_hash", "")),
                                          span_id=str(content.get("span_id", ""))))

    def _guarded(self, action: Any) -> None:
        try:
            action()
        except (TFTSRError, ValueError) as exc:
            self.error = str(exc)
        else:
            self.error = ""
