"""Real-browser test: ``streamlit run app.py`` driven by Playwright on Debian's Chromium.

It walks every preset (timing Recommend to results), opens the catalog explorer from a
shared link and changes a range filter, and runs the Predictions form; it asserts no console
error and no request to a host other than this machine.  Screenshots go to a temporary folder
(``SCREENSHOTS_DIR=docs/screenshots`` regenerates the README's).  The server listens on
loopback only, every wait is bounded, and the server's process group is always terminated.
"""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def streamlit_server(log_dir: Path) -> Iterator[str]:
    """``streamlit run app.py`` on a free loopback port; yields its URL, always stops it.

    Shared with ``benchmarks/bench_app.py`` so both time the same thing.
    """
    port = _free_port()
    log = (log_dir / "streamlit.log").open("w")
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


@pytest.fixture()
def streamlit_url(tmp_path: Path) -> Iterator[str]:
    with streamlit_server(tmp_path) as url:
        yield url


SAMPLES = 288  # one day of 5-minute CloudWatch samples
#: Seconds from pressing Recommend to the results, per preset (issue 13: under 1 s).
MAX_RESULT_SECONDS = float(os.environ.get("MAX_RESULT_SECONDS", "1.0"))
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _cloudwatch_csv(path: Path) -> Path:
    rows = ["Timestamp,Value"]
    for i in range(SAMPLES):
        hour = i * 5 // 60
        busy = 70.0 if 9 <= hour < 12 else 12.0  # a morning peak
        rows.append(f"2026-01-01T{hour:02d}:{i * 5 % 60:02d}:00Z,{busy + (i % 7):.1f}")
    path.write_text("\n".join(rows) + "\n")
    return path


def _screenshots(tmp_path: Path) -> Path:
    """Where screenshots go: a temporary folder, or SCREENSHOTS_DIR to regenerate docs/.

    ``SCREENSHOTS_DIR=docs/screenshots python3 -m pytest -p no:cacheprovider
    tests/surfaces/test_browser.py`` rewrites the README's screenshots; the suite itself leaves
    the work tree clean.
    """
    target = os.environ.get("SCREENSHOTS_DIR")
    out = (ROOT / target) if target else tmp_path / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out


def _base_path_probe(url: str) -> bool:
    """Streamlit's frontend, opened on a page path (``/explorer``), first asks
    ``/explorer/_stcore/health`` to find the server's base path; the 404 is expected."""
    from urllib.parse import urlparse

    path = urlparse(url).path
    return path.endswith(("/_stcore/health", "/_stcore/host-config")) and path.count("/") > 2


class Watch:
    """Console errors and requests to hosts other than this machine, seen by the page."""

    def __init__(self, page) -> None:  # noqa: ANN001 - playwright Page, imported lazily
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._request)
        page.on("response", lambda r: self.errors.append(f"HTTP {r.status} {r.url}")
                if r.status >= 400 and not _base_path_probe(r.url) else None)

    def _console(self, message) -> None:  # noqa: ANN001
        if message.type == "error" and not _base_path_probe(message.location.get("url", "")):
            self.errors.append(f"{message.text} ({message.location.get('url')})")

    def _request(self, request) -> None:  # noqa: ANN001
        from urllib.parse import urlparse

        url = urlparse(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
            self.foreign.append(request.url)


def pick_preset(page, label: str, name: str) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    page.get_by_test_id("stSelectbox").filter(has_text="Start from a preset").click()
    page.get_by_role("option", name=label, exact=True).click()
    # The preset's rerun has finished when the form shows its values.
    expect(page.locator("input[aria-label='Workload name']")).to_have_value(name, timeout=60_000)


_STATE = "document.querySelector('[data-test-script-state]')"
_IDLE = f"{_STATE}?.dataset.testScriptState"


class Runs:
    """Script runs the server reports finished, read from the app's websocket.

    Counted from the server's own ``script_finished`` messages (Streamlit's ForwardMsg
    protobuf), not from the page: the page's ``data-test-script-state`` attribute can skip
    a warm run altogether (running and notRunning rendered in one frame), and a wait for its
    changes then timed out (1 run in 3-4 failed on the second Recommend of a preset).
    """

    def __init__(self, page) -> None:  # noqa: ANN001 - playwright Page, imported lazily
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._msg = ForwardMsg
        self.finished = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: bytes | str) -> None:
        if isinstance(payload, str):
            return
        msg = self._msg()
        try:
            msg.ParseFromString(payload)
        except Exception:  # noqa: BLE001 - a frame that is not a ForwardMsg is not a run
            return
        if (msg.WhichOneof("type") == "script_finished"
                and msg.script_finished == self._msg.FINISHED_SUCCESSFULLY):
            self.finished += 1

    def wait_for_next(self, page, before: int, timeout_s: float = 60.0) -> None:  # noqa: ANN001
        """Wait (bounded) until a run finishes after ``before`` finished runs."""
        deadline = time.monotonic() + timeout_s
        while self.finished <= before:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no script run finished in {timeout_s:.0f} s")
            page.wait_for_timeout(10)  # lets playwright dispatch the websocket events


def recommend_seconds(page, runs: Runs, name: str) -> float:  # noqa: ANN001
    """Press Recommend; seconds until the run it starts has finished and its results (the
    heading and the #1 option) are on the page."""
    page.wait_for_function(f"{_IDLE} === 'notRunning'")
    before = runs.finished
    start = time.perf_counter()
    page.get_by_role("button", name="Recommend").click()
    runs.wait_for_next(page, before)
    page.get_by_text(f"Recommendations for {name}").wait_for()
    page.locator("[data-testid=stExpander]").filter(has_text="#1 ").first.wait_for()
    return time.perf_counter() - start


def new_page(browser):  # noqa: ANN001, ANN201 - playwright objects
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    page.set_default_timeout(60_000)
    return page


def goto_app(page, url: str) -> None:  # noqa: ANN001
    """The app's main page, once its script has drawn the form (a click during the first run
    can land on a widget that is about to be replaced)."""
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("button", name="Recommend").wait_for()


def launch(pw):  # noqa: ANN001, ANN201
    return pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                              args=CHROMIUM_ARGS, timeout=60_000)


def timing_table(first: dict[str, float], again: dict[str, float]) -> str:
    """The per-preset seconds as a printed table, the target's verdict in the last column."""
    lines = [f"{'preset':<22} {'first run s':>11} {'again s':>8}  again under "
             f"{MAX_RESULT_SECONDS:g} s"]
    for p in first:
        ok = "yes" if again[p] <= MAX_RESULT_SECONDS else "no"
        lines.append(f"{p:<22} {first[p]:>11.2f} {again[p]:>8.2f}  {ok}")
    return "\n".join(lines)


def test_every_preset_explorer_and_predictions(streamlit_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from recommender.presets import PRESET_LABELS, get_preset

    shots = _screenshots(tmp_path)
    csv = _cloudwatch_csv(tmp_path / "cpu.csv")
    first: dict[str, float] = {}
    timings: dict[str, float] = {}
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = new_page(browser)
            watch = Watch(page)
            runs = Runs(page)
            goto_app(page, streamlit_url)
            for preset, label in PRESET_LABELS.items():
                name = get_preset(preset)["name"]
                pick_preset(page, label, name)
                # The first run of a preset fills its caches; both are recorded.
                first[preset] = recommend_seconds(page, runs, name)
                timings[preset] = recommend_seconds(page, runs, name)
                assert page.get_by_test_id("stException").count() == 0, preset
            # The upload drives the burst simulation of the web app.
            pick_preset(page, "Web app", "web app")
            page.get_by_role("tab", name="Compute").first.click()
            page.locator("input[type=file]").set_input_files(str(csv))
            page.get_by_text(f"Using {SAMPLES} utilization samples").wait_for()
            recommend_seconds(page, runs, "web app")
            page.locator("[data-testid=stPlotlyChart]:visible").first.wait_for()
            page.wait_for_timeout(1500)  # let the charts draw before the screenshot
            # The page scrolls inside Streamlit's own container, so full_page stops at the
            # viewport: bring the results to the top to show them rather than the form.
            page.get_by_text("Recommendations for web app").evaluate(
                "e => e.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(500)
            page.screenshot(path=str(shots / "app.png"), full_page=True)

            # The explorer from a shared link: the URL sets the filters.
            page.goto(f"{streamlit_url}/explorer?q=m7g.&vcpus=4&vcpus=64",
                      wait_until="domcontentloaded")
            query = page.locator("input[aria-label='Instance type contains']")
            # expect()'s own default is 5 s (page.set_default_timeout does not reach it); the
            # explorer's first run loads the catalog, which took longer on a loaded machine.
            expect(query).to_have_value("m7g.", timeout=60_000)
            page.get_by_text("types priced in us-east-1").wait_for()
            max_price = page.locator("input[aria-label='Max price (USD/hour)']")
            max_price.fill("0.5")
            max_price.press("Enter")
            page.wait_for_url("**max_price=0.5**")
            counted = page.get_by_text("types priced in us-east-1").inner_text()
            assert int(counted.split(" of ")[0].replace(",", "")) > 0
            page.locator("[data-testid=stPlotlyChart]:visible").first.wait_for()
            page.wait_for_timeout(1000)
            page.screenshot(path=str(shots / "explorer.png"), full_page=True)

            page.goto(f"{streamlit_url}/predictions", wait_until="domcontentloaded")
            page.get_by_role("button", name="Predict runtime").click()
            page.get_by_text("Best for lowest cost:").wait_for()
            page.get_by_text("Run next:").wait_for()
            page.wait_for_timeout(1000)
            page.screenshot(path=str(shots / "predictions.png"), full_page=True)
        finally:
            browser.close()
    print(f"\nseconds from Recommend to results (load {os.getloadavg()[0]:.1f}):")
    print(timing_table(first, timings))
    assert not watch.errors, watch.errors
    assert not watch.foreign, watch.foreign
    # The 1 s target is a speed target: the guide checks those with printed figures, not timed
    # assertions (a shared CI machine makes any fixed budget flaky).  Every preset must still
    # reach its results, which the waits above prove.
    assert set(timings) == set(PRESET_LABELS)
    # benchmarks/bench_app.py measures the same with several runs and prints p50/max.
    assert (shots / "app.png").stat().st_size > 10_000
