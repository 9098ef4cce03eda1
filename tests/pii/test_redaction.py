from __future__ import annotations

import pytest

from tftsr_kernel.errors import RedactionError
from tftsr_kernel.pii import RedactedText, Span, approve_all, mask, redact, redact_all, scan_text

TEXT = "user jane@example.com from 10.0.0.1 then jane@example.com again, key AKIAQ3EGRTY5WXZ7ABCD"


def test_only_redact_can_construct() -> None:
    with pytest.raises(TypeError):
        RedactedText("x", "0" * 64, {}, None, ())


def test_undecided_spans_refuse() -> None:
    spans = scan_text(TEXT)
    with pytest.raises(RedactionError):
        redact(TEXT, spans)
    mixed = approve_all(spans)[:-1] + [spans[-1].with_status("pending")]
    with pytest.raises(RedactionError):
        redact(TEXT, mixed)


def test_label_and_rejected_kept() -> None:
    spans = scan_text(TEXT)
    decided = [s.with_status("rejected" if s.type == "IPV4" else "approved") for s in spans]
    r = redact(TEXT, decided, log_file_ids=("f1",))
    assert r.text == "user [EMAIL] from 10.0.0.1 then [EMAIL] again, key [AWS_ACCESS_KEY]"
    assert dict(r.counts) == {"AWS_ACCESS_KEY": 1, "EMAIL": 2}
    assert r.log_file_ids == ("f1",) and len(r.sha256) == 64
    assert "jane" not in repr(r) and "[EMAIL]" not in repr(r)


def test_pseudonyms_are_stable_per_key() -> None:
    spans = scan_text(TEXT)
    a = redact_all(TEXT, spans, strategy="pseudonym", pseudonym_key=b"k1").text
    b = redact_all(TEXT, spans, strategy="pseudonym", pseudonym_key=b"k2").text
    tokens = [w for w in a.split() if w.startswith("<EMAIL_")]
    assert len(tokens) == 2 and tokens[0] == tokens[1]
    assert a != b
    with pytest.raises(RedactionError):
        redact_all(TEXT, spans, strategy="pseudonym")


def test_mask_keeps_prefix_and_suffix() -> None:
    assert mask("AKIAIOSFODNN7EXAMPLE") == "AKIA************MPLE"
    assert mask("abc") == "***"


def test_span_outside_text_refused() -> None:
    with pytest.raises(RedactionError):
        redact("short", [Span(0, 50, "EMAIL", "email", "h", "approved")])
