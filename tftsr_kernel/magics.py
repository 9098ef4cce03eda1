"""``%tftsr`` / ``%%tftsr``: the notebook face of :class:`~tftsr_kernel.workbench.Workbench`.

    %load_ext tftsr_kernel
    %tftsr open --store ~/incidents/tftsr.db      # key from TFTSR_DB_KEY, else a hidden prompt
    %tftsr issue new "Checkout API 502s" --severity high --category network
    logs = %tftsr load /var/log/nginx/error.log app.log.gz
    %tftsr pii                                     # scan + review widget
    %tftsr decide --approve EMAIL IPV4 --reject HOSTNAME
    %tftsr redact
    %tftsr whys
    %tftsr timeline --window "2024-03-12 14:00" "2024-03-12 14:25"
    %tftsr audit verify

Argument parsing only: each subcommand calls Workbench methods and turns our exceptions (and bad
arguments) into one printed sentence, never a traceback. The session remembers the open store and
the current issue (``%tftsr status``).
"""

from __future__ import annotations

import argparse
import getpass
import html
import os
import shlex
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from IPython.core.magic import Magics, line_cell_magic, magics_class

from .errors import InputError, KeyMissingError, TFTSRError

if TYPE_CHECKING:
    import pandas as pd

    from .workbench import Workbench

PASSPHRASE_PROMPT = "TFTSR store passphrase (hidden): "  # noqa: S105 (a prompt, not a secret)


class ArgumentError(Exception):
    """Bad magic arguments; ``str()`` is one sentence."""


class _HelpShown(Exception):  # noqa: N818 (control flow, not an error)
    """``--help`` printed its text; nothing else to do."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ArgumentError(f"{self.prog}: {message}; `{self.prog} --help` shows the usage")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            print(message, end="")
        raise _HelpShown()


def build_parser() -> _Parser:
    p = _Parser(prog="%tftsr", add_help=True, description="TFTSR incident workbench. `%tftsr <command> --help` "
                "shows the options of one command.")
    sub = p.add_subparsers(dest="command", metavar="command", parser_class=_Parser)

    sub.add_parser("help", help="this overview")
    o = sub.add_parser("open", help="open (or create) the encrypted store")
    o.add_argument("--store", metavar="PATH", help="store file (default: $TFTSR_HOME/tftsr.db or the platform folder)")
    o.add_argument("--insecure-plaintext", action="store_true", help="an UNENCRYPTED store (asked for by name)")

    i = sub.add_parser("issue", help="create, list, show, select and search issues")
    isub = i.add_subparsers(dest="issue_command", metavar="action", parser_class=_Parser)
    n = isub.add_parser("new", help="create an issue and make it current")
    n.add_argument("title")
    n.add_argument("--severity", default="medium", choices=("critical", "high", "medium", "low"))
    n.add_argument("--category", default="general")
    n.add_argument("--description", default="")
    ls = isub.add_parser("list", help="issues, newest first")
    ls.add_argument("--status")
    sh = isub.add_parser("show", help="one issue (the current one by default)")
    sh.add_argument("id", nargs="?")
    u = isub.add_parser("use", help="make an issue current")
    u.add_argument("id")
    se = isub.add_parser("search", help="full-text search over titles and descriptions")
    se.add_argument("query", nargs="+")
    st = isub.add_parser("status", help="show or set the current issue's status")
    st.add_argument("status", nargs="?", choices=("open", "investigating", "resolved", "closed"))

    ld = sub.add_parser("load", help="load log files into a DataFrame and record them for the issue")
    ld.add_argument("paths", nargs="+", metavar="PATH")
    ld.add_argument("--format", default="auto", help="a format name, or auto (sniffed per file)")
    ld.add_argument("-o", "--out", metavar="VAR", help="store the DataFrame in this variable (and print a summary)")
    ld.add_argument("--year", type=int, help="year for timestamps that carry none (syslog)")
    ld.add_argument("--tz", help="time zone for timestamps that carry none")
    ld.add_argument("--store-raw", action="store_true", help="keep an encrypted copy of the files in the store")

    pi = sub.add_parser("pii", help="scan the issue's logs and show the review widget")
    pi.add_argument("var", nargs="?", metavar="VAR", help="a DataFrame from `%%tftsr load` (its files are scanned)")
    pi.add_argument("--profile", metavar="P", help="a redaction profile (YAML) choosing the detectors")
    pi.add_argument("--no-scan", action="store_true", help="show the widget without scanning again")
    pi.add_argument("--page-size", type=int, default=50)

    d = sub.add_parser("decide", help="decide whole types (headless runs)")
    g = d.add_mutually_exclusive_group(required=True)
    g.add_argument("--approve", nargs="+", metavar="TYPE", help="redact every value of these types")
    g.add_argument("--reject", nargs="+", metavar="TYPE", help="keep every value of these types")
    g.add_argument("--approve-all", action="store_true", help="redact everything detected")

    r = sub.add_parser("redact", help="finalise the redaction (approved values replaced, originals wiped)")
    r.add_argument("--profile", metavar="P")
    r.add_argument("--strategy", choices=("label", "pseudonym", "mask"))
    r.add_argument("-o", "--out", metavar="VAR", help="store the RedactedText in this variable")

    sub.add_parser("whys", help="the 5-Whys widget")

    t = sub.add_parser("timeline", help="records per minute by level, from the logs loaded in this session")
    t.add_argument("--window", nargs=2, metavar=("START", "END"), help="shade this time window")
    t.add_argument("--freq", default="1min", help="bucket size (pandas offset, e.g. 30s, 5min)")

    a = sub.add_parser("audit", help="the audit widget, or `audit verify`")
    a.add_argument("action", nargs="?", choices=("verify",))
    a.add_argument("--all", action="store_true", help="every entry in the store, not only the current issue's")

    sub.add_parser("status", help="the open store, the current issue and its review progress")

    k = sub.add_parser("ask", help="ask an AI provider (cell magic: the question is the cell body)")
    k.add_argument("--provider", default=None, help="local (default, offline), openai, anthropic, gemini, mistral, "
                   "ollama or none")
    k.add_argument("--model", default=None)
    k.add_argument("--base-url", default=None, help="an OpenAI-compatible or local server")
    k.add_argument("--domain", default=None, help="system prompt: linux, windows, network, kubernetes, databases, "
                   "virtualization, hardware, observability (default: from the issue's category)")
    k.add_argument("--new", action="store_true", help="start a new conversation instead of continuing")
    k.add_argument("question", nargs="*")

    ai = sub.add_parser("ai", help="`ai providers`: which providers are configured (never their keys)")
    ai.add_argument("action", choices=("providers",))

    rv = sub.add_parser("reveal", help="map pseudonym tokens in a text (or the last answer) back, locally only")
    rv.add_argument("var", nargs="?", metavar="VAR", help="a variable holding the text (default: the last answer)")

    rc = sub.add_parser("rca", help="the issue's RCA (or post-mortem) document, drafted from the store")
    rc.add_argument("--postmortem", action="store_true", help="the post-mortem instead of the RCA")
    rc.add_argument("--export", metavar="PATH", help="also write it to PATH (.md or .html)")
    rc.add_argument("--refresh", action="store_true", help="redraft the sections filled from the store")
    rc.add_argument("--ai-provider", metavar="P", help="let a provider draft the summary (redacted context only)")

    ex = sub.add_parser("export-notebook", help="write the reproducible, scrubbed RCA notebook")
    ex.add_argument("path", metavar="PATH")
    return p


def _given(**options: Any) -> dict[str, Any]:
    """The options the user gave (argparse leaves the others None or empty)."""
    return {k: v for k, v in options.items() if v}


def _err(message: str) -> None:
    print(message if message.endswith((".", "?", "!")) else message + ".", file=sys.stderr)


@magics_class
class TFTSRMagics(Magics):
    """The session: the open store (a Workbench), the current issue and the DataFrames loaded."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self.wb: Workbench | None = None
        self.frames: dict[str, list[pd.DataFrame]] = {}
        self.last_answer: str | None = None
        self.parser = build_parser()

    # -- entry point ---------------------------------------------------------------------------
    @line_cell_magic
    def tftsr(self, line: str, cell: str | None = None) -> Any:
        try:
            argv = shlex.split(line)
        except ValueError as exc:
            _err(f"cannot read the arguments ({exc}); check the quotes")
            return None
        try:
            if not argv or argv[0] == "help":
                self.parser.print_help()
                return None
            args = self.parser.parse_args(argv)
            handler: Callable[[argparse.Namespace, str | None], Any] = getattr(
                self, f"_do_{args.command.replace('-', '_')}")
            return handler(args, cell)
        except _HelpShown:
            return None
        except (ArgumentError, TFTSRError) as exc:
            _err(str(exc))
            return None

    def close(self) -> None:
        if self.wb is not None:
            self.wb.close()
            self.wb = None

    # -- helpers -----------------------------------------------------------------------------
    def workbench(self) -> Workbench:
        """The open store; opened from TFTSR_DB_KEY on first use if the key is in the environment."""
        if self.wb is None:
            if not (os.environ.get("TFTSR_DB_KEY") or os.environ.get("TFTSR_INSECURE_PLAINTEXT")):
                raise InputError("no store is open; run `%tftsr open` (it asks for the passphrase) or set TFTSR_DB_KEY")
            from .workbench import Workbench

            self.wb = Workbench.open()
        return self.wb

    @property
    def user_ns(self) -> dict[str, Any]:
        return self.shell.user_ns if self.shell is not None else {}

    def issue_id(self) -> str:
        return str(self.workbench().issue()["id"])

    def _display(self, obj: Any) -> None:
        from IPython.display import display

        display(obj)

    # -- subcommands ---------------------------------------------------------------------------
    def _do_open(self, args: argparse.Namespace, cell: str | None) -> None:
        from .workbench import Workbench

        key = None
        if not os.environ.get("TFTSR_DB_KEY") and not args.insecure_plaintext:
            key = getpass.getpass(PASSPHRASE_PROMPT)
            if not key:
                raise KeyMissingError("no passphrase given; the store stays closed")
        wb = Workbench.open(args.store, key, insecure_plaintext=True if args.insecure_plaintext else None)
        del key
        self.close()
        self.wb = wb
        self.frames.clear()
        info = wb.store_info()
        kind = "encrypted" if info.encrypted else "UNENCRYPTED (insecure plaintext)"
        print(f"opened {info.path} ({kind}, schema {info.schema_version})")

    def _do_issue(self, args: argparse.Namespace, cell: str | None) -> Any:
        wb = self.workbench()
        action = args.issue_command
        if action is None:
            raise ArgumentError("%tftsr issue: say new, list, show, use, search or status")
        if action == "new":
            issue = wb.issue_new(args.title, severity=args.severity, category=args.category,
                                 description=args.description)
            print(issue["id"])
            print(f"{issue['title']} ({issue['severity']}, {issue['category']}) is now the current issue")
            return None
        if action == "list":
            rows = wb.issues(args.status)
            current = wb.current_issue_id
            if not rows:
                print("no issues yet; create one with `%tftsr issue new TITLE --severity high`")
            for r in rows:
                mark = "*" if r["id"] == current else " "
                print(f"{mark} {r['id']}  {r['severity']:<8} {r['status']:<13} {r['title']}")
            return None
        if action == "show":
            issue = wb.issue(args.id)
            for k in ("id", "title", "severity", "status", "category", "description", "created_at", "resolved_at"):
                print(f"{k:>12}: {issue[k] if issue[k] is not None else ''}")
            return None
        if action == "use":
            issue = wb.issue_use(args.id)
            print(f"current issue: {issue['id']}  {issue['title']}")
            return None
        if action == "search":
            rows = wb.issue_search(" ".join(args.query))
            if not rows:
                print("no issue matches")
            for r in rows:
                doc = f"  [document {r['document_id']}: `%tftsr issue use {r['id']}` then `%tftsr rca`]" \
                    if r.get("document_id") else ""
                print(f"{r['id']}  {r['status']:<13} {r['title']}  — {r['snippet']}{doc}")
            return None
        issue = wb.issue_status(args.status) if args.status else wb.issue()
        print(f"{issue['id']}  {issue['title']}: {issue['status']}")
        return None

    def _do_load(self, args: argparse.Namespace, cell: str | None) -> Any:
        wb = self.workbench()
        issue_id = self.issue_id()
        options = _given(year=args.year, tz=args.tz)
        frame = wb.load(args.paths, format=args.format, store_raw=args.store_raw, **options)
        notes = frame.attrs.get("tftsr_notes") or []
        if not len(frame):
            first = str(notes[0].get("message", "")).rstrip(".") if notes else ""
            raise InputError(first or "nothing was loaded: the files hold no log records")
        self.frames.setdefault(issue_id, []).append(frame)
        # problems with single files were already reported (one sentence each) on the tftsr_kernel.logs logger
        print(f"loaded {len(frame)} records from {frame['file'].nunique()} file(s) for issue {issue_id}"
              + (f" ({len(notes)} note(s) above)" if notes else ""))
        if args.out:
            self.user_ns[args.out] = frame
            return None
        return frame

    def _do_pii(self, args: argparse.Namespace, cell: str | None) -> Any:
        from .ui import ReviewWidget

        wb = self.workbench()
        issue_id = self.issue_id()
        if args.var:
            frame = self.user_ns.get(args.var)
            if frame is None:
                raise InputError(f"there is no variable {args.var!r}; load logs with `{args.var} = %tftsr load PATH`")
            if "log_file_id" not in getattr(frame, "columns", ()):
                raise InputError(f"{args.var!r} was not loaded with `%tftsr load`, so its files are not recorded")
        if not args.no_scan:
            counts = wb.scan(issue_id, profile=args.profile)
            found = ", ".join(f"{t} {n}" for t, n in counts.items()) or "nothing"
            print(f"scanned: {found}")
        return ReviewWidget(wb, issue_id, page_size=args.page_size)

    def _do_decide(self, args: argparse.Namespace, cell: str | None) -> None:
        wb = self.workbench()
        changed = wb.decide(approve=args.approve, reject=args.reject, approve_all=args.approve_all,
                            issue=self.issue_id())
        p = wb.review_progress()
        print(f"{changed} span(s) decided; {p['values_decided']} of {p['values']} values decided")

    def _do_redact(self, args: argparse.Namespace, cell: str | None) -> Any:
        wb = self.workbench()
        options = _given(profile=args.profile, strategy=args.strategy)
        result = wb.redact(self.issue_id(), **options)
        counts = ", ".join(f"{t} {n}" for t, n in sorted(result.counts.items())) or "nothing replaced"
        print(f"redacted: {counts}; sha256 {result.sha256}; original values wiped from the store")
        if args.out:
            self.user_ns[args.out] = result
        return None

    def _do_whys(self, args: argparse.Namespace, cell: str | None) -> Any:
        from .ui import WhysWidget

        return WhysWidget(self.workbench(), self.issue_id())

    def _do_timeline(self, args: argparse.Namespace, cell: str | None) -> Any:
        import pandas as pd

        from .logs import timeline

        issue = self.workbench().issue()
        frames = self.frames.get(issue["id"])
        if not frames:
            recorded = self.workbench().log_files(issue["id"])
            if not recorded:
                raise InputError("no logs loaded for this issue yet; run `%tftsr load PATH` first")
            # Loaded in an earlier session (or before a kernel restart): read the recorded files again.
            frames = self.frames[issue["id"]] = [self.workbench().load([r["file_path"] for r in recorded],
                                                                       issue["id"], templates=False)]
        if len(frames) > 1 and len({str(getattr(f["ts"].dt, "tz", None)) for f in frames}) > 1:
            # mixed zoned and zone-less loads: zone-less stamps are taken as UTC, as the loader does
            frames = [f.assign(ts=f["ts"].dt.tz_localize("UTC")) if f["ts"].dt.tz is None else
                      f.assign(ts=f["ts"].dt.tz_convert("UTC")) for f in frames]
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        window = None
        if args.window:
            try:
                window = (pd.Timestamp(args.window[0]), pd.Timestamp(args.window[1]))
            except ValueError as exc:
                raise InputError(f"cannot read the window {args.window[0]!r} .. {args.window[1]!r} as times") from exc
        try:
            return timeline(frame, freq=args.freq, window=window, title=issue["title"])
        except ValueError as exc:
            raise InputError(f"cannot draw the timeline: {exc}") from exc

    def _do_audit(self, args: argparse.Namespace, cell: str | None) -> Any:
        wb = self.workbench()
        if args.action == "verify":
            check = wb.audit_verify()
            (print if check.ok else _err)(check.message())
            return None
        from .ui import AuditWidget

        return AuditWidget(wb, all_entries=True) if args.all else AuditWidget(wb, self.issue_id())

    def _do_status(self, args: argparse.Namespace, cell: str | None) -> None:
        if self.wb is None:
            print("store: none open (`%tftsr open`)")
            return
        info = self.wb.store_info()
        print(f"store: {info.path} ({'encrypted' if info.encrypted else 'UNENCRYPTED'}, schema {info.schema_version})")
        if not self.wb.current_issue_id:
            print("issue: none selected (`%tftsr issue new` or `%tftsr issue use ID`)")
            return
        issue = self.wb.issue()
        print(f"issue: {issue['id']}  {issue['title']} ({issue['severity']}, {issue['status']})")
        files = self.wb.log_files()
        print(f"logs: {len(files)} file(s) recorded; {sum(len(f) for f in self.frames.get(issue['id'], []))} "
              "records loaded in this session")
        p = self.wb.review_progress()
        print(f"review: {p['values_decided']} of {p['values']} values decided ({p['spans']} spans)")

    def _do_ask(self, args: argparse.Namespace, cell: str | None) -> None:
        wb = self.workbench()
        question = (cell or "").strip() or " ".join(args.question).strip()
        if not question:
            raise InputError("ask needs a question: put it in the cell body under `%%tftsr ask`")
        from IPython.display import HTML, display

        handle = display(HTML(""), display_id=True)
        parts: list[str] = []

        def on_token(token: str) -> None:
            parts.append(token)
            if handle is not None and len(parts) % 8 == 0:
                handle.update(HTML(render_markdown("".join(parts))))

        options = _given(model=args.model, base_url=args.base_url, domain=args.domain)
        answer = wb.ask(question, provider=args.provider or "local", issue=self.issue_id(), on_token=on_token,
                        new=args.new, **options)
        self.last_answer = str(getattr(answer, "text", answer))
        text = str(getattr(answer, "text", answer))
        notes = [f"partial answer: {answer.error or 'the stream was cut'}"] if getattr(answer, "partial", False) else []
        notes += [str(n) for n in getattr(answer, "notes", [])]
        body = text + "".join(f"\n\n> {n}" for n in notes)
        if handle is not None:
            handle.update(HTML(render_markdown(body)))
        else:
            print(body)


    def _do_ai(self, args: argparse.Namespace, cell: str | None) -> None:
        for row in self.workbench().ai_providers():
            state = "configured" if row["configured"] else "not configured"
            print(f"{row['provider']:<10} {state:<15} {row['endpoint']:<42} key: {row['key']}")

    def _do_reveal(self, args: argparse.Namespace, cell: str | None) -> None:
        text = self.user_ns.get(args.var) if args.var else self.last_answer
        if text is None:
            raise InputError(f"there is no variable {args.var!r}" if args.var else
                             "nothing to reveal yet; ask a question first (`%%tftsr ask`) or name a variable")
        # Printed for the investigator only; nothing revealed is ever sent anywhere.
        print(self.workbench().reveal(str(getattr(text, "text", text)), self.issue_id()))

    def _do_rca(self, args: argparse.Namespace, cell: str | None) -> Any:
        from IPython.display import Markdown

        wb = self.workbench()
        issue_id = self.issue_id()
        doc = wb.rca(args.postmortem, issue_id, refresh=args.refresh, ai_provider=args.ai_provider)
        if args.export:
            fmt = "html" if args.export.lower().endswith((".html", ".htm")) else "md"
            result = wb.doc_export(issue_id, fmt, args.export, postmortem=args.postmortem)
            print(f"exported {result.path} (sha256 {result.sha256})")
        return Markdown(doc["markdown"])

    def _do_export_notebook(self, args: argparse.Namespace, cell: str | None) -> None:
        path = self.workbench().notebook_export(args.path, self.issue_id())
        print(f"wrote {path} (scrubbed; re-run it with nbclient or papermill)")


def render_markdown(text: str) -> str:
    """Markdown → HTML with raw HTML escaped (never passed through) and unsafe links dropped."""
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # rendered as preformatted text
        return f"<pre>{html.escape(text)}</pre>"
    return str(MarkdownIt("commonmark", {"html": False}).enable("table").render(text))


_MAGICS: TFTSRMagics | None = None


def current_workbench() -> Workbench:
    """The Workbench behind ``%tftsr`` in this kernel (to mix magics with Python calls)."""
    if _MAGICS is None:
        raise InputError("the tftsr extension is not loaded; run `%load_ext tftsr_kernel` first")
    return _MAGICS.workbench()


def load_ipython_extension(ipython: Any) -> None:
    global _MAGICS
    if _MAGICS is not None:
        _MAGICS.close()
    _MAGICS = TFTSRMagics(ipython)
    ipython.register_magics(_MAGICS)
    _show_figures_as_png(ipython)


def _show_figures_as_png(ipython: Any) -> None:
    """``%tftsr timeline`` returns a matplotlib Figure (not pyplot): make it display as an image."""

    def png(fig: Any) -> bytes:
        from IPython.core.pylabtools import print_figure

        return bytes(print_figure(fig, "png", bbox_inches="tight"))

    formatter = ipython.display_formatter.formatters.get("image/png") if ipython.display_formatter else None
    if formatter is not None:
        formatter.for_type_by_name("matplotlib.figure", "Figure", png)


def unload_ipython_extension(ipython: Any) -> None:
    global _MAGICS
    if _MAGICS is not None:
        _MAGICS.close()
        magics = ipython.magics_manager.magics
        for kind in ("line", "cell"):
            if magics[kind].get("tftsr") is not None:
                del magics[kind]["tftsr"]
        _MAGICS = None
