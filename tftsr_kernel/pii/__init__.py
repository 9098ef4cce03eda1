"""Sensitive-data detection and redaction: pure functions over text and DataFrames (no store, no Jupyter).

    spans = scan_text(text)                       # [Span(start, end, type, detector, value_hash)]
    safe = redact(text, approve_all(spans), strategy="pseudonym", pseudonym_key=key)   # RedactedText
"""

from tftsr_kernel.pii.catalog import DEFAULT_DETECTORS, PII_TYPES, SECRET_TYPES, TYPES, Detector
from tftsr_kernel.pii.engine import Registry, Scanner, default_scanner, scan_text
from tftsr_kernel.pii.files import Finding, Note, finding_row, redact_file, scan_file, scan_paths
from tftsr_kernel.pii.frames import scan_dataframe
from tftsr_kernel.pii.gitleaks import load_gitleaks_rules
from tftsr_kernel.pii.logfilter import SecretMaskingFilter, install_log_filter, mask_secrets
from tftsr_kernel.pii.profiles import Profile, load_profile, profile_from_dict
from tftsr_kernel.pii.redacted import RedactedText
from tftsr_kernel.pii.redaction import STRATEGIES, approve_all, label, mask, pseudonym, redact, redact_all
from tftsr_kernel.pii.spans import Span, value_hash

__all__ = [
    "DEFAULT_DETECTORS", "PII_TYPES", "SECRET_TYPES", "STRATEGIES", "TYPES", "Detector", "Finding", "Note",
    "Profile", "RedactedText", "Registry", "finding_row", "Scanner", "SecretMaskingFilter", "Span", "approve_all",
    "default_scanner", "install_log_filter", "label", "load_gitleaks_rules", "load_profile", "mask",
    "mask_secrets", "profile_from_dict", "pseudonym", "redact", "redact_all", "redact_file", "scan_dataframe",
    "scan_file", "scan_paths", "scan_text", "value_hash",
]

install_log_filter()
