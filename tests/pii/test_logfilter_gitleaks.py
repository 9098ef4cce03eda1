from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tftsr_kernel.errors import ProfileError
from tftsr_kernel.pii import Registry, Scanner, load_gitleaks_rules

FIXTURES = Path(__file__).parent / "fixtures"


def test_log_records_of_package_loggers_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    import tftsr_kernel.pii  # noqa: F401 - installs the filter

    with caplog.at_level(logging.INFO):
        logging.getLogger("tftsr_kernel.store.sub").info("connecting with %s", "password=Sup3rS3cret!")
        logging.getLogger("tftsr_kernel").warning("token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789")
    text = caplog.text
    assert "Sup3rS3cret" not in text and "ghp_aBcD" not in text
    assert "[PASSWORD]" in text and "[GITHUB_TOKEN]" in text


def test_gitleaks_rules_load_and_find(tmp_path: Path) -> None:
    detectors = load_gitleaks_rules(FIXTURES / "gitleaks-format.toml")
    names = {d.name for d in detectors}
    assert {"gitleaks:adobe-client-secret", "gitleaks:aws-access-token"} <= names
    sc = Scanner(Registry(detectors))
    text = "adobe p8e-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z and AKIAIOSFODNN7EXAMPLE and AKIAQ3EGRTY5WXZ7ABCD ok"
    found = [(s.type, s.detector, text[s.start:s.end]) for s in sc.scan(text)]
    assert ("API_KEY", "gitleaks:adobe-client-secret", "p8e-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z") in found
    # the rule's allowlist drops the documentation key, keeps the real-looking one
    assert [v for t, _, v in found if t == "AWS_ACCESS_KEY"] == ["AKIAQ3EGRTY5WXZ7ABCD"]

    more = ("webhook_secret = 'Zk3Pq8Lw2Nx7Rt5Vb9Hc4Jd6Mf1Sg0Ya' ticket_token[Qw3Er5Ty7Ui9Op1As] "
            "webhook_token: ${WEBHOOK_TOKEN}")
    got = {(s.detector, more[s.start:s.end]) for s in sc.scan(more)}
    assert ("gitleaks:webhook-signing-token", "Zk3Pq8Lw2Nx7Rt5Vb9Hc4Jd6Mf1Sg0Ya") in got
    assert ("gitleaks:bracketed-ticket-token", "Qw3Er5Ty7Ui9Op1As") in got
    assert not any("WEBHOOK_TOKEN" in v for _, v in got), "the global allowlist keeps ${VAR} placeholders"
    assert "gitleaks:path-only-rule" not in names


def test_bad_rule_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text("[[rules]]\nid = 'x'\nregex = '''(unclosed'''\n")
    with pytest.raises(ProfileError, match="does not compile"):
        load_gitleaks_rules(bad)
    bad.write_text("title = 'no rules'\n")
    with pytest.raises(ProfileError, match="no \\[\\[rules\\]\\]"):
        load_gitleaks_rules(bad)
