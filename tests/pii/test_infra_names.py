"""Host and user names that logs leak without a top-level domain or a key: the host field of syslog
lines, single-label URL hosts, and the user of a home directory path."""

from __future__ import annotations

import pytest

from tftsr_kernel.pii import scan_text


def _found(text: str) -> list[tuple[str, str]]:
    return [(s.type, text[s.start:s.end]) for s in scan_text(text)]


@pytest.mark.parametrize(("line", "expected"), [
    ("Jul  1 09:00:55 calvisitor-10-105-160-95 kernel[0]: ARPT: 620701.011328: wl0: setup",
     [("HOSTNAME", "calvisitor-10-105-160-95")]),
    ("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown", [("HOSTNAME", "combo")]),
    ("<13>Mar  3 01:02:03 edge-gw7 systemd: Started Session 12.", [("HOSTNAME", "edge-gw7")]),
    ("first line\nFeb 28 23:59:59 node-246 crond[77]: job done", [("HOSTNAME", "node-246")]),
    ("Default file system [hdfs://msra-sa-41:9000]", [("HOSTNAME", "msra-sa-41")]),
    ("jdbc:postgresql://orders-db/app?ssl=true", [("HOSTNAME", "orders-db")]),
    ("to C:\\Users\\msrabi\\AppData\\Local\\Temp", [("USERNAME", "msrabi")]),
    ('"path": "C:\\\\Users\\\\jdoe\\\\Desktop"', [("USERNAME", "jdoe")]),
    ('ticket path="/Users/xpc/Library/Keystone"', [("USERNAME", "xpc")]),
    ("cd /home/alice.nguyen/work && make", [("USERNAME", "alice.nguyen")]),
    ('203.0.113.9 - jsmith [12/Mar/2024:14:02:11 +0000] "GET /admin HTTP/1.1" 401 17',
     [("IPV4", "203.0.113.9"), ("USERNAME", "jsmith")]),
    ("2024-03-12 14:00:01.123 UTC [4711] checkout_svc@orders FATAL:  remaining connection slots are reserved",
     [("USERNAME", "checkout_svc")]),
])
def test_infrastructure_names_are_found(line: str, expected: list[tuple[str, str]]) -> None:
    assert _found(line) == expected


@pytest.mark.parametrize("line", [
    "Jun 14 15:16:01 ERROR main: connection reset",     # a level word where a host would be
    "Jun 14 15:16:01 combo started without a tag",      # no 'tag:' after it: not a syslog header
    "x Jun 14 15:16:01 combo sshd[1]: not at a line start",
    "GET http://localhost:8080/health 200",             # no particular machine
    "http://12345/ and ftp://-bad-/",                   # a number, not a label
    "see https://docs.example.org/home/index.html",     # /home/ inside a URL path
    "/home/$USER/.cache /Users/Shared/x /home/<user>/x C:\\Users\\Public\\Desktop",
    '203.0.113.9 - - [12/Mar/2024:14:02:11 +0000] "GET / HTTP/1.1" 200 17',   # no user: '-'
    "2024-03-12 14:00:01.123 UTC [4711] LOG:  checkpoint starting: time",       # no user@db prefix
])
def test_what_only_looks_like_one_is_not(line: str) -> None:
    assert [t for t, _ in _found(line) if t in ("HOSTNAME", "USERNAME")] == [
        t for t, v in _found(line) if t == "HOSTNAME" and "." in v]  # only real FQDNs (docs.example.org)


def test_a_syslog_host_that_is_an_address_is_reported_as_the_address() -> None:
    assert _found("Jun 14 15:16:01 10.0.0.7 sshd[1]: Accepted publickey") == [("IPV4", "10.0.0.7")]
