# ruff: noqa: E501 - a data table of long example lines
"""Shapes of configuration and tooling text beyond the dev corpus: YAML flow maps and plain scalars with
spaces, INI values, name/value pairs (Kubernetes, ECS, CloudFormation), curl options, HashiCorp Vault
tokens, .NET appSettings, service config directives. Every value here was written for these tests."""

from __future__ import annotations

import base64
import random
import uuid

import pytest

from tftsr_kernel.pii import scan_text
from tftsr_kernel.pii.engine import Scanner

from .pieces import found
from .test_formats_generated import ALNUM, _rs, _word

_UUID = "3f2c1d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
_PRESIGNED = ("GET https://b.s3.amazonaws.com/x.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256"
              "&X-Amz-Credential=AKIAQ3EGRTY5WXZ7ABCD%2F20261126%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Expires=900")
_HVS = "hvs.CAESIJk8Lq2Wm9Xr4Tt8Vn3Pc6Hd1Jf5Gz0SaB7Kq2Wm9Xr4Lt8Vn3Pc6Hd1Jf5Gz0S"

# (type, text, the value that must be reported with that type, exactly)
POSITIVES = [
    # a YAML flow map: the value ends at the "," or "}" that ends the entry (a comma inside braces is no
    # type annotation's)
    ("PASSWORD", "db: {user: app, password: Hunter, port: 5432}", "Hunter"),
    ("PASSWORD", '{"user": "app", password: Hunter, "port": 5432}', "Hunter"),
    ("PASSWORD", "- {name: primary, password: Kelu5512#, port: 5432}", "Kelu5512#"),
    ("PASSWORD", "db: {user: app, password: Kelu5512#}", "Kelu5512#"),
    # a plain scalar with spaces under a password key runs to the end of its line (less a comment), or to
    # the end of its flow map entry
    ("PASSWORD", "  password: Zebra Quill 42 lamp", "Zebra Quill 42 lamp"),
    ("PASSWORD", "  db_password: Tr0ub4dor and 3x  # rotated monthly", "Tr0ub4dor and 3x"),
    ("PASSWORD", "[client]\npassword = Kelu5512 vaxo tor\nhost = db1", "Kelu5512 vaxo tor"),
    ("PASSWORD", "    environment:\n      - POSTGRES_PASSWORD=Tarn4410 mole fig", "Tarn4410 mole fig"),
    ("PASSWORD", "db: {user: app, password: Kelu5512 vaxo tor, port: 5432}", "Kelu5512 vaxo tor"),
    ("PASSWORD", "  password: Kx9 mN2 pQ7", "Kx9 mN2 pQ7"),
    # a UUID is a secret under a secret's name in a name/value pair, as it is after "client_secret:"
    ("GENERIC_SECRET", f'{{"name":"CLIENT_SECRET","value":"{_UUID}"}}', _UUID),
    ("GENERIC_SECRET", f"      - name: OAUTH_CLIENT_SECRET\n        value: \"{_UUID}\"", _UUID),
    ("GENERIC_SECRET", f'{{"ParameterKey":"ClientSecret","ParameterValue":"{_UUID}"}}', _UUID),
    ("GENERIC_SECRET", '{"ParameterKey": "ClientSecret", "ParameterValue": "Zq8xW2vN5mK7pL0rT3yU6iO9"}', "Zq8xW2vN5mK7pL0rT3yU6iO9"),
    # curl's bearer option, quoted or not; a URL-encoded "Bearer " in a query string
    ("BEARER_TOKEN", 'curl --oauth2-bearer "Xk9vQ2pL7mN4rT8wY3zB6cF1" https://api.example.org/v1', "Xk9vQ2pL7mN4rT8wY3zB6cF1"),
    ("BEARER_TOKEN", "curl --oauth2-bearer 'Xk9vQ2pL7mN4rT8wY3zB6cF1' https://api.example.org/v1", "Xk9vQ2pL7mN4rT8wY3zB6cF1"),
    ("BEARER_TOKEN", "GET /ws?authorization=Bearer%20Xk9vQ2pL7mN4rT8wY3zB6cF1&v=2", "Xk9vQ2pL7mN4rT8wY3zB6cF1"),
    # HashiCorp Vault: hvs./hvb./hvr. tokens anywhere; a legacy s. token after a Vault key or command
    ("GENERIC_SECRET", f"vault token lookup {_HVS}", _HVS),
    ("GENERIC_SECRET", "X-Vault-Token: hvs.Xk9vQ2pL7mN4rT8wY3zB6cF1aa", "hvs.Xk9vQ2pL7mN4rT8wY3zB6cF1aa"),
    ("GENERIC_SECRET", "batch hvb.AAAAAQJk8Lq2Wm9Xr4Tt8Vn3Pc6Hd1Jf5Gz0SaB7Kq2Wm9Xr4Lt8", "hvb.AAAAAQJk8Lq2Wm9Xr4Tt8Vn3Pc6Hd1Jf5Gz0SaB7Kq2Wm9Xr4Lt8"),
    ("GENERIC_SECRET", "$ vault login s.Xk9vQ2pL7mN4rT8wY3zB6cF1", "s.Xk9vQ2pL7mN4rT8wY3zB6cF1"),
    ("GENERIC_SECRET", "vault login -method=token token=s.Xk9vQ2pL7mN4rT8wY3zB6cF1", "s.Xk9vQ2pL7mN4rT8wY3zB6cF1"),
    ("GENERIC_SECRET", f"VAULT_TOKEN={_UUID}", _UUID),
    # a snake_case password whose last part is a number is a literal: program names end in words
    ("PASSWORD", "DB_PASSWORD=blue_pass_2024", "blue_pass_2024"),
    ("PASSWORD", "level=info user=app password=sun_pass_77 host=db1", "sun_pass_77"),
    ("PASSWORD", "  password: zubale_pass_122", "zubale_pass_122"),
    ("PASSWORD", "password=my_pass_2024", "my_pass_2024"),
    ("PASSWORD", "password=adminPass2024", "adminPass2024"),
    # a token that starts with "my" or "your" is no placeholder (my_token, your-api-key are)
    ("BEARER_TOKEN", "Authorization: Bearer MYh4DUKUHb3bWZXeZIAl3Cc6R4n3xci", "MYh4DUKUHb3bWZXeZIAl3Cc6R4n3xci"),
    ("GENERIC_SECRET", "?access_token=mYDWHxW99ghP2Apqr3duarau4&x=1", "mYDWHxW99ghP2Apqr3duarau4"),
    ("PASSWORD", "password=Your7Kx9vQ2", "Your7Kx9vQ2"),
    # secret key names: an HMAC key
    ("GENERIC_SECRET", "HMAC_KEY=PNFvHKE7wB+ESRUrddlEJVT0XjnN8sNBJvJLEENpOH8=", "PNFvHKE7wB+ESRUrddlEJVT0XjnN8sNBJvJLEENpOH8="),
    ("GENERIC_SECRET", '"webhookHmacSecret": "1OeIYfACgkfoBGcKHn6Q5HL7eVtjskMah"', "1OeIYfACgkfoBGcKHn6Q5HL7eVtjskMah"),
    # .NET appSettings, slapd and keepalived directives
    ("PASSWORD", '<add key="Password" value="Peruzo7945~" />', "Peruzo7945~"),
    ("PASSWORD", '    <add key="Smtp.Password" value="Kelu5512#"/>', "Kelu5512#"),
    ("PASSWORD", "rootpw          Xu9!imGBScuWD7", "Xu9!imGBScuWD7"),
    ("PASSWORD", "        auth_pass Zofose1974!", "Zofose1974!"),
    # command lines: curl's proxy user, its cookie option, a password piped to a login or to chpasswd,
    # Windows' net user, mysqladmin's password command; PHP's define()
    ("PASSWORD", "curl --proxy-user bob:Bezu9747? -x http://proxy:3128 https://x.example.org", "Bezu9747?"),
    ("USERNAME", "curl --proxy-user bob:Bezu9747? -x http://proxy:3128 https://x.example.org", "bob"),
    ("PASSWORD", "curl -U bob:Vohi2844! -x http://proxy:3128 https://x.example.org", "Vohi2844!"),
    ("GENERIC_SECRET", 'curl --cookie "session=9idgZWRvgZMQ9cbaT1QNfPVuaTZg" https://x.example.org', "9idgZWRvgZMQ9cbaT1QNfPVuaTZg"),
    ("PASSWORD", "echo 'Damami9686#' | docker login -u bob --password-stdin registry.example.org", "Damami9686#"),
    ("PASSWORD", "echo 'bob:Lozi5871!' | sudo chpasswd", "Lozi5871!"),
    ("PASSWORD", "net user bob Lada3430! /add", "Lada3430!"),
    ("PASSWORD", "mysqladmin -u root password Himuca1856?", "Himuca1856?"),
    ("PASSWORD", "define('DB_PASSWORD', 'kobe_Pehu46');", "kobe_Pehu46"),
    ("PASSWORD", "define( 'DB_PASSWORD', 'Dima 7681?' );", "Dima 7681?"),
    # a percent-encoded token in a query string is reported whole (its encoded padding is no secret)
    ("GENERIC_SECRET", "GET /s3/x?X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr%2F%2F%2F%2F%2FwEaCXVzLWVhc3QtMSJHMEUCIQ%3D%3D&X-Amz-Date=1",
     "IQoJb3JpZ2luX2VjEJr%2F%2F%2F%2F%2FwEaCXVzLWVhc3QtMSJHMEUCIQ"),
    ("AWS_ACCESS_KEY", _PRESIGNED, "AKIAQ3EGRTY5WXZ7ABCD"),
    # a command's arguments as a list: JSON, a Kubernetes container's args
    ("PASSWORD", '{"level":"debug","args":["--password","Kx9vQ2pLm","--user","bob"]}', "Kx9vQ2pLm"),
    ("PASSWORD", '        args: ["--db-password", "Kx9vQ2pLm"]', "Kx9vQ2pLm"),
    ("PASSWORD", "        args:\n          - --db-password\n          - Kx9vQ2pLm\n", "Kx9vQ2pLm"),
    # the default of a ${VAR:-default} / Spring ${name:default} placeholder is a literal
    ("PASSWORD", "spring.datasource.password=${DB_PASS:Kx9vQ2pLm}", "Kx9vQ2pLm"),
    ("PASSWORD", '  password: "${DB_PASSWORD:-Kx9vQ2pLm}"', "Kx9vQ2pLm"),
]

_KEY_B64 = base64.b64encode(
    ("-----BEGIN RSA PRIVATE KEY-----\n" + base64.b64encode(bytes(range(7, 250))).decode() + "\n-----END RSA PRIVATE KEY-----\n")
    .encode()).decode()
_CERT_B64 = base64.b64encode(
    ("-----BEGIN CERTIFICATE-----\n" + base64.b64encode(bytes(range(7, 250))).decode() + "\n-----END CERTIFICATE-----\n")
    .encode()).decode()
# a PEM private key base64-encoded whole (kubeconfig client-key-data, a Kubernetes TLS Secret's tls.key)
POSITIVES += [
    ("PRIVATE_KEY", f"users:\n- name: admin\n  user:\n    client-key-data: {_KEY_B64}\n", _KEY_B64),
    ("PRIVATE_KEY", f'{{"data":{{"tls.key":"{_KEY_B64}"}}}}', _KEY_B64),
]

# (type that must NOT be reported, text)
NEGATIVES = [
    # prose and documentation under a password key
    ("PASSWORD", "password: must be at least 8 characters"),
    ("PASSWORD", "    password: The password for the user."),
    ("PASSWORD", "    password: user password"),
    ("PASSWORD", "  password: a b c"),
    ("PASSWORD", "password: correct horse battery staple"),
    # type annotations in a signature stay program text; a JS object's variables too
    ("PASSWORD", "    def connect(user: str, password: Secret, port: int) -> None:"),
    ("PASSWORD", "  const creds = {user: userName, password: hashed_password};"),
    ("PASSWORD", "  const creds = { user: name, password: hashedPassword, role };"),
    ("PASSWORD", "  return {password: passwordHash, userPwd}"),
    # a UUID under an identifier's name in a name/value pair
    ("GENERIC_SECRET", f'{{"name":"REQUEST_ID","value":"{_UUID}"}}'),
    ("GENERIC_SECRET", f"      - name: TRACE_ID\n        value: {_UUID}"),
    # "s." alone is far too common to be a Vault token; short hvs. words are no token
    ("GENERIC_SECRET", "x = s.Xk9vQ2pL7mN4rT8wY3zB6cF1 + t.Xk9vQ2pL7mN4rT8wY3zB6cF1"),
    ("GENERIC_SECRET", "import hvs.models"),
    # a variable that holds a password, numbered or not
    ("PASSWORD", "    conn = connect(user=db_user, password=db_pass)"),
    ("PASSWORD", "        password=key_pass_1,"),
    # words that start with "my" stay placeholders
    ("PASSWORD", "password=my_password"),
    ("API_KEY", "api_key: myApiKeyGoesHere"),
    ("PASSWORD", '<add key="Password" value="" />'),
    ("PASSWORD", 'echo "$CI_REGISTRY_PASSWORD" | docker login -u ci --password-stdin'),
    ("PASSWORD", "net user bob * /add"),
    ("PASSWORD", "    fields = ('username', 'password', 'email')"),
    ("PASSWORD", "add-apt-repository -U http://extras.example.org/ubuntu"),
    ("USERNAME", "add-apt-repository -U http://extras.example.org/ubuntu"),
    ("PRIVATE_KEY", f"    client-certificate-data: {_CERT_B64}"),
    ("PASSWORD", "  password: ${DB_PASSWORD:-}"),
    ("PASSWORD", "  password: ${DB_PASSWORD:?DB_PASSWORD is required}"),
    ("PASSWORD", "  password: ${DB_PASSWORD:?required_variable}"),
    ("PASSWORD", "  password: ${DB_PASSWORD:+set_elsewhere}"),
    ("PASSWORD", "  password: ${DB_PASSWORD:-changeme}"),
    ("PASSWORD", '        args: ["--password-file", "/run/secrets/db"]'),
    # a presigned URL's credential scope, percent-encoded, names an access key id
    ("GENERIC_SECRET", _PRESIGNED),
]


@pytest.mark.parametrize(("type_", "text", "value"), POSITIVES, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(POSITIVES)])
def test_positive(type_: str, text: str, value: str) -> None:
    assert (type_, value) in found(text)


@pytest.mark.parametrize(("type_", "text"), NEGATIVES, ids=[f"{t}-{i}" for i, (t, _) in enumerate(NEGATIVES)])
def test_negative(type_: str, text: str) -> None:
    assert type_ not in {t for t, _ in found(text)}


_GATED = Scanner()
_GATED.GATE_AFTER = 0  # the presence gate from the first short text


@pytest.mark.parametrize(("type_", "text", "value"), POSITIVES, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(POSITIVES)])
def test_positive_on_every_path(type_: str, text: str, value: str) -> None:
    """The presence gate (short texts) and the structural prefilter (long texts) pass what the hint path finds."""
    assert (type_, value) in [(s.type, text[s.start:s.end]) for s in _GATED.scan(text)]
    long = "INFO request served in 12 ms\n" * (Scanner.PREFILTER_MIN // 29 + 1) + text + "\n"
    at = len(long) - len(text) - 1
    assert (type_, value) in [(s.type, long[s.start:s.end]) for s in scan_text(long) if s.start >= at]


def test_a_log_line_value_is_not_widened_to_the_end_of_its_line() -> None:
    """Only a key that starts its line (YAML, INI) owns the rest of the line; a log message goes on."""
    text = "2026-11-26 10:00:01 WARN auth password: Kelu5512# rejected for user ops"
    assert ("PASSWORD", "Kelu5512#") in found(text)


def test_a_comment_after_a_one_word_value_stays_out() -> None:
    assert ("PASSWORD", "Kelu5512#") in found("  password: Kelu5512#   # rotated monthly")


def _phrase(rng: random.Random) -> str:
    """A passphrase whose first word mixes letters with digits or signs, then words and numbers (one that
    starts with a word of prose reads as prose: see NEGATIVES)."""
    first = rng.choice([f"{_word(rng).capitalize()}{rng.randint(10, 99)}", f"{_word(rng)}{rng.randint(1, 9)}!",
                        f"{rng.choice('KQXZ')}{rng.randint(1, 9)}{rng.choice('kqxz')}"])
    return " ".join([first] + [rng.choice([_word(rng), str(rng.randint(1, 99))]) for _ in range(rng.randint(1, 4))])


# (type, template, value maker): "{v}" is the value
TEMPLATES = [
    ("PASSWORD", "  password: {v}", _phrase),
    ("PASSWORD", "  password: {v}  # rotated", _phrase),
    ("PASSWORD", "password = {v}", _phrase),
    ("PASSWORD", "db: {{user: app, password: {v}, port: 5432}}", _phrase),
    ("GENERIC_SECRET", '{{"name":"CLIENT_SECRET","value":"{v}"}}', lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4))),
    ("GENERIC_SECRET", "VAULT_TOKEN={v}", lambda r: "hvs." + _rs(r, r.choice([24, 91]), ALNUM + "_-")),
    ("GENERIC_SECRET", "vault login {v}", lambda r: "s." + _rs(r, 24)),
    ("BEARER_TOKEN", 'curl --oauth2-bearer "{v}" https://api.example.org', lambda r: _rs(r, r.randint(24, 48))),
    ("PASSWORD", "DB_PASSWORD={v}", lambda r: f"{_word(r)}_pass_{r.randint(10, 2030)}"),
]


@pytest.mark.parametrize(("type_", "template", "make"), TEMPLATES, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(TEMPLATES)])
def test_generated_values_are_found_whole(type_: str, template: str, make: object) -> None:
    rng = random.Random(template)
    for _ in range(12):
        value = make(rng)  # type: ignore[operator]
        text = template.format(v=value)
        assert (type_, value) in [(s.type, text[s.start:s.end]) for s in scan_text(text)], text
