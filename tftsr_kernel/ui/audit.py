"""The audit widget: the current issue's audit entries and the verification status of the whole chain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ..audit import canonical_json
from ._text import widget_file, widget_module

if TYPE_CHECKING:
    from ..workbench import Workbench


class AuditWidget(anywidget.AnyWidget):
    _esm = widget_module("audit.js")
    _css = widget_file("common.css")

    entries = traitlets.List(traitlets.Dict()).tag(sync=True)
    verification = traitlets.Dict().tag(sync=True)

    def __init__(self, wb: Workbench, issue: str | None = None, *, all_entries: bool = False, limit: int | None = 500,
                 **kwargs: Any) -> None:
        """The entries of ``issue`` (default: the current one), or with ``all_entries`` every entry."""
        super().__init__(**kwargs)
        self._wb = wb
        self._issue = None if all_entries else wb.issue(issue)["id"]
        self._limit = limit
        self.on_msg(self._on_custom)
        self.refresh()

    def __repr__(self) -> str:
        return f"AuditWidget(issue={self._issue!r})"

    def refresh(self) -> None:
        rows = self._wb.audit_log(issue=self._issue) if self._issue else self._wb.audit_log()
        if self._limit:
            rows = rows[-self._limit:]
        check = self._wb.audit_verify()
        with self.hold_sync():
            self.entries = [{"seq": r["seq"], "timestamp": r["timestamp"], "action": r["action"],
                             "entity_type": r["entity_type"], "entity_id": r["entity_id"], "user_id": r["user_id"],
                             "details": canonical_json(r["details"])} for r in rows]
            self.verification = {"ok": check.ok, "count": check.count, "head": check.head_hash,
                                 "message": check.message()}

    def _on_custom(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("action") == "refresh":
            self.refresh()
