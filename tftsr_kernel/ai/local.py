"""The ``local`` provider: an offline analyzer that needs no network and no model.

From the redacted context (and the store's issue history) it answers with:

- the error templates that dominate the incident window (from the incident start to the end of the
  excerpt; the start is the given time, else the first error line),
- templates first seen at or after the incident start (what is new),
- the first error of each source (program / logger / component),
- similar past issues: TF-IDF (scikit-learn) over the titles, descriptions and categories of the
  other issues in the store, matched against the question, this issue and the dominant templates.

The answer is Markdown. It reads only redacted text and the local store, and sends nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .fitting import incident_start_index
from .lines import ERROR, WARNING, LineFacts, facts

_WORD = r"(?u)\b[a-zA-Z]\w+\b"  # words that start with a letter (no bare numbers)


@dataclass(frozen=True)
class SimilarIssue:
    id: str
    title: str
    status: str
    score: float


def similar_issues(store: Any, query: str, exclude_id: str | None = None, limit: int = 3,
                   min_score: float = 0.1) -> list[SimilarIssue]:
    """Past issues most similar to ``query`` by TF-IDF cosine similarity (scikit-learn)."""
    if store is None or not query.strip():
        return []
    rows = [r for r in store.query("SELECT id, title, description, category, status FROM issues")
            if r["id"] != exclude_id]
    if not rows:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    docs = [f"{r['title']} {r['description']} {r['category']}" for r in rows]
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, token_pattern=_WORD)
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # every document was empty or only stop words
        return []
    scores = linear_kernel(vectorizer.transform([query]), matrix).ravel()
    ranked = sorted(range(len(rows)), key=lambda i: -scores[i])[:limit]
    return [SimilarIssue(rows[i]["id"], rows[i]["title"], rows[i]["status"], round(float(scores[i]), 3))
            for i in ranked if scores[i] >= min_score]


def _short(line: str, limit: int = 220) -> str:
    line = line.strip().replace("`", "'")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _dominant(lf: list[LineFacts], lines: list[str], start: int) -> list[tuple[str, int, str]]:
    window = [f for f in lf[start:] if f.level == ERROR]
    counts = Counter(f.template for f in window)
    example: dict[str, str] = {}
    for f in window:
        example.setdefault(f.template, lines[f.index])
    return [(t, n, example[t]) for t, n in counts.most_common(5)]


def _new_templates(lf: list[LineFacts], lines: list[str], start: int) -> list[tuple[str, int, str, int]]:
    first: dict[str, LineFacts] = {}
    counts: Counter[str] = Counter()
    for f in lf:
        first.setdefault(f.template, f)
        counts[f.template] += 1
    fresh = [(t, counts[t], lines[f.index], f.level) for t, f in first.items() if f.index >= start and start > 0]
    fresh.sort(key=lambda x: (-x[3], -x[1]))
    return fresh[:5]


def analyze(question: str, text: str, *, store: Any = None, issue: dict[str, Any] | None = None,
            incident_start: datetime | None = None) -> str:
    """The local analyzer's Markdown answer to ``question`` about the redacted ``text``."""
    lines = [ln for ln in text.split("\n")]
    lf = facts(lines)
    n_err = sum(1 for f in lf if f.level == ERROR)
    n_warn = sum(1 for f in lf if f.level == WARNING)
    start = incident_start_index(lf, incident_start)
    out = ["### Offline analysis (local provider — nothing was sent anywhere)", ""]
    if question.strip():
        out += [f"**Question:** {_short(question, 400)}", ""]
    out.append(f"{len(lines)} redacted lines: {n_err} error-like, {n_warn} warning-like, "
               f"{len({f.template for f in lf})} distinct templates.")
    if start is None:
        out += ["", "No error-like line was found, so there is no incident start to anchor on; "
                "the most frequent templates follow.", ""]
        for t, n in Counter(f.template for f in lf).most_common(5):
            out.append(f"- {n}× `{_short(t)}`")
    else:
        when = lf[start].time
        out.append(f"Incident start: line {start + 1}"
                   + (f" at {when:%Y-%m-%d %H:%M:%S}" if when else "")
                   + (" (given)" if incident_start else " (first error line)") + ".")
        out += ["", "#### Dominant error templates in the incident window"]
        for t, n, ex in _dominant(lf, lines, start):
            out.append(f"- **{n}×** `{_short(t)}`  \n  e.g. `{_short(ex)}`")
        fresh = _new_templates(lf, lines, start)
        out += ["", "#### Templates first seen at or after the incident start"]
        if fresh:
            for t, n, _ex, _lvl in fresh:
                out.append(f"- {n}× `{_short(t)}`")
        else:
            out.append("- none: every template in the window also appears before it")
        firsts: dict[str, int] = {}
        for f in lf:
            if f.level == ERROR and f.source not in firsts:
                firsts[f.source] = f.index
        out += ["", "#### First error of each source"]
        for source, i in sorted(firsts.items(), key=lambda kv: kv[1])[:10]:
            out.append(f"- `{source}` (line {i + 1}): `{_short(lines[i])}`")
    query = " ".join([question, (issue or {}).get("title", ""), (issue or {}).get("description", ""),
                      *[t for t, _n in Counter(f.template for f in lf if f.level == ERROR).most_common(5)]])
    similar = similar_issues(store, query, (issue or {}).get("id"))
    out += ["", "#### Similar past issues"]
    if similar:
        for s in similar:
            out.append(f"- {s.title} (`{s.id}`, {s.status}, similarity {s.score:.2f})")
    else:
        out.append("- none found in this store")
    out += ["", "_Heuristic summary from templates and counts; ask a model provider for a narrative "
            "explanation._"]
    return "\n".join(out)
