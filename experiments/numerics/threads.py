"""The one owner of BLAS thread counts in this process.

BLAS thread counts are process-wide, so two pieces of code that each save, change and
restore them undo each other when they overlap: with a save-and-restore block per
caller, two concurrent grokking runs left numpy's BLAS at one thread for the whole
server. Every change therefore goes through the reference-counted `_Limiter` below,
which records the original counts when the first block enters, applies the strictest
request of the blocks still active, and restores the originals when the last one
leaves, whatever the order of entry and exit.

Two requests exist:
- `numpy_pool_only()`: pip wheels of numpy and scipy each bundle their own OpenBLAS, and
  each keeps its worker threads spinning for a while after a call. Code that alternates
  numpy products with scipy factorizations (the sweep solver does, per width) makes the
  two pools fight over the same cores: on 2 cores the sweep ran 2.5x slower. Inside it
  every other BLAS runs on the calling thread while numpy's pool keeps the large
  products parallel. Where numpy and scipy share one BLAS there is nothing to separate.
- `single_threaded()`: every BLAS on the calling thread, for small matrices where extra
  threads only contend (the modular-arithmetic network).

On-demand runs of the dashboard run in child processes started with one BLAS thread
(experiments/isolated.py), so the server itself changes nothing for them.
"""
from __future__ import annotations

import functools
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController

_NUMPY_DIRS = tuple(str(Path(np.__file__).resolve().parent) + suffix for suffix in ("", ".libs"))


_scan = {"modules": -1, "pools": []}


def _blas_pools():
    """The loaded BLAS pools. Scanning costs ~4 ms (more than 10 epochs of a small net,
    and the grokking trainer enters once per logged step), so the scan is reused until
    new modules are imported, which is when a new BLAS library can appear."""
    if _scan["modules"] != len(sys.modules):
        _scan["pools"] = ThreadpoolController().select(user_api="blas").lib_controllers
        _scan["modules"] = len(sys.modules)
    return _scan["pools"]


def _is_numpy(controller) -> bool:
    return _in_numpy(controller.filepath)


@functools.cache
def _in_numpy(filepath: str) -> bool:
    """Cached: resolving the path costs file-system calls, on every block's entry and exit."""
    return str(Path(filepath).resolve()).startswith(_NUMPY_DIRS)


class _Limiter:
    """Reference counts per request; thread-safe, so overlapping dashboard sessions and
    joblib threads may enter and leave in any order."""

    def __init__(self):
        self._lock = threading.Lock()
        self._active = {"numpy_pool_only": 0, "single_threaded": 0}
        self._saved: list = []

    def enter(self, request: str) -> None:
        with self._lock:
            if not any(self._active.values()):
                self._saved = [(c, c.num_threads) for c in _blas_pools()]
            self._active[request] += 1
            self._apply()

    def leave(self, request: str) -> None:
        with self._lock:
            self._active[request] -= 1
            self._apply()
            if not any(self._active.values()):
                self._saved = []

    def _apply(self) -> None:
        pools = self._saved
        separate = any(_is_numpy(c) for c, _ in pools) and not all(_is_numpy(c) for c, _ in pools)
        for controller, original in pools:
            if self._active["single_threaded"]:
                wanted = 1
            elif self._active["numpy_pool_only"] and separate and not _is_numpy(controller):
                wanted = 1
            else:
                wanted = original
            if controller.num_threads != wanted:
                controller.set_num_threads(wanted)


_LIMITER = _Limiter()


@contextmanager
def _limited(request: str):
    _LIMITER.enter(request)
    try:
        yield
    finally:
        _LIMITER.leave(request)


def numpy_pool_only():
    """Run every non-numpy BLAS single-threaded for the duration of the block."""
    return _limited("numpy_pool_only")


def single_threaded():
    """Run every BLAS on the calling thread for the duration of the block."""
    return _limited("single_threaded")
