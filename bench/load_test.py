"""Concurrent readers: many browser sessions at once against one `streamlit run`.

    python bench/load_test.py [--sessions 24] [--runs-fraction 0.5] [--seeds 5]

Half the sessions (by default) open a permalink that runs polynomial on demand, each
with its own max_degree, and check that the provenance command they are shown is their
own (sessions never see each other's parameters); the rest view the registered pages.
Reports errors, p50/p95 time to first chart and the server's peak RSS (VmHWM).
"""
from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from dashboard import local_server  # noqa: E402
from tests.browser_helpers import CHART_MARKS_JS  # noqa: E402

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


def plan(sessions: int, runs_fraction: float, seeds: int, pages: list[str]) -> list[tuple[str, str, int]]:
    """(kind, url path + query, max_degree or 0) per session; run degrees are distinct."""
    n_runs = round(sessions * runs_fraction)
    out = [("run", f"polynomial?max_degree={40 + 7 * i}&seeds={seeds}&run=1", 40 + 7 * i)
           for i in range(n_runs)]
    out += [("view", pages[i % len(pages)], 0) for i in range(sessions - n_runs)]
    return out


async def one_session(browser, base: str, kind: str, path: str, degree: int, timeout_ms: float) -> Outcome:
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    outcome = Outcome(kind, path)
    try:
        start = time.perf_counter()
        await page.goto(f"{base}/{path}", timeout=timeout_ms, wait_until="domcontentloaded")
        await page.wait_for_function(
            f"() => ({CHART_MARKS_JS})().filter(c => c.drawn > 0).length >= 1", polling=250, timeout=timeout_ms)
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
        browser = await pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
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
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def load_test(sessions: int = 24, runs_fraction: float = 0.5, seeds: int = 5,
              pages: list[str] | None = None, timeout_s: float = 120) -> dict:
    """Start a server, run all sessions at once, stop the server; return the figures."""
    from experiments import registry

    pages = pages or list(registry.experiments())
    proc, base = local_server.start()
    try:
        rss_idle = peak_rss_mb(proc.pid)
        outcomes, wall = asyncio.run(drive(base, plan(sessions, runs_fraction, seeds, pages), timeout_s * 1000))
        rss_peak = peak_rss_mb(proc.pid)
    finally:
        local_server.stop(proc)
    times = [o.seconds for o in outcomes if not o.error]
    by_kind = {k: [o.seconds for o in outcomes if o.kind == k and not o.error] for k in ("view", "run")}
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
            ("time to first chart p50 / p95, all", f"{result['p50_s']:.1f} / {result['p95_s']:.1f} s"),
            ("  page views p50 / p95", f"{result['view_p50_s']:.1f} / {result['view_p95_s']:.1f} s"),
            ("  on-demand runs p50 / p95", f"{result['run_p50_s']:.1f} / {result['run_p95_s']:.1f} s"),
            ("wall time for the whole crowd", f"{result['wall_s']:.1f} s"),
            ("server RSS idle -> peak (VmHWM)", f"{result['rss_idle_mb']:.0f} -> {result['rss_peak_mb']:.0f} MB")]
    lines = ["| figure | value |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=24)
    parser.add_argument("--runs-fraction", type=float, default=0.5)
    parser.add_argument("--seeds", type=int, default=5, help="seeds per on-demand run")
    args = parser.parse_args()
    result = load_test(args.sessions, args.runs_fraction, args.seeds)
    print(table(result))
    for o in result["errors"]:
        print(f"ERROR {o.kind} /{o.url}: {o.error}", file=sys.stderr)
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
