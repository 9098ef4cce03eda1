"""The notes channel: one clear sentence per problem with an input, kept beside the data."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

logger = logging.getLogger("tftsr_kernel.logs")


@dataclass(frozen=True)
class LoadNote:
    """One problem with one input. ``kind`` is a stable word; ``message`` is one sentence for people."""

    file: str
    kind: str  # missing | permission | unreadable | directory_empty | binary | empty | invalid_utf8 |
    #            long_line | too_large | unknown_format
    message: str
    line_no: int | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class Notes(list[LoadNote]):
    """A list of notes that also logs each one on the ``tftsr_kernel.logs`` logger as it is added."""

    def add(self, file: str, kind: str, message: str, line_no: int | None = None) -> LoadNote:
        note = LoadNote(file, kind, message, line_no)
        self.append(note)
        logger.warning("%s", message)
        return note
