"""Template mining with Drain3, state kept in memory only (never Drain3's jsonpickle persistence).

Variable parts are masked first with RE2 over each distinct message's first line (UUIDs, dates and
times, IPs, host names and host:port, hex ids, paths, numbers), then each distinct masked line is fed
to Drain once; repeated lines reuse the answer. A token holding a mask label counts as a parameter in
Drain's tree and similarity, as in the original algorithm. A cluster's template can still generalise
later, so final templates are looked up at the end.

The masks are general rules, not per-system ones; Drain's similarity threshold stays at Drain3's
default (0.4). On loghub, no single threshold is better everywhere (0.6 helps Proxifier and Windows but
costs HDFS and Linux), which is the per-system tuning behind the published Drain figures. What those
thresholds fix, messages merged although they differ by a constant word, is handled instead by keeping
a wildcard position's word when the cluster has seen only a few distinct words there (``Miner``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from drain3 import TemplateMiner
from drain3.drain import Drain
from drain3.template_miner_config import TemplateMinerConfig

_HOST_LABEL = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)"
# Top-level domains common enough that "x.<tld>" is almost surely a host name; with two or more dots any
# two-letter country code counts too. Java-style dotted names (org.apache.Foo) end in a capitalised class.
_TLDS = r"(?:com|net|org|edu|gov|mil|int|io|co|info|biz|local|lan|internal|intranet|corp|home|arpa|localdomain|svc)"
MASKS: tuple[tuple[str, str], ...] = (
    (r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", "<UUID>"),
    # dates and times inside messages (2016/9/27:20:30:31.455, 2024-03-01T10:00:00Z, 10:00:00,123)
    (r"\b\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[T :]\d{1,2}:\d\d(?::\d\d)?(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)?\b|"
     r"\b(?:(?i:mon|tue|wed|thu|fri|sat|sun)[a-z]*,? +)?(?:(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* +"
     r"\d{1,2},? +|\d{1,2} +(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* +)?\d{1,2}:\d\d:\d\d"
     r"(?:[.,]\d+)?(?: +\d{4}\b)?", "<TS>"),
    (r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b", "<IP>"),
    (r"\b(?:[0-9a-fA-F]{1,4}:){3,7}[0-9a-fA-F]{1,4}\b", "<IP>"),
    # host names, with an optional port: www.example.com, db-1.prod.internal:5432, ns.example.hk
    (r"\b(?:" + _HOST_LABEL + r"{2,}[a-z]{2}|" + _HOST_LABEL + r"+" + _TLDS + r")(?::\d{1,5})?\b", "<HOST>"),
    (r"\b[A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*:\d{2,5}\b", "<HOST>"),
    (r"\b0[xX][0-9a-fA-F]+\b", "<HEX>"),
    (r"\b[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b|\b[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*[0-9][0-9a-fA-F]*\b",
     "<HEX>"),
    (r"(?:[A-Za-z]:\\|\\\\|~?/)[\w.\-@~]+(?:[\\/][\w.\-@~]*)+", "<PATH>"),
    (r"\b\d+(?:\.\d+)?\b", "<NUM>"),
)
LABELS = tuple(sorted({label for _, label in MASKS}))


def mask(messages: pa.Array) -> pa.Array:
    """The first line of each message with variable parts replaced by ``<IP>``, ``<NUM>`` ..."""
    first = pc.list_element(pc.split_pattern(messages.cast(pa.large_string()), "\n", max_splits=1), 0)
    for pattern, label in MASKS:
        if label == "<HEX>" and pattern.startswith(r"\b[0-9a-fA-F]*"):
            # only hex-looking words of eight or more characters: with a letter, or zero-padded (0000000e, 00000006)
            first = pc.replace_substring_regex(first, r"\b[0-9]*[a-fA-F][0-9a-fA-F]*\b|\b0[0-9a-fA-F]{7,}\b", "\x00\\0")
            first = pc.replace_substring_regex(first, "\x00" + r"([0-9a-fA-F]{8,})\b", "<HEX>")
            first = pc.replace_substring(first, "\x00", "")
            continue
        first = pc.replace_substring_regex(first, pattern, label)
    return first


def template_id(template: str) -> str:
    return "T" + hashlib.blake2b(template.encode(), digest_size=4).hexdigest()


def _is_param(token: str) -> bool:
    return "<" in token and any(label in token for label in LABELS)


class _MaskAwareDrain(Drain):
    """Drain that treats a token holding a mask label (``<IP>``, ``<NUM>:`` ...) as a parameter.

    Drain3 counts only ``<*>`` as a parameter, so masked tokens made unrelated messages look alike
    ("from <IP>: <NUM>: Bye Bye" vs "from <IP>: <NUM>: disconnected by user") and kept an IP and a host
    name in the first position apart in the tree. The original Drain replaces variables by ``<*>`` before
    parsing; this restores that behaviour while the templates keep their labels.
    """

    @staticmethod
    def has_numbers(s: str) -> bool:
        return any(char.isdigit() for char in s) or _is_param(s)

    def get_seq_distance(self, seq1: Sequence[str], seq2: Sequence[str], include_params: bool) -> tuple[float, int]:
        if len(seq1) == 0:
            return 1.0, 0
        sim_tokens = param_count = 0
        for token1, token2 in zip(seq1, seq2, strict=True):
            if token1 == self.param_str or _is_param(token1):
                param_count += 1
                continue
            if token1 == token2:
                sim_tokens += 1
        if include_params:
            sim_tokens += param_count
        return sim_tokens / len(seq1), param_count


# A wildcard position that takes at most this many distinct words (none of them a mask label) across all
# of a cluster's distinct masked messages holds a constant word that names the event ("Ending X
# initialization." / "... finalization.", "proxy <HOST> HTTPS" / "SOCKS5"): the cluster is split by it.
CONSTANT_WORDS = 3


class Miner:
    """One Drain tree shared by every file of a load, so the same event groups across files.

    ``assign`` answers a code per distinct masked message; ``templates`` turns codes into templates.
    Drain merges messages that differ by one constant word when the rest of the message is alike (the
    published Drain figures tune its similarity threshold per system for that). Instead, each cluster
    remembers, per position, up to ``CONSTANT_WORDS`` distinct words seen there; a wildcard position with
    two to ``CONSTANT_WORDS`` words and no mask label keeps its word in the template, so those messages
    group apart. Positions with more words, or holding masked values, stay parameters.
    """

    def __init__(self, sim_th: float = 0.4, depth: int = 4) -> None:
        cfg = TemplateMinerConfig()
        cfg.drain_sim_th = sim_th
        cfg.drain_depth = depth
        cfg.masking_instructions = []
        cfg.parametrize_numeric_tokens = True
        cfg.profiling_enabled = False
        logging.getLogger("drain3.template_miner").setLevel(logging.WARNING)
        self._miner = TemplateMiner(persistence_handler=None, config=cfg)
        self._miner.drain.__class__ = _MaskAwareDrain
        self._seen: dict[str, int] = {}
        self._texts: list[str] = []
        self._cluster: list[int] = []
        # cluster id -> per position, the distinct words seen there (None once past CONSTANT_WORDS or masked)
        self._words: dict[int, list[set[str] | None]] = {}

    def _observe(self, cluster_id: int, text: str) -> None:
        tokens = text.split()
        slots = self._words.get(cluster_id)
        if slots is None or len(slots) != len(tokens):
            if slots is not None:  # token counts disagree (not expected from Drain): no constant words here
                self._words[cluster_id] = [None] * len(slots)
                return
            slots = self._words[cluster_id] = [set() for _ in tokens]
        for i, token in enumerate(tokens):
            words = slots[i]
            if words is None or token in words:
                continue
            if len(words) >= CONSTANT_WORDS or _is_param(token):
                slots[i] = None
            else:
                words.add(token)

    def assign(self, messages: pa.Array) -> np.ndarray:
        """A code (int32) for each message: the same code for the same masked message."""
        if len(messages) == 0:
            return np.zeros(0, dtype=np.int32)
        # mask each distinct message once (logs repeat), then feed each distinct masked line to Drain once
        raw = pc.dictionary_encode(pc.fill_null(messages.cast(pa.large_string()), ""))
        masked = pc.dictionary_encode(pc.fill_null(mask(raw.dictionary), ""))
        uniques = masked.dictionary.to_pylist()
        ids = np.empty(len(uniques), dtype=np.int32)
        add = self._miner.add_log_message
        seen, texts, clusters = self._seen, self._texts, self._cluster
        for i, text in enumerate(uniques):
            code = seen.get(text)
            if code is None:
                code = seen[text] = len(texts)
                cid = add(text)["cluster_id"]
                texts.append(text)
                clusters.append(cid)
                self._observe(cid, text)
            ids[i] = code
        return ids[np.asarray(masked.indices)][np.asarray(raw.indices)]

    def template(self, code: int) -> str:
        """The current template of the message with this code, constant words kept."""
        cluster = self._miner.drain.id_to_cluster.get(self._cluster[code])
        if cluster is None:
            return ""
        tokens = cluster.log_template_tokens
        slots = self._words.get(cluster.cluster_id)
        if slots is None or len(slots) != len(tokens) or "<*>" not in tokens:
            return cluster.get_template()
        words = self._texts[code].split()
        if len(words) != len(tokens):
            return cluster.get_template()
        return " ".join(words[i] if tok == "<*>" and (w := slots[i]) is not None and len(w) > 1 else tok
                        for i, tok in enumerate(tokens))

    def templates(self, codes: np.ndarray) -> tuple[list[str], np.ndarray]:
        """(distinct templates, index per row) for the given codes, using each cluster's current template."""
        if len(codes) == 0:
            return [], np.zeros(0, dtype=np.int32)
        # codes are small integers: a lookup table avoids sorting every row (and int64 copies)
        uniq = np.flatnonzero(np.bincount(codes))
        names: dict[str, int] = {}
        lut = np.zeros(int(uniq[-1]) + 1, dtype=np.int32)
        for c in uniq:
            lut[c] = names.setdefault(self.template(int(c)), len(names))
        return list(names), lut[codes]
