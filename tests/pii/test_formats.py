# ruff: noqa: E501 - a data table of long example lines
"""Log formats beyond the dev corpus: the cases that need more than a line and a value (the tables of
example lines are in format_cases.py, run with the per-type tables by test_detectors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tftsr_kernel.pii.files import redact_file

from .pieces import found as _found


def test_query_string_ends_a_password_at_the_next_parameter() -> None:
    text = "GET /login?user=ops&password=Zr8Lq2Wx&next=/home HTTP/1.1"
    assert ("PASSWORD", "Zr8Lq2Wx") in _found(text)


@pytest.mark.parametrize("text", [
    "D WindowManager: opening app wtoken = AppWindowToken{9f4ef63 token=Token{a64f992}}",
    "W ActivityManager: Bad activity token: android.os.BinderProxy@2bd79ce",
    "config session=AppSessionManager credential=DefaultAzureCredential clientSecret=ClientSecretCredential",
    "V WindowManager: released token AppWindowToken{9f4ef63}",
    "INFO token_type=Bearer resourceVersion=31897 scope=openid",
])
def test_names_made_of_words_are_not_secrets(text: str) -> None:
    assert _found(text) == []


# examples from documentation and templates: vendor shapes with filler, sequences, code references
DOC_EXAMPLES = [
    'export OPENAI_API_KEY="sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
    "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "STRIPE_SECRET_KEY=sk_test_XXXXXXXXXXXXXXXXXXXXXXXX",
    "api_key: 1234567890abcdef",
    "password: ChangeMe!",
    "password=secret123",
    "password: !vault |",
    "apiKey: process.env.API_KEY",
    'password: os.environ["DB_PASSWORD"]',
    "mysql://root:<password>@db:3306/app",
]


@pytest.mark.parametrize("text", DOC_EXAMPLES)
def test_documentation_examples_are_not_secrets(text: str) -> None:
    assert [t for t, _ in _found(text) if t not in ("HOSTNAME", "USERNAME")] == []


def test_digits_that_run_on_into_hex_are_not_a_card() -> None:
    assert "CREDIT_CARD" not in {t for t, _ in _found("at (/var/lib/nova/instances/_base/6102645221134da5be0ed7dc150c)")}


@pytest.mark.parametrize("text", ["password_policy=strict", "redis-cli -h cache1 -p 6379 ping"])
def test_settings_about_passwords_are_not_passwords(text: str) -> None:
    assert "PASSWORD" not in {t for t, _ in _found(text)}


def test_a_cache_key_is_not_an_api_key() -> None:
    assert _found("cache_key=a8f5f167f44f4964e6c998dee827110c hit=true") == []


@pytest.mark.parametrize("text", ["Set-Cookie: session=deleted; expires=Thu, 01 Jan 1970 00:00:00 GMT",
                                  "Cookie: theme=dark; lang=en-US", "cookie consent: session=accepted"])
def test_cookies_that_hold_no_secret(text: str) -> None:
    assert "GENERIC_SECRET" not in {t for t, _ in _found(text)}


@pytest.mark.parametrize("login", ["x-access-token", "gitlab-ci-token"])
def test_the_fixed_user_of_a_token_url_is_neither_a_user_nor_a_host(login: str) -> None:
    text = f"git clone https://{login}:glpat-xY3kLm9Qw2Er5Ty7Ui0o@gitlab.example.com/g/r.git"
    assert [t for t, v in _found(text) if v == login] == []


WHOLE_VALUES = [
    ('password="Wq8\\"x Lm;2,&#"', 'Wq8\\"x Lm;2,&#'),
    ("DB_PASSWORD=Kelu5512.\r\nNEXT=1", "Kelu5512."),
    ("password=Pa55[word] host=db1", "Pa55[word]"),
    ('password="' + " ".join(["Xq7#Lm2"] * 45) + '"', " ".join(["Xq7#Lm2"] * 45)),
]


@pytest.mark.parametrize(("line", "value"), WHOLE_VALUES)
def test_redact_leaves_no_character_of_the_value(tmp_path: Path, line: str, value: str) -> None:
    """`tftsr redact`'s path: the label takes the value's place exactly, nothing of it before or after."""
    path = tmp_path / "app.log"
    path.write_bytes(line.encode())
    assert redact_file(path, strategy="label").text == line.replace(value, "[PASSWORD]")
