"""Load rule files in gitleaks' TOML format (its MIT-licensed default config is the de-facto catalog).

Patterns are Go regexp (RE2) syntax and compile with google-re2. Honoured fields: ``id``,
``regex``, ``secretGroup``, ``entropy``, ``keywords`` (our prefilter hints), rule and global
``allowlists`` ``regexes``/``stopwords`` on the secret. Path-only rules are skipped (we scan text).
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from tftsr_kernel.errors import ProfileError
from tftsr_kernel.pii.backend import Compiled, PatternError
from tftsr_kernel.pii.catalog import Detector

# gitleaks rule id (prefix) -> our type; anything else is an API_KEY
_TYPE_BY_ID: tuple[tuple[str, str], ...] = (
    ("aws-access", "AWS_ACCESS_KEY"), ("aws", "AWS_SECRET_KEY"), ("github", "GITHUB_TOKEN"),
    ("gitlab", "GITLAB_TOKEN"), ("slack", "SLACK_TOKEN"), ("stripe", "STRIPE_KEY"),
    ("gcp-api-key", "GOOGLE_API_KEY"), ("openai", "OPENAI_KEY"), ("anthropic", "ANTHROPIC_KEY"),
    ("jwt", "JWT"), ("private-key", "PRIVATE_KEY"), ("generic", "GENERIC_SECRET"), ("curl-auth", "BEARER_TOKEN"),
)


def gitleaks_type(rule_id: str) -> str:
    rid = rule_id.lower()
    for prefix, type_ in _TYPE_BY_ID:
        if rid.startswith(prefix):
            return type_
    return "API_KEY"


def _allow_patterns(block: Any) -> list[str]:
    out: list[str] = []
    items = block if isinstance(block, list) else [block] if isinstance(block, dict) else []
    for al in items:
        if al.get("regexTarget", "secret") not in ("secret", None):
            continue
        out += [str(r) for r in al.get("regexes", [])]
        out += [re.escape(str(w)) for w in al.get("stopwords", [])]
    return out


def load_gitleaks_rules(path: str | os.PathLike[str]) -> list[Detector]:
    """Detectors for every regex rule of a gitleaks TOML file; a bad file raises ``ProfileError``."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"cannot read rule file {p}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"rule file {p} is not valid TOML: {exc}") from exc
    rules = data.get("rules")
    if not isinstance(rules, list):
        raise ProfileError(f"rule file {p} has no [[rules]]; is it a gitleaks config?")
    global_allow = _allow_patterns(data.get("allowlist")) + _allow_patterns(data.get("allowlists"))
    detectors: list[Detector] = []
    for rule in rules:
        rid = str(rule.get("id", "")).strip()
        regex = rule.get("regex")
        if not rid or not isinstance(regex, str):
            continue  # path-only rules describe files, not text
        secret_group = int(rule.get("secretGroup", 0) or 0)
        try:
            matcher = Compiled(regex)
        except PatternError as exc:
            raise ProfileError(f"rule {rid!r} in {p} does not compile as RE2: {exc}") from None
        # the secret is secretGroup, else the first group that took part, else the whole match
        del matcher
        allow = tuple(global_allow + _allow_patterns(rule.get("allowlists")) + _allow_patterns(rule.get("allowlist")))
        detectors.append(Detector(
            name=f"gitleaks:{rid}", type=gitleaks_type(rid), pattern=regex,
            hints=tuple(str(k).lower() for k in rule.get("keywords", [])),
            min_entropy=float(rule.get("entropy", 0) or 0), priority=48,
            description=str(rule.get("description", ""))[:200],
            value_groups=(f"#{secret_group}",) if secret_group else ("#first",),
            allow=allow,
        ))
    return detectors
