"""Load rule files in gitleaks' TOML format (its MIT-licensed default config is the de-facto catalog).

Patterns are Go regexp (RE2) syntax and compile with google-re2 (or translated for Python ``re``).
Honoured as gitleaks does: ``id``, ``regex``, ``secretGroup`` (else the first group, else the whole
match with its edge newlines cut), ``entropy`` (a secret must be *above* it), ``keywords`` (our
prefilter hints), rule allowlists (``allowlist``/``allowlists``) and the global ones (``[allowlist]``,
``[[allowlists]]`` with ``targetRules``): ``regexes`` on the secret, on the rule's whole match or on
its line (``regexTarget``), and ``stopwords`` (a secret holding one, in any case, is not reported).
When several rules find one value, a specific rule's type wins over a ``generic`` rule's (gitleaks
drops such generic findings).

Not honoured, since we scan text and not files: path-only rules are skipped; a rule's ``path`` does
not limit it; allowlists of ``paths`` or ``commits`` never apply, and an allowlist whose ``condition``
is ``AND`` applies only when all its parts are regexes (or all are stopwords).
"""

from __future__ import annotations

import math
import os
import tomllib
from pathlib import Path
from typing import Any

from tftsr_kernel.errors import ProfileError
from tftsr_kernel.pii.backend import Compiled, PatternError
from tftsr_kernel.pii.catalog import Detector
from tftsr_kernel.pii.validators import VALIDATORS, Bounds

# gitleaks rule id (prefix) -> our type; anything else is an API_KEY
_TYPE_BY_ID: tuple[tuple[str, str], ...] = (
    ("aws-access", "AWS_ACCESS_KEY"), ("aws", "AWS_SECRET_KEY"), ("github", "GITHUB_TOKEN"),
    ("gitlab", "GITLAB_TOKEN"), ("slack", "SLACK_TOKEN"), ("stripe", "STRIPE_KEY"),
    ("gcp-api-key", "GOOGLE_API_KEY"), ("openai", "OPENAI_KEY"), ("anthropic", "ANTHROPIC_KEY"),
    ("jwt", "JWT"), ("private-key", "PRIVATE_KEY"), ("generic", "GENERIC_SECRET"), ("curl-auth", "BEARER_TOKEN"),
)

#: overlap ties go to the lower value: a specific rule's finding beats a generic rule's on the same value
PRIORITY, GENERIC_PRIORITY = 48, 49


#: the validator every gitleaks rule gets (registered below, so detectors stay data)
TRIM_NEWLINES = "gitleaks_trim_newlines"


def check_trim_newlines(text: str, start: int, end: int) -> Bounds | None:
    """gitleaks' secret: the match with its leading and trailing newlines cut (``strings.Trim(match, "\\n")``);
    a rule without a group whose last character class also takes a line end would otherwise swallow it."""
    while start < end and text[start] == "\n":
        start += 1
    while end > start and text[end - 1] == "\n":
        end -= 1
    return (start, end) if end > start else None


VALIDATORS.setdefault(TRIM_NEWLINES, check_trim_newlines)


def gitleaks_type(rule_id: str) -> str:
    rid = rule_id.lower()
    for prefix, type_ in _TYPE_BY_ID:
        if rid.startswith(prefix):
            return type_
    return "API_KEY"


def _literal(word: str) -> str:
    """``word`` as a regex both RE2 and ``re`` read literally (``re.escape`` writes ``\\ ``, which RE2 refuses)."""
    return "".join(c if c.isalnum() or c == "_" or ord(c) > 0x7f else f"\\x{ord(c):02x}" for c in word)


#: what an allowlist regex is tested on (gitleaks' ``regexTarget``): the secret, the rule's whole match, the line
TARGETS = ("secret", "match", "line")
Allow = dict[str, list[str]]


def _allow_patterns(block: Any, where: str) -> Allow:
    """Regexes that allow a secret, per target, from one allowlist table or an array of them."""
    out: Allow = {t: [] for t in TARGETS}
    items = block if isinstance(block, list) else [block] if isinstance(block, dict) else []
    for al in items:
        if not isinstance(al, dict):
            continue
        target = str(al.get("regexTarget") or "secret").lower()
        if target not in TARGETS:
            raise ProfileError(f"{where}: regexTarget must be one of {', '.join(TARGETS)}, not {target!r}")
        regexes = [str(r) for r in al.get("regexes", [])]
        # gitleaks lowercases the secret and the stopwords; they test the secret whatever the target. One
        # alternation for all (generic-api-key has about 1500): one regex to run per value, not one per word
        words = [_literal(str(w)) for w in al.get("stopwords", []) if str(w)]
        stopwords = [f"(?i)(?:{'|'.join(words)})"] if words else []
        if str(al.get("condition", "OR")).upper() == "AND":
            parts = sum(bool(al.get(k)) for k in ("regexes", "stopwords", "paths", "commits"))
            if parts != 1 or not (regexes or stopwords):
                continue  # every part must hold, and we can test one kind only
        out[target] += regexes
        out["secret"] += stopwords
    return out


def _merge(*parts: Allow) -> Allow:
    return {t: [p for part in parts for p in part.get(t, ())] for t in TARGETS}


def _global_allow(data: dict[str, Any], where: str) -> tuple[Allow, dict[str, Allow]]:
    """The global allowlists: for every rule, and for the rules some of them name in ``targetRules``."""
    common = _allow_patterns(data.get("allowlist"), where)
    targeted: dict[str, Allow] = {}
    blocks = data.get("allowlists")
    for al in blocks if isinstance(blocks, list) else [blocks] if isinstance(blocks, dict) else []:
        targets = al.get("targetRules") if isinstance(al, dict) else None
        if targets:
            for rid in targets:
                targeted[str(rid)] = _merge(targeted.get(str(rid), {}), _allow_patterns(al, where))
        else:
            common = _merge(common, _allow_patterns(al, where))
    return common, targeted


def _check_compiles(patterns: list[str], where: str) -> None:
    for pattern in patterns:
        try:
            Compiled(pattern)
        except PatternError as exc:
            raise ProfileError(f"{where}: {pattern[:60]!r} does not compile as RE2: {exc}") from None


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
    global_allow, targeted_allow = _global_allow(data, str(p))
    _check_compiles([x for t in TARGETS for x in global_allow[t]], f"the global allowlist of {p}")
    detectors: list[Detector] = []
    for rule in rules:
        rid = str(rule.get("id", "")).strip()
        regex = rule.get("regex")
        if not rid or not isinstance(regex, str):
            continue  # path-only rules describe files, not text
        secret_group = int(rule.get("secretGroup", 0) or 0)
        own = _merge(targeted_allow.get(rid, {}), _allow_patterns(rule.get("allowlists"), f"{p} rule {rid!r}"),
                     _allow_patterns(rule.get("allowlist"), f"{p} rule {rid!r}"))
        _check_compiles([regex], f"rule {rid!r} in {p}")
        _check_compiles([x for t in TARGETS for x in own[t]], f"an allowlist of rule {rid!r} in {p}")
        allow = _merge(global_allow, own)
        entropy = float(rule.get("entropy", 0) or 0)
        detectors.append(Detector(
            name=f"gitleaks:{rid}", type=gitleaks_type(rid), pattern=regex,
            hints=tuple(str(k).lower() for k in rule.get("keywords", [])), hints_in_match=False,
            # gitleaks drops a secret whose entropy is <= the rule's; the engine drops one below min_entropy
            min_entropy=math.nextafter(entropy, math.inf) if entropy > 0 else 0.0,
            priority=GENERIC_PRIORITY if "generic" in rid.lower() else PRIORITY,
            description=str(rule.get("description", ""))[:200],
            # the secret is secretGroup, else the first group that took part, else the whole match
            value_groups=(f"#{secret_group}",) if secret_group else ("#first",),
            validator=TRIM_NEWLINES,
            allow=tuple(dict.fromkeys(allow["secret"])),
            allow_match=tuple(dict.fromkeys(allow["match"])),
            allow_line=tuple(dict.fromkeys(allow["line"])),
        ))
    return detectors
