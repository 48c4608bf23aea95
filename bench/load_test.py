"""Concurrent readers: many browser sessions at once against one `streamlit run`.

    python -m bench.load_test [--sessions 24] [--runs-fraction 0.5] [--seeds 5]
    python -m bench.load_test --storm     # ten heavy links at once (see HEAVY_LINKS)

Half the sessions (by default) open a permalink that runs polynomial on demand, each
with its own max_degree, and check that the provenance command they are shown is their
own (sessions never see each other's parameters); the rest view the registered pages.
Reports errors, p50/p95 time to first chart and the server's peak RSS (VmHWM).

The storm opens ten links that each ask for the most a cap allows (the audit's
reproductions and variants: many widths x penalties x seeds, a large synthetic
problem that needs gigabytes), from scripted websocket clients as an attacker would
(no browser), while a reader in a real browser keeps opening Home. It reports what
happened to each heavy link (finished, stopped by a limit, refused as busy), Home's
times during the storm, in Chromium (to its text, its first chart, all six charts; also
measured quiet before the storm, and for the server's first visitor) and on the server
alone (a scripted reader times Home's script from request to finish, p50 / p95 / max),
the health endpoint's latency, the peak resident memory of the server and of the run
processes, and the machine's load average at the start and the end (the figures are
only comparable at similar load).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests import local_server
from tests.helpers import CHART_MARKS_JS

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]


@dataclass
class Outcome:
    kind: str
    url: str
    seconds: float = float("nan")
    error: str = ""


def peak_rss_mb(pid: int) -> float:
    """The process's high-water resident set size (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def plan(sessions: int, runs_fraction: float, seeds: int,
         pages: list[str]) -> list[tuple[str, str, int]]:
    """(kind, url path + query, max_degree or 0) per session; run degrees are distinct."""
    n_runs = round(sessions * runs_fraction)
    out = [("run", f"polynomial?max_degree={40 + 7 * i}&seeds={seeds}&run=1", 40 + 7 * i)
           for i in range(n_runs)]
    out += [("view", pages[i % len(pages)], 0) for i in range(sessions - n_runs)]
    return out


async def one_session(browser, base: str, kind: str, path: str, degree: int,
                      timeout_ms: float) -> Outcome:
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    outcome = Outcome(kind, path)
    try:
        start = time.perf_counter()
        await page.goto(f"{base}/{path}", timeout=timeout_ms, wait_until="domcontentloaded")
        await page.wait_for_function(
            f"() => ({CHART_MARKS_JS})().filter(c => c.drawn > 0).length >= 1", polling=250,
            timeout=timeout_ms)
        outcome.seconds = time.perf_counter() - start
        if kind == "run":
            # the run's own provenance (not the shipped one, not another session's)
            await page.get_by_text("Showing your run").first.wait_for(timeout=timeout_ms)
            code = await page.locator("[data-testid=stExpander]", has_text="Provenance") \
                .locator("code").first.text_content(timeout=timeout_ms)
            if f"--set max_degree={degree}" not in (code or ""):
                outcome.error = f"isolation: expected max_degree={degree}, saw {code!r}"
        if await page.locator("[data-testid=stException]").count():
            outcome.error = "exception box: " + (await page.locator(
                "[data-testid=stException]").first.inner_text())[:200]
    except Exception as err:  # a timeout or navigation failure is a load-test failure
        outcome.error = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
    finally:
        await context.close()
    return outcome


async def drive(base: str, jobs: list[tuple[str, str, int]], timeout_ms: float
                ) -> tuple[list[Outcome], float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=shutil.which("chromium"),
                                           args=CHROMIUM_FLAGS)
        try:
            # one reader first, so imports and the shipped-data cache are warm (not timed)
            await one_session(browser, base, "view", "polynomial", 0, timeout_ms)
            start = time.perf_counter()
            outcomes = await asyncio.gather(*(one_session(browser, base, k, p, d, timeout_ms)
                                              for k, p, d in jobs))
            return outcomes, time.perf_counter() - start
        finally:
            await browser.close()


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def load_test(sessions: int = 24, runs_fraction: float = 0.5, seeds: int = 5,
              pages: list[str] | None = None, timeout_s: float = 120) -> dict:
    """Start a server, run all sessions at once, stop the server; return the figures."""
    from experiments.framework import registry

    pages = pages or list(registry.experiments())
    proc, base = local_server.start()
    try:
        rss_idle = peak_rss_mb(proc.pid)
        outcomes, wall = asyncio.run(drive(base, plan(sessions, runs_fraction, seeds, pages),
                                           timeout_s * 1000))
        rss_peak = peak_rss_mb(proc.pid)
    finally:
        local_server.stop(proc)
    times = [o.seconds for o in outcomes if not o.error]
    by_kind = {k: [o.seconds for o in outcomes if o.kind == k and not o.error] for k in ("view",
                                                                                         "run")}
    return {
        "sessions": sessions, "outcomes": outcomes, "errors": [o for o in outcomes if o.error],
        "wall_s": wall, "rss_idle_mb": rss_idle, "rss_peak_mb": rss_peak,
        "p50_s": percentile(times, 0.5), "p95_s": percentile(times, 0.95),
        **{f"{k}_p50_s": percentile(v, 0.5) for k, v in by_kind.items()},
        **{f"{k}_p95_s": percentile(v, 0.95) for k, v in by_kind.items()},
    }


def table(result: dict) -> str:
    rows = [("sessions (simultaneous)", f"{result['sessions']}"),
            ("errors", f"{len(result['errors'])}"),
            ("time to first chart p50 / p95, all",
             f"{result['p50_s']:.1f} / {result['p95_s']:.1f} s"),
            ("  page views p50 / p95",
             f"{result['view_p50_s']:.1f} / {result['view_p95_s']:.1f} s"),
            ("  on-demand runs p50 / p95",
             f"{result['run_p50_s']:.1f} / {result['run_p95_s']:.1f} s"),
            ("wall time for the whole crowd", f"{result['wall_s']:.1f} s"),
            ("server RSS idle -> peak (VmHWM)",
             f"{result['rss_idle_mb']:.0f} -> {result['rss_peak_mb']:.0f} MB")]
    lines = ["| figure | value |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows]
    return "\n".join(lines)


RIDGES = "ridge=1e-5,1e-4,1e-3,1e-2,1e-1,1"
HEAVY_LINKS = (
    [f"random_features?dataset=digits&n_train=400&max_ratio=1.5&n_widths=80&{RIDGES}&seeds={s}&run=1"
     for s in (94, 93, 92)]
    + [f"random_features?dataset=synthetic&n_train={n}&max_ratio=40&n_widths=5&seeds=1&run=1"
       for n in (1000, 990, 980)]
    + [f"polynomial?max_degree=600&seeds={s}&run=1" for s in (200, 199)]
    + [f"trees?n_train=400&max_trees=20&max_ensembles=6&seeds={s}&run=1" for s in (4, 3)]
)
OUTCOMES = {"finished": "Showing your run", "stopped or busy": "No result:",
            "refused": "Cannot run:"}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_tree_rss_mb(pid: int) -> tuple[float, float]:
    """(resident MB of `pid`, summed resident MB of its descendants) right now: the run
    processes are children of the server's forkserver (which is counted with them)."""
    def rss(p):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {pid}, True
    while grew:
        found = {child for child, parent in parents.items() if parent in tree}
        grew, tree = bool(found - tree), tree | found
    return rss(pid), sum(rss(c) for c in tree - {pid})


async def heavy_session(base: str, path: str, timeout_s: float) -> Outcome:
    """A scripted visitor on Streamlit's websocket (no browser, as an attacker would):
    asks for the page with the link's query and reads until the script finishes."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from tornado.websocket import websocket_connect

    outcome = Outcome("timeout", path)
    start = time.perf_counter()
    try:
        ws = await websocket_connect(base.replace("http", "ws", 1) + "/_stcore/stream",
                                     subprotocols=["streamlit"])
        request = BackMsg()
        page, _, request.rerun_script.query_string = path.partition("?")
        request.rerun_script.page_name = page
        await ws.write_message(request.SerializeToString(), binary=True)
        while True:
            left = timeout_s - (time.perf_counter() - start)
            raw = await asyncio.wait_for(ws.read_message(), max(left, 0.01))
            if raw is None:
                break
            # Reader-typed values are escaped for Markdown (dashboard/ui/plaintext.py):
            # undo the escapes and word joiners so the markers match the text as shown.
            text = raw.decode(errors="replace").replace("\\", "").replace("\u2060", "")
            for kind, marker in OUTCOMES.items():
                found = re.search(re.escape(marker) + r"[^\x00-\x1f\ufffd]*", text)
                if found:
                    outcome.kind = kind
                    outcome.error = "" if kind == "finished" else found.group(0)[:200]
            if "Traceback" in text or "stException" in text:
                outcome.kind, outcome.error = "exception", "exception"
            message = ForwardMsg()
            message.ParseFromString(raw)
            if message.WhichOneof("type") == "script_finished":
                break
        ws.close()
    except (TimeoutError, OSError) as err:
        outcome.kind, outcome.error = "timeout", f"{type(err).__name__}"
    outcome.seconds = time.perf_counter() - start
    return outcome


HOME_TEXT = "1. The textbook U"  # the first stop's heading: Home's text is on screen
HOME_CHARTS = 6  # the guided tour's charts


async def home_visit(browser, base: str, timeout_ms: float) -> dict[str, float]:
    """One visit to Home in a fresh browser context: seconds from navigation to its text
    (the first stop's heading), to its first chart drawn and to all its charts drawn
    (inf when it did not get there in time, or showed an exception)."""
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    times = {"text": float("inf"), "first_chart": float("inf"), "all_charts": float("inf")}
    try:
        start = time.perf_counter()
        await page.goto(f"{base}/", timeout=timeout_ms, wait_until="domcontentloaded")
        await page.get_by_text(HOME_TEXT).first.wait_for(timeout=timeout_ms)
        times["text"] = time.perf_counter() - start
        for name, count in (("first_chart", 1), ("all_charts", HOME_CHARTS)):
            await page.wait_for_function(
                f"() => ({CHART_MARKS_JS})().filter(c => c.drawn > 0).length >= {count}",
                polling=100, timeout=timeout_ms)
            times[name] = time.perf_counter() - start
        if await page.locator("[data-testid=stException]").count():
            times = dict.fromkeys(times, float("inf"))
    except Exception:  # a timeout or navigation failure counts as never drawn
        pass
    finally:
        await context.close()
    return times


async def home_reader(browser, base: str, until: asyncio.Event,
                      timeout_ms: float) -> list[dict[str, float]]:
    """Opens Home again and again while the storm lasts (home_visit's times each time)."""
    visits = []
    while not until.is_set():
        visits.append(await home_visit(browser, base, timeout_ms))
        await asyncio.sleep(0.5)
    return visits


async def home_script_reader(base: str, until: asyncio.Event, timeout_s: float) -> list[float]:
    """Asks for Home on the websocket again and again while the storm lasts: the server's
    time for Home (request to script finished), without a browser's share of the CPU."""
    times = []
    while not until.is_set():
        outcome = await heavy_session(base, "", timeout_s)
        times.append(float("inf") if outcome.error else outcome.seconds)
        await asyncio.sleep(0.5)
    return times


QUIET_VISITS = 3  # Home in the browser before the storm, for comparison


async def drive_storm(base: str, links: list[str], timeout_ms: float):
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=shutil.which("chromium"),
                                           args=CHROMIUM_FLAGS)
        try:
            first = await home_visit(browser, base, timeout_ms)  # the server's first visitor
            quiet = [await home_visit(browser, base, timeout_ms) for _ in range(QUIET_VISITS)]
            done = asyncio.Event()
            reader = asyncio.create_task(home_reader(browser, base, done, timeout_ms))
            scripted = asyncio.create_task(home_script_reader(base, done, timeout_ms / 1000))
            await asyncio.sleep(0.5)
            outcomes = await asyncio.gather(*(heavy_session(base, p,
                                                            timeout_ms / 1000) for p in links))
            done.set()
            return outcomes, first, quiet, await reader, await scripted
        finally:
            await browser.close()


def storm(links: list[str] = HEAVY_LINKS, timeout_s: float = 300) -> dict:
    """Ten heavy links at once against a fresh server, with Home read throughout."""
    proc, base = local_server.start()
    peaks = {"server": 0.0, "runs": 0.0}
    health: list[float] = []
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            server, runs = process_tree_rss_mb(proc.pid)
            peaks["server"], peaks["runs"] = max(peaks["server"], server), max(peaks["runs"], runs)
            start = time.perf_counter()
            try:  # the server's own event loop, without a browser's share of the CPU
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=30):
                    health.append(time.perf_counter() - start)
            except OSError:
                health.append(float("inf"))
            time.sleep(0.3)

    sampler = threading.Thread(target=sample, daemon=True)
    load_start = os.getloadavg()[0]
    try:
        rss_idle = peak_rss_mb(proc.pid)
        sampler.start()
        start, cpu_start = time.perf_counter(), cpu_seconds(proc.pid)
        outcomes, first, quiet, home, home_script = asyncio.run(
            drive_storm(base, list(links), timeout_s * 1000))
        wall, server_cpu = time.perf_counter() - start, cpu_seconds(proc.pid) - cpu_start
        stop.set()
        sampler.join()
        rss_peak = peak_rss_mb(proc.pid)
    finally:
        stop.set()
        local_server.stop(proc)
    return {"outcomes": outcomes, "home_first": first, "home_quiet": quiet, "home": home,
            "home_script_s": home_script, "health_s": health, "wall_s": wall,
            "server_cpu_s": server_cpu, "load_start": load_start,
            "load_average": os.getloadavg()[0], "rss_idle_mb": rss_idle,
            "rss_peak_mb": rss_peak, "runs_peak_mb": peaks["runs"],
            "errors": [o for o in outcomes if o.kind in ("exception", "timeout")]}


def spread(values: list[float], scale: float = 1.0, digits: int = 1) -> str:
    """"p50 / p95 / max" of `values` times `scale`."""
    if not values:
        return "none"
    return " / ".join(f"{v * scale:.{digits}f}" for v in (
        percentile(values, 0.5), percentile(values, 0.95), max(values)))


def storm_table(result: dict) -> str:
    lines = ["| heavy link | outcome | seconds |", "|---|---|---|"]
    lines += [f"| /{o.url} | {o.kind}{': ' + o.error if o.error else ''} | {o.seconds:.1f} |"
              for o in result["outcomes"]]
    home, quiet, first = result["home"], result["home_quiet"], result["home_first"]
    lines += ["", "| figure (p50 / p95 / max) | value |", "|---|---|",
              f"| Home's script on the server during the storm (websocket, no browser; "
              f"{len(result['home_script_s'])} loads) | "
              f"{spread(result['home_script_s'], digits=2)} s |"]
    for name, key in (("text", "text"), ("first chart", "first_chart"),
                      ("all six charts", "all_charts")):
        lines += [f"| Home in Chromium, to its {name}: during the storm ({len(home)} loads) | "
                  f"{spread([v[key] for v in home])} s |",
                  f"| ... quiet, before the storm ({len(quiet)} loads; the server's first "
                  f"visitor) | {spread([v[key] for v in quiet])} s ({first[key]:.1f} s) |"]
    lines += [f"| server health endpoint during the storm | "
              f"{spread(result['health_s'], 1000, 0)} ms |",
              f"| server RSS idle -> peak (VmHWM) | {result['rss_idle_mb']:.0f} -> "
              f"{result['rss_peak_mb']:.0f} MB |",
              f"| run processes + forkserver, peak summed RSS | {result['runs_peak_mb']:.0f} MB |",
              f"| wall time of the storm / CPU time of the server process | "
              f"{result['wall_s']:.1f} / {result['server_cpu_s']:.1f} s |",
              f"| machine load average (1 min) at the start / at the end | "
              f"{result['load_start']:.1f} / {result['load_average']:.1f} |"]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=24)
    parser.add_argument("--runs-fraction", type=float, default=0.5)
    parser.add_argument("--seeds", type=int, default=5, help="seeds per on-demand run")
    parser.add_argument("--storm", action="store_true", help="ten heavy links at once instead")
    args = parser.parse_args()
    if args.storm:
        result = storm()
        print(storm_table(result))
        return 1 if result["errors"] else 0
    result = load_test(args.sessions, args.runs_fraction, args.seeds)
    print(table(result))
    for o in result["errors"]:
        print(f"ERROR {o.kind} /{o.url}: {o.error}", file=sys.stderr)
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
