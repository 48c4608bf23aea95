"""Test order for `-n N --dist worksteal`: the longest tests start first on every worker.

Worksteal hands each worker one contiguous chunk of the collected items (N chunks of
equal count), and an idle worker later steals the tail of a busy worker's chunk. So the
items are dealt into N chunks of those sizes, balanced by expected seconds, each chunk
heaviest module first: no worker starts its last browser test while the other is idle,
and what is left to steal at the end is quick tests. A module's tests stay together
(its module-scoped fixtures, e.g. a science run or a browser tab, are set up once).

Expected seconds come from the last run's durations (pytest's cache, written by the
controller at the end of a run) and, for tests it has not seen, from their markers.
"""
from __future__ import annotations

from collections import defaultdict

CACHE_KEY = "descent_lab/durations"
DEFAULT_SECONDS = {"load": 30.0, "browser": 8.0, "slow": 5.0}
QUICK_SECONDS = 0.1


def expected_seconds(item, known: dict[str, float]) -> float:
    if item.nodeid in known:
        return known[item.nodeid]
    for marker, seconds in DEFAULT_SECONDS.items():
        if item.get_closest_marker(marker):
            return seconds
    return QUICK_SECONDS


def chunk_sizes(count: int, workers: int) -> list[int]:
    """The chunk sizes worksteal's first distribution gives (xdist.scheduler.worksteal)."""
    sizes, left = [], count
    for i in range(workers):
        sizes.append(left // (workers - i))
        left -= sizes[-1]
    return sizes


def order(items: list, workers: int, known: dict[str, float]) -> list:
    modules: dict[str, list] = defaultdict(list)
    for item in items:
        modules[item.nodeid.split("::")[0]].append(item)
    blocks = sorted(modules.values(), reverse=True,
                    key=lambda block: sum(expected_seconds(i, known) for i in block))
    room = chunk_sizes(len(items), max(workers, 1))
    chunks: list[list] = [[] for _ in room]
    seconds = [0.0] * len(room)
    for block in blocks:
        while block:
            j = min((j for j in range(len(room)) if room[j]), key=lambda j: seconds[j])
            part, block = block[:room[j]], block[room[j]:]
            chunks[j] += part
            room[j] -= len(part)
            seconds[j] += sum(expected_seconds(i, known) for i in part)
    return [item for chunk in chunks for item in chunk]


class Recorder:
    """Collects each test's setup + call + teardown seconds; saved when the run ends."""

    def __init__(self, cache):
        self.cache = cache
        self.seconds: dict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report):
        self.seconds[report.nodeid] += report.duration

    def pytest_sessionfinish(self):
        self.cache.set(CACHE_KEY, {**self.cache.get(CACHE_KEY, {}), **self.seconds})
