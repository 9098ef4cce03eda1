# ruff: noqa: E501 - a data table of long example strings
"""One table of matching and non-matching strings per detector type."""

from __future__ import annotations

import pytest

from tftsr_kernel.pii import TYPES

from .format_cases import NEGATIVES as FORMAT_NEGATIVES
from .format_cases import POSITIVES as FORMAT_POSITIVES
from .pieces import found as _found

# (type, text, value that must be found with that type)
POSITIVES = [
    ("EMAIL", "mail from jane.doe+ops@example.co.uk bounced", "jane.doe+ops@example.co.uk"),
    ("EMAIL", "to=bob%40corp.example.com", "bob%40corp.example.com"),
    ("IPV4", "connect from 192.168.10.254 port 22", "192.168.10.254"),
    ("IPV4", "[/10.0.0.1:8080]", "10.0.0.1"),
    ("IPV6", "client [2001:db8:85a3::8a2e:370:7334]:443", "2001:db8:85a3::8a2e:370:7334"),
    ("IPV6", "from /2a03:51ea::8604:40006", "2a03:51ea::8604"),
    ("MAC", "hwaddr=3c:22:fb:0a:9e:11 up", "3c:22:fb:0a:9e:11"),
    ("MAC", "station 00-1A-2B-3C-4D-5E associated", "00-1A-2B-3C-4D-5E"),
    ("MAC", "pam_unix(sshd:b8:09:1c:50:3e:04): auth", "b8:09:1c:50:3e:04"),
    ("PHONE", "close, 1237 +33 7 59 33 15 48 (1.20 KB) sent", "+33 7 59 33 15 48"),
    ("MAC", "lladdr 3c:22:fb:0a:9e:11: link up", "3c:22:fb:0a:9e:11"),
    ("HOSTNAME", "resolved db-01.prod.internal in 3ms", "db-01.prod.internal"),
    ("HOSTNAME", "GET https://payments.internal.corp/v1/charge failed", "payments.internal.corp"),
    ("GENERIC_SECRET", "SECRET_KEY_BASE=9a8f7e6d5c4b3a29180f7e6d5c4b3a2918", "9a8f7e6d5c4b3a29180f7e6d5c4b3a2918"),
    ("GENERIC_SECRET", "Set-Cookie: JSESSIONID=A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6; Path=/", "A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6"),
    ("GENERIC_SECRET", "Cookie: PHPSESSID=k3j4h5g6f7d8s9a0q1w2e3r4t5; lang=en", "k3j4h5g6f7d8s9a0q1w2e3r4t5"),
    ("URL_CREDENTIALS", "redis_url=redis://:R3disPa55@cache.internal:6379/0", "R3disPa55"),
    ("PASSWORD", "run: mysql -u admin -pS3cr3tDbPass! -h db01.corp.local", "S3cr3tDbPass!"),
    ("HOSTNAME", "jdbc:postgresql://svc:S3cr3t-Pw!@pg-primary.db.internal.corp:5432/shop", "pg-primary.db.internal.corp"),
    ("USERNAME", "Invalid user oracle from 10.1.1.1", "oracle"),
    ("USERNAME", "pam_unix: user=deploy_bot tty=ssh", "deploy_bot"),
    ("PHONE", "call +44 20 7946 0958 now", "+44 20 7946 0958"),
    ("PHONE", "phone=(415) 555-2671", "(415) 555-2671"),
    ("CREDIT_CARD", "pan=4111 1111 1111 1111 ok", "4111 1111 1111 1111"),
    ("CREDIT_CARD", "card 378282246310005 declined", "378282246310005"),
    ("IBAN", "pay to GB82 WEST 1234 5698 7654 32 today", "GB82 WEST 1234 5698 7654 32"),
    ("IBAN", "iban=DE89370400440532013000", "DE89370400440532013000"),
    ("SSN", "applicant ssn 123-45-6789 verified", "123-45-6789"),
    ("URL_CREDENTIALS", "dsn=postgres://app:S3cr3t!x@db.example.com/app", "S3cr3t!x"),
    ("PASSWORD", "login password=Tr0ub4dor&3", "Tr0ub4dor&3"),
    ("PASSWORD", "GET /login?password=Tr0ub4dor&3&next=/home", "Tr0ub4dor&3"),
    ("PASSWORD", '{"user": "x", "password": "correct horse"}', "correct horse"),
    ("PASSWORD", "DB_PASSWORD=hunter2hunter2", "hunter2hunter2"),
    ("PASSWORD", "curl -u admin:Pa55w0rd https://x.example.com", "Pa55w0rd"),
    ("BEARER_TOKEN", "Authorization: Bearer 8f3kD93jdkQpZ0xLm2nB7vC1", "8f3kD93jdkQpZ0xLm2nB7vC1"),
    ("JWT", "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlX2hlcmU",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlX2hlcmU"),
    ("AWS_ACCESS_KEY", "aws_access_key_id=AKIAQ3EGRTY5WXZ7ABCD", "AKIAQ3EGRTY5WXZ7ABCD"),
    ("AWS_SECRET_KEY", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY",
     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY"),
    ("GITHUB_TOKEN", "push with ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"),
    ("GITLAB_TOKEN", "PRIVATE-TOKEN: glpat-xY3kLm9Qw2Er5Ty7Ui0o", "glpat-xY3kLm9Qw2Er5Ty7Ui0o"),
    ("SLACK_TOKEN", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
     "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"),
    ("STRIPE_KEY", "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    ("GOOGLE_API_KEY", "key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"),
    ("API_KEY", "+ npm config set //registry.npmjs.org/:_authToken npm_Xq7Lm2Wk9Tr4Vp8Nc3Hd6Jb1Fz5Gy0Sa2Ke7",
     "npm_Xq7Lm2Wk9Tr4Vp8Nc3Hd6Jb1Fz5Gy0Sa2Ke7"),
    ("API_KEY", "echo dckr_pat_Qm4Xw8Lk2Tv6Np9Rc3Hd7Jb1Fz5 | docker login -u ci --password-stdin",
     "dckr_pat_Qm4Xw8Lk2Tv6Np9Rc3Hd7Jb1Fz5"),
    ("API_KEY", "X-Shopify-Access-Token: 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",
     "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"),
    ("API_KEY", "sendgrid key 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 used",
     "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"),
    ("OPENAI_KEY", "OPENAI_API_KEY=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"),
    ("ANTHROPIC_KEY", "x-api-key: sk-ant-api03-" + "aB3_dE6-fG9hI2jK5lM8nO1pQ4rS7tU0vW3xY6zA9bC2dE5fG8AA",
     "sk-ant-api03-" + "aB3_dE6-fG9hI2jK5lM8nO1pQ4rS7tU0vW3xY6zA9bC2dE5fG8AA"),
    ("API_KEY", "GET /v1/report?apikey=9f8e7d6c5b4a39281706f5e4d3c2b1a0&fmt=json", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    ("GENERIC_SECRET", "client_secret: Zq8xW2vN5mK7pL0rT3yU6iO9", "Zq8xW2vN5mK7pL0rT3yU6iO9"),
]

PEM_BODY = "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ"
POSITIVES += [
    ("PRIVATE_KEY", f"key:\n-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----\nnext",
     f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----"),
    ("PRIVATE_KEY", 'pk="-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIHYP5NqYZT6JSJvRMN4PEyvP\\n-----END EC PRIVATE KEY-----"',
     "-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIHYP5NqYZT6JSJvRMN4PEyvP\\n-----END EC PRIVATE KEY-----"),
]

# (type that must NOT be reported, text)
NEGATIVES = [
    ("IPV4", "KB2786081~31bf3856ad364e35~amd64~~6.1.1.0 installed"),
    ("IPV4", "driver v3.19.22.32 loaded"),
    ("IPV4", "value 300.1.1.1 out of range"),
    ("IPV4", "version 1.2.3.4.5 released"),
    ("IPV6", "at 10:55:02 the job ran"),
    ("IPV6", "bound to 0:0:0:0:0:0:0:0/0:0:0:0:0:0:0:0:2181"),
    ("MAC", "at 10:55:02:11:22 the job ran"),
    ("MAC", "hexdump 0a:0b:0c:0d:0e:0f:1a:1b end"),
    ("MAC", "addr fe80:0a:0b:0c:0d:0e:0f"),
    ("HOSTNAME", "at org.apache.hadoop.hdfs.server.DataNode.run(DataNode.java:1234)"),
    ("HOSTNAME", "loaded settings.py and app.log.gz"),
    ("HOSTNAME", "served /var/www/shop.example.com/index.html"),
    ("HOSTNAME", "Caused by: java.net.ConnectException: Connection refused"),
    ("PASSWORD", "ssh -p 2222 deploy@host and ls -p /tmp"),
    ("HOSTNAME", "INFO storage.BlockManager: Found block"),
    ("HOSTNAME", "upgraded to version 2.4.1"),
    ("USERNAME", "check pass; user unknown"),
    ("PHONE", "081110 210354 19 INFO dfs.DataNode"),
    ("PHONE", "timezone +0100 applied"),
    ("CREDIT_CARD", "order_id=6296 7907 4571 7273"),
    ("CREDIT_CARD", "ts=1710480405805"),
    ("CREDIT_CARD", "blk_-5343533992609553091 deleted"),
    ("IBAN", "DE89370400440532013001 is invalid"),
    ("SSN", "id 000-12-3456 and 666-12-3456 and 900-12-3456"),
    ("PASSWORD", "password=********"),
    ("PASSWORD", "password=<redacted>"),
    ("PASSWORD", "password=${DB_PASSWORD}"),
    ("PASSWORD", "password= (empty)"),
    ("PASSWORD", "password=\nnext line"),
    ("PASSWORD", "Failed password for root from 1.2.3.4"),
    ("JWT", "eyJub3RhIjoiand0In0.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl"),  # header without alg
    ("GENERIC_SECRET", "note_b64=YmF0Y2ggbGF0ZXIgcHJvZmlsZSB3b3JrZXIgc3RhdHVzIGdyZWVu"),
    ("GENERIC_SECRET", "git_sha=57e794555fbb9c9615826dde8dcee84322a0235f"),
    ("GENERIC_SECRET", "sessionid: 0x14ede63a5a70002"),
    ("GENERIC_SECRET", "request_id=cbd66848-35c9-4ba2-83c6-bddc551d3e59"),
    ("GENERIC_SECRET", "token=${API_TOKEN}"),
    ("PRIVATE_KEY", "-----BEGIN PUBLIC KEY-----\nMFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKj34GkxFhD90vcN\n-----END PUBLIC KEY-----"),
]


ALL_POSITIVES = [*(("detectors", *c) for c in POSITIVES), *(("formats", *c) for c in FORMAT_POSITIVES)]
ALL_NEGATIVES = [*(("detectors", *c) for c in NEGATIVES), *(("formats", *c) for c in FORMAT_NEGATIVES)]


def test_every_catalog_type_has_a_positive_case() -> None:
    assert {t for t, _, _ in POSITIVES} == set(TYPES)


@pytest.mark.parametrize(("type_", "text", "value"), [c[1:] for c in ALL_POSITIVES],
                         ids=[f"{table}-{t}-{i}" for i, (table, t, _, _) in enumerate(ALL_POSITIVES)])
def test_positive(type_: str, text: str, value: str) -> None:
    assert (type_, value) in _found(text)


@pytest.mark.parametrize(("type_", "text"), [c[1:] for c in ALL_NEGATIVES],
                         ids=[f"{table}-{t}-{i}" for i, (table, t, _) in enumerate(ALL_NEGATIVES)])
def test_negative(type_: str, text: str) -> None:
    assert type_ not in {t for t, _ in _found(text)}


def test_decoy_shapes_are_not_secrets() -> None:
    text = ("sha256=eab955ceafa68575bcaeb553a6e40fbf8ff26b06ca046d66b0a34896482d2e8a uuid "
            "590df963-557e-4ba9-abc0-cdbd292a6e19 build=14.9.18.72043 created_ms=1575436784377")
    assert _found(text) == []
