"""The ``tftsr`` command: argument parsing only; each command calls one Workbench (or layer) function.

Every command takes ``--store PATH`` before or after the command word; the key comes from
``TFTSR_DB_KEY``. Exit 0 success, 2 for an error a user can cause (one sentence on stderr).
"""

from __future__ import annotations

import getpass
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from .errors import InputError, TFTSRError
from .workbench import Workbench

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """A TFTSRError shown as one sentence; exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"tftsr: {self.format_message()}", err=True)


def _remember(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value not in (None, False):
            ctx.meta[f"tftsr.{name}"] = value
        return value
    return callback


def store_options(f: F) -> F:
    """``--store`` and ``--insecure-plaintext``, accepted on the group and on every command."""
    f = click.option("--store", "store_path", metavar="PATH", expose_value=False, is_eager=True,
                     callback=_remember("store"),
                     help="Store file (default: $TFTSR_HOME/tftsr.db or the platform data folder).")(f)
    f = click.option("--insecure-plaintext", is_flag=True, expose_value=False, is_eager=True,
                     callback=_remember("plaintext"),
                     help="Use an UNENCRYPTED store (also TFTSR_INSECURE_PLAINTEXT=1). Never for real data.")(f)
    return f


@contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except TFTSRError as exc:
        raise UserError(str(exc)) from exc


@contextmanager
def open_workbench() -> Iterator[Workbench]:
    ctx = click.get_current_context()
    plaintext = True if ctx.meta.get("tftsr.plaintext") else None
    with user_errors():
        wb = Workbench.open(ctx.meta.get("tftsr.store"), insecure_plaintext=plaintext)
        try:
            yield wb
        finally:
            wb.close()


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=str))


def echo_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    if not rows:
        return
    widths = {c: max(len(c), *(len(str(r.get(c) or "")) for r in rows)) for c in columns}
    click.echo("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip())
    for r in rows:
        click.echo("  ".join(str(r.get(c) or "").ljust(widths[c]) for c in columns).rstrip())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@store_options
@click.version_option(package_name="tftsr-kernel")
def cli() -> None:
    """TFTSR: investigate IT incidents with redaction, an encrypted store and an audit log."""


# -- issue ----------------------------------------------------------------------------------------
@cli.group()
@store_options
def issue() -> None:
    """Create, list, show and search investigations."""


@issue.command("new")
@store_options
@click.argument("title")
@click.option("--severity", required=True, type=click.Choice(["critical", "high", "medium", "low"]))
@click.option("--category", default="general", show_default=True)
@click.option("--description", default="")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
def issue_new(title: str, severity: str, category: str, description: str, tags: tuple[str, ...]) -> None:
    """Open a new issue; prints its id alone on a line."""
    with open_workbench() as wb, user_errors():
        click.echo(wb.issue_new(title, severity, category, description, list(tags))["id"])


@issue.command("list")
@store_options
@click.option("--status", type=click.Choice(["open", "investigating", "resolved", "closed"]))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per issue.")
def issue_list(status: str | None, as_json: bool) -> None:
    """List issues, newest first."""
    with open_workbench() as wb, user_errors():
        rows = wb.issues(status)
    if as_json:
        for r in rows:
            echo_json(r)
    elif rows:
        echo_table(rows, ["id", "severity", "status", "category", "created_at", "title"])
    else:
        click.echo("no issues yet; create one with `tftsr issue new TITLE --severity high`")


@issue.command("show")
@store_options
@click.argument("issue_id")
@click.option("--json", "as_json", is_flag=True)
def issue_show(issue_id: str, as_json: bool) -> None:
    """Show one issue."""
    with open_workbench() as wb, user_errors():
        row = wb.issue(issue_id)
    if as_json:
        echo_json(row)
        return
    for key in ("id", "title", "severity", "status", "category", "assigned_to", "tags", "created_at",
                "updated_at", "resolved_at", "description"):
        value = ", ".join(row[key]) if key == "tags" else row[key]
        click.echo(f"{key + ':':<13}{'' if value is None else value}")


@issue.command("search")
@store_options
@click.argument("query")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def issue_search(query: str, limit: int, as_json: bool) -> None:
    """Full-text search over titles and descriptions (FTS5 syntax)."""
    with open_workbench() as wb, user_errors():
        rows = wb.issue_search(query, limit)
    if as_json:
        for r in rows:
            echo_json(r)
    elif rows:
        echo_table(rows, ["id", "severity", "status", "title", "snippet", "document_id"])
    else:
        click.echo("no matching issues")


@issue.command("status")
@store_options
@click.argument("issue_id")
@click.argument("status", type=click.Choice(["open", "investigating", "resolved", "closed"]))
def issue_status(issue_id: str, status: str) -> None:
    """Move an issue to open, investigating, resolved or closed."""
    with open_workbench() as wb, user_errors():
        row = wb.issue_status(status, issue_id)
    click.echo(f"{row['id']} {row['status']}")


@issue.command("close")
@store_options
@click.argument("issue_id")
def issue_close(issue_id: str) -> None:
    """Close an issue."""
    with open_workbench() as wb, user_errors():
        row = wb.issue_status("closed", issue_id)
    click.echo(f"{row['id']} {row['status']}")


# -- logs, detection and decisions ------------------------------------------------------------------
@cli.command("load")
@store_options
@click.option("--issue", "issue_id", required=True, help="The issue the logs belong to.")
@click.option("--format", "fmt", default="auto", show_default=True, help="Force a log format.")
@click.option("--store-raw", is_flag=True, help="Also keep the raw text, sealed, inside the store.")
@click.argument("paths", nargs=-1, required=True)
def load_command(issue_id: str, fmt: str, store_raw: bool, paths: tuple[str, ...]) -> None:
    """Load log files for an issue: records each file (log_files + audit) and prints what was read."""
    with open_workbench() as wb, user_errors():
        frame = wb.load(list(paths), issue=issue_id, format=fmt, store_raw=store_raw)
        records = {r["id"]: r for r in wb.log_files(issue_id)}
    if not len(frame):
        raise UserError("no log lines could be loaded from the given paths; check them and try again")
    for log_file_id, lines in frame.groupby("log_file_id", observed=True).size().items():
        row = records[str(log_file_id)]
        click.echo(f"{row['id']}  {lines:>8} lines  {row['format'] or '-':<14} {row['file_path']}")


@cli.command("pii")
@store_options
@click.option("--issue", "issue_id", required=True)
@click.option("--profile", type=click.Path(dir_okay=False), help="A redaction profile (YAML).")
def pii_command(issue_id: str, profile: str | None) -> None:
    """Scan the issue's logs; spans are stored as pending. Prints counts per type."""
    with open_workbench() as wb, user_errors():
        counts = wb.scan(issue_id, profile=profile)
        progress = wb.review_progress(issue_id)
    for pii_type, n in counts.items():
        click.echo(f"{pii_type:<16} {n:>8}")
    click.echo(f"{'TOTAL':<16} {sum(counts.values()):>8}  ({progress['values']} distinct values, "
               f"{progress['values_decided']} decided)")


@cli.command("decide")
@store_options
@click.option("--issue", "issue_id", required=True)
@click.option("--approve-all", is_flag=True, help="Redact every detected value.")
@click.option("--approve", multiple=True, metavar="TYPE", help="Redact every value of TYPE.")
@click.option("--reject", multiple=True, metavar="TYPE", help="Keep every value of TYPE.")
@click.argument("more_types", nargs=-1, metavar="[TYPE]...")
def decide_command(issue_id: str, approve_all: bool, approve: tuple[str, ...], reject: tuple[str, ...],
                   more_types: tuple[str, ...]) -> None:
    """Decide detected values by type: --approve TYPE... (redact), --reject TYPE... (keep), --approve-all."""
    approve_l, reject_l = list(approve), list(reject)
    if more_types:
        if approve_l and reject_l or not (approve_l or reject_l):
            raise UserError("extra types are ambiguous; repeat --approve or --reject before each type")
        (approve_l if approve_l else reject_l).extend(more_types)
    approve_l = [t.upper() for a in approve_l for t in a.split(",") if t]
    reject_l = [t.upper() for r in reject_l for t in r.split(",") if t]
    with open_workbench() as wb, user_errors():
        changed = wb.decide(approve_l, reject_l, approve_all=approve_all, issue=issue_id)
        progress = wb.review_progress(issue_id)
    click.echo(f"{changed} span(s) decided; {progress['values_decided']} of {progress['values']} values decided")


# -- audit ----------------------------------------------------------------------------------------
@cli.group("audit")
@store_options
def audit_group() -> None:
    """Verify and read the tamper-evident audit log."""


@audit_group.command("verify")
@store_options
def audit_verify() -> None:
    """Exit 0 when the chain is intact; 1 naming the first bad entry and why."""
    with open_workbench() as wb, user_errors():
        result = wb.audit_verify()
    if result.ok:
        click.echo(result.message())
        return
    click.echo(result.message(), err=True)
    sys.exit(1)


@audit_group.command("log")
@store_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object per entry.")
@click.option("--limit", type=int)
@click.option("--issue", "issue_id", help="Only the entries of this issue.")
def audit_log(as_json: bool, limit: int | None, issue_id: str | None) -> None:
    """List audit entries, oldest first."""
    with open_workbench() as wb, user_errors():
        rows = wb.audit_log(limit, issue_id)
    for r in rows:
        if as_json:
            echo_json(r)
        else:
            details = json.dumps(r["details"], sort_keys=True, ensure_ascii=False)
            click.echo(f"{r['seq']:>6}  {r['timestamp']}  {r['action']:<22} {r['entity_type']}:{r['entity_id']}  "
                       f"{r['user_id']}  {details}")


@audit_group.command("head")
@store_options
def audit_head() -> None:
    """Print the chain head (entry count and last entry_hash) for anchoring elsewhere."""
    with open_workbench() as wb, user_errors():
        count, head = wb.audit_head()
    click.echo(f"{count} {head}")


# -- store ----------------------------------------------------------------------------------------
@cli.group("store")
@store_options
def store_group() -> None:
    """Inspect, rekey and back up the encrypted store."""


@store_group.command("info")
@store_options
@click.option("--json", "as_json", is_flag=True)
def store_info(as_json: bool) -> None:
    """Path, cipher settings and schema version (never the key)."""
    with open_workbench() as wb, user_errors():
        info = wb.store_info()
    if as_json:
        echo_json(info.__dict__)
        return
    for key, value in info.__dict__.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
        click.echo(f"{key + ':':<17}{value}")


@store_group.command("rekey")
@store_options
def store_rekey() -> None:
    """Re-encrypt the store under a new key (TFTSR_NEW_DB_KEY, or asked for without echo)."""
    import os

    new_key = os.environ.get("TFTSR_NEW_DB_KEY")
    if not new_key:
        new_key = getpass.getpass("new key: ")
        if getpass.getpass("new key again: ") != new_key:
            raise UserError("the two keys differ; nothing was changed")
    if not new_key:
        raise UserError("the new key is empty; nothing was changed")
    with open_workbench() as wb, user_errors():
        wb.store_rekey(new_key)
    click.echo("store rekeyed; set TFTSR_DB_KEY to the new key from now on")


@store_group.command("backup")
@store_options
@click.argument("dest")
def store_backup(dest: str) -> None:
    """Write an encrypted copy that opens with the same key."""
    with open_workbench() as wb, user_errors():
        path = wb.store_backup(dest)
    click.echo(str(path))


# -- credentials ----------------------------------------------------------------------------------
@cli.group("credentials")
@store_options
def credentials_group() -> None:
    """API keys and tokens, sealed with AES-256-GCM inside the store."""


@credentials_group.command("set")
@store_options
@click.argument("service")
def credentials_set(service: str) -> None:
    """Store a secret for SERVICE (read without echo; never printed)."""
    secret = getpass.getpass(f"secret for {service}: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    with open_workbench() as wb, user_errors():
        if not secret:
            raise InputError("the secret is empty; nothing was stored")
        wb.credential_set(service, secret)
    click.echo(f"stored the secret for {service}")


@credentials_group.command("list")
@store_options
def credentials_list() -> None:
    """List the services that have a stored secret (never the secrets)."""
    with open_workbench() as wb, user_errors():
        for service in wb.credential_services():
            click.echo(service)


@credentials_group.command("delete")
@store_options
@click.argument("service")
def credentials_delete(service: str) -> None:
    """Delete the stored secret for SERVICE."""
    with open_workbench() as wb, user_errors():
        wb.credential_delete(service)
    click.echo(f"deleted the secret for {service}")


# -- scan / redact (tftsr_kernel.pii) ------------------------------------------------------------
def _pii_scanner(profile: str | None, rules: str | None) -> Any:
    from .pii import Registry, Scanner, load_gitleaks_rules, load_profile

    prof = load_profile(profile) if profile else None
    if not rules:
        return prof, (prof.scanner() if prof else None)
    registry = prof.registry() if prof else Registry()
    for d in load_gitleaks_rules(rules):
        registry.add(d, replace=True)
    return prof, Scanner(registry)


@cli.command("scan")
@store_options
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help='One {"path","line","start","end","type"} per finding.')
@click.option("--recursive", "-r", is_flag=True, help="Scan the files inside directories.")
@click.option("--profile", type=click.Path(dir_okay=False), help="A redaction profile (YAML).")
@click.option("--rules", type=click.Path(dir_okay=False), help="A gitleaks TOML rule file to add.")
@click.option("--binary", is_flag=True, help="Scan binary-looking files as text instead of skipping them.")
@click.option("--show-values", is_flag=True, help="Show found values in the table instead of masking them.")
def scan_command(paths: tuple[str, ...], as_json: bool, recursive: bool, profile: str | None, rules: str | None,
                 binary: bool, show_values: bool) -> None:
    """Find secrets and personal data in files; exit 0 none found, 1 found, 2 error."""
    from .pii import Note, finding_row, scan_paths

    with user_errors():
        _prof, scanner = _pii_scanner(profile, rules)
    found = failed = False
    rows: list[dict[str, Any]] = []
    write = sys.stdout.write  # one finding per line, thousands a second: click.echo per line costs a third
    for item in scan_paths(paths, recursive=recursive, scanner=scanner, binary=binary):
        if isinstance(item, Note):
            failed |= item.error
            sys.stdout.flush()
            click.echo(f"tftsr: {item}", err=True)
            continue
        found = True
        if as_json:
            write(item.json_line() + "\n")
        else:
            rows.append(finding_row(item, show_values=show_values))
    echo_table(rows, ["path", "line", "span", "type", "value"])
    sys.exit(2 if failed else 1 if found else 0)


@cli.command("redact")
@store_options
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--strategy", type=click.Choice(["label", "pseudonym", "mask"]), default=None,
              help="How to replace values (default: the profile's, else label).")
@click.option("--profile", type=click.Path(dir_okay=False), help="A redaction profile (YAML).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
def redact_command(path: str, strategy: str | None, profile: str | None, out_file: str | None) -> None:
    """Redact every detected value of a file (non-interactive: all detections approved)."""
    import os

    from .pii import load_profile, redact_file
    from .pii.redaction import profile_uses_pseudonyms, pseudonym_key_from_secret

    with user_errors():
        prof = load_profile(profile) if profile else None
        key: bytes | None = None
        if profile_uses_pseudonyms(prof, strategy):
            if os.environ.get("TFTSR_PSEUDONYM_KEY"):
                key = pseudonym_key_from_secret(os.environ["TFTSR_PSEUDONYM_KEY"])
            elif os.environ.get("TFTSR_DB_KEY"):
                with open_workbench() as wb:
                    key = wb.pseudonym_key()
            else:
                raise InputError("pseudonyms need a key: set TFTSR_DB_KEY (the store's key) or "
                                 "TFTSR_PSEUDONYM_KEY (a long random passphrase)")
        result = redact_file(path, strategy=strategy, profile=prof, pseudonym_key=key)
        if out_file:
            tmp = f"{out_file}.tmp-{os.getpid()}"
            try:
                with open(tmp, "w", encoding="utf-8", newline="") as fh:
                    fh.write(result.text)
                os.replace(tmp, out_file)
            except OSError as exc:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise InputError(f"cannot write {out_file}: {exc.strerror or exc}") from exc
    if not out_file:
        click.echo(result.text, nl=False)
    counts = ", ".join(f"{t}={n}" for t, n in sorted(result.counts.items())) or "nothing"
    click.echo(f"tftsr: redacted {counts}; sha256 {result.sha256}", err=True)


# -- documents, notebooks and notebook hygiene (tftsr_kernel.rca) -----------------------------------
@cli.group("doc")
@store_options
def doc_group() -> None:
    """RCA and post-mortem documents."""


@doc_group.command("export")
@store_options
@click.argument("issue_id")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option("--postmortem", is_flag=True, help="The post-mortem instead of the RCA.")
@click.option("--out", "out_file", default=None, help="Write to FILE (default: stdout).")
def doc_export(issue_id: str, fmt: str, postmortem: bool, out_file: str | None) -> None:
    """Export the issue's document (drafted from the store if needed); the export is audited."""
    with open_workbench() as wb, user_errors():
        result = wb.doc_export(issue_id, fmt, out_file, postmortem)
    if out_file is None:
        click.echo(result.text, nl=False)
    else:
        click.echo(f"{result.path} sha256 {result.sha256}")


@cli.group("notebook")
@store_options
def notebook_group() -> None:
    """The reproducible RCA notebook."""


@notebook_group.command("export")
@store_options
@click.argument("issue_id")
@click.argument("path")
@click.option("--profile", default=None, help="The redaction profile the investigation used.")
def notebook_export_command(issue_id: str, path: str, profile: str | None) -> None:
    """Write the scrubbed, re-runnable RCA notebook to PATH."""
    with open_workbench() as wb, user_errors():
        click.echo(str(wb.notebook_export(path, issue_id, profile=profile)))


@contextmanager
def _sensitive_values() -> Iterator[Any]:
    """The store's approved values plus the detector; the detector alone when no key and no --store."""
    import os

    from .rca.hygiene import SensitiveValues
    from .store import default_store_path

    ctx = click.get_current_context()
    no_key = not os.environ.get("TFTSR_DB_KEY") and not ctx.meta.get("tftsr.plaintext")
    if not ctx.meta.get("tftsr.store") and (no_key or not default_store_path().exists()):
        yield SensitiveValues.from_store(None)  # never create a store just to scan a notebook
        return
    with open_workbench() as wb:
        yield SensitiveValues.from_store(wb.store)


@cli.command("nbscan")
@store_options
@click.argument("notebooks", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per finding.")
def nbscan_command(notebooks: tuple[str, ...], as_json: bool) -> None:
    """Find sensitive values in notebooks (sources, outputs, metadata, widget state). Exit 0 clean, 1 found."""
    from .rca.hygiene import nbscan

    with user_errors(), _sensitive_values() as guard:
        findings = nbscan(list(notebooks), guard)
    for f in findings:
        if as_json:
            echo_json(f.__dict__)
        else:
            click.echo(f.message())
    if findings:
        click.echo(f"{len(findings)} sensitive value(s) found", err=True)
        sys.exit(1)
    click.echo(f"clean: {len(notebooks)} notebook(s), no sensitive values found")


@cli.command("nbscrub")
@store_options
@click.argument("notebook")
@click.option("--out", "out_file", default=None, help="Write the scrubbed copy to FILE (default: in place, "
              "keeping NOTEBOOK.bak).")
def nbscrub_command(notebook: str, out_file: str | None) -> None:
    """Replace sensitive values in a notebook with labels."""
    from .rca.hygiene import nbscrub

    with user_errors(), _sensitive_values() as guard:
        result = nbscrub(notebook, guard, out_file)
    backup = f"; original kept at {result.backup}" if result.backup else ""
    click.echo(f"{result.path}: {result.replaced} sensitive value(s) replaced{backup}")


# -- ai -------------------------------------------------------------------------------------------
@cli.command("ask")
@store_options
@click.option("--issue", "issue_id", required=True, help="The issue whose redacted logs give the context.")
@click.option("--provider", default="local", show_default=True,
              help="local, openai, anthropic, gemini, mistral, ollama or none.")
@click.option("--model", default=None, help="Model name (default: the provider's).")
@click.option("--base-url", default=None, help="Provider base URL (https, or http to a loopback server).")
@click.option("--domain", default=None, help="Linux, Windows, Network, Kubernetes, Databases, ... (default: "
              "inferred from the issue category).")
@click.option("--new", is_flag=True, help="Start a new conversation instead of continuing the last one.")
@click.argument("question")
def ask_command(issue_id: str, provider: str, model: str | None, base_url: str | None, domain: str | None,
                new: bool, question: str) -> None:
    """Ask an AI provider about the issue, sending only the redacted context; prints the answer."""
    with open_workbench() as wb, user_errors():
        answer = wb.ask(question, provider, model, base_url, domain, new, issue_id)
    click.echo(answer.text)
    for note in answer.notes:
        click.echo(f"tftsr: note: {note}", err=True)
    if answer.partial:
        click.echo(f"tftsr: the answer is partial: {answer.error}", err=True)


@cli.group("ai")
@store_options
def ai_group() -> None:
    """AI providers."""


@ai_group.command("providers")
@store_options
def ai_providers_command() -> None:
    """List the providers, whether each is configured, and where its key comes from (never the key)."""
    with open_workbench() as wb, user_errors():
        rows = wb.ai_providers()
    echo_table([{**r, "configured": "yes" if r["configured"] else "no"} for r in rows],
               ["provider", "configured", "default_model", "endpoint", "key"])


# -- demo -----------------------------------------------------------------------------------------
@cli.command("demo")
@store_options
@click.option("--out", "out_dir", default=None, help="Folder for the demo's outputs (default: a new temp folder).")
def demo_command(out_dir: str | None) -> None:
    """Run the demo investigation (embedded store, offline provider); prints where its outputs are."""
    from .demo import run_demo

    with user_errors():
        result = run_demo(out_dir, echo=click.echo)
    click.echo(f"demo outputs: {result}")


def _log_to_stderr() -> None:
    """Our warnings (load notes, plaintext-store warnings) as ``tftsr: <sentence>`` lines on stderr.

    Importing ``tftsr_kernel.pii`` puts its secret-masking handler in front of this one."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("tftsr: %(message)s"))
    handler.setLevel(logging.WARNING)
    logger = logging.getLogger("tftsr_kernel")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def main() -> None:
    _log_to_stderr()
    try:
        cli(prog_name="tftsr")
    except BrokenPipeError:
        # `tftsr audit log | head`: the reader went away; that is not an error.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


if __name__ == "__main__":
    main()
