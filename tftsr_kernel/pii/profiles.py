"""Redaction profiles: YAML (``yaml.safe_load``) validated by pydantic.

```yaml
default_strategy: label          # label | pseudonym | mask
strategies: {EMAIL: pseudonym, IPV4: mask}
disable: [HOSTNAME]              # types not to detect
mask: {prefix: 4, suffix: 4}
patterns:                        # custom types
  - {name: employee_id, type: EMPLOYEE_ID, regex: 'EMP-[0-9]{6}', keywords: [emp-]}
rules: gitleaks.toml             # optional gitleaks rule file, relative to the profile
```
Unknown keys, unknown strategies and YAML tags such as ``!!python/object`` are refused with one
sentence. ``Profile.sha256`` is the SHA-256 of the profile file (canonical JSON for in-memory ones).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tftsr_kernel.errors import ProfileError
from tftsr_kernel.pii.backend import Compiled, PatternError
from tftsr_kernel.pii.catalog import DEFAULT_DETECTORS, Detector
from tftsr_kernel.pii.engine import Registry, Scanner
from tftsr_kernel.pii.redaction import Strategy
from tftsr_kernel.pii.validators import VALIDATORS

_TYPE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")


class MaskOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prefix: int = Field(default=4, ge=0, le=16)
    suffix: int = Field(default=4, ge=0, le=16)


class CustomPattern(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    type: str
    regex: str
    keywords: list[str] = []
    validator: str | None = None
    min_entropy: float = Field(default=0.0, ge=0, le=8)
    priority: int = 45

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        if not _TYPE.match(v):
            raise ValueError(f"type {v!r} must be an upper-case name like EMPLOYEE_ID")
        return v

    @field_validator("validator")
    @classmethod
    def _validator(cls, v: str | None) -> str | None:
        if v is not None and v not in VALIDATORS:
            raise ValueError(f"unknown validator {v!r}; choose one of {', '.join(sorted(VALIDATORS))}")
        return v

    @field_validator("regex")
    @classmethod
    def _regex(cls, v: str) -> str:
        try:
            Compiled(v)
        except PatternError as exc:
            raise ValueError(str(exc)) from None
        return v


class Profile(BaseModel):
    """A validated profile. ``sha256`` identifies it in the audit log."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    default_strategy: Strategy = "label"
    strategies: dict[str, Strategy] = {}
    disable: list[str] = []
    mask: MaskOptions = MaskOptions()
    patterns: list[CustomPattern] = []
    rules: str | None = None
    description: str = ""
    version: int = 1
    sha256: str = ""
    base_dir: str = ""

    def strategy_for(self, type_: str) -> str | None:
        return self.strategies.get(type_)

    def registry(self) -> Registry:
        reg = Registry(DEFAULT_DETECTORS)
        reg.remove_types(self.disable)
        for p in self.patterns:
            reg.add(Detector(name=f"profile:{p.name}", type=p.type, pattern=p.regex,
                             hints=tuple(k.lower() for k in p.keywords), hints_in_match=False, validator=p.validator,
                             min_entropy=p.min_entropy, priority=p.priority, description="custom pattern",
                             value_groups=("v", "v2", "v3", "#first")))
        if self.rules:
            from tftsr_kernel.pii.gitleaks import load_gitleaks_rules

            rules_path = Path(self.base_dir or ".") / self.rules
            for d in load_gitleaks_rules(rules_path):
                reg.add(d, replace=True)
        return reg

    def scanner(self) -> Scanner:
        return Scanner(self.registry())


def _one_sentence(source: str, exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(x) for x in err.get("loc", ())) or "the top level"
    if err.get("type") == "extra_forbidden":
        allowed = ", ".join(k for k in Profile.model_fields if k not in ("sha256", "base_dir"))
        return f"profile {source}: unknown key {where!r} (allowed: {allowed})"
    if err.get("type") == "literal_error":
        return f"profile {source}: {where} must be one of label, pseudonym, mask, got {err.get('input')!r}"
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"profile {source}: {where}: {msg}"


def profile_from_dict(data: Any, *, source: str = "<dict>", sha256: str | None = None,
                      base_dir: str = "") -> Profile:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProfileError(f"profile {source} must be a mapping of keys to values, not {type(data).__name__}")
    for k in ("sha256", "base_dir"):
        if k in data:
            raise ProfileError(f"profile {source}: unknown key {k!r}")
    digest = sha256 or hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    try:
        prof = Profile.model_validate({**data, "sha256": digest, "base_dir": base_dir})
    except ValidationError as exc:
        raise ProfileError(_one_sentence(source, exc)) from None
    unknown = [t for t in list(prof.strategies) + prof.disable if not _TYPE.match(t)]
    if unknown:
        raise ProfileError(f"profile {source}: {unknown[0]!r} is not a type name (use names like EMAIL)")
    return prof


def load_profile(path: str | os.PathLike[str]) -> Profile:
    """Read, parse (safe YAML only) and validate a profile; any problem is one ``ProfileError`` sentence."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ProfileError(f"cannot read profile {p}: {exc.strerror or exc}") from exc
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProfileError(f"profile {p} is not UTF-8 text") from None
    except yaml.constructor.ConstructorError as exc:
        raise ProfileError(f"profile {p} uses a YAML tag that is not allowed ({exc.problem}); "
                           "profiles are plain data") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ProfileError(f"profile {p} is not valid YAML{where}") from None
    return profile_from_dict(data, source=str(p), sha256=hashlib.sha256(raw).hexdigest(),
                             base_dir=str(p.parent))
