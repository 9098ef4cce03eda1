"""Conversations and messages in ``ai_conversations`` / ``ai_messages`` (a cut stream is ``partial``)."""

from __future__ import annotations

from typing import Any

from .. import audit
from ..errors import NotFoundError
from ..store import Store, new_id, utc_now


def create(store: Store, issue_id: str, provider: str, model: str, domain: str, title: str) -> dict[str, Any]:
    conv = {"id": new_id(), "issue_id": issue_id, "provider": provider, "model": model,
            "title": title[:200], "domain": domain, "created_at": utc_now()}
    with store.transaction():
        store.execute("INSERT INTO ai_conversations (id, issue_id, provider, model, title, domain, created_at) "
                      "VALUES (:id, :issue_id, :provider, :model, :title, :domain, :created_at)", conv)
        audit.append(store, "ai_conversation_created", "ai_conversation", conv["id"],
                     {"issue_id": issue_id, "provider": provider, "model": model, "domain": domain})
    return conv


def get(store: Store, conversation_id: str) -> dict[str, Any]:
    row = store.query_one("SELECT * FROM ai_conversations WHERE id = ?", (conversation_id,))
    if row is None:
        raise NotFoundError(f"no AI conversation {conversation_id}; list them with Workbench.ai_conversations()")
    return row


def latest(store: Store, issue_id: str, provider: str | None = None) -> dict[str, Any] | None:
    """The issue's most recent conversation (with ``provider``, when given)."""
    if provider:
        return store.query_one("SELECT * FROM ai_conversations WHERE issue_id = ? AND provider = ? "
                               "ORDER BY created_at DESC, id DESC LIMIT 1", (issue_id, provider))
    return store.query_one("SELECT * FROM ai_conversations WHERE issue_id = ? ORDER BY created_at DESC, id DESC "
                           "LIMIT 1", (issue_id,))


def for_issue(store: Store, issue_id: str) -> list[dict[str, Any]]:
    return store.query("SELECT * FROM ai_conversations WHERE issue_id = ? ORDER BY created_at, id", (issue_id,))


def messages(store: Store, conversation_id: str) -> list[dict[str, Any]]:
    return store.query("SELECT id, role, content, token_count, partial, created_at FROM ai_messages "
                       "WHERE conversation_id = ? ORDER BY created_at, id", (conversation_id,))


def add_message(store: Store, conversation_id: str, role: str, content: str, token_count: int = 0,
                partial: bool = False) -> str:
    """Insert one message (inside the caller's transaction when there is one); returns its id."""
    msg_id = new_id()
    store.execute("INSERT INTO ai_messages (id, conversation_id, role, content, token_count, partial, created_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (msg_id, conversation_id, role, content, token_count, int(partial), utc_now()))
    return msg_id
