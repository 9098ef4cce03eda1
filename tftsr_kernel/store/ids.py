"""Record ids are UUIDv7: time-ordered, so rows sort by creation and indexes stay compact."""

from __future__ import annotations

import uuid_utils


def new_id() -> str:
    return str(uuid_utils.uuid7())
