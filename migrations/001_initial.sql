-- 001: the seed schema. Never edit this file once released: add 002_..., 003_... instead.
-- Ids are UUIDv7 text; timestamps are ISO-8601 UTC text.

CREATE TABLE issues (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL CHECK (length(title) > 0),
    description  TEXT NOT NULL DEFAULT '',
    severity     TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    status       TEXT NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'investigating', 'resolved', 'closed')),
    category     TEXT NOT NULL DEFAULT 'general',
    source       TEXT NOT NULL DEFAULT 'manual',
    assigned_to  TEXT NOT NULL DEFAULT '',
    tags         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    resolved_at  TEXT
);
CREATE INDEX idx_issues_status ON issues(status);
CREATE INDEX idx_issues_created ON issues(created_at);

CREATE VIRTUAL TABLE issues_fts USING fts5(
    title, description, content='issues', content_rowid='rowid', tokenize='unicode61'
);
CREATE TRIGGER issues_fts_ai AFTER INSERT ON issues BEGIN
    INSERT INTO issues_fts(rowid, title, description) VALUES (new.rowid, new.title, new.description);
END;
CREATE TRIGGER issues_fts_ad AFTER DELETE ON issues BEGIN
    INSERT INTO issues_fts(issues_fts, rowid, title, description)
    VALUES ('delete', old.rowid, old.title, old.description);
END;
CREATE TRIGGER issues_fts_au AFTER UPDATE OF title, description ON issues BEGIN
    INSERT INTO issues_fts(issues_fts, rowid, title, description)
    VALUES ('delete', old.rowid, old.title, old.description);
    INSERT INTO issues_fts(rowid, title, description) VALUES (new.rowid, new.title, new.description);
END;

CREATE TABLE log_files (
    id            TEXT PRIMARY KEY,
    issue_id      TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    file_name     TEXT NOT NULL,
    file_path     TEXT NOT NULL,
    file_size     INTEGER NOT NULL CHECK (file_size >= 0),
    mime_type     TEXT NOT NULL DEFAULT 'text/plain',
    content_hash  TEXT NOT NULL CHECK (length(content_hash) = 64),
    uploaded_at   TEXT NOT NULL,
    redacted      INTEGER NOT NULL DEFAULT 0 CHECK (redacted IN (0, 1)),
    format        TEXT NOT NULL DEFAULT '',
    line_count    INTEGER,
    raw_sealed    TEXT,
    UNIQUE (issue_id, content_hash)
);
CREATE INDEX idx_log_files_issue ON log_files(issue_id);

CREATE TABLE pii_spans (
    id              TEXT PRIMARY KEY,
    log_file_id     TEXT NOT NULL REFERENCES log_files(id) ON DELETE CASCADE,
    pii_type        TEXT NOT NULL,
    detector        TEXT NOT NULL DEFAULT '',
    line_no         INTEGER NOT NULL CHECK (line_no >= 1),
    start_offset    INTEGER NOT NULL CHECK (start_offset >= 0),
    end_offset      INTEGER NOT NULL CHECK (end_offset > start_offset),
    original_value  TEXT,
    value_hash      TEXT NOT NULL,
    replacement     TEXT,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_at      TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (log_file_id, start_offset, end_offset)
);
CREATE INDEX idx_pii_spans_file ON pii_spans(log_file_id);
CREATE INDEX idx_pii_spans_value ON pii_spans(pii_type, value_hash);
CREATE INDEX idx_pii_spans_status ON pii_spans(status);

CREATE TABLE ai_conversations (
    id          TEXT PRIMARY KEY,
    issue_id    TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    provider    TEXT NOT NULL,
    model       TEXT NOT NULL,
    title       TEXT NOT NULL DEFAULT '',
    domain      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX idx_ai_conversations_issue ON ai_conversations(issue_id);

CREATE TABLE ai_messages (
    id               TEXT PRIMARY KEY,
    conversation_id  TEXT NOT NULL REFERENCES ai_conversations(id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content          TEXT NOT NULL,
    token_count      INTEGER NOT NULL DEFAULT 0,
    partial          INTEGER NOT NULL DEFAULT 0 CHECK (partial IN (0, 1)),
    created_at       TEXT NOT NULL
);
CREATE INDEX idx_ai_messages_conversation ON ai_messages(conversation_id);

CREATE TABLE resolution_steps (
    id            TEXT PRIMARY KEY,
    issue_id      TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    chain         INTEGER NOT NULL DEFAULT 1 CHECK (chain >= 1),
    step_order    INTEGER NOT NULL CHECK (step_order >= 1),
    why_question  TEXT NOT NULL,
    answer        TEXT NOT NULL DEFAULT '',
    evidence      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(evidence)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (issue_id, chain, step_order)
);

CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    issue_id    TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    doc_type    TEXT NOT NULL CHECK (doc_type IN ('rca', 'postmortem')),
    title       TEXT NOT NULL,
    content_md  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX idx_documents_issue ON documents(issue_id);

CREATE TABLE audit_log (
    id           TEXT PRIMARY KEY,
    seq          INTEGER NOT NULL UNIQUE CHECK (seq >= 1),
    timestamp    TEXT NOT NULL,
    action       TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    details      TEXT NOT NULL CHECK (json_valid(details)),
    prev_hash    TEXT NOT NULL,
    entry_hash   TEXT NOT NULL UNIQUE,
    signature    TEXT NOT NULL
);
CREATE INDEX idx_audit_entity ON audit_log(entity_type, entity_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE credentials (
    id               TEXT PRIMARY KEY,
    service          TEXT NOT NULL UNIQUE,
    token_hash       TEXT NOT NULL,
    encrypted_token  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    expires_at       TEXT
);

CREATE TABLE integration_config (
    id                   TEXT PRIMARY KEY,
    service              TEXT NOT NULL UNIQUE,
    base_url             TEXT NOT NULL,
    username             TEXT NOT NULL DEFAULT '',
    project_name         TEXT NOT NULL DEFAULT '',
    space_key            TEXT NOT NULL DEFAULT '',
    auto_create_enabled  INTEGER NOT NULL DEFAULT 0 CHECK (auto_create_enabled IN (0, 1)),
    updated_at           TEXT NOT NULL
);

CREATE TABLE image_attachments (
    id                        TEXT PRIMARY KEY,
    issue_id                  TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    file_name                 TEXT NOT NULL,
    file_path                 TEXT NOT NULL,
    file_size                 INTEGER NOT NULL CHECK (file_size >= 0),
    mime_type                 TEXT NOT NULL,
    upload_hash               TEXT NOT NULL,
    uploaded_at               TEXT NOT NULL,
    pii_warning_acknowledged  INTEGER NOT NULL DEFAULT 0 CHECK (pii_warning_acknowledged IN (0, 1)),
    is_paste                  INTEGER NOT NULL DEFAULT 0 CHECK (is_paste IN (0, 1))
);
