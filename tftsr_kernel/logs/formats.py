"""The log formats we recognise, as data: a line pattern with named groups, and how to read its groups.

A text format is one RE2 pattern for the first line of a record (its "head"). Named groups ``ts``,
``level``, ``source``, ``message`` and ``pri`` feed the standard columns; a group named ``x__2``
is an alternative spelling of ``x``; groups starting with ``_`` are internal; every other group
becomes a column of its own (``pid``, ``host``, ``status`` ...). Lines that do not match the head
pattern continue the record above them when the format is multi-line (stack traces), else they are
records of their own with only ``message``/``raw`` set.

Detection samples the first lines of a file and picks the format whose head pattern matches most of
them; specific formats are listed before general ones and win ties.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .levels import KEYWORD  # noqa: F401 - re-exported for documentation
from .timestamps import ANY, LAYOUTS, any_pattern

LEVEL_WORD = (r"(?i:TRACE|DEBUG|INFO|INFORMATION|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|FATAL|CRITICAL|CRIT|"
              r"ALERT|EMERG|FINE|FINER|FINEST|CONFIG|VERBOSE)")
_THREAD = r"(?:[^\[\]]|\[[^\]]*\])*"  # allows one level of nested brackets: [QuorumPeer[myid=1]/0:...]
_ISO = LAYOUTS["iso"].bare
_QUOTED = r'(?:[^"\\]|\\.)*'


@dataclass(frozen=True)
class Format:
    name: str
    kind: str  # "regex" | "json" | "logfmt"
    description: str
    head: str = ""  # RE2 pattern for a record's first line (regex kind)
    ts_layouts: tuple[str, ...] = ANY
    multiline: bool = True
    level_from: str = "level"  # "+"-joined sources tried in order: level, pri, status, text
    int_fields: tuple[str, ...] = ()
    message_parts: tuple[str, ...] = ()  # build message from these groups (joined by spaces)
    min_score: float = 0.6
    aliases: tuple[str, ...] = field(default_factory=tuple)


def _f(name: str, description: str, head: str, **kw: object) -> Format:
    return Format(name=name, kind="regex", description=description, head=head, **kw)  # type: ignore[arg-type]


FORMATS: tuple[Format, ...] = (
    _f("syslog5424", "syslog RFC 5424 (<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG)",
       r"^<(?P<pri>\d{1,3})>1 (?P<ts>\S+) (?P<host>\S+) (?P<source>\S+) (?P<procid>\S+) (?P<msgid>\S+) "
       r"(?P<sd>-|(?:\[(?:[^\]\\]|\\.)*\])+) ?(?P<message>.*)$",
       ts_layouts=("iso",), multiline=False, level_from="pri", aliases=("rfc5424",)),
    Format("journald", "json", "journalctl -o json (one JSON object per line with __REALTIME_TIMESTAMP)"),
    Format("docker", "json", "Docker json-file ({\"log\":..., \"stream\":..., \"time\":...})"),
    _f("cri", "Kubernetes CRI container log (TIMESTAMP stdout|stderr F|P MESSAGE)",
       r"^(?P<ts>\d{4}-\d\d-\d\dT\S+) (?P<source>stdout|stderr) (?P<tag>[FP]) ?(?P<message>.*)$",
       ts_layouts=("iso",), multiline=False, level_from="text", aliases=("kubernetes", "containerd")),
    _f("github_actions", "GitHub Actions job log (ISO timestamp with 7-digit fraction and Z, then the line)",
       r"^(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z) (?P<message>.*)$",
       ts_layouts=("iso",), multiline=True, level_from="text", min_score=0.8, aliases=("gha", "actions")),
    Format("json", "json", "JSON lines (one object per line; time/level/msg/logger in common spellings)",
           aliases=("jsonl", "ndjson")),
    _f("access", "Apache/nginx access log, common or combined",
       r'^(?P<client>\S+) (?P<ident>\S+) (?P<user>\S+|"[^"]*") \[(?P<ts>[^\]]+)\] "(?P<request>' + _QUOTED
       + r')" (?P<status>\d{3}) (?P<bytes>\d+|-)(?: "(?P<referer>' + _QUOTED + r')" "(?P<user_agent>'
       + _QUOTED + r')")?(?P<_rest>.*)$',
       ts_layouts=("clf", "iso"), multiline=False, level_from="status", int_fields=("status", "bytes"),
       message_parts=("request", "status"), aliases=("apache_access", "nginx_access", "clf", "combined")),
    _f("apache_error", "Apache httpd error log ([ctime] [module:level] [pid N] [client A] message)",
       r"^\[(?P<ts>" + LAYOUTS["ctime"].bare + r")\] \[(?:(?P<source>[\w-]+):)?(?P<level>\w+)\]"
       r"(?: \[pid (?P<pid>\d+)(?::tid (?P<tid>\d+))?\])?(?: \[client (?P<client>[^\]]+)\])?(?: (?P<code>AH\d+):)?"
       r" ?(?P<message>.*)$",
       ts_layouts=("ctime",), multiline=True),
    _f("nginx_error", "nginx error log (YYYY/MM/DD HH:MM:SS [level] PID#TID: *CID message)",
       r"^(?P<ts>\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) \[(?P<level>\w+)\] (?P<pid>\d+)#(?P<tid>\d+): "
       r"(?:\*(?P<cid>\d+) )?(?P<message>.*)$",
       ts_layouts=("iso",), multiline=True),
    _f("windows_cbs", "Windows CBS/CSI text log (YYYY-MM-DD HH:MM:SS, Level   Component   message)",
       r"^(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d), (?P<level>\w+)\s+(?P<source>\S+)\s+(?P<message>.*)$",
       ts_layouts=("iso",), multiline=True, aliases=("windows", "cbs")),
    _f("python", "Python logging (basicConfig default LEVEL:logger:message, or asctime - name - LEVEL - message)",
       r"^(?:(?P<ts>" + _ISO + r") - (?P<source>\S+) - (?P<level>" + LEVEL_WORD + r") - |(?P<level__2>"
       r"CRITICAL|ERROR|WARNING|INFO|DEBUG|NOTSET):(?P<source__2>[^:\s]*):)(?P<message>.*)$",
       ts_layouts=("iso",), multiline=True, aliases=("python_logging",)),
    _f("log4j", "log4j / logback / Hadoop / Spark / ZooKeeper layouts (timestamp, optional pid/thread, LEVEL, "
                "logger, message)",
       r"^\[?(?P<ts>" + any_pattern(("iso", "yy/mm/dd", "yymmdd", "time")) + r")\]?\s+(?:-\s+)?"
       r"(?:(?P<pid>\d+)\s+)?(?:\[(?P<thread>" + _THREAD + r")\]\s+)?(?P<level>" + LEVEL_WORD + r")\s+"
       r"(?:(?P<pid__2>\d+) --- )?(?:\[(?P<thread__2>" + _THREAD + r")\]\s+)?(?:-\s+)?"
       r"(?:(?P<source>[\w.$/-]+(?:\(\w*\))?)\s*(?::|-)(?:\s+|$))?(?P<message>.*)$",
       ts_layouts=("iso", "yy/mm/dd", "yymmdd", "time"), multiline=True,
       aliases=("logback", "log4j2", "java", "spark", "hadoop", "zookeeper")),
    _f("syslog", "syslog RFC 3164 / BSD (<PRI>?Mmm dd HH:MM:SS host program[pid]: message)",
       r"^(?:<(?P<pri>\d{1,3})>)?(?P<ts>" + any_pattern(("syslog", "iso")) + r") (?:(?P<host>[\w.:-]+) )?"
       r"(?:(?P<source>[^\s:\[\]]+(?:\([^)]*\))?)(?:\[(?P<pid>\d+)\])?: ?)?(?P<message>.*)$",
       ts_layouts=("syslog", "iso"), multiline=False, level_from="pri+text", aliases=("rfc3164", "bsd")),
    _f("jenkins", "Jenkins console output (optional [timestamp], Pipeline steps, Started by ..., Finished: ...)",
       r"^(?:\[(?P<ts>" + any_pattern(("iso", "time")) + r")\] ?)?(?P<message>.*)$",
       ts_layouts=("iso", "time"), multiline=False, level_from="text"),
    Format("logfmt", "logfmt", "logfmt (key=value pairs, values quoted when they hold spaces)"),
    _f("generic", "any line starting with a timestamp in a common layout, optionally a level keyword",
       r"^[\[(]?(?P<ts>" + any_pattern() + r")[\])]?[\s,:|-]*(?:[\[(<]?(?P<level>" + LEVEL_WORD + r")[\])>:]?"
       r"(?:\s+|$))?(?:(?P<source>[\w.$/-]+(?:\[\d+\]|\(\d+\))?)(?: [*#]\d{1,4})?(?::| -)\s+)?(?P<message>.*)$",
       multiline=True, level_from="level+text", min_score=0.5),
)
BY_NAME: dict[str, Format] = {}
for _fmt in FORMATS:
    BY_NAME[_fmt.name] = _fmt
    for _alias in _fmt.aliases:
        BY_NAME[_alias] = _fmt
RAW = Format("raw", "regex", "unrecognised text: each line is a record, message = the line, level guessed",
             head=r"^(?P<message>.*)$", multiline=False, level_from="text")
BY_NAME["raw"] = RAW

_JENKINS = re.compile(r"^(?:\[[^\]]*\] ?)?(?:Started by |Running on |Building in workspace |\[Pipeline\] |"
                      r"Finished: (?:SUCCESS|FAILURE|UNSTABLE|ABORTED|NOT_BUILT)|Running in |\+ |Obtained |"
                      r"Checking out |Commit message:|Seen branch|Cloning |Fetching |> git )")
_LOGFMT_PAIR = re.compile(r'(?:^|\s)[\w.\-/@]+=(?:"(?:[^"\\]|\\.)*"|\S*)')
_COMPILED: dict[str, re.Pattern[str]] = {}


def _compiled(fmt: Format) -> re.Pattern[str]:
    pat = _COMPILED.get(fmt.name)
    if pat is None:
        pat = _COMPILED[fmt.name] = re.compile(fmt.head)
    return pat


def _json_kind(line: str) -> str | None:
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    if "__REALTIME_TIMESTAMP" in obj or "__CURSOR" in obj:
        return "journald"
    if "log" in obj and "stream" in obj and "time" in obj:
        return "docker"
    return "json"


@dataclass(frozen=True)
class Detection:
    format: Format
    score: float
    recognised: bool  # False: nothing matched well and the fallback was used


def detect(lines: list[str]) -> Detection:
    """Pick a format for a file from its first lines."""
    sample = [ln for ln in lines if ln.strip()][:200]
    if not sample:
        return Detection(BY_NAME["generic"], 0.0, True)
    json_kinds = [_json_kind(ln) for ln in sample if ln.lstrip().startswith("{")]
    if len(json_kinds) >= 0.6 * len(sample) and any(json_kinds):
        best = max(set(json_kinds) - {None}, key=lambda k: json_kinds.count(k))
        return Detection(BY_NAME[str(best)], json_kinds.count(best) / len(sample), True)
    # a head may be followed by indented or "Caused by"/"Traceback" lines; judge on candidate heads
    generic = _compiled(BY_NAME["generic"])
    stamped = [ln for ln in sample if (m := generic.match(ln)) and m.group("ts")]
    heads = stamped if len(stamped) >= 2 else [ln for ln in sample if not ln[:1].isspace()] or sample
    jenkins = sum(1 for ln in sample if _JENKINS.match(ln))
    if jenkins >= 2 and jenkins >= 0.1 * len(sample):
        return Detection(BY_NAME["jenkins"], jenkins / len(sample), True)
    scores: list[tuple[float, int, Format]] = []
    for order, fmt in enumerate(FORMATS):
        if fmt.kind != "regex" or fmt.name == "jenkins":
            continue
        pat = _compiled(fmt)
        denom = heads if fmt.multiline else sample
        hit = sum(1 for ln in denom if pat.match(ln))
        if fmt.name == "generic":
            # the fallback pattern matches anything once its groups are optional; count real timestamps
            hit = sum(1 for ln in denom if (m := pat.match(ln)) and m.group("ts"))
        score = hit / len(denom)
        if score >= fmt.min_score:
            scores.append((score, -order, fmt))
    logfmt = sum(1 for ln in sample if len(_LOGFMT_PAIR.findall(ln)) >= 2
                 and len("".join(_LOGFMT_PAIR.findall(ln)).strip()) >= 0.6 * len(ln.strip()))
    if logfmt / len(sample) >= 0.6:
        scores.append((logfmt / len(sample) + 0.01, 0, BY_NAME["logfmt"]))
    if scores:
        score, _, fmt = max(scores, key=lambda t: (round(t[0], 2), t[1]))
        return Detection(fmt, score, True)
    return Detection(RAW, 0.0, False)


def resolve(name: str) -> Format:
    try:
        return BY_NAME[name.lower()]
    except KeyError:
        known = ", ".join(sorted({f.name for f in FORMATS} | {"raw"}))
        raise ValueError(f"unknown log format {name!r}; choose one of: auto, {known}.") from None
