"""Values and fixtures shared by the engine-equivalence tests (backends, triggers, prefilter)."""

from __future__ import annotations

from pathlib import Path

from tftsr_kernel.pii import scan_text

FIXTURES = Path(__file__).parent / "fixtures"

# one of each kind the catalog finds, written for these tests; each test adds its own extras
PIECES = [
    "AKIAQ3EGRTY5WXZ7ABCD", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "10.20.30.40", "jane.doe@example.com",
    "password=Tr0ub4dor9x", "Authorization: Bearer c2VjcmV0LXRva2VuLXZhbHVlLTEyMzQ1", "user=alice",
    "Invalid user bob from 192.168.1.7", "sk_live_51HxyzABCDEFGHIJKLMNOP", "https://svc:Zq8vLm2pXr@db.internal/x",
    "xoxb-123456789012-abcdefghijklmnop", "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
    "api_key: 9f8e7d6c5b4a39281706f5e4",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.c2lnbmF0dXJlX3h5eg", "card 4111 1111 1111 1111",
    "IBAN DE89 3704 0044 0532 0130 00", "ssn 123-45-6789", "call +44 20 7946 0958", "db01.prod.corp.example.com",
    "aa:bb:cc:dd:ee:ff", "fe80::1ff:fe23:4567:890a", "client_secret=Xk9#mQ2$vL7pR4tZ",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1c7+9Xq2\nMIIEowIBAAKCAQEA1c7+9Xq2\n"
    "-----END RSA PRIVATE KEY-----",
]


def found(text: str) -> list[tuple[str, str]]:
    """(type, value) of every span the default scanner finds in ``text``."""
    return [(s.type, text[s.start:s.end]) for s in scan_text(text)]
