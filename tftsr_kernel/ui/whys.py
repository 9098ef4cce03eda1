"""The 5-Whys widget: chains of why → answer → evidence, where evidence links to log rows.

Steps are ``resolution_steps`` in the store (added through :meth:`Workbench.whys_add`, audited).
Evidence typed in the browser as ``file:line`` (file name as loaded, or a unique prefix of its
log_file id) is resolved against the issue's log files; clicking it shows that line, masked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ..errors import InputError, TFTSRError
from ._text import LineSource, widget_file, widget_module

if TYPE_CHECKING:
    from ..workbench import Workbench


class WhysWidget(anywidget.AnyWidget):
    _esm = widget_module("whys.js")
    _css = widget_file("common.css")

    chains = traitlets.List(traitlets.Dict()).tag(sync=True)
    evidence_view = traitlets.Dict().tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, wb: Workbench, issue: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._wb = wb
        self._issue = wb.issue(issue)["id"]
        self._lines = LineSource(wb)
        self.on_msg(self._on_custom)
        self.refresh()

    def __repr__(self) -> str:
        return f"WhysWidget(issue={self._issue!r})"

    def refresh(self) -> None:
        chains: dict[int, list[dict[str, Any]]] = {}
        for step in self._wb.whys(self._issue):
            chains.setdefault(step["chain"], []).append({
                "id": step["id"], "order": step["step_order"], "why": step["why_question"], "answer": step["answer"],
                "evidence": [{"label": f"{e['file_name']}:{e['line_no']}", "file": e["file_name"],
                              "line": e["line_no"], "note": e.get("note", "")} for e in step["evidence"]],
            })
        self.chains = [{"chain": n, "steps": steps} for n, steps in sorted(chains.items())]

    def parse_evidence(self, text: str) -> list[dict[str, Any]]:
        """``"error.log:12, app.jsonl:40"`` → evidence rows for :meth:`Workbench.whys_add`."""
        files = self._wb.log_files(self._issue)
        out = []
        for item in (p.strip() for p in text.replace(";", ",").split(",")):
            if not item:
                continue
            name, sep, line = item.rpartition(":")
            if not sep or not line.strip().isdigit():
                raise InputError(f"evidence {item!r} is not file:line; write it like error.log:12")
            matches = [f for f in files if f["file_name"] == name or f["file_path"] == name
                       or (len(name) >= 8 and f["id"].startswith(name))]
            if len(matches) != 1:
                known = ", ".join(sorted({f["file_name"] for f in files})) or "none loaded"
                raise InputError(f"evidence names {name!r}, which is not one of this issue's log files ({known})")
            out.append({"log_file_id": matches[0]["id"], "line_no": int(line)})
        return out

    def add(self, why: str, answer: str = "", evidence: str | list[dict[str, Any]] = "", chain: int = 1) -> None:
        rows = self.parse_evidence(evidence) if isinstance(evidence, str) else evidence
        step = self._wb.whys_add(why, answer, rows, chain=chain, issue=self._issue)
        self.refresh()
        self.message = f"added why {step['step_order']} to chain {chain}"

    def show_evidence(self, step_id: str, index: int) -> None:
        for chain in self.chains:
            for step in chain["steps"]:
                if step["id"] == step_id and 0 <= index < len(step["evidence"]):
                    ev = self._wb.whys(self._issue)
                    raw = next(s for s in ev if s["id"] == step_id)["evidence"][index]
                    self.evidence_view = {
                        "label": step["evidence"][index]["label"], "file": raw["file_name"], "line": raw["line_no"],
                        "segments": self._lines.segments(raw["log_file_id"], raw["line_no"])}
                    return
        raise InputError("that evidence link is no longer there; refresh the widget")

    def _on_custom(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        try:
            if content.get("action") == "add":
                chain = int(content.get("chain") or 1)
                self.add(str(content.get("why", "")), str(content.get("answer", "")),
                         str(content.get("evidence", "")), chain)
            elif content.get("action") == "show_evidence":
                self.show_evidence(str(content.get("step_id", "")), int(content.get("index", -1)))
        except (TFTSRError, ValueError) as exc:
            self.error = str(exc)
        else:
            self.error = ""
