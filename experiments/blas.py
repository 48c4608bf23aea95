"""One busy BLAS thread pool at a time.

pip wheels of numpy and scipy each bundle their own OpenBLAS, and each keeps its
worker threads spinning for a while after a call. Code that alternates numpy products
with scipy factorizations (the sweep solver does, per width) makes the two pools fight
over the same cores: on 2 cores the sweep ran 2.5x slower. Inside
`numpy_pool_only()` every other BLAS runs on the calling thread, so numpy's pool keeps
the large products parallel and nothing else spins. Where numpy and scipy share one
BLAS (conda, distribution packages) there is nothing to separate.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController

_NUMPY_DIRS = tuple(str(Path(np.__file__).resolve().parent) + suffix for suffix in ("", ".libs"))


def _other_pools():
    controllers = ThreadpoolController().select(user_api="blas").lib_controllers
    others = [c for c in controllers if not str(Path(c.filepath).resolve()).startswith(_NUMPY_DIRS)]
    return others if len(others) < len(controllers) else []


class _Limiter:
    """Reference-counted, so overlapping sweeps (two dashboard sessions) restore the
    original thread counts only when the last one leaves."""

    def __init__(self):
        self._lock = threading.Lock()
        self._active = 0
        self._saved: list = []

    def enter(self) -> None:
        with self._lock:
            if self._active == 0:
                others = _other_pools()
                self._saved = [(c, c.num_threads) for c in others]
                for controller in others:
                    controller.set_num_threads(1)
            self._active += 1

    def leave(self) -> None:
        with self._lock:
            self._active -= 1
            if self._active == 0:
                for controller, threads in self._saved:
                    controller.set_num_threads(threads)
                self._saved = []


_LIMITER = _Limiter()


@contextmanager
def numpy_pool_only():
    """Run every non-numpy BLAS single-threaded for the duration of the block."""
    _LIMITER.enter()
    try:
        yield
    finally:
        _LIMITER.leave()
