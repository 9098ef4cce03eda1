"""JupyterLab in headless Chromium: the review widget end to end, XSS, and 50,000 spans.

One JupyterLab server (127.0.0.1, its own token and folders) serves the module's tests; each test
prepares a store from Python, writes a notebook, runs it in the browser and checks the result from
Python again. Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tftsr_kernel import Workbench

from ._lab import Lab, chromium, jupyter_lab, open_and_run_all
from .conftest import ARTIFACTS, SAMPLE_LOGS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KEY = f"x'{secrets.token_hex(32)}'"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with jupyter_lab(tmp_path_factory.mktemp("lab"), {"TFTSR_DB_KEY": KEY}) as server:
        yield server


@pytest.fixture
def page(lab: Lab, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    with chromium(tmp_path / "chromium-profile") as context:
        pg = context.new_page()
        pg.set_default_timeout(60_000)
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            yield pg
        finally:
            ARTIFACTS.mkdir(exist_ok=True)
            pg.screenshot(path=str(ARTIFACTS / f"last-{request.node.name}.png"), full_page=True)
            if errors:
                print("page errors:", *errors, sep="\n  ")
            lab.shutdown_kernels()


def prepared_store(lab: Lab, name: str, paths: list[Path], title: str = "Checkout API 502s") -> tuple[Path, str]:
    store = lab.root / f"{name}.db"
    with Workbench.open(store, KEY) as wb:
        issue = wb.issue_new(title, severity="high", category="network")
        wb.load(paths, year=2024)
        wb.scan()
    return store, issue["id"]


def opening_cells(store: Path, issue_id: str) -> list[str]:
    return ["%load_ext tftsr_kernel", f"%tftsr open --store {store}\n%tftsr issue use {issue_id}"]


def test_review_widget_approve_reaches_the_store(lab: Lab, page: Any) -> None:
    store, issue_id = prepared_store(lab, "review", [SAMPLE_LOGS])
    lab.notebook("review.ipynb", [*opening_cells(store, issue_id), "%tftsr pii --no-scan"])
    open_and_run_all(page, lab, "review.ipynb")
    row = page.locator('.tftsr-review tr.tf-row[data-type="AWS_ACCESS_KEY"]')
    row.wait_for()
    assert row.locator(".tf-value").inner_text() == "AKIA************MPLE"
    progress = page.locator(".tftsr-review .tf-progress")
    total = progress.inner_text().split(" of ")[1].split()[0]
    assert progress.inner_text() == f"0 of {total} values decided"
    row.get_by_role("button", name="Approve").click()
    page.wait_for_function(
        """() => document.querySelector('.tftsr-review tr.tf-row[data-type="AWS_ACCESS_KEY"] .tf-badge')
                 ?.textContent === 'approved'""")
    assert progress.inner_text() == f"1 of {total} values decided"
    # keyboard: select the row, move down one, reject with "r"
    row.click()
    page.locator(".tftsr-review tr.tf-occurrence").first.wait_for()
    page.locator(".tftsr-review").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("r")
    page.wait_for_function("() => document.querySelector('.tftsr-review .tf-progress').textContent.startsWith('2 of')")
    page.locator(".tftsr-review tbody tr.tf-row.tf-selected .tf-badge").filter(has_text="rejected").first.wait_for()
    # "a" approves; JupyterLab's own "a" (insert a cell above) must not fire while the widget has focus
    cells = page.locator(".jp-Notebook .jp-Cell").count()
    page.keyboard.press("j")
    page.keyboard.press("a")
    page.wait_for_function("() => document.querySelector('.tftsr-review .tf-progress').textContent.startsWith('3 of')")
    assert page.locator(".jp-Notebook .jp-Cell").count() == cells
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".tftsr-review").screenshot(path=str(ARTIFACTS / "review-widget.png"))
    page.screenshot(path=str(ARTIFACTS / "review-notebook.png"), full_page=True)
    # the decisions reached the store (a separate connection, as after a restart)
    with Workbench.open(store, KEY) as wb:
        spans = wb.spans(issue_id)
        assert {s["status"] for s in spans if s["pii_type"] == "AWS_ACCESS_KEY"} == {"approved"}
        assert wb.review_progress(issue_id)["values_decided"] == 3
        assert sum(s["status"] == "rejected" for s in spans) >= 1
        decisions = [e for e in wb.audit_log(issue=issue_id) if e["action"] == "pii_decision"]
        assert [d["details"]["status"] for d in decisions] == ["approved", "rejected", "approved"]


XSS_LINES = [
    '2024-03-12T14:02:11Z ERROR web mallory@example.com sent <img src=x onerror="window.__xss=1">',
    "2024-03-12T14:02:12Z ERROR web eve@example.com sent <script>window.__xss=2</script>",
    '2024-03-12T14:02:13Z ERROR web trent@example.com sent <a href="javascript:window.__xss=3">click</a>',
]
XSS_FILE = "xss-<img src=x onerror=window.__xss=4>.log"
XSS_WHY = '<img src=x onerror="window.__xss=5"> why <script>window.__xss=6</script>'


def test_log_text_reaches_every_widget_as_text_never_html(lab: Lab, page: Any, tmp_path: Path) -> None:
    log = tmp_path / XSS_FILE
    log.write_text("\n".join(XSS_LINES) + "\n")
    store, issue_id = prepared_store(lab, "xss", [log], title="<script>window.__xss=7</script>")
    with Workbench.open(store, KEY) as wb:
        file_id = wb.log_files(issue_id)[0]["id"]
        wb.whys_add(XSS_WHY, '<a href="javascript:window.__xss=8">answer</a>',
                    [{"log_file_id": file_id, "line_no": 2}], issue=issue_id)
    lab.notebook("xss.ipynb", [*opening_cells(store, issue_id), "%tftsr pii --no-scan", "%tftsr whys",
                               "%tftsr audit"])
    open_and_run_all(page, lab, "xss.ipynb")
    page.locator(".tftsr-audit tbody tr").first.wait_for()
    page.locator(".tftsr-whys .tf-step").first.wait_for()
    rows = page.locator(".tftsr-review tr.tf-row")
    rows.first.wait_for()
    # open each value's detail (before/after of the whole line) and the evidence line
    for i in range(rows.count()):
        rows.nth(i).click()
        page.locator(".tftsr-review .tf-before").wait_for()
        review_text = page.locator(".tftsr-review .tf-detail").inner_text()
        assert any(line.split(" sent ")[1] in review_text for line in XSS_LINES)
    page.locator(".tftsr-whys a.tf-evidence").first.click()
    page.locator(".tftsr-whys .tf-evidence-view .tf-line").wait_for()
    # a step typed into the 5-Whys form is stored (resolution_steps) and shown as text
    whys_box = page.locator(".tftsr-whys")
    whys_box.get_by_label("why").fill("Why <b>bold</b>? <img src=x onerror=window.__xss=9>")
    whys_box.get_by_label("answer").fill("<script>window.__xss=10</script>")
    whys_box.get_by_label("evidence").fill(f"{XSS_FILE}:3")
    whys_box.get_by_role("button", name="Add step").click()
    whys_box.locator(".tf-step").nth(1).wait_for()
    time.sleep(0.5)  # give any injected handler (an image error, a script) the chance to run
    assert page.evaluate("() => window.__xss") is None
    assert page.locator(".tftsr img, .tftsr script, .tftsr iframe").count() == 0
    assert page.locator('.tftsr a[href^="javascript"]').count() == 0
    whys = page.locator(".tftsr-whys").inner_text()
    assert XSS_WHY in whys and 'javascript:window.__xss=8' in whys and "<script>window.__xss=2</script>" in whys
    audit_text = page.locator(".tftsr-audit").inner_text()
    assert XSS_FILE in audit_text
    assert XSS_FILE in page.locator(".tftsr-review .tf-detail").inner_text()
    assert "Why <b>bold</b>? <img src=x onerror=window.__xss=9>" in whys and page.locator(".tftsr b").count() == 0
    with Workbench.open(store, KEY) as wb:
        added = wb.whys(issue_id)[-1]
        assert added["answer"] == "<script>window.__xss=10</script>" and added["evidence"][0]["line_no"] == 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "xss-widgets.png"), full_page=True)
    whys_box.screenshot(path=str(ARTIFACTS / "whys-widget.png"))
    page.locator(".tftsr-audit").screenshot(path=str(ARTIFACTS / "audit-widget.png"))


def test_review_widget_with_50000_spans(lab: Lab, page: Any, tmp_path: Path) -> None:
    n_lines = 25_000
    log = tmp_path / "big.log"
    with log.open("w") as f:
        for i in range(n_lines):
            f.write(f"2024-03-12T14:{i // 600 % 60:02d}:{i // 10 % 60:02d}Z INFO auth login ok for "
                    f"user{i:05d}@example.com from 10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}\n")
    t0 = time.perf_counter()
    store, issue_id = prepared_store(lab, "big", [log])
    prepare_s = time.perf_counter() - t0
    with Workbench.open(store, KEY) as wb:
        progress = wb.review_progress(issue_id)
    assert progress["spans"] == 50_000 and progress["values"] == 50_000
    lab.notebook("big.ipynb", [*opening_cells(store, issue_id),
                               "import time\nfrom tftsr_kernel.magics import current_workbench\n"
                               "from tftsr_kernel.ui import ReviewWidget\nt0 = time.perf_counter()\n"
                               "w = ReviewWidget(current_workbench())\n"
                               "print(f'widget built in {time.perf_counter() - t0:.3f} s')\nw"])
    received: list[int] = []

    def on_ws(ws: Any) -> None:
        ws.on("framereceived", lambda payload: received.append(len(payload)))

    page.on("websocket", on_ws)
    open_and_run_all(page, lab, "big.ipynb")
    page.locator(".tftsr-review tr.tf-row").first.wait_for(timeout=180_000)
    render_ms = page.evaluate("() => performance.now() - window.__tftsr_run_started")
    rows = page.locator(".tftsr-review tr.tf-row").count()
    pager = page.locator(".tftsr-review .tf-bar .tf-muted").filter(has_text="page 1 of").inner_text()
    traffic = sum(received)
    # next page: what one page costs on the wire
    first_key = page.locator(".tftsr-review tr.tf-row").first.get_attribute("data-key")
    before = sum(received)
    page.get_by_role("button", name="next ▶").click()
    page.wait_for_function("(key) => document.querySelector('.tftsr-review tr.tf-row').dataset.key !== key",
                           arg=first_key)
    page_bytes = sum(received) - before
    # one decision at 50,000 values: click Approve, wait for the progress line to count it
    started = page.evaluate("() => performance.now()")
    page.locator(".tftsr-review tr.tf-row").first.get_by_role("button", name="Approve").click()
    page.wait_for_function("() => document.querySelector('.tftsr-review .tf-progress').textContent.startsWith('1 of')")
    decide_ms = page.evaluate("() => performance.now()") - started
    built = page.locator(".jp-OutputArea-output").filter(has_text="widget built in").inner_text()
    print(f"\n50,000 spans / 50,000 values: store prepared (load+scan) in {prepare_s:.1f} s; {built.strip()}; "
          f"run-all to first rendered row {render_ms:.0f} ms; websocket traffic to the browser "
          f"{traffic / 1024:.1f} KiB ({len(received)} frames) until first render; one more page "
          f"{page_bytes / 1024:.1f} KiB; one approve click to updated progress {decide_ms:.0f} ms")
    assert rows == 50 and "page 1 of 1000" in pager
    assert traffic < 2_000_000  # only the page travels, not 50,000 groups (a size check, not a time check)
    assert page_bytes > 5_000  # the second page's rows (with their masked snippets) arrived
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".tftsr-review").screenshot(path=str(ARTIFACTS / "review-50k.png"))


def test_open_asks_for_the_passphrase_in_a_hidden_prompt(lab: Lab, page: Any) -> None:
    passphrase = f"demo passphrase {secrets.token_hex(8)}"
    store = lab.root / "prompted.db"
    lab.notebook("prompt.ipynb", [
        "import os\nos.environ.pop('TFTSR_DB_KEY', None)\n%load_ext tftsr_kernel",
        f"%tftsr open --store {store}",
        '%tftsr issue new "Opened with a typed passphrase" --severity low\n%tftsr status',
    ])
    open_and_run_all(page, lab, "prompt.ipynb")
    field = page.locator(".jp-Stdin input")
    field.wait_for()
    assert field.get_attribute("type") == "password"
    field.fill(passphrase)
    field.press("Enter")
    page.locator(".jp-OutputArea-output").filter(has_text="Opened with a typed passphrase").last.wait_for()
    saved = ""
    for _ in range(60):  # save until the file on disk holds the last output
        page.evaluate("async () => { await window.jupyterapp.shell.currentWidget.context.save(); }")
        saved = (lab.root / "prompt.ipynb").read_text()
        if "Opened with a typed passphrase" in saved and "review:" in saved:
            break
        time.sleep(0.5)
    lab.shutdown_kernels()  # flushes the kernel's input history to disk
    assert "Opened with a typed passphrase" in saved and "(encrypted" in saved
    assert passphrase not in saved
    history = [p.read_bytes() for p in (lab.root.parent / "ipy").rglob("history.sqlite*")]
    assert history and not any(passphrase.encode() in h for h in history)
    with Workbench.open(store, passphrase) as wb:
        assert wb.issues()[0]["title"] == "Opened with a typed passphrase"
