"""Randomised format tests: each template (a line shape from JSON logs, env dumps, curl, config files,
database, auth and container logs) is filled with freshly generated values of its type, and every
value must be found; decoy templates are filled with hard negatives that must not be reported.

Values are generated here (seeded), format-true: Luhn-valid cards, mod-97 IBANs, valid SSN areas,
phone numbers that ``phonenumbers`` accepts, DER-shaped PEM bodies."""

from __future__ import annotations

import base64
import hashlib
import random
import string
import uuid
from collections.abc import Callable

import phonenumbers
import pytest

from tftsr_kernel.pii import scan_text

ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "-_"
SAMPLES = 12


def _rs(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 3)))


def _password(rng: random.Random) -> str:
    return rng.choice([f"{_word(rng).capitalize()}{rng.randint(10, 9999)}{rng.choice('!#$%*+?~')}",
                       _rs(rng, rng.randint(10, 18), ALNUM + "!#$%*+-.?_~"),
                       f"{_word(rng)}_{_word(rng).capitalize()}{rng.randint(1, 99)}"])


def _passphrase(rng: random.Random) -> str:
    """Words with spaces (and a digit or a comma now and then): a passphrase, quoted where it is assigned."""
    return " ".join(rng.choice([_word(rng), _word(rng).capitalize(), str(rng.randint(1, 99)), _word(rng) + ","])
                    for _ in range(rng.randint(2, 5)))


def _luhn(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + _rs(rng, length - len(prefix) - 1, string.digits)
    for d in string.digits:
        digits = [int(c) for c in reversed(body + d)]
        total = sum(x if i % 2 == 0 else (x * 2 - 9 if x > 4 else x * 2) for i, x in enumerate(digits))
        if total % 10 == 0:
            return body + d
    raise AssertionError("unreachable")


def _iban(rng: random.Random) -> str:
    country, bban = rng.choice([("DE", _rs(rng, 18, string.digits)), ("NL", "ABNA" + _rs(rng, 10, string.digits)),
                                ("FR", _rs(rng, 23, string.digits)), ("GB", "NWBK" + _rs(rng, 14, string.digits))])
    check = 98 - int("".join(str(int(c, 36)) for c in bban + country + "00")) % 97
    return f"{country}{check:02d}{bban}"


def _phone(rng: random.Random) -> str:
    while True:
        region = rng.choice(["US", "GB", "DE", "FR", "BR", "IN"])
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        national = str(example.national_number)
        digits = national[:3] + _rs(rng, len(national) - 3, string.digits)
        number = phonenumbers.parse(f"+{example.country_code}{digits}")
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, rng.choice([phonenumbers.PhoneNumberFormat.E164,
                                                                 phonenumbers.PhoneNumberFormat.INTERNATIONAL]))


def _pem(rng: random.Random, newline: str, indent: str = "") -> str:
    body = base64.b64encode(b"\x30\x82\x04\xa4\x02\x01\x00\x02\x82\x01\x01" + rng.randbytes(300)).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return (f"-----BEGIN RSA PRIVATE KEY-----{newline}" + "".join(indent + ln + newline for ln in lines)
            + f"{indent}-----END RSA PRIVATE KEY-----")


Gen = Callable[[random.Random], str]
GEN: dict[str, Gen] = {
    "PASSWORD": _password,
    "PASSPHRASE": _passphrase,  # reported as PASSWORD
    "API_KEY_UUID": lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4)),  # reported as API_KEY
    "URL_CREDENTIALS": lambda r: _rs(r, r.randint(10, 18), ALNUM + "-_.~!$*"),
    "API_KEY": lambda r: r.choice([_rs(r, 32, "0123456789abcdef"), _rs(r, r.randint(24, 44))]),
    "GENERIC_SECRET": lambda r: r.choice([_rs(r, r.randint(24, 48)), base64.b64encode(r.randbytes(32)).decode()]),
    "AWS_SECRET_KEY": lambda r: _rs(r, 40, ALNUM + "/+"),
    "BEARER_TOKEN": lambda r: _rs(r, r.randint(28, 60), URLSAFE),
    "AWS_ACCESS_KEY": lambda r: "AKIA" + _rs(r, 16, string.ascii_uppercase + "234567"),
    "GITHUB_TOKEN": lambda r: "ghp_" + _rs(r, 36),
    "SLACK_TOKEN": lambda r: f"xoxb-{_rs(r, 12, string.digits)}-{_rs(r, 13, string.digits)}-{_rs(r, 24)}",
    "STRIPE_KEY": lambda r: "sk_live_" + _rs(r, 24),
    "OPENAI_KEY": lambda r: "sk-proj-" + _rs(r, 40, URLSAFE) + "T3BlbkFJ" + _rs(r, 40, URLSAFE),
    "EMAIL": lambda r: f"{_word(r)}.{_word(r)}@{_word(r)}.{r.choice(['com', 'io', 'de'])}",
    "PHONE": _phone,
    "CREDIT_CARD": lambda r: _luhn(r.choice(["4", "51", "55"]), 16, r),
    "IBAN": _iban,
    "SSN": lambda r: f"{r.choice([r.randint(1, 665), r.randint(667, 899)]):03d}-{r.randint(1, 99):02d}"
                     f"-{r.randint(1, 9999):04d}",
    "IPV4": lambda r: f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
    "MAC": lambda r: ":".join(f"{r.randint(0, 255):02x}" for _ in range(6)),
    "PRIVATE_KEY": lambda r: _pem(r, r.choice(["\n", "\\n", "\r\n"])),
}

# (type, template): "{v}" is the value
TEMPLATES = [
    ("PASSWORD", '{{"ts":"2026-11-26T10:00:00Z","level":"info","dbPassword":"{v}"}}'),
    ("PASSWORD", "      POSTGRES_PASSWORD:  {v}"),
    ("PASSWORD", 'declare -x PGPASSWORD="{v}"'),
    ("PASSWORD", "[database]\nhost = db1\npassword = {v}"),
    ("PASSWORD", "spring.datasource.password={v}"),
    ("PASSWORD", "<password>{v}</password>"),
    ("PASSWORD", "2026-11-26 10:00:00.123 UTC [4242] LOG:  statement: ALTER ROLE app WITH PASSWORD '{v}'"),
    ("PASSWORD", "Query\tCREATE USER 'etl'@'%' IDENTIFIED BY '{v}'"),
    ("PASSWORD", '1732615200.123456 [0 10.2.3.4:51234] "AUTH" "{v}"'),
    ("PASSWORD", "docker run -d -e MYSQL_ROOT_PASSWORD={v} mysql:8"),
    ("PASSWORD", "curl -u deploy:{v} https://ci.example.org/api"),
    ("PASSWORD", "ValueError: bad config {{'user': 'svc', 'password': '{v}', 'port': 5432}}"),
    ("PASSWORD", "<Data Name='CommandLine'>net use \\\\fs01\\share /user:CORP\\jdoe {v}</Data>"),
    ("PASSWORD", "+ oc login -u developer -p {v} https://api.example.org:6443"),
    ("PASSPHRASE", 'password="{v}"'),
    ("PASSPHRASE", "  password: '{v}'"),
    ("PASSPHRASE", '{{"user": "svc", "password": "{v}"}}'),
    ("PASSPHRASE", '{{"log":"{{\\"password\\": \\"{v}\\"}}\\n","stream":"stdout"}}'),
    ("PASSPHRASE", "<dataSource><password>{v}</password></dataSource>"),
    ("PASSPHRASE", "+ PGPASSWORD='{v}' psql -h db -U app"),
    ("PASSPHRASE", "$cred = New-Object PSCredential('svc', (ConvertTo-SecureString '{v}' -AsPlainText -Force))"),
    ("URL_CREDENTIALS", "Caused by: java.sql.SQLException: cannot open jdbc:mysql://app:{v}@10.0.4.7:3306/shop"),
    ("URL_CREDENTIALS", 'export DATABASE_URL="postgresql://svc_api:{v}@db-1.prod.internal:5432/app"'),
    ("API_KEY", '{{"ts":"2026-11-26T10:00:00Z","stripeApiKey":"{v}"}}'),
    ("API_KEY", "curl -s -H 'X-Api-Key: {v}' https://api.example.org/v1/items"),
    ("API_KEY", '10.1.2.3 - - [26/Nov/2026:10:00:00 +0000] "GET /v1/report?api_key={v}&page=2 HTTP/1.1" 200 512'),
    ("API_KEY", "export DD_API_KEY={v}"),
    ("API_KEY_UUID", "HEROKU_API_KEY={v}"),
    ("API_KEY_UUID", '{{"api_key": "{v}", "request_id": "3f2b8c1e-9d4a-4e7b-8f6c-2a1d5e9b7c40"}}'),
    ("GENERIC_SECRET", '{{"clientSecret": "{v}", "clientId": "web"}}'),
    ("GENERIC_SECRET", "  client_secret: {v}"),
    ("GENERIC_SECRET", "JWT_SECRET={v}"),
    ("GENERIC_SECRET", 'curl "https://auth.example.org/token?grant_type=client_credentials&client_secret={v}"'),
    ("GENERIC_SECRET", "Nov 26 10:00:00 web-01 app[311]: Environment=API_TOKEN={v}"),
    ("GENERIC_SECRET", "2026-11-26T10:00:00.1Z ::add-mask::{v}"),
    ("AWS_SECRET_KEY", '{{"aws":{{"secretAccessKey":"{v}"}}}}'),
    ("AWS_SECRET_KEY", "export AWS_SECRET_ACCESS_KEY={v}"),
    ("BEARER_TOKEN", 'curl -H "Authorization: Bearer {v}" https://api.example.org/v2/me'),
    ("BEARER_TOKEN", '{{"headers":{{"authorization":"Bearer {v}"}}}}'),
    ("AWS_ACCESS_KEY", '{{"accessKeyId":"{v}"}}'),
    ("AWS_ACCESS_KEY", "Authorization: AWS4-HMAC-SHA256 Credential={v}/20261126/us-east-1/s3/aws4_request"),
    ("GITHUB_TOKEN", "git clone https://x-access-token:{v}@github.com/org/repo.git"),
    ("SLACK_TOKEN", "SLACK_BOT_TOKEN={v}"),
    ("STRIPE_KEY", "curl https://api.stripe.com/v1/charges -u {v}:"),
    ("OPENAI_KEY", "openai.AuthenticationError: Incorrect API key provided: {v}"),
    ("EMAIL", '{{"user":{{"email":"{v}"}}}}'),
    ("PHONE", '{{"phoneNumber": "{v}"}}'),
    ("CREDIT_CARD", "LOG:  duration: 0.4 ms  statement: SELECT * FROM orders WHERE card_number = '{v}'"),
    ("IBAN", '{{"iban":"{v}"}}'),
    ("SSN", '{{"ssn": "{v}"}}'),
    ("IPV4", "sshd[4242]: Invalid user oracle from {v} port 52144"),
    ("MAC", "    link/ether {v} brd ff:ff:ff:ff:ff:ff"),
    ("PRIVATE_KEY", '{{"ts":"2026-11-26T10:00:00Z","msg":"tls config","key":"{v}"}}'),
    ("PRIVATE_KEY", "2026-11-26T10:00:00Z WARN loaded key from disk:\n{v}\nnext line"),
]

DECOYS: dict[str, Gen] = {
    "UUID": lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4)),
    "GIT_SHA": lambda r: r.randbytes(20).hex(),
    "SHA256": lambda r: hashlib.sha256(r.randbytes(8)).hexdigest(),
    "VERSION": lambda r: f"{r.randint(0, 20)}.{r.randint(0, 40)}.{r.randint(0, 99)}",
    "CLASS": lambda r: f"com.{_word(r)}.{_word(r)}.{_word(r).capitalize()}Service",
    "PLACEHOLDER": lambda r: r.choice(["********", "<redacted>", "${DB_PASSWORD}", "changeme", "CHANGE_ME",
                                       "your-api-key-here", "<your-token>", "REDACTED", "{{ .Values.password }}"]),
}
DECOY_TEMPLATES = [
    ("UUID", '{{"request_id":"{d}","sessionId":"{d}"}}'),
    ("UUID", 'curl -H "Idempotency-Key: {d}" -H "X-Request-Id: {d}" https://api.example.org/v1/charges'),
    ("UUID", "<Provider Name='Microsoft-Windows-Security-Auditing' Guid='{{{d}}}'/><Data Name='Guid'>{{{d}}}</Data>"),
    ("GIT_SHA", "HEAD is now at {d} release"),
    ("SHA256", '{{"digest":"sha256:{d}","checksum":"{d}"}}'),
    ("SHA256", "host;x-amz-date;x-amz-security-token\n{d}"),
    ("VERSION", "agent version {d} started"),
    ("CLASS", "\tat {d}.handle(Service.java:42)"),
    ("PLACEHOLDER", "  password: {d}"),
    ("PLACEHOLDER", '{{"apiKey":"{d}","client_secret":"{d}"}}'),
    ("PLACEHOLDER", "export DB_PASSWORD={d}"),
    ("PLACEHOLDER", 'password="{d}"'),
]
REPORTED = {"HOSTNAME", "USERNAME"}  # infrastructure detail may be reported around a decoy


@pytest.mark.parametrize(("type_", "template"), TEMPLATES, ids=[f"{t}-{i}" for i, (t, _) in enumerate(TEMPLATES)])
def test_generated_values_are_found(type_: str, template: str) -> None:
    rng = random.Random(f"{type_}:{template}")
    for _ in range(SAMPLES):
        value = GEN[type_](rng)
        text = template.format(v=value)
        start = text.index(value)
        covered = sum(max(0, min(s.end, start + len(value)) - max(s.start, start)) for s in scan_text(text))
        assert covered >= 0.9 * len(value), (type_, text)


@pytest.mark.parametrize(("kind", "template"), DECOY_TEMPLATES,
                         ids=[f"{k}-{i}" for i, (k, _) in enumerate(DECOY_TEMPLATES)])
def test_generated_decoys_are_not_reported(kind: str, template: str) -> None:
    rng = random.Random(f"{kind}:{template}")
    for _ in range(SAMPLES):
        text = template.format(d=DECOYS[kind](rng))
        assert [(s.type, text[s.start:s.end]) for s in scan_text(text) if s.type not in REPORTED] == [], text
