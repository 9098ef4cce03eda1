"""Level names, normalised to seven ordered categories, from words, syslog severities and numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

LEVELS = ("TRACE", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL")
LEVEL_DTYPE = pd.CategoricalDtype(list(LEVELS), ordered=True)

_SPELLINGS: dict[str, str] = {
    "trace": "TRACE", "finest": "TRACE", "finer": "TRACE", "verbose": "TRACE", "trc": "TRACE",
    "debug": "DEBUG", "dbg": "DEBUG", "fine": "DEBUG", "config": "DEBUG", "d": "DEBUG",
    "info": "INFO", "information": "INFO", "informational": "INFO", "inf": "INFO", "i": "INFO",
    "notice": "NOTICE", "note": "NOTICE",
    "warn": "WARNING", "warning": "WARNING", "wrn": "WARNING", "w": "WARNING",
    "error": "ERROR", "err": "ERROR", "severe": "ERROR", "fail": "ERROR", "failure": "ERROR", "e": "ERROR",
    "critical": "CRITICAL", "crit": "CRITICAL", "fatal": "CRITICAL", "alert": "CRITICAL",
    "emerg": "CRITICAL", "emergency": "CRITICAL", "panic": "CRITICAL", "f": "CRITICAL",
}
_KEYS = pa.array(list(_SPELLINGS))
_CODES = np.array([LEVELS.index(v) for v in _SPELLINGS.values()], dtype=np.int8)
# syslog severities 0..7 (RFC 5424 table 2)
_SYSLOG = np.array([6, 6, 6, 5, 4, 3, 2, 1], dtype=np.int8)
# the keyword regex used to guess a level from message text where the format has no level field
KEYWORD = (r"(?:^|[\s\[(<|])(?P<kw>FATAL|CRITICAL|CRIT|EMERG|ALERT|SEVERE|ERROR|ERR|WARNING|WARN|NOTICE|"
           r"INFO|DEBUG|TRACE)(?:$|[\s\]):>|,])|^(?P<kw__2>(?i:fatal|critical|error|warning|warn|notice|"
           r"info|debug|trace))\s*:|##\[(?P<kw__3>error|warning|notice|debug)\]")


def codes_from_words(words: pa.Array) -> np.ndarray:
    """int8 category codes (-1 where unknown) for level words in any common spelling."""
    idx = pc.index_in(pc.utf8_lower(pc.utf8_trim_whitespace(words.cast(pa.string()))), value_set=_KEYS)
    pos = np.asarray(idx.fill_null(-1), dtype=np.int64)
    out = np.where(pos >= 0, _CODES[np.clip(pos, 0, None)], -1).astype(np.int8)
    # numeric levels: syslog severities 0-7, bunyan/pino 10-60
    if (out == -1).any():
        nums = pc.cast(pc.if_else(pc.match_substring_regex(words.cast(pa.string()), r"^\d{1,2}$"),
                                  words.cast(pa.string()), pa.nulls(len(words), pa.string())), pa.int64())
        num = np.asarray(nums.fill_null(-1))
        fill = (out == -1) & (num >= 0)
        out[fill & (num <= 7)] = _SYSLOG[np.clip(num[fill & (num <= 7)], 0, 7)]
        bunyan = fill & (num >= 10)
        out[bunyan] = np.select([num[bunyan] < 20, num[bunyan] < 30, num[bunyan] < 40, num[bunyan] < 50,
                                 num[bunyan] < 60], [0, 1, 2, 4, 5], 6)
    return out


def codes_from_pri(pri: pa.Array) -> np.ndarray:
    """Codes from a syslog PRI value (facility * 8 + severity)."""
    num = np.asarray(pc.cast(pri, pa.int64()).fill_null(-1))
    return np.where(num >= 0, _SYSLOG[np.clip(num, 0, None) % 8], -1).astype(np.int8)


def codes_from_status(status: pa.Array) -> np.ndarray:
    """Codes from an HTTP status: 5xx ERROR, 4xx WARNING, else INFO."""
    num = np.asarray(pc.cast(status, pa.int64()).fill_null(-1))
    return np.select([num >= 500, num >= 400, num >= 0], [5, 4, 2], -1).astype(np.int8)


def codes_from_text(message: pa.Array) -> np.ndarray:
    """Guess codes from a level keyword in the text (uppercase anywhere, or ``error:`` at the start)."""
    found = pc.extract_regex(pc.utf8_slice_codeunits(message.cast(pa.string()), 0, 200), KEYWORD)
    kw = pc.coalesce(*[pc.if_else(pc.equal(g, ""), pa.nulls(len(g), g.type), g)
                       for g in (pc.struct_field(found, k) for k in ("kw", "kw__2", "kw__3"))])
    kw = pc.if_else(found.is_valid(), kw, pa.nulls(len(kw), pa.string()))
    return codes_from_words(kw)


def to_categorical(codes: np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int8), dtype=LEVEL_DTYPE)
