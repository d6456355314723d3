"""Real-browser test: ``streamlit run app.py`` driven by Playwright on Debian's Chromium.

It picks a preset, asks for a recommendation, checks that ranked results appear and saves
a screenshot to ``docs/screenshots/app.png``.  The server listens on loopback only, every
wait is bounded, and the server's process group is always terminated.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "docs" / "screenshots" / "app.png"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"Debian's Chromium is not installed at {CHROMIUM} "
                              "(apt-get install chromium; CI installs it)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"streamlit did not answer {url}/_stcore/health in {timeout_s:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture()
def streamlit_url(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    log = (tmp_path / "streamlit.log").open("w")
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, proc)
        yield url
    finally:
        _stop(proc)
        log.close()


SAMPLES = 288  # one day of 5-minute CloudWatch samples


def _cloudwatch_csv(path: Path) -> Path:
    rows = ["Timestamp,Value"]
    for i in range(SAMPLES):
        hour = i * 5 // 60
        busy = 70.0 if 9 <= hour < 12 else 12.0  # a morning peak
        rows.append(f"2026-01-01T{hour:02d}:{i * 5 % 60:02d}:00Z,{busy + (i % 7):.1f}")
    path.write_text("\n".join(rows) + "\n")
    return path


def test_pick_a_preset_and_see_ranked_results(streamlit_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    csv = _cloudwatch_csv(tmp_path / "cpu.csv")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS, timeout=60_000)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            page.set_default_timeout(60_000)
            page.goto(streamlit_url, wait_until="domcontentloaded")
            # Interact only once the script has drawn the form (a click during the first run
            # can land on a widget that is about to be replaced).
            page.get_by_role("button", name="Recommend").wait_for()
            preset = page.get_by_test_id("stSelectbox").filter(has_text="Start from a preset")
            preset.click()
            page.get_by_role("option", name="Web app").click()
            # The preset's rerun has finished when the form shows its values.
            expect(page.get_by_label("Workload name")).to_have_value("web app", timeout=60_000)
            page.get_by_role("tab", name="Compute").first.click()
            page.locator("input[type=file]").set_input_files(str(csv))
            page.get_by_text(f"Using {SAMPLES} utilization samples").wait_for()
            page.get_by_role("tab", name="General").first.click()
            page.get_by_role("button", name="Recommend").click()
            page.get_by_text("Recommendations for web app").wait_for()
            ranked = page.get_by_test_id("stExpander").filter(has_text="#1 ")
            ranked.first.wait_for()
            assert ranked.count() >= 1
            assert "/month" in ranked.first.inner_text()
            assert page.get_by_test_id("stException").count() == 0
            page.locator("[data-testid=stPlotlyChart]:visible").first.wait_for()
            page.wait_for_timeout(2000)  # let the table and charts draw before the screenshot
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000
