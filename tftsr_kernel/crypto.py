"""Key derivation and authenticated encryption.

Subkeys: HKDF-SHA256 over the store's root secret, one per purpose (``audit``, ``credentials``,
``pseudonym``). The root secret is 32 random bytes created with the store and kept inside it, so it
can only be read by someone who holds the master key, and it survives ``rekey`` (audit signatures,
pseudonym tokens and sealed credentials stay valid when the master key changes).

``TFTSR_AUDIT_KEY`` / ``TFTSR_ENCRYPTION_KEY`` replace the audit / credential subkey when set. A
separate audit key is stronger: whoever can open and write the database (they hold the master key)
can then still not forge an audit entry, because the HMAC key is not in the database at all.

Sealing: AES-256-GCM, a fresh random 96-bit nonce per message, stored as
base64(nonce || ciphertext || tag), with the record's id as associated data so that a ciphertext
copied into another row fails to open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import TFTSRError

PURPOSES = ("audit", "credentials", "pseudonym")
_ENV_OVERRIDE = {"audit": "TFTSR_AUDIT_KEY", "credentials": "TFTSR_ENCRYPTION_KEY"}
_NONCE_BYTES = 12


def new_root_secret() -> bytes:
    return secrets.token_bytes(32)


def hkdf(material: bytes, info: str, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info.encode()).derive(material)


def derive_subkey(root: bytes, purpose: str) -> bytes:
    """The subkey for ``purpose``; an environment override replaces it when set."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown key purpose {purpose!r}")
    env = _ENV_OVERRIDE.get(purpose)
    override = os.environ.get(env) if env else None
    if override:
        return hkdf(override.encode(), f"tftsr/{purpose}/override/v1")
    return hkdf(root, f"tftsr/{purpose}/v1")


def seal(key: bytes, plaintext: bytes, associated: str) -> str:
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext, associated.encode())
    return base64.b64encode(nonce + sealed).decode("ascii")


def open_sealed(key: bytes, token: str, associated: str) -> bytes:
    try:
        raw = base64.b64decode(token.encode("ascii"), validate=True)
        return AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], associated.encode())
    except (InvalidTag, ValueError) as exc:
        raise TFTSRError(
            "a sealed value could not be opened: it was altered, moved to another record, "
            "or TFTSR_ENCRYPTION_KEY differs from when it was stored"
        ) from exc


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def hmac_sha256_hex(key: bytes, data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hmac.new(key, data, hashlib.sha256).hexdigest()
