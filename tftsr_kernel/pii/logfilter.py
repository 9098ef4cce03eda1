"""A ``logging.Filter`` that masks detected secrets and personal data in our own log records."""

from __future__ import annotations

import logging

from tftsr_kernel.pii.catalog import PII_TYPES, SECRET_TYPES
from tftsr_kernel.pii.engine import Scanner, default_scanner

#: types replaced in log records (infrastructure detail such as IPs and host names is kept: logs need it)
MASKED_TYPES: frozenset[str] = SECRET_TYPES | (PII_TYPES - {"IPV4", "IPV6", "HOSTNAME", "USERNAME", "MAC"})


def mask_secrets(text: str, scanner: Scanner | None = None) -> str:
    """``text`` with every detected value of :data:`MASKED_TYPES` replaced by its ``[TYPE]`` label."""
    spans = [s for s in (scanner or default_scanner()).scan(text) if s.type in MASKED_TYPES]
    if not spans:
        return text
    out, pos = [], 0
    for s in spans:
        out += [text[pos:s.start], f"[{s.type}]"]
        pos = s.end
    out.append(text[pos:])
    return "".join(out)


class SecretMaskingFilter(logging.Filter):
    """Rewrites ``record.msg`` (formatted with its args) and any exception text with values masked."""

    def __init__(self, scanner: Scanner | None = None) -> None:
        super().__init__()
        self._scanner = scanner

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_tftsr_masked", False):
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        masked = mask_secrets(message, self._scanner)
        if masked != message or record.args:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text, self._scanner)
        record._tftsr_masked = True
        return True


class _MaskingHandler(logging.Handler):
    """Sits on the package logger so records of child loggers are masked before the root's handlers
    see them (logger filters are not inherited by children; handlers are reached by propagation)."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.addFilter(SecretMaskingFilter())

    def emit(self, record: logging.LogRecord) -> None:  # the filter already did the work
        return None


def install_log_filter(logger_name: str = "tftsr_kernel") -> logging.Logger:
    """Install the masking filter on ``logger_name`` and its descendants' path. Idempotent."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, SecretMaskingFilter) for f in logger.filters):
        logger.addFilter(SecretMaskingFilter())
    if not any(isinstance(h, _MaskingHandler) for h in logger.handlers):
        logger.handlers.insert(0, _MaskingHandler())
    return logger
