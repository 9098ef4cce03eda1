"""Every exception TFTSR raises on purpose, so callers can catch one family and show one sentence.

    TFTSRError                      anything a user can cause; str() is one sentence saying what to do
     ├── StoreError                 the store cannot be opened, migrated, rekeyed or backed up
     │    ├── KeyMissingError       no master key was given and none is in TFTSR_DB_KEY
     │    ├── WrongKeyError         the key does not open the file (or it is not a TFTSR store)
     │    └── MigrationError        a migration file changed after it was applied, or failed
     ├── NotFoundError              an issue, document or other record id that does not exist
     ├── InputError                 bad arguments: unknown severity, bad search syntax, unreadable file
     │    └── ProfileError          a redaction profile or rule file that cannot be used
     ├── RedactionError             redaction refused: undecided spans, nothing to redact
     ├── AuditError                 the audit log cannot be written or read
     └── GatewayError               nothing was sent to an AI provider, or the exchange failed
          ├── DestinationRefused    the destination is not allow-listed (checked before connecting)
          └── ProviderError         the provider failed, timed out or answered with an error

Third-party exceptions (sqlcipher3, httpx, yaml, pydantic) are converted where they are caught,
raised ``from`` the original so a developer still sees the cause with ``%tb``.
"""

from __future__ import annotations


class TFTSRError(Exception):
    """Base of every error a user can cause. ``str(err)`` is one sentence, safe to print."""


class StoreError(TFTSRError):
    pass


class KeyMissingError(StoreError):
    pass


class WrongKeyError(StoreError):
    pass


class MigrationError(StoreError):
    pass


class NotFoundError(TFTSRError):
    pass


class InputError(TFTSRError):
    pass


class ProfileError(InputError):
    pass


class RedactionError(TFTSRError):
    pass


class AuditError(TFTSRError):
    pass


class GatewayError(TFTSRError):
    pass


class DestinationRefused(GatewayError):
    pass


class ProviderError(GatewayError):
    pass
