from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tftsr_kernel.cli import cli


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args), env=env)
    return r.exit_code, r.stdout, r.stderr


def test_scan_json_offsets_are_characters_without_newline_translation(tmp_path: Path) -> None:
    f = tmp_path / "a.log"
    f.write_bytes("héllo\r\nkey AKIAQ3EGRTY5WXZ7ABCD\r\nbad \xff byte 10.0.0.1\n".encode().replace(
        "\xff".encode(), b"\xff"))
    code, out, err = run("scan", "--json", str(f))
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    text = f.read_bytes().decode("utf-8", errors="replace")
    assert [(r["line"], r["type"], text[r["start"]:r["end"]]) for r in rows] == [
        (2, "AWS_ACCESS_KEY", "AKIAQ3EGRTY5WXZ7ABCD"), (3, "IPV4", "10.0.0.1")]
    assert set(rows[0]) == {"path", "line", "start", "end", "type"}
    assert "not UTF-8" in err


def test_scan_table_masks_unless_asked(tmp_path: Path) -> None:
    f = tmp_path / "a.log"
    f.write_text("key AKIAIOSFODNN7EXAMPLE\n")
    code, out, _ = run("scan", str(f))
    assert code == 1 and "AKIA************MPLE" in out and "AKIAIOSFODNN7EXAMPLE" not in out
    assert "AKIAIOSFODNN7EXAMPLE" in run("scan", "--show-values", str(f))[1]


def test_scan_exit_codes_and_bad_inputs(tmp_path: Path) -> None:
    clean = tmp_path / "clean.log"
    clean.write_text("nothing to see\n")
    assert run("scan", str(clean))[0] == 0
    (tmp_path / "empty.log").write_text("")
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01AKIAQ3EGRTY5WXZ7ABCD")
    sub = tmp_path / "d"
    sub.mkdir()
    (sub / "x.log").write_text("mail jane@example.com\n")
    code, out, err = run("scan", "--json", "--recursive", str(tmp_path), str(tmp_path / "missing.log"))
    assert code == 2
    assert [json.loads(x)["type"] for x in out.splitlines()] == ["EMAIL"]
    assert "empty" in err and "binary" in err and "no such file" in err
    code, out, _ = run("scan", "--json", "--binary", str(tmp_path / "bin.dat"))
    assert code == 1 and json.loads(out)["type"] == "AWS_ACCESS_KEY"
    assert run("scan", str(sub))[0] == 2  # a directory without --recursive


def test_scan_profile_and_rules_errors_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("nope: 1\n")
    f = tmp_path / "a.log"
    f.write_text("x\n")
    code, _, err = run("scan", "--profile", str(bad), str(f))
    assert code == 2 and err.count("\n") == 1 and "unknown key" in err


def test_redact_strategies(tmp_path: Path) -> None:
    f = tmp_path / "a.log"
    f.write_text("from 10.0.0.1 key AKIAIOSFODNN7EXAMPLE\n")
    code, out, _ = run("redact", str(f))
    assert code == 0 and out == "from [IPV4] key [AWS_ACCESS_KEY]\n"
    assert run("redact", str(f), "--strategy", "mask")[1] == "from 10****.1 key AKIA************MPLE\n"
    code, _, err = run("redact", str(f), "--strategy", "pseudonym")
    assert code == 2 and "TFTSR_PSEUDONYM_KEY" in err
    out_file = tmp_path / "out.log"
    code, _, _ = run("redact", str(f), "--strategy", "pseudonym", "--out", str(out_file),
                     env={"TFTSR_PSEUDONYM_KEY": "correct horse battery staple"})
    assert code == 0 and out_file.read_text().startswith("from <IPV4_")


def test_a_json_line_is_what_json_dumps_writes() -> None:
    import json

    from tftsr_kernel.pii import Finding

    for path in ("a.log", "dir with space/naïve \"quoted\"\\back.log", "tab\tand\nnewline.log", "✓.log"):
        f = Finding(path, 3, 10, 20, "AWS_ACCESS_KEY", "aws_access_key", "AKIA...")
        assert f.json_line() == json.dumps(f.as_json(), ensure_ascii=False)
        assert json.loads(f.json_line()) == f.as_json()
        assert "AKIA..." not in repr(f) and "AKIA..." not in str(f)  # the value never reaches a repr
