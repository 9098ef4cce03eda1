# ruff: noqa: E501 - sample log lines are kept whole, as their formats define them
"""One small log per format, written here from each format's documentation; parsed columns checked."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tftsr_kernel.logs import load_logs

CASES: dict[str, tuple[str, str]] = {
    # RFC 5424 section 6.5 examples
    "syslog5424": ("rfc5424.log",
                   "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for lonvick\n"
                   "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.\n"),
    # RFC 3164 section 5.4 example, and a BSD line without PRI
    "syslog": ("messages",
               "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8\n"
               "Oct 11 22:14:16 mymachine sshd[4242]: error: Could not load host key\n"
               "Oct 11 22:14:17 mymachine CRON[99]: (root) CMD (run-parts /etc/cron.hourly)\n"),
    "journald": ("journal.json",
                 json.dumps({"__CURSOR": "s=1", "__REALTIME_TIMESTAMP": "1700000000123456", "PRIORITY": "3",
                             "_HOSTNAME": "web1", "SYSLOG_IDENTIFIER": "nginx", "MESSAGE": "upstream timed out"}) + "\n"
                 + json.dumps({"__CURSOR": "s=2", "__REALTIME_TIMESTAMP": "1700000001000000", "PRIORITY": "6",
                               "_HOSTNAME": "web1", "SYSLOG_IDENTIFIER": "nginx", "MESSAGE": "started"}) + "\n"),
    "json": ("app.jsonl",
             '{"@timestamp":"2024-03-01T10:00:00.5+01:00","log.level":"error","message":"db down","service":{"name":"api"},"http":{"status":503}}\n'
             '{"@timestamp":"2024-03-01T10:00:01+01:00","log.level":"info","message":"retry","service":{"name":"api"},"http":{"status":200}}\n'),
    "logfmt": ("app.logfmt",
               'time=2024-03-01T10:00:00Z level=warn msg="disk almost full" component=storage free_pct=4\n'
               'time=2024-03-01T10:00:05Z level=error msg="write failed" component=storage err="no space left"\n'),
    "access": ("access.log",
               '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326\n'
               '127.0.0.1 - - [10/Oct/2000:13:55:37 -0700] "GET /missing HTTP/1.1" 404 - "http://ex.com/start.html" "Mozilla/4.08"\n'
               '10.0.0.2 - - [10/Oct/2000:13:55:38 -0700] "POST /api HTTP/1.1" 502 157 "-" "curl/8.0"\n'),
    "apache_error": ("error_log",
                     "[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico\n"
                     "[Fri Sep 09 10:42:30 2011] [notice] Apache/2.2 configured -- resuming normal operations\n"),
    "nginx_error": ("nginx-error.log",
                    "2024/03/01 10:00:00 [error] 1234#0: *5 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.1\n"
                    "2024/03/01 10:00:02 [warn] 1234#0: conflicting server name \"x\" on 0.0.0.0:80, ignored\n"),
    "log4j": ("app.log",
              "2024-03-01 10:00:00,123 ERROR [main] com.example.Checkout - payment failed\n"
              "java.lang.IllegalStateException: gateway 502\n"
              "\tat com.example.Checkout.pay(Checkout.java:42)\n"
              "\tat com.example.Main.main(Main.java:7)\n"
              "Caused by: java.net.SocketTimeoutException: Read timed out\n"
              "\t... 2 more\n"
              "2024-03-01 10:00:01,001 INFO  [main] com.example.Checkout - retrying\n"),
    "python": ("worker.log",
               "2024-03-01 10:00:00,123 - worker.tasks - ERROR - task failed\n"
               "Traceback (most recent call last):\n"
               '  File "tasks.py", line 3, in run\n'
               "    1 / 0\n"
               "ZeroDivisionError: division by zero\n"
               "2024-03-01 10:00:02,000 - worker.tasks - INFO - next task\n"),
    "cri": ("0.log",
            "2024-03-01T10:00:00.123456789Z stdout F listening on :8080\n"
            "2024-03-01T10:00:01.000000000Z stderr F ERROR connection refused\n"),
    "docker": ("container-json.log",
               '{"log":"listening on :8080\\n","stream":"stdout","time":"2024-03-01T10:00:00.123456789Z"}\n'
               '{"log":"panic: nil map\\n","stream":"stderr","time":"2024-03-01T10:00:01.5Z"}\n'),
    "github_actions": ("job.txt",
                       "2024-03-01T10:00:00.1234567Z ##[group]Run actions/checkout@v4\n"
                       "2024-03-01T10:00:01.0000000Z ##[endgroup]\n"
                       "2024-03-01T10:00:05.0000000Z ##[error]Process completed with exit code 1.\n"),
    "jenkins": ("console.txt",
                "Started by user admin\n"
                "Running on agent-1 in /var/jenkins/workspace/app\n"
                "[Pipeline] stage\n"
                "+ make test\n"
                "ERROR: script returned exit code 2\n"
                "Finished: FAILURE\n"),
    "windows_cbs": ("CBS.log",
                    "2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505\n"
                    "2016-09-28 04:30:31, Error                 CSI    Failed to open package [HRESULT = 0x80070002]\n"),
    "generic": ("custom.log",
                "[2024-03-01 10:00:00] WARN cache miss ratio high\n"
                "[2024-03-01 10:00:01] ERROR cache node down\n"
                "[2024-03-01 10:00:02] cache recovered\n"),
}


def _lv(df: pd.DataFrame) -> list[str]:
    return [str(x) for x in df.level]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("fmt", sorted(CASES))
def test_detects_format(tmp_path: Path, fmt: str) -> None:
    name, text = CASES[fmt]
    df = load_logs(_write(tmp_path, name, text), templates=False)
    assert df.attrs["tftsr_files"][0]["format"] == fmt
    assert list(df.columns[:9]) == ["ts", "level", "source", "message", "template_id", "template", "file",
                                    "line_no", "raw"]
    assert len(df) >= 2
    assert df.attrs["tftsr_notes"] == []


def _load(tmp_path: Path, fmt: str, **kw: object) -> pd.DataFrame:
    name, text = CASES[fmt]
    return load_logs(_write(tmp_path, name, text), **kw)  # type: ignore[arg-type]


def test_syslog5424_fields(tmp_path: Path) -> None:
    df = _load(tmp_path, "syslog5424")
    assert str(df.ts.dt.tz) == "UTC"
    assert df.ts[0] == pd.Timestamp("2003-10-11T22:14:15.003Z")
    assert df.ts[1] == pd.Timestamp("2003-08-24T12:14:15.000003Z")
    assert _lv(df) == ["CRITICAL", "NOTICE"]  # 34 % 8 = 2 crit; 165 % 8 = 5 notice
    assert list(df.source) == ["su", "myproc"]
    assert df.host[0] == "mymachine.example.com"
    assert df.message[0] == "'su root' failed for lonvick"


def test_syslog3164(tmp_path: Path) -> None:
    df = _load(tmp_path, "syslog", year=2003)
    assert df.ts[0] == pd.Timestamp("2003-10-11 22:14:15") and df.ts.dt.tz is None
    assert list(df.source) == ["su", "sshd", "CRON"]
    assert df.pid[1] == "4242"
    assert _lv(df) == ["CRITICAL", "ERROR", "nan"]


def test_journald(tmp_path: Path) -> None:
    df = _load(tmp_path, "journald")
    assert df.ts[0] == pd.Timestamp(1700000000123456, unit="us", tz="UTC")
    assert _lv(df) == ["ERROR", "INFO"]
    assert list(df.message) == ["upstream timed out", "started"]
    assert df.source[0] == "nginx"
    assert df["_HOSTNAME"][0] == "web1"


def test_json_dotted_fields(tmp_path: Path) -> None:
    df = _load(tmp_path, "json")
    assert df.ts[0] == pd.Timestamp("2024-03-01T09:00:00.5Z")
    assert _lv(df) == ["ERROR", "INFO"]
    assert df["http.status"].tolist() == [503, 200]
    assert df.source[0] == "api"  # service.name
    assert df.message[0] == "db down"


def test_logfmt(tmp_path: Path) -> None:
    df = _load(tmp_path, "logfmt")
    assert list(df.message) == ["disk almost full", "write failed"]
    assert _lv(df) == ["WARNING", "ERROR"]
    assert df.source.tolist() == ["storage", "storage"]
    assert df["err"][1] == "no space left"
    assert df.ts[1] == pd.Timestamp("2024-03-01T10:00:05Z")


def test_access(tmp_path: Path) -> None:
    df = _load(tmp_path, "access")
    assert df.ts[0] == pd.Timestamp("2000-10-10T20:55:36Z")
    assert df.status.tolist() == [200, 404, 502]
    assert df["bytes"].isna().tolist() == [False, True, False]
    assert _lv(df) == ["INFO", "WARNING", "ERROR"]
    assert df.user_agent[2] == "curl/8.0"
    assert df.message[0] == "GET /apache_pb.gif HTTP/1.0 200"


def test_apache_error(tmp_path: Path) -> None:
    df = _load(tmp_path, "apache_error")
    assert df.ts[0] == pd.Timestamp("2011-09-09 10:42:29.902022")
    assert _lv(df) == ["ERROR", "NOTICE"]
    assert df.source[0] == "core" and df.client[0] == "72.15.99.187"


def test_nginx_error(tmp_path: Path) -> None:
    df = _load(tmp_path, "nginx_error")
    assert _lv(df) == ["ERROR", "WARNING"]
    assert df.ts[1] == pd.Timestamp("2024-03-01 10:00:02")
    assert df.message[0].startswith("upstream timed out")


def test_java_stack_trace_joins(tmp_path: Path) -> None:
    df = _load(tmp_path, "log4j")
    assert len(df) == 2
    assert df.line_no.tolist() == [1, 7]
    assert df.message[0].startswith("payment failed\njava.lang.IllegalStateException")
    assert df.raw[0].count("\n") == 5 and "Caused by" in df.raw[0]
    assert df.source[0] == "com.example.Checkout" and df.thread[0] == "main"
    assert df.template[0] == "payment failed"


def test_python_traceback_joins(tmp_path: Path) -> None:
    df = _load(tmp_path, "python")
    assert len(df) == 2 and df.line_no.tolist() == [1, 6]
    assert df.message[0].endswith("ZeroDivisionError: division by zero")
    assert df.source[0] == "worker.tasks"
    assert _lv(df) == ["ERROR", "INFO"]


def test_cri_and_docker(tmp_path: Path) -> None:
    cri = _load(tmp_path, "cri")
    assert cri.source.tolist() == ["stdout", "stderr"] and cri.level.astype(object)[1] == "ERROR"
    assert cri.ts[0] == pd.Timestamp("2024-03-01T10:00:00.123456789Z")
    docker = _load(tmp_path, "docker")
    assert docker.message.tolist() == ["listening on :8080", "panic: nil map"]
    assert docker.source.tolist() == ["stdout", "stderr"]


def test_ci_logs(tmp_path: Path) -> None:
    gha = _load(tmp_path, "github_actions")
    assert gha.level.astype(object)[2] == "ERROR"
    assert gha.ts[0] == pd.Timestamp("2024-03-01T10:00:00.1234567Z")
    jenkins = _load(tmp_path, "jenkins")
    assert len(jenkins) == 6 and jenkins.level.astype(object)[4] == "ERROR"


def test_windows_cbs(tmp_path: Path) -> None:
    df = _load(tmp_path, "windows_cbs")
    assert df.source.tolist() == ["CBS", "CSI"]
    assert _lv(df) == ["INFO", "ERROR"]


def test_generic_fallback(tmp_path: Path) -> None:
    df = _load(tmp_path, "generic")
    assert _lv(df) == ["WARNING", "ERROR", "nan"]
    assert df.ts.notna().all()


def test_forced_format_and_unknown_name(tmp_path: Path) -> None:
    p = _write(tmp_path, "x.log", "hello world\nsecond line\n")
    df = load_logs(p, format="raw", templates=False)
    assert df.message.tolist() == ["hello world", "second line"]
    with pytest.raises(ValueError, match="unknown log format"):
        load_logs(p, format="nonsense")


def test_tz_localises_naive(tmp_path: Path) -> None:
    df = _load(tmp_path, "log4j", tz="Europe/Berlin")
    assert df.ts[0] == pd.Timestamp("2024-03-01T09:00:00.123Z")


def test_level_is_ordered_categorical(tmp_path: Path) -> None:
    df = _load(tmp_path, "log4j")
    assert isinstance(df.level.dtype, pd.CategoricalDtype) and df.level.dtype.ordered
    assert (df.level >= "WARNING").tolist() == [True, False]
    assert str(df.message.dtype) in ("string", "str") and df.file.dtype == "category"
