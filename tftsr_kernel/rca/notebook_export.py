"""The reproducible RCA notebook: built with nbformat, re-runnable with nbclient or papermill.

The notebook's first code cell is tagged ``parameters`` (the papermill convention) and holds the
store path, the issue id, each log's path and content SHA-256, and the redaction profile (path and
SHA-256). The cells after it

1. check every log against its recorded SHA-256 and stop with one sentence if one changed,
2. reload the logs into a DataFrame,
3. re-scan them with the recorded profile (its hash checked first) and compare with the recorded spans,
4. show the recorded decisions (types and value hashes, never values),
5. rebuild the timeline (first error, peak, recovery),
6. show the 5-Whys chains and the RCA document,
7. print a fingerprint (SHA-256 of spans, decisions and timeline): two runs over the same inputs
   print the same fingerprint.

The helpers those cells call live here, so the cells stay short. The master key is never in the
notebook: it comes from ``TFTSR_DB_KEY`` in the kernel's environment. Exported notebooks are
always scrubbed (``hygiene``), and export paths cannot leave the chosen folder through ``..`` or
symlinks.

    export_notebook(store, issue_id, "rca/checkout-502.ipynb")
    # re-run elsewhere:  papermill rca.ipynb out.ipynb -p logs '[{"path": ..., "sha256": ...}]'
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .. import audit
from ..crypto import sha256_hex
from ..errors import InputError
from ..store import Store
from .hygiene import SensitiveValues, scan_notebook_dict, scrub_notebook_dict
from .issues import get_issue


# -- paths ----------------------------------------------------------------------------------------
def validate_export_path(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> Path:
    """The absolute target for ``path`` inside ``root`` (default: the folder ``path`` names).

    Refused: a ``..`` component, a target that is a symlink or a folder, and any target whose real
    location (symlinks resolved) is outside the real location of ``root``.
    """
    raw = Path(path)
    if ".." in raw.parts:
        raise InputError(f"{path} contains '..'; give a path inside the export folder")
    base = Path(root) if root is not None else (raw.parent if str(raw.parent) else Path("."))
    target = raw if raw.is_absolute() or root is None else base / raw
    if root is not None and raw.is_absolute() and ".." in Path(root).parts:
        raise InputError(f"{root} contains '..'; give the export folder plainly")
    if target.is_symlink():
        raise InputError(f"{target} is a symlink; export to a regular file inside the folder")
    if target.is_dir():
        raise InputError(f"{target} is a folder; give a file name for the export")
    real_base = base.resolve()
    real_target = target.parent.resolve() / target.name
    if real_target.parent != real_base and real_base not in real_target.parents:
        raise InputError(f"{path} leads outside {base} (through a symlink); export inside that folder")
    return real_target


def write_text_atomic(target: Path, text: str) -> None:
    """Write ``text`` next to ``target`` and rename it into place: never a half-written file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        raise InputError(f"{target} is a symlink; export to a regular file")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write {target}: {exc.strerror}; check the folder and its permissions") from exc


# -- what the notebook's cells call ---------------------------------------------------------------
class ReplayStop(Exception):  # noqa: N818 - it stops a run on purpose; it is not an internal error
    """Stops a notebook run with one sentence (IPython shows ``_render_traceback_`` instead of a traceback)."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def check_logs(logs: list[dict[str, Any]]) -> None:
    """Stop the run unless every log exists and its bytes hash to the recorded SHA-256."""
    for log in logs:
        path = Path(log["path"])
        try:
            digest = sha256_hex(path.read_bytes())
        except OSError:
            raise ReplayStop(f"Stopped: the log {log['name']} is not readable at {path}; set its path in the "
                             "parameters cell and run again.") from None
        if digest != log["sha256"]:
            raise ReplayStop(f"Stopped: the log {log['name']} changed since the investigation (its SHA-256 is "
                             f"{digest}, the record says {log['sha256']}); restore the original file.") from None


def load_frame(logs: list[dict[str, Any]], load_options: dict[str, Any] | None = None) -> Any:
    """The logs as one DataFrame (``tftsr_kernel.logs.load_logs``), in parameter order."""
    from ..logs import load_logs

    return load_logs([log["path"] for log in logs], **(load_options or {}))


def _log_text(store: Store, log: dict[str, Any]) -> str:
    from .logfiles import get_log_file, read_log_text

    row = dict(get_log_file(store, log["log_file_id"]))
    row["file_path"] = log["path"]
    return read_log_text(store, row)


def rescan(store: Store, issue_id: str, logs: list[dict[str, Any]], profile_path: str | None,
           profile_sha256: str | None) -> list[dict[str, Any]]:
    """Scan the logs again with the recorded profile; one row per span (never its value)."""
    from ..pii.engine import scan_text

    scanner = None
    if profile_sha256 and not profile_path:
        raise ReplayStop(f"Stopped: the redaction used a profile (SHA-256 {profile_sha256}); set profile_path "
                         "in the parameters cell to that profile file and run again.")
    if profile_path:
        from ..pii.profiles import load_profile  # type: ignore[import-not-found,unused-ignore]

        profile = load_profile(Path(profile_path))
        if profile_sha256 and profile.sha256 != profile_sha256:
            raise ReplayStop(f"Stopped: the profile at {profile_path} has SHA-256 {profile.sha256}, but the "
                             f"redaction used {profile_sha256}; use the recorded profile.")
        scanner = profile.scanner()
    rows = []
    for log in logs:
        text = _log_text(store, log)
        spans = scan_text(text, scanner=scanner) if scanner else scan_text(text)
        rows += [{"file": log["name"], "start": s.start, "end": s.end, "type": s.type, "value_hash": s.value_hash}
                 for s in spans]
    return rows


def recorded_spans(store: Store, logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for log in logs:
        for r in store.query("SELECT start_offset, end_offset, pii_type, value_hash FROM pii_spans "
                             "WHERE log_file_id = ? ORDER BY start_offset, end_offset", (log["log_file_id"],)):
            rows.append({"file": log["name"], "start": r["start_offset"], "end": r["end_offset"],
                         "type": r["pii_type"], "value_hash": r["value_hash"]})
    return rows


def compare_spans(found: list[dict[str, Any]], recorded: list[dict[str, Any]]) -> dict[str, Any]:
    key = ("file", "start", "end", "type", "value_hash")
    a = {tuple(r[k] for k in key) for r in found}
    b = {tuple(r[k] for k in key) for r in recorded}
    return {"found": len(a), "recorded": len(b), "new": len(a - b), "missing": len(b - a), "same": a == b}


def span_counts(spans: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for s in spans:
        counts[s["type"]] = counts.get(s["type"], 0) + 1
    return "\n".join(f"{t:<20}{n:>8}" for t, n in sorted(counts.items())) or "(no sensitive values found)"


def decisions(store: Store, issue_id: str) -> list[dict[str, Any]]:
    """One row per decided or pending value: type, value hash, status, occurrences (no values)."""
    return store.query(
        "SELECT s.pii_type AS type, s.value_hash, s.status, count(*) AS occurrences FROM pii_spans s "
        "JOIN log_files f ON f.id = s.log_file_id WHERE f.issue_id = ? "
        "GROUP BY s.pii_type, s.value_hash, s.status ORDER BY s.pii_type, s.value_hash, s.status", (issue_id,))


def decisions_text(rows: list[dict[str, Any]]) -> str:
    # hash before type: "…_TOKEN 34876d709b25" would itself look like a bearer token to the detector
    lines = [f"{'VALUE HASH':<16}{'STATUS':<10}{'TYPE':<20}{'SPANS':>6}"]
    lines += [f"{r['value_hash'][:12] + '…':<16}{r['status']:<10}{r['type']:<20}{r['occurrences']:>6}" for r in rows]
    return "\n".join(lines)


def timeline_events(store: Store, frame: Any) -> list[dict[str, Any]]:
    """The timeline from the logs, each event's text cleaned of sensitive values."""
    from .documents import timeline_from_frame

    guard = SensitiveValues.from_store(store)
    events, _numbers = timeline_from_frame(frame)
    return [{**e, "event": guard.clean(e["event"]), "file": Path(e["file"]).name} for e in events]


def timeline_text(events: list[dict[str, Any]]) -> str:
    return "\n".join(f"{e['ts']:<34}{e['file']}:{e['line']:<8}{e['event']}" for e in events) or "(no timestamped lines)"


def whys_markdown(store: Store, issue_id: str) -> str:
    from .documents import whys_markdown as render

    return render(store, issue_id)


def document_markdown(store: Store, issue_id: str, frame: Any) -> str:
    from .documents import preview_document

    return preview_document(store, issue_id, frame=frame)


def fingerprint(spans: list[dict[str, Any]], decided: list[dict[str, Any]],
                events: list[dict[str, Any]]) -> dict[str, str]:
    def digest(value: Any) -> str:
        return sha256_hex(json.dumps(value, sort_keys=True, default=str))

    return {"spans": digest(sorted(spans, key=lambda s: (s["file"], s["start"], s["end"], s["type"]))),
            "decisions": digest(decided), "timeline": digest(events)}


# -- building ---------------------------------------------------------------------------------------
def _code(source: str, tags: list[str] | None = None) -> Any:
    import nbformat.v4 as nbf

    cell = nbf.new_code_cell(source.strip("\n"))
    if tags:
        cell.metadata["tags"] = tags
    return cell


def _md(source: str) -> Any:
    import nbformat.v4 as nbf

    return nbf.new_markdown_cell(source.strip("\n"))


def build_notebook(store: Store, issue_ref: str, *, profile: str | os.PathLike[str] | None = None,
                   load_options: dict[str, Any] | None = None) -> Any:
    """The RCA notebook for an issue (an ``nbformat`` NotebookNode), not yet scrubbed or written."""
    import nbformat.v4 as nbf

    from .documents import get_document, redaction_profile_hash
    from .logfiles import log_files, recorded_load_options

    issue = get_issue(store, issue_ref)
    logs = [{"log_file_id": r["id"], "name": r["file_name"], "path": str(Path(r["file_path"]).resolve()),
             "sha256": r["content_hash"]} for r in log_files(store, issue["id"])]
    if not logs:
        raise InputError("this issue has no logs yet; load some before exporting its notebook")
    profile_hash = redaction_profile_hash(store, issue["id"]) or None
    if load_options is None:  # how the RCA document reads the logs (e.g. the year of syslog lines)
        doc = get_document(store, issue["id"], "rca")
        load_options = dict(doc["fields"].get("load_options") or {}) if doc else {}
        load_options = load_options or recorded_load_options(store, issue["id"])
    profile_path = str(Path(profile).resolve()) if profile else None
    if profile_hash and profile_path is None:
        raise InputError(f"the redaction of this issue used a profile (SHA-256 {profile_hash[:12]}…); "
                         "pass it with --profile so the notebook can re-scan with it")
    params = "\n".join([
        "# Parameters (papermill: -p NAME VALUE). The key is never here: set TFTSR_DB_KEY.",
        f"store_path = {str(store.path.resolve())!r}",
        f"issue_id = {issue['id']!r}",
        f"logs = {json.dumps(logs, indent=1)}",
        f"profile_path = {profile_path!r}",
        f"profile_sha256 = {profile_hash!r}",
        f"load_options = {load_options!r}  # load_logs keywords, e.g. the year of syslog lines",
    ])
    nb = nbf.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["tftsr"] = {"issue_id": issue["id"], "generator": "tftsr_kernel.rca.notebook_export"}
    nb.cells = [
        _md(f"# Reproducible RCA: {issue['title']}\n\nIssue `{issue['id']}` ({issue['severity']}). "
            "Run all cells to re-run the investigation from its recorded inputs. The store key comes from "
            "`TFTSR_DB_KEY`; every log is checked against its recorded SHA-256 first."),
        _code(params, tags=["parameters"]),
        _md("## 1. Logs: the recorded files, unchanged"),
        _code("import json\n\nfrom IPython.display import Markdown, display\n\n"
              "from tftsr_kernel import Workbench\nfrom tftsr_kernel.rca import notebook_export as replay\n\n"
              "replay.check_logs(logs)  # stops with one sentence if a log changed\n"
              "wb = Workbench.open(store_path)\nstore = wb.store\nframe = replay.load_frame(logs, load_options)\n"
              "print(f\"{len(frame)} log lines from {len(logs)} file(s); every SHA-256 matches the record\")"),
        _md("## 2. Re-scan with the recorded profile"),
        _code("spans = replay.rescan(store, issue_id, logs, profile_path, profile_sha256)\n"
              "print(replay.span_counts(spans))\n"
              "print(replay.compare_spans(spans, replay.recorded_spans(store, logs)))"),
        _md("## 3. Recorded decisions (value hashes only)"),
        _code("decided = replay.decisions(store, issue_id)\nprint(replay.decisions_text(decided))"),
        _md("## 4. Timeline from the logs"),
        _code("events = replay.timeline_events(store, frame)\nprint(replay.timeline_text(events))"),
        _md("## 5. Five Whys"),
        _code("display(Markdown(replay.whys_markdown(store, issue_id)))"),
        _md("## 6. The document"),
        _code("display(Markdown(replay.document_markdown(store, issue_id, frame)))"),
        _md("## 7. Fingerprint: equal across runs over the same inputs"),
        _code("print(json.dumps(replay.fingerprint(spans, decided, events), sort_keys=True))\nwb.close()"),
    ]
    return nb


def export_notebook(store: Store, issue_ref: str, path: str | os.PathLike[str], *,
                    root: str | os.PathLike[str] | None = None,
                    profile: str | os.PathLike[str] | None = None,
                    load_options: dict[str, Any] | None = None) -> Path:
    """Build, scrub, check and write the RCA notebook; audited as ``notebook_exported``."""
    import nbformat

    target = validate_export_path(path, root)
    nb = build_notebook(store, issue_ref, profile=profile, load_options=load_options)
    guard = SensitiveValues.from_store(store)
    scrub_notebook_dict(nb, guard)
    leaks = scan_notebook_dict(nb, guard, str(target))
    if leaks:  # pragma: no cover - scrubbing replaces what scanning finds
        raise InputError(f"the notebook still holds {len(leaks)} sensitive value(s) after scrubbing; nothing written")
    nbformat.validate(nb)
    text = nbformat.writes(nbformat.from_dict(nb)) + "\n"
    issue = get_issue(store, issue_ref)
    with store.transaction():
        audit.append(store, "notebook_exported", "issue", issue["id"],
                     {"sha256": sha256_hex(text), "path": str(target)})
        write_text_atomic(target, text)
    return target
