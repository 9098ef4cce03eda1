"""The AI gateway: ``ask()`` is the only function in TFTSR that sends log data to an AI provider.

    answer = ask("Why do upstream connections time out?", redacted, "openai", "gpt-4o-mini",
                 store=store, issue_id=issue["id"], on_token=print_piece)

Order of events for a remote provider (fail closed at every step):

1. refuse anything that is not a ``RedactedText`` (a plain ``str`` is refused, never sent), the
   ``none`` provider, unknown providers, and contexts whose log files still have undecided spans;
2. check the destination against the allowlist (``ai.allowlist``) before any connection exists;
3. fit the redacted lines into the budget and fence them as untrusted data under a system prompt
   for the domain (given, or inferred from the issue's category);
4. persist the user turn, then append ``ai_send`` to the audit log with the SHA-256 of the exact
   request body bytes — before those bytes leave;
5. send (TLS verified, timeouts, at most 3 retries on 429/5xx honouring Retry-After), streaming the
   answer to ``on_token`` as it arrives;
6. append ``ai_response`` (status, latency, SHA-256 of the response bytes, or the error) and persist
   the answer, marked ``partial`` if the stream was cut. A failure with no answer raises one
   ``GatewayError`` sentence; a cut stream returns the partial answer with ``partial=True``.
"""

from __future__ import annotations

import html
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from .. import audit
from ..crypto import sha256_hex
from ..errors import GatewayError, NotFoundError
from ..pii.redacted import RedactedText
from ..store import Store
from . import conversations, local, prompts, tokens
from .allowlist import ALLOWED_HOSTS_SETTING, check_destination, is_loopback, parse_allowed_hosts
from .fitting import FitReport, fit_lines
from .http import Outcome, RetryPolicy, Sender, Timeouts
from .providers import REMOTE, ChatMessage, Provider

LOCAL = "local"
NONE = "none"
PROVIDERS: tuple[str, ...] = (LOCAL, *REMOTE, NONE)
DEFAULT_BUDGET_TOKENS = 12_000


class ContextNotRedacted(GatewayError, TypeError):
    """The context handed to ``ask()`` is not a ``RedactedText`` (nothing was sent)."""


@dataclass
class Answer:
    """One answer. ``text`` is the model's Markdown; ``partial`` is True when the stream was cut."""

    text: str
    provider: str
    model: str
    conversation_id: str
    message_id: str
    domain: str | None
    partial: bool = False
    status: int = 200
    attempts: int = 1
    latency_ms: int = 0
    fit: FitReport | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.text

    def markdown(self) -> str:
        """The answer as Markdown with raw HTML escaped (a model's answer can carry HTML), plus notes."""
        body = html.escape(self.text, quote=False)
        extra = [f"> ⚠ partial answer: {html.escape(self.error or 'the stream was cut')}"] if self.partial else []
        extra += [f"> {html.escape(n, quote=False)}" for n in self.notes]
        return body + ("\n\n" + "\n>\n".join(extra) if extra else "")

    def _repr_markdown_(self) -> str:
        return self.markdown()


def provider_for(name: str) -> Provider:
    try:
        return REMOTE[name]
    except KeyError:
        raise GatewayError(f"unknown AI provider {name!r}; choose one of {', '.join(PROVIDERS)}") from None


def api_key_for(provider: Provider, credential_lookup: Callable[[str], str | None] | None = None) -> str | None:
    """The provider's key from its environment variables, else from the store's credentials table."""
    for var in provider.env_vars:
        value = os.environ.get(var)
        if value:
            return value
    if credential_lookup is not None:
        return credential_lookup(provider.name)
    return None


def provider_status(store: Store | None = None,
                    credential_lookup: Callable[[str], str | None] | None = None) -> list[dict[str, Any]]:
    """Every provider, whether it is usable now and where its key would come from (never the key)."""
    rows: list[dict[str, Any]] = [{"provider": LOCAL, "configured": True, "endpoint": "in-process",
                                   "default_model": "offline-analyzer", "key": "not needed"}]
    for p in REMOTE.values():
        base = _base_url(p, None, store)
        env = next((v for v in p.env_vars if os.environ.get(v)), None)
        stored = bool(credential_lookup and p.needs_key and credential_lookup(p.name))
        key = f"${env}" if env else ("credentials table" if stored else ("not needed" if not p.needs_key else
                                                                           "missing"))
        rows.append({"provider": p.name, "configured": key != "missing", "endpoint": base,
                     "default_model": p.default_model, "key": key})
    rows.append({"provider": NONE, "configured": True, "endpoint": "-", "default_model": "-",
                 "key": "refuses to send (air-gapped policy)"})
    return rows


def _base_url(provider: Provider, explicit: str | None, store: Store | None) -> str:
    if explicit:
        return explicit
    if store is not None:
        configured = store.get_setting(f"ai.{provider.name}.base_url")
        if configured:
            return configured
    return provider.default_base_url


def _pending_spans(store: Store, log_file_ids: tuple[str, ...]) -> int:
    if not log_file_ids:
        return 0
    marks = ",".join("?" * len(log_file_ids))
    row = store.query_one(f"SELECT count(*) AS n FROM pii_spans WHERE status = 'pending' AND log_file_id IN ({marks})",
                          tuple(log_file_ids))
    return int(row["n"]) if row else 0


def _check_context(context: object, store: Store) -> RedactedText:
    if not isinstance(context, RedactedText):
        raise ContextNotRedacted(
            f"refused to send: the context is a {type(context).__name__}, not a RedactedText; "
            "review and redact the logs first (Workbench.redacted_context() or tftsr_kernel.pii.redact())")
    pending = _pending_spans(store, context.log_file_ids)
    if pending:
        raise GatewayError(f"refused to send: {pending} detected span(s) in these logs are still undecided; "
                           "approve or reject them (%tftsr pii / tftsr decide) and redact again")
    return context


def _issue(store: Store, issue_id: str | None) -> dict[str, Any] | None:
    if not issue_id:
        return None
    row = store.query_one("SELECT * FROM issues WHERE id = ?", (issue_id,))
    if row is None:
        raise NotFoundError(f"no issue {issue_id}; `tftsr issue list` shows them")
    return row


def _domain(explicit: str | None, conv: dict[str, Any] | None, issue: dict[str, Any] | None) -> str | None:
    if explicit:
        try:
            return prompts.normalise_domain(explicit)
        except ValueError:
            raise GatewayError(f"unknown domain {explicit!r}; choose one of {', '.join(prompts.DOMAINS)}") from None
    if conv and conv.get("domain"):
        return str(conv["domain"])
    if issue:
        return prompts.infer_domain(issue.get("category"), issue.get("title"), issue.get("description"))
    return None


def _context_already_sent(store: Store, conv_id: str, context_sha: str) -> bool:
    for entry in audit.entries(store, entity_type="ai_conversation", entity_ids=[conv_id]):
        if entry["action"] in ("ai_send", "ai_local_answer") and entry["details"].get("context_sha256") == context_sha:
            return True
    return False


def ask(question: str, context: RedactedText, provider: str = LOCAL, model: str | None = None,
        conversation: str | None = None, *, store: Store, issue_id: str | None = None,
        base_url: str | None = None, domain: str | None = None, stream: bool = True,
        on_token: Callable[[str], None] | None = None, api_key: str | None = None,
        credential_lookup: Callable[[str], str | None] | None = None, timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None, transport: httpx.BaseTransport | None = None,
        budget_tokens: int | None = None, max_tokens: int = 1024,
        incident_start: datetime | None = None) -> Answer:
    """Ask ``provider`` about the incident, sending only ``context`` (redacted). See the module doc."""
    if not isinstance(question, str) or not question.strip():
        raise GatewayError("the question is empty; write what you want to know about the incident")
    if provider == NONE:
        raise GatewayError("the 'none' provider refuses to send anything (air-gapped policy); "
                           "use provider 'local' for the offline analyzer")
    ctx = _check_context(context, store)
    remote = None if provider == LOCAL else provider_for(provider)

    conv = conversations.get(store, conversation) if conversation else None
    if conv is not None:
        issue_id = issue_id or conv["issue_id"]
    issue = _issue(store, issue_id)
    if issue is None:
        raise GatewayError("an AI conversation belongs to an issue; pick one (issue_id=..., --issue ID)")
    dom = _domain(domain, conv, issue)
    model_name = model or (conv["model"] if conv and conv["provider"] == provider else None) or \
        (remote.default_model if remote else "offline-analyzer")
    if conv is None:
        conv = conversations.create(store, issue["id"], provider, model_name, dom or "", question.strip())
    conv_id = conv["id"]

    if remote is None:
        return _ask_local(question, ctx, store, conv_id, issue, dom, model_name, on_token, incident_start)
    return _ask_remote(question, ctx, remote, model_name, store, conv_id, dom, base_url=base_url, stream=stream,
                       on_token=on_token, api_key=api_key, credential_lookup=credential_lookup,
                       timeouts=timeouts, retry=retry, transport=transport, budget_tokens=budget_tokens,
                       max_tokens=max_tokens, incident_start=incident_start)


def _ask_local(question: str, ctx: RedactedText, store: Store, conv_id: str, issue: dict[str, Any],
               dom: str | None, model: str, on_token: Callable[[str], None] | None,
               incident_start: datetime | None) -> Answer:
    started = time.monotonic()
    text = local.analyze(question, ctx.text, store=store, issue=issue, incident_start=incident_start)
    latency = int((time.monotonic() - started) * 1000)
    if on_token:
        on_token(text)
    with store.transaction():
        conversations.add_message(store, conv_id, "user", prompts.user_turn(question, None), tokens.count(question))
        msg_id = conversations.add_message(store, conv_id, "assistant", text, tokens.count(text))
        audit.append(store, "ai_local_answer", "ai_conversation", conv_id, {
            "provider": LOCAL, "model": model, "destination": "in-process (nothing left the machine)",
            "context_sha256": ctx.sha256, "log_file_ids": list(ctx.log_file_ids), "profile_hash": ctx.profile_hash,
            "response_sha256": sha256_hex(text), "latency_ms": latency, "message_id": msg_id})
    return Answer(text, LOCAL, model, conv_id, msg_id, dom, latency_ms=latency)


def _ask_remote(question: str, ctx: RedactedText, remote: Provider, model: str, store: Store, conv_id: str,
                dom: str | None, *, base_url: str | None, stream: bool, on_token: Callable[[str], None] | None,
                api_key: str | None, credential_lookup: Callable[[str], str | None] | None,
                timeouts: Timeouts | None, retry: RetryPolicy | None, transport: httpx.BaseTransport | None,
                budget_tokens: int | None, max_tokens: int, incident_start: datetime | None) -> Answer:
    base = _base_url(remote, base_url, store)
    allowed = parse_allowed_hosts(store.get_setting(ALLOWED_HOSTS_SETTING))
    dest = check_destination(base, remote, allowed)  # before anything else touches the network
    key = api_key or api_key_for(remote, credential_lookup)
    if remote.needs_key and not key and not is_loopback(dest.host):
        env = " or ".join(remote.env_vars)
        raise GatewayError(f"no API key for {remote.name}; set {env} or store one with "
                           f"`tftsr credentials set {remote.name}`")

    nonce = prompts.new_nonce()
    system = prompts.system_prompt(dom, nonce)
    history = [m for m in conversations.messages(store, conv_id) if m["role"] in ("user", "assistant")]
    resend = not history or not _context_already_sent(store, conv_id, ctx.sha256)
    used = tokens.count(system) + tokens.count(question) + sum(tokens.count(m["content"]) for m in history)
    room = remote.context_tokens - max_tokens - used - 256
    budget = max(0, min(budget_tokens or DEFAULT_BUDGET_TOKENS, room))
    fit: FitReport | None = None
    block = None
    sent_ctx = ctx
    if resend:
        indices, fit = fit_lines(ctx.text.split("\n"), budget, incident_start=incident_start)
        sent_ctx = ctx if fit.complete else ctx.select_lines(indices)
        block = prompts.fence(sent_ctx.text, nonce, "" if fit.complete else fit.sentence())
    user_content = prompts.user_turn(question, block)
    messages = [ChatMessage(m["role"], m["content"]) for m in history] + [ChatMessage("user", user_content)]
    req = remote.build(base_url=base, model=model, system=system, messages=messages, api_key=key,
                       stream=stream, max_tokens=max_tokens)
    check_destination(req.url, remote, allowed)  # the full request URL too
    body_sha = sha256_hex(req.body)
    destination = f"{dest.scheme}://{dest.host}{'' if dest.port is None else f':{dest.port}'}"

    with store.transaction():
        conversations.add_message(store, conv_id, "user", user_content, tokens.count(user_content))
    started: dict[int, float] = {}

    def on_attempt(n: int) -> None:
        audit.append(store, "ai_send", "ai_conversation", conv_id, {
            "provider": remote.name, "model": model, "destination": destination, "path": httpx.URL(req.url).path,
            "request_sha256": body_sha, "request_bytes": len(req.body), "attempt": n, "stream": stream,
            "context_sha256": ctx.sha256, "sent_context_sha256": sent_ctx.sha256 if block else None,
            "log_file_ids": list(ctx.log_file_ids), "profile_hash": ctx.profile_hash,
            "lines_sent": fit.kept_lines if fit else 0, "lines_total": fit.total_lines if fit else 0,
            "domain": dom})
        started[n] = time.monotonic()

    def on_outcome(n: int, out: Outcome) -> None:
        details: dict[str, Any] = {
            "provider": remote.name, "model": model, "attempt": n, "status": out.status,
            "latency_ms": int((time.monotonic() - started[n]) * 1000), "response_sha256": out.response_sha256,
            "response_bytes": out.response_bytes, "partial": out.partial}
        if out.error is not None:
            details["error"] = str(out.error)
        # ai_response: the provider answered (any HTTP status, or a stream cut after it began);
        # ai_failure: no HTTP answer at all (timeout, refused connection, reset before the status line)
        audit.append(store, "ai_response" if out.status else "ai_failure", "ai_conversation", conv_id, details)

    with Sender(remote, timeouts=timeouts, retry=retry, transport=transport, secrets=(key,) if key else ()) as s:
        out = s.send(req, on_attempt=on_attempt, on_outcome=on_outcome, on_token=on_token)
    latency = int((time.monotonic() - started[out.attempts]) * 1000)
    if out.error is not None and not out.text:
        raise out.error
    with store.transaction():
        msg_id = conversations.add_message(store, conv_id, "assistant", out.text, tokens.count(out.text),
                                           partial=out.partial)
    notes = [] if fit is None or fit.complete else [fit.sentence()]
    return Answer(out.text, remote.name, model, conv_id, msg_id, dom, partial=out.partial, status=out.status,
                  attempts=out.attempts, latency_ms=latency, fit=fit,
                  error=str(out.error) if out.error else None, notes=notes)
