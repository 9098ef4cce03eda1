"""A real JupyterLab server on 127.0.0.1 (own token, HOME, JUPYTER_* and IPYTHONDIR) and headless Chromium.

Used by the ``browser`` tests. Nothing here reaches beyond loopback: Lab's news feed, update check and
extension manager are switched off, and Chromium runs with background networking disabled.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
START_TIMEOUT_S = 90


def ensure_chromium() -> None:
    """Debian's Chromium (apt-get, as `make browser` does); never a Playwright browser download."""
    if not Path(CHROMIUM).exists():
        subprocess.run("apt-get update -qq && apt-get install -y -qq chromium", shell=True, check=True,  # noqa: S602
                       timeout=900)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes]
    log: Path

    def notebook(self, name: str, sources: list[str]) -> Path:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources], metadata={
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}})
        path = self.root / name
        nbformat.write(nb, path)
        return path

    def page_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}&reset"

    def shutdown_kernels(self) -> None:
        for k in json.loads(api(f"{self.url}/api/kernels", self.token)):
            with contextlib.suppress(OSError):
                api(f"{self.url}/api/kernels/{k['id']}", self.token, method="DELETE")


def api(url: str, token: str, method: str = "GET", timeout: float = 10) -> bytes:
    """One request to the local server's REST API (http://127.0.0.1 only)."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"refusing a non-loopback URL: {url}")
    req = urllib.request.Request(url, method=method, headers={"Authorization": f"token {token}"})  # noqa: S310
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
        return bytes(resp.read())


@contextlib.contextmanager
def jupyter_lab(base: Path, extra_env: dict[str, str]) -> Iterator[Lab]:
    dirs = {name: base / name for name in ("home", "jcfg", "jdata", "jrt", "ipy", "root")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    labconfig = dirs["jcfg"] / "labconfig"
    labconfig.mkdir()
    (labconfig / "page_config.json").write_text(json.dumps({"disabledExtensions": {
        "@jupyterlab/apputils-extension:announcements": True,
        "@jupyterlab/extensionmanager-extension": True,
    }}))
    token = secrets.token_hex(24)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "TFTSR", "IPYTHON"))}
    env.update({"HOME": str(dirs["home"]), "JUPYTER_CONFIG_DIR": str(dirs["jcfg"]),
                "JUPYTER_DATA_DIR": str(dirs["jdata"]), "JUPYTER_RUNTIME_DIR": str(dirs["jrt"]),
                "IPYTHONDIR": str(dirs["ipy"]), "JUPYTER_PLATFORM_DIRS": "1", "PYTHONUNBUFFERED": "1"})
    env.pop("MPLBACKEND", None)
    env.update(extra_env)
    log = base / "jupyterlab.log"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={dirs['root']}", "--LabApp.expose_app_in_browser=True",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly", "--ServerApp.open_browser=False"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")  # CI containers run as root
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=dirs["root"])
    url = f"http://127.0.0.1:{port}"
    lab = Lab(url, token, dirs["root"], env, proc, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({proc.returncode}): {log.read_text()[-2000:]}")
            try:
                api(f"{url}/api/status", token, timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.3)
        yield lab
    finally:
        with contextlib.suppress(OSError):
            lab.shutdown_kernels()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator[Any]:
    """A Playwright browser context on Debian's Chromium with a fresh user-data-dir."""
    from playwright.sync_api import sync_playwright

    ensure_chromium()
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000})
        try:
            yield context
        finally:
            context.close()


RUN_ALL = """async () => {
  const app = window.jupyterapp;
  await app.restored;
  let panel = null;
  for (let i = 0; i < 600 && !(panel && panel.sessionContext); i++) {
    panel = app.shell.currentWidget;
    if (!(panel && panel.sessionContext)) await new Promise((r) => setTimeout(r, 100));
  }
  await panel.context.ready;
  await panel.sessionContext.ready;
  for (let i = 0; i < 600 && !(panel.sessionContext.session && panel.sessionContext.session.kernel); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  window.__tftsr_run_started = performance.now();
  app.commands.execute("notebook:run-all-cells");  // not awaited: a cell may wait for input
  return true;
}"""


def open_and_run_all(page: Any, lab: Lab, name: str) -> None:
    page.goto(lab.page_url(name))
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    page.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
    page.evaluate(RUN_ALL)
