"""Cheap per-line facts for ranking redacted log lines: severity, template, source and time.

These work on redacted text (labels like ``[IPV4]`` and pseudonyms stay as they are) and need no
parser configuration: they are heuristics good enough to rank lines and group them, not a parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

ERROR, WARNING, INFO = 3, 2, 1

_ERROR_RE = re.compile(
    r"\b(?:fatal|emerg(?:ency)?|alert|crit(?:ical)?|err(?:or)?|severe|panic|exception|traceback|"
    r"fail(?:ed|ure|s)?|refused|denied|timed?[ -]?out|unreachable|killed|segfault|abort(?:ed)?|"
    r"break-in)\b", re.IGNORECASE)
_WARN_RE = re.compile(r"\b(?:warn(?:ing)?|notice|retry(?:ing)?|deprecated|invalid|unknown)\b", re.IGNORECASE)

_MASKS = [
    (re.compile(r"\[[A-Z][A-Z0-9_]*\]"), "<L>"),                       # redaction labels
    (re.compile(r"<[A-Z][A-Z0-9_]*_[0-9a-f]{6,}>"), "<P>"),             # pseudonym tokens <TYPE_hex>
    (re.compile(r"\b[0-9a-fA-F]{8,}\b|0x[0-9a-fA-F]+"), "<H>"),
    (re.compile(r"\d+(?:[-.:,/]\d+)*"), "<N>"),
]

_TIME_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})"), "%Y-%m-%d %H:%M:%S"),
    (re.compile(r"\[\w{3} (\w{3} \d{2} \d{2}:\d{2}:\d{2} \d{4})\]"), "%b %d %H:%M:%S %Y"),
    (re.compile(r"^(\d{2}/\d{2}/\d{2}) (\d{2}:\d{2}:\d{2})"), "%y/%m/%d %H:%M:%S"),
    (re.compile(r"^(\d{6}) (\d{6})\b"), "%y%m%d %H%M%S"),
    (re.compile(r"^(\w{3} +\d{1,2}) (\d{2}:\d{2}:\d{2})"), "%Y %b %d %H:%M:%S"),
    (re.compile(r"^\[(\d{2}\.\d{2}) (\d{2}:\d{2}:\d{2})\]"), "%Y %m.%d %H:%M:%S"),
]

_SOURCE_PATTERNS = [
    re.compile(r"^\w{3} +\d{1,2} [\d:]{8} \S+ ([A-Za-z][\w.()/-]*?)(?:\[\d+\])?:"),      # syslog program
    re.compile(r"\b(?:INFO|WARN(?:ING)?|ERROR|DEBUG|FATAL|TRACE)\s+\[?([\w.$]+?)[@:\]]"),  # java logger
    re.compile(r"\[[^\]]*:([A-Za-z][\w$]*)@\d+\]"),                                    # zookeeper class
    re.compile(r"^\S+ \S+, (?:Info|Warning|Error)\s+(\w+)"),                           # windows CBS/CSI
    re.compile(r"^\[[^\]]+\] (\S+\.exe)\b"),                                           # proxifier process
    re.compile(r"^\[[^\]]+\] \[(\w+)\]"),                                              # apache [level]
]


@dataclass(frozen=True)
class LineFacts:
    index: int
    level: int
    template: str
    source: str
    time: datetime | None


def level_of(line: str) -> int:
    if _ERROR_RE.search(line):
        return ERROR
    if _WARN_RE.search(line):
        return WARNING
    return INFO


def template_of(line: str) -> str:
    """The line with variable parts (numbers, hex ids, redaction labels, pseudonyms) masked."""
    body = line
    for pattern, repl in _MASKS:
        body = pattern.sub(repl, body)
    return " ".join(body.split())[:300]


def source_of(line: str) -> str:
    for pattern in _SOURCE_PATTERNS:
        m = pattern.search(line)
        if m:
            return m.group(1)
    return "-"


def time_of(line: str, default_year: int = 2000) -> datetime | None:
    for pattern, fmt in _TIME_PATTERNS:
        m = pattern.search(line)
        if not m:
            continue
        text = " ".join(m.groups())
        if fmt.startswith("%Y ") and not text[:4].isdigit():
            text = f"{default_year} {text}"
        try:
            return datetime.strptime(" ".join(text.split()), fmt)
        except ValueError:
            continue
    return None


def facts(lines: list[str]) -> list[LineFacts]:
    return [LineFacts(i, level_of(line), template_of(line), source_of(line), time_of(line))
            for i, line in enumerate(lines)]
