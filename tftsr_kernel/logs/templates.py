"""Template mining with Drain3, state kept in memory only (never Drain3's jsonpickle persistence).

Variable parts are masked first with RE2 over the whole column (UUIDs, IPs, hex ids, paths, numbers),
then each *distinct* masked first line is fed to Drain once; repeated lines reuse the answer. A
cluster's template can still generalise later, so final templates are looked up at the end.
"""

from __future__ import annotations

import hashlib
import logging

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from drain3 import TemplateMiner
from drain3.template_miner_config import TemplateMinerConfig

MASKS: tuple[tuple[str, str], ...] = (
    (r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", "<UUID>"),
    (r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b", "<IP>"),
    (r"\b(?:[0-9a-fA-F]{1,4}:){3,7}[0-9a-fA-F]{1,4}\b", "<IP>"),
    (r"\b0[xX][0-9a-fA-F]+\b", "<HEX>"),
    (r"\b[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b|\b[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*[0-9][0-9a-fA-F]*\b",
     "<HEX>"),
    (r"(?:[A-Za-z]:\\|\\\\|~?/)[\w.\-@~]+(?:[\\/][\w.\-@~]*)+", "<PATH>"),
    (r"\b\d+(?:\.\d+)?\b", "<NUM>"),
)


def mask(messages: pa.Array) -> pa.Array:
    """The first line of each message with variable parts replaced by ``<IP>``, ``<NUM>`` ..."""
    first = pc.list_element(pc.split_pattern(messages.cast(pa.large_string()), "\n", max_splits=1), 0)
    for pattern, label in MASKS:
        if label == "<HEX>" and pattern.startswith(r"\b[0-9a-fA-F]*"):
            # only hex-looking words of eight or more characters
            pattern = r"\b(?:[0-9a-fA-F]{8,})\b"
            first = pc.replace_substring_regex(first, r"\b[0-9]*[a-fA-F][0-9a-fA-F]*\b", "\x00\\0")
            first = pc.replace_substring_regex(first, "\x00" + r"([0-9a-fA-F]{8,})\b", "<HEX>")
            first = pc.replace_substring(first, "\x00", "")
            continue
        first = pc.replace_substring_regex(first, pattern, label)
    return first


def template_id(template: str) -> str:
    return "T" + hashlib.blake2b(template.encode(), digest_size=4).hexdigest()


class Miner:
    """One Drain tree shared by every file of a load, so the same event groups across files."""

    def __init__(self, sim_th: float = 0.4, depth: int = 4) -> None:
        cfg = TemplateMinerConfig()
        cfg.drain_sim_th = sim_th
        cfg.drain_depth = depth
        cfg.masking_instructions = []
        cfg.parametrize_numeric_tokens = True
        cfg.profiling_enabled = False
        logging.getLogger("drain3.template_miner").setLevel(logging.WARNING)
        self._miner = TemplateMiner(persistence_handler=None, config=cfg)
        self._seen: dict[str, int] = {}

    def assign(self, messages: pa.Array) -> np.ndarray:
        """Cluster ids (int32) for each message."""
        if len(messages) == 0:
            return np.zeros(0, dtype=np.int32)
        masked = pc.fill_null(mask(messages), "")
        enc = pc.dictionary_encode(masked)
        uniques = enc.dictionary.to_pylist()
        ids = np.empty(len(uniques), dtype=np.int32)
        add = self._miner.add_log_message
        for i, text in enumerate(uniques):
            cid = self._seen.get(text)
            if cid is None:
                cid = self._seen[text] = add(text)["cluster_id"]
            ids[i] = cid
        return ids[np.asarray(enc.indices)]

    def template(self, cluster_id: int) -> str:
        cluster = self._miner.drain.id_to_cluster.get(cluster_id)
        return cluster.get_template() if cluster is not None else ""

    def templates(self, cluster_ids: np.ndarray) -> tuple[list[str], np.ndarray]:
        """(distinct templates, code per row) for the given cluster ids, using each cluster's current template."""
        uniq, codes = np.unique(cluster_ids, return_inverse=True)
        return [self.template(int(c)) for c in uniq], codes.astype(np.int32)
