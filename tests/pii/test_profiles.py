from __future__ import annotations

from pathlib import Path

import pytest

from tftsr_kernel.errors import ProfileError
from tftsr_kernel.pii import load_profile, redact_all


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "profile.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_profile_strategies_custom_patterns_and_hash(tmp_path: Path) -> None:
    p = _write(tmp_path, "default_strategy: label\nstrategies: {IPV4: mask}\ndisable: [HOSTNAME]\n"
                         "patterns:\n  - {name: emp, type: EMPLOYEE_ID, regex: 'EMP-[0-9]{6}', keywords: [emp-]}\n")
    prof = load_profile(p)
    assert len(prof.sha256) == 64
    text = "EMP-123456 on db.corp.internal from 10.20.30.40"
    spans = prof.scanner().scan(text)
    assert {s.type for s in spans} == {"EMPLOYEE_ID", "IPV4"}
    r = redact_all(text, spans, profile=prof)
    assert r.text == "[EMPLOYEE_ID] on db.corp.internal from 10*******40"
    assert r.profile_hash == prof.sha256


@pytest.mark.parametrize(("body", "needle"), [
    ("colour: red\n", "unknown key 'colour'"),
    ("default_strategy: shred\n", "must be one of label, pseudonym, mask"),
    ("strategies: {EMAIL: burn}\n", "must be one of"),
    ("!!python/object/apply:os.system ['true']\n", "YAML tag that is not allowed"),
    ("patterns:\n  - {name: x, type: lower, regex: 'a'}\n", "upper-case"),
    ("patterns:\n  - {name: x, type: X_Y, regex: '('}\n", "does not compile"),
    ("[unclosed\n", "not valid YAML"),
])
def test_bad_profiles_are_one_sentence(tmp_path: Path, body: str, needle: str) -> None:
    with pytest.raises(ProfileError) as info:
        load_profile(_write(tmp_path, body))
    assert needle in str(info.value)
    assert "\n" not in str(info.value)
