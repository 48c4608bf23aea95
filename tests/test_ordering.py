"""The suite's own order (tests/ordering.py): every worker's chunk starts with its longest
module, chunks have worksteal's sizes and balanced seconds, modules stay together."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests import ordering


def item(module: str, name: str, marker: str | None = None):
    return SimpleNamespace(nodeid=f"tests/{module}.py::{name}",
                           get_closest_marker=lambda wanted: wanted if wanted == marker else None)


def suite():
    quick = [item(f"quick{m}", f"t{i}") for m in range(6) for i in range(30)]
    return (quick + [item("pages", f"t{i}", "browser") for i in range(12)]
            + [item("storm", "t", "load")] + [item("science", f"t{i}", "slow") for i in range(8)])


def test_chunk_sizes_are_the_first_worksteal_distribution():
    assert ordering.chunk_sizes(7, 2) == [3, 4]
    assert ordering.chunk_sizes(10, 3) == [3, 3, 4]
    assert sum(ordering.chunk_sizes(991, 4)) == 991


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_each_chunk_starts_heavy_and_ends_quick(workers):
    items, known = suite(), {}
    ordered = ordering.order(items, workers, known)
    assert sorted(i.nodeid for i in ordered) == sorted(i.nodeid for i in items)
    start, seconds = 0, []
    for size in ordering.chunk_sizes(len(ordered), workers):
        chunk = [ordering.expected_seconds(i, known) for i in ordered[start:start + size]]
        assert chunk[0] >= 5.0 and chunk[-1] == ordering.QUICK_SECONDS
        seconds.append(sum(chunk))
        start += size
    assert max(seconds) - min(seconds) <= 12 * 8.0  # at most the largest module apart


def test_modules_stay_together_and_measured_durations_win():
    items = suite()
    known = {"tests/quick3.py::t0": 500.0}  # last run: this module was the longest
    ordered = ordering.order(items, 2, known)
    assert ordered[0].nodeid == "tests/quick3.py::t0"
    modules = [i.nodeid.split("::")[0] for i in ordered]
    runs = [m for k, m in enumerate(modules) if k == 0 or modules[k - 1] != m]
    assert len(runs) <= len(set(modules)) + 1  # at most one module split between chunks
