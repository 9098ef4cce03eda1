"""scan_dataframe (cells scanned in blocks) and the presence gate for short texts must change speed,
never results: each cell's spans equal scanning that cell alone with every detector over all of it."""

from __future__ import annotations

import math
import random

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tftsr_kernel.pii import DEFAULT_DETECTORS, Registry, Scanner, frames, scan_dataframe, triggers
from tftsr_kernel.pii.backend import HAVE_RE2
from tftsr_kernel.pii.catalog import Detector
from tftsr_kernel.pii.frames import COLUMNS, line_anchored

from .pieces import PIECES

# detectors a profile or a gitleaks file could add: plain anchors (a cell's start and end), a keyword
# the pattern does not imply (a gitleaks rule applies only where its keyword is), a whitespace run
# that reaches across a line end
EXTRA = (
    Detector("anchored", "USERNAME", r"^adm(?P<v>[a-z]{2,8})$", priority=60),
    Detector("keyword_only", "API_KEY", r"(?P<v>[0-9a-f]{10})", hints=("magic",), priority=60),
    Detector("spread", "GENERIC_SECRET", r"sk\s+(?P<v>[A-Z]{4})\b", priority=60),
    Detector("after_space", "API_KEY", r"\s(?P<v>ZZ[0-9]{2})", priority=60),  # a line end is no space
    Detector("before_space", "API_KEY", r"(?P<v>YY[0-9]{2})\s", priority=60),
)
EDGE = ["admin", "admroot", "magic", "0123456789", "abcdef0123", "sk", "QRST", "sk QRST", "10.1.2.3", "user=",
        "bob", "@example.com", "jane.doe", "password=", "Tr0ub4dor9x", "4111 1111", " 1111 1111", "-", ".", ":",
        "=", " ", "\t", "\n", "\r\n", "é", "日本", "\u2028", "Z", "0", "//", "https://",
        "ZZ12", "YY34", "-----BEGIN RSA PRIVATE KEY-----"]


def _reference() -> Scanner:
    sc = Scanner(Registry((*DEFAULT_DETECTORS, *EXTRA)))
    sc._gate = False  # every detector over the whole cell: the reference
    return sc


REFERENCE = _reference()
SCANNER = Scanner(Registry((*DEFAULT_DETECTORS, *EXTRA)))


def _expected(cells: list[object], index: list[object]) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    for label, cell in zip(index, cells, strict=True):
        if cell is None or (isinstance(cell, float) and math.isnan(cell)):
            continue
        out += [(label, s.start, s.end, s.type, s.detector, s.value_hash) for s in REFERENCE.scan(str(cell))]
    return out


_part = st.one_of(st.sampled_from(PIECES), st.sampled_from(EDGE), st.text(max_size=12),
                  st.text(alphabet="0123456789abcdefABC.:-_ =/@\n", max_size=16))
_text_cell = st.lists(_part, max_size=5).map("".join)
_cell = st.one_of(_text_cell, _text_cell, _text_cell, st.none(), st.just(float("nan")), st.integers(),
                  st.floats(allow_nan=False), st.just(""))


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks for every frame, however small, and several blocks per frame (the same for every example)."""
    monkeypatch.setattr(frames, "MIN_BATCH_CHARS", 0)
    monkeypatch.setattr(frames, "BLOCK_CHARS", 300)
    monkeypatch.setattr(frames, "BLOCKS_WITH_GATE", True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_cell, st.sampled_from(["a", "b", 7, 7.5])), min_size=1, max_size=30))
def test_cells_in_blocks_equal_cells_alone(small_blocks: None, rows: list[tuple[object, object]]) -> None:
    cells = [c for c, _ in rows]
    index = [i for _, i in rows]  # duplicate labels on purpose
    df = pd.DataFrame({"message": pd.Series(cells, index=index, dtype=object), "other": 1})
    out = scan_dataframe(df, "message", scanner=SCANNER)
    assert list(out.columns) == COLUMNS
    assert list(out.itertuples(index=False, name=None)) == _expected(cells, index)


def test_blocks_are_used_and_cells_a_match_crosses_are_rescanned(small_blocks: None,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    if frames.block_scanner(SCANNER) is None:
        pytest.skip("blocks need google-re2")
    rescanned: list[list[int]] = []
    scan_block = frames._scan_block

    def spy(*args: object) -> list[int]:
        dirty = scan_block(*args)  # type: ignore[arg-type]
        rescanned.append(dirty)
        return dirty

    monkeypatch.setattr(frames, "_scan_block", spy)
    cells = ["login from 10.1.2.3 ok", "sk", "QRST tail", "admin", "mail jane.doe@example.com", "magic 0123456789",
             "abcdef0123 without the keyword", "ZZ12 at the start", "at the end YY34", "ZZ56 YY78 "]
    df = pd.DataFrame({"message": cells})
    out = scan_dataframe(df, "message", scanner=SCANNER)
    assert rescanned and sorted(i for d in rescanned for i in d if i in (1, 2)) == [1, 2]  # "sk\nQRST" crossed
    assert list(out.itertuples(index=False, name=None)) == _expected(cells, list(range(len(cells))))
    assert {"anchored", "keyword_only", "email", "ipv4"} <= set(out["detector"])
    assert list(out[out["detector"] == "keyword_only"]["row"]) == [5]
    assert list(out[out["detector"].isin(["after_space", "before_space"])]["row"]) == [9]


def _random_frame(seed: int, rows: int) -> pd.DataFrame:
    rnd = random.Random(seed)
    filler = ["INFO ok", "ERROR", " ", "\t", "key", "token", "user", ":", "-", "/", "=", "2024-01-01 10:00:01,123",
              "081109 203615 148", "from", "org.apache.spark.io"]
    parts = [*PIECES, *EDGE, *filler, *filler]
    cells = ["".join(rnd.choice(parts) + rnd.choice(["", " ", " ", ", "]) for _ in range(rnd.randint(1, 6)))
             for _ in range(rows)]
    return pd.DataFrame({"message": cells})


def _check_frame(df: pd.DataFrame, scanner: Scanner) -> None:
    out = scan_dataframe(df, "message", scanner=scanner)
    assert list(out.itertuples(index=False, name=None)) == _expected(list(df["message"]), list(df.index))


def test_a_large_frame_in_blocks_equals_cells_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks long enough for the structural prefilter (and several of them)."""
    monkeypatch.setattr(frames, "BLOCKS_WITH_GATE", True)
    df = _random_frame(1, 4000)
    assert df["message"].str.len().sum() > 2 * frames.FIRST_BLOCK_CHARS
    _check_frame(df, SCANNER)


@pytest.mark.skipif(not triggers.HAVE_HYPERSCAN, reason="hyperscan is not installed")
def test_with_the_presence_gate_cells_go_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where Hyperscan's presence gate is there, a frame large enough for blocks is scanned cell by cell."""
    blocks: list[object] = []
    monkeypatch.setattr(frames, "_scan_block", lambda *args: blocks.append(args) or [])
    df = _random_frame(3, 4000)
    assert df["message"].str.len().sum() > frames.MIN_BATCH_CHARS
    _check_frame(df, SCANNER)
    assert not blocks


def test_blocks_without_hyperscan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Hyperscan, blocks take the literal hints; results are still the cells' own."""
    monkeypatch.setattr(triggers, "HAVE_HYPERSCAN", False)
    sc = Scanner(Registry((*DEFAULT_DETECTORS, *EXTRA)))
    assert sc.trigger_engine == "find"
    _check_frame(_random_frame(2, 3000), sc)


@pytest.mark.skipif(not triggers.HAVE_HYPERSCAN, reason="hyperscan is not installed")
@settings(max_examples=150, deadline=None)
@given(st.lists(_text_cell, min_size=1, max_size=20))
def test_presence_gate_on_short_texts_equals_whole_text(texts: list[str]) -> None:
    SCANNER.presence_gate()  # built at once here (a scanner builds it after GATE_AFTER short texts)
    for text in texts:
        got = [(s.start, s.end, s.type, s.detector, s.value_hash) for s in SCANNER.scan(text)]
        assert got == [(s.start, s.end, s.type, s.detector, s.value_hash) for s in REFERENCE.scan(text)]


def test_the_presence_gate_covers_the_catalog() -> None:
    if not triggers.HAVE_HYPERSCAN:
        pytest.skip("hyperscan is not installed")
    gate = Scanner().presence_gate()
    assert all(gate.covers)
    assert gate.scan(b"nothing to see here") == []
    assert gate.scan(b"from 10.1.2.3") != []


@pytest.mark.parametrize(("pattern", "want"), [
    (r"^a$", "(?m:^)a(?m:$)"),
    (r"\Aa\z", "(?m:^)a(?m:$)"),
    (r"[^$^]\^\$", r"[^$^]\^\$"),
    (r"(?:^|[^A-Za-z0-9_])x(?:[^A-Za-z0-9_]|$)", r"(?:(?m:^)|[^A-Za-z0-9_])x(?:[^A-Za-z0-9_]|(?m:$))"),
    (r"\p{^Greek}+$", r"\p{^Greek}+(?m:$)"),
    (r"[]^]x", r"[]^]x"),
    (r"\Q^\E", None),
    (r"(?x)^ a", None),
])
def test_line_anchored(pattern: str, want: str | None) -> None:
    assert line_anchored(pattern) == want


@pytest.mark.parametrize(("pattern", "want"), [
    (r"(?:^|[^A-Za-z0-9_])(?P<v>AKIA[A-Z0-9]{16})(?:[^A-Za-z0-9_]|$)", (True, True)),
    (r"(?i)(?:^|[^a-z0-9]|//|@)(?P<v>x+)", (True, False)),
    (r"(?P<v>x+)(?:[ \t]|[,;]|$)", (False, True)),
    (r"(?:^|[^a-z])x|(?:^|y)z", (False, False)),  # an alternation at the top: another branch may read "\n"
    (r"(?:^|[^a-z])+x", (False, False)),  # a repeated group
    (r"(?:^|.)x", (False, False)),  # "." is no literal
    (r"\(?:^|[^a-z])x(?:[^a-z]|$)\)", (False, False)),  # escaped parentheses: no groups
    (r"(?:(?:^|[^a-z])x)", (False, False)),
    (r"x(?:[^a-z]|$)+", (False, False)),
])
def test_edge_groups(pattern: str, want: tuple[bool, bool]) -> None:
    assert frames.edge_groups(pattern) == want


def test_no_blocks_without_re2() -> None:
    """With the Python ``re`` fallback, blocks cost more than hint-gated cells: cells go one by one."""
    assert (frames.block_scanner(Scanner()) is None) == (not HAVE_RE2)
