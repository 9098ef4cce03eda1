"""Choose which redacted log lines go to the model when all of them do not fit its budget.

Lines are taken in this order until the token budget is spent (each tier in log order):

0. the ``=== log file N of M ===`` headers that separate an issue's files,
1. the first line of every *error* template (so every distinct failure is shown once),
2. the lines around the incident start (``window`` lines before and after it; the start is the
   given time, else the first error line),
3. the first line of every *warning* template,
4. the first line of every other template (one example per template),
5. further examples of error templates.

The kept lines are sent in their original order. ``FitReport`` says what was left out so the user
(and the model, in a note under the log block) knows the excerpt is partial.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from . import tokens
from .lines import ERROR, WARNING, LineFacts, facts


@dataclass(frozen=True)
class FitReport:
    total_lines: int
    kept_lines: int
    total_templates: int
    kept_templates: int
    error_lines: int
    kept_error_lines: int
    tokens: int
    budget: int
    method: str

    @property
    def complete(self) -> bool:
        return self.kept_lines == self.total_lines

    def sentence(self) -> str:
        if self.complete:
            return f"all {self.total_lines} redacted lines were sent (~{self.tokens} tokens)"
        left = self.total_lines - self.kept_lines
        return (f"{left} of {self.total_lines} redacted lines were left out to fit ~{self.budget} tokens "
                f"({self.method}); kept {self.kept_lines} lines covering {self.kept_templates} of "
                f"{self.total_templates} templates and {self.kept_error_lines} of {self.error_lines} error lines, "
                "errors and the incident window first")


def incident_start_index(lf: list[LineFacts], start: datetime | None) -> int | None:
    if start is not None:
        for f in lf:
            if f.time is not None and f.time >= start:
                return f.index
    for f in lf:
        if f.level == ERROR:
            return f.index
    return None


def fit_lines(lines: list[str], budget: int, *, incident_start: datetime | None = None,
              window: int = 20) -> tuple[list[int], FitReport]:
    """Indices of the lines to send (ascending) and a report of what was kept."""
    lf = facts(lines)
    costs = [tokens.count(line) + 1 for line in lines]
    total_cost = sum(costs)
    counts = Counter(f.template for f in lf)
    n_errors = sum(1 for f in lf if f.level == ERROR)
    if total_cost <= budget:
        idx = list(range(len(lines)))
        return idx, FitReport(len(lines), len(lines), len(counts), len(counts), n_errors, n_errors,
                              total_cost, budget, tokens.method())

    first_of: dict[str, int] = {}
    for f in lf:
        first_of.setdefault(f.template, f.index)
    firsts = sorted(first_of.values())
    start = incident_start_index(lf, incident_start)
    tiers: list[list[int]] = [
        [i for i, line in enumerate(lines) if line.startswith("=== log file ")],
        [i for i in firsts if lf[i].level == ERROR],
        list(range(max(0, start - window), min(len(lines), start + window + 1))) if start is not None else [],
        [i for i in firsts if lf[i].level == WARNING],
        [i for i in firsts if lf[i].level < WARNING],
        [f.index for f in lf if f.level == ERROR],
    ]
    chosen: set[int] = set()
    spent = 0
    for tier in tiers:
        for i in tier:
            if i in chosen or spent + costs[i] > budget:
                continue
            chosen.add(i)
            spent += costs[i]
    idx = sorted(chosen)
    kept_templates = len({lf[i].template for i in idx})
    kept_errors = sum(1 for i in idx if lf[i].level == ERROR)
    return idx, FitReport(len(lines), len(idx), len(counts), kept_templates, n_errors, kept_errors, spent,
                          budget, tokens.method())
