"""Results for the pages: shipped files and on-demand runs, through caches bounded in bytes.

Streamlit's own caches are bounded in entries, not bytes (one 94-seed result is ~37 MB),
and any websocket client can wipe them for every visitor with a `clear_cache` message
(streamlit 1.67 does not gate it). So results live in `ByteLRU`s owned by this module:
shared by all sessions, bounded in bytes, out of reach of `clear_cache`, and handing out
copies so that no session can change what another one sees. On-demand runs go through
the server-wide admission gate (experiments/admission.py): a child process with hard
limits, a short queue, and the progress drawn here, outside any cached function.

What pages derive from a result (claims, fits, summary frames, Vega-Lite specs) lives in
`DERIVED`, on the same terms: `memo(fn, *args)` computes it once per distinct input for
every session, so a page rerun after a control change only draws.
"""
from __future__ import annotations

import copy
import hashlib
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import web_runs
from experiments.framework import admission, store
from experiments.framework.admission import RunStopped
from experiments.framework.provenance import Result
from experiments.framework.store import StoreError

MB = 2**20


class ByteLRU:
    """Thread-safe least-recently-used map of (frame, provenance) bounded in bytes.

    The newest entry is always kept, even alone over the bound, so a result that was
    just computed can be shown."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._items: OrderedDict = OrderedDict()
        self.nbytes = 0

    @staticmethod
    def size(value: Result) -> int:
        return int(value[0].memory_usage(deep=True, index=True).sum())

    @staticmethod
    def copied(value: Result) -> Result:
        return Result(value[0].copy(deep=True), copy.deepcopy(value[1]))

    def get(self, key, default=None) -> Result | None:
        with self._lock:
            if key not in self._items:
                return default
            self._items.move_to_end(key)
            value = self._items[key][0]
        return self.copied(value)

    def put(self, key, value: Result) -> None:
        owned = self.copied(value)
        size = self.size(owned)
        with self._lock:
            if key in self._items:
                self.nbytes -= self._items.pop(key)[1]
            self._items[key] = (owned, size)
            self.nbytes += size
            while self.nbytes > self.max_bytes and len(self._items) > 1:
                self.nbytes -= self._items.popitem(last=False)[1][1]

    def __contains__(self, key) -> bool:
        with self._lock:
            return key in self._items

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.nbytes = 0


SHIPPED = ByteLRU(64 * MB)  # every shipped file together takes ~10 MB in memory
RUNS = ByteLRU(256 * MB)
MISSING = object()


def nbytes(value, depth: int = 0) -> int:
    """Approximate memory held by a derived value: frames, arrays, containers, objects."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return int(np.sum(value.memory_usage(deep=True, index=True)))
    if isinstance(value, np.ndarray):
        return value.nbytes
    if depth > 8:
        return sys.getsizeof(value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(nbytes(k, depth + 1) + nbytes(v, depth + 1)
                                          for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return sys.getsizeof(value) + sum(nbytes(v, depth + 1) for v in value)
    if hasattr(value, "__dict__"):
        return sys.getsizeof(value) + nbytes(vars(value), depth + 1)
    return sys.getsizeof(value)


class ValueLRU(ByteLRU):
    """A ByteLRU of any derived value, deep-copied in and out; `get` returns `default`
    (MISSING) on a miss, since None is a value a derivation may return."""

    size = staticmethod(nbytes)
    copied = staticmethod(copy.deepcopy)

    def get(self, key, default=MISSING):
        return super().get(key, default)


DERIVED = ValueLRU(128 * MB)


def fingerprint(value):
    """A hashable cache-key part: frames by a digest of their content, functions by name,
    containers element by element, anything unhashable by its repr."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        digest = hashlib.blake2b(digest_size=16)
        digest.update(repr((list(frame.columns), [str(t) for t in frame.dtypes])).encode())
        try:
            digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        except TypeError:  # a column of unhashable objects
            digest.update(frame.to_json().encode())
        return ("frame", frame.shape, digest.hexdigest())
    if callable(value) and hasattr(value, "__qualname__"):
        return ("callable", value.__module__, value.__qualname__)
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), fingerprint(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(fingerprint(v) for v in value))
    try:
        hash(value)
    except TypeError:
        return ("repr", repr(value))
    return value


def cached(key, compute: Callable[[], object]):
    """`compute()` once per `key` (hashable, naming every input of the value) for every
    session, kept in the byte-bounded DERIVED cache and handed out as a copy. With a
    None key (an input without a stable identity) it is simply computed."""
    if key is None:
        return compute()
    value = DERIVED.get(key)
    if value is MISSING:
        value = compute()
        DERIVED.put(key, value)
    return value


_COMPUTING: dict = {}
_COMPUTING_LOCK = threading.Lock()


def cached_once(key, compute: Callable[[], object]):
    """`cached`, computed by one thread at a time per key: a session (or the warm-up) that
    asks while another computes the same value waits for it instead of doing it twice."""
    value = DERIVED.get(key)
    if value is not MISSING:
        return value
    with _COMPUTING_LOCK:
        lock = _COMPUTING.setdefault(key, threading.Lock())
    with lock:
        try:
            return cached(key, compute)
        finally:
            with _COMPUTING_LOCK:
                _COMPUTING.pop(key, None)


_WARM_UP: list[threading.Thread] = []


def warm_up(tasks: tuple[Callable[[], object], ...], pause: float = 0.0) -> threading.Thread:
    """Run `tasks` in order, once per server process, in a background thread, so that
    the first visitors find their pages' values computed; the caller (the first script
    run) does not wait. `pause` seconds between tasks leave the CPU to the first visitor
    meanwhile. A task that fails is skipped: its page then reports the problem to its
    visitor, as it would without the warm-up."""
    def run() -> None:
        for number, task in enumerate(tasks):
            time.sleep(pause if number else 0.0)
            try:
                task()
            except Exception:  # the page itself shows the error, with the fix
                continue

    with _COMPUTING_LOCK:
        if not _WARM_UP:
            _WARM_UP.append(threading.Thread(target=run, name="descent-lab-warm-up",
                                             daemon=True))
            _WARM_UP[0].start()
    return _WARM_UP[0]


def memo(fn: Callable, *args, **kwargs):
    """`fn(*args, **kwargs)` through `cached`, keyed by the function's name and a
    fingerprint of the arguments: `fn` must be a pure module-level function."""
    key = (fingerprint(fn), fingerprint(args), fingerprint(kwargs))
    return cached(key, lambda: fn(*args, **kwargs))


def shipped_identity(experiment_id: str, columns: tuple[str, ...] = ()) -> tuple | None:
    """What names a version of a shipped file (path, size, modification time), or None
    when it cannot be read."""
    path = store.paths(experiment_id)[0]
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_size, stat.st_mtime_ns, tuple(columns))


def from_shipped(experiment_id: str, fn: Callable, *args, columns: tuple[str, ...] = ()):
    """`fn(frame, provenance, *args)` on the shipped result, computed once per version of
    the file, so that on a hit the frame is neither copied nor hashed. Raises StoreError
    with the fix, like `load_shipped`."""
    identity = shipped_identity(experiment_id, columns)
    key = None if identity is None else ("shipped", identity, fingerprint(fn), fingerprint(args))
    return cached(key, lambda: fn(*load_shipped(experiment_id, columns), *args))


def load_shipped(experiment_id: str, columns: tuple[str, ...] = ()) -> Result:
    """The precomputed result from data/; raises StoreError with the fix if unusable,
    including when it lacks `columns` (read by a view of another experiment's data)
    or those its own page reads.

    Keyed by the file's path, size and modification time, so a regenerated file is
    picked up without a restart."""
    identity = shipped_identity(experiment_id, columns)
    if identity is None:
        return store.load(experiment_id, columns=columns)  # raises the StoreError with the fix
    hit = SHIPPED.get(identity)
    if hit is not None:
        return hit
    result = store.load(experiment_id, columns=columns)
    SHIPPED.put(identity, result)
    return result


def frozen(params: dict) -> tuple:
    """Params as a hashable, order-independent cache key."""
    return tuple(sorted(params.items()))


class OwnRun:
    """A session's own run: a key into the shared byte-bounded cache, not a copy of the
    data (sessions would otherwise multiply the memory). Indexes and unpacks like the
    Result (frame, provenance); StoreError if the cache has since dropped it."""

    def __init__(self, experiment_id: str, params: tuple, n_seeds: int):
        self.experiment_id, self.params, self.n_seeds = experiment_id, params, n_seeds
        self.key = (experiment_id, params, n_seeds)

    def available(self) -> bool:
        return self.key in RUNS

    def get(self) -> Result:
        result = RUNS.get(self.key)
        if result is None:
            raise StoreError("this run was dropped from the server's memory; press Run to "
                             "compute it again")
        return result

    @property
    def partial(self) -> bool:
        return False

    def __getitem__(self, index: int):
        return self.get()[index]

    def __iter__(self):
        return iter(self.get())


class PartialRun(OwnRun):
    """The seeds a run finished before it was stopped or cancelled (or so far)."""

    def __init__(self, experiment_id: str, params: tuple, n_seeds: int):
        super().__init__(experiment_id, params, n_seeds)
        self.key = (experiment_id, params, n_seeds, "partial")

    @property
    def partial(self) -> bool:
        return True


PARTIAL_FROM_SECONDS = 1.0  # shorter runs show only their final result


def keep_partial(experiment_id: str, params: tuple, n_seeds: int, result: Result) -> PartialRun:
    partial = PartialRun(experiment_id, params, n_seeds)
    RUNS.put(partial.key, result)
    return partial


def run_on_demand(experiment_id: str, params, n_seeds: int,
                  _progress: Callable[[float, str], None] | None = None,
                  _partial: Callable[[PartialRun], None] | None = None) -> OwnRun:
    """Run with validated params (a dict or `frozen` items) through the admission gate.

    The same settings are instant next time. `_progress(fraction, text)` is called about
    four times a second while queued or running, and `_partial(run)` whenever more seeds
    have finished (from PARTIAL_FROM_SECONDS into the run); when the script is stopped
    (the visitor reruns, cancels or leaves) the exception raised in it ends the loop and
    the `with` kills the child. Raises RunStopped (admission.Busy included) with a
    one-line reason and, if seeds finished, `partial` set to their PartialRun."""
    frozen_params = params if isinstance(params, tuple) else frozen(params)
    own = OwnRun(experiment_id, frozen_params, n_seeds)
    if own.available():
        return own
    report = _progress or (lambda fraction, text: None)
    shown = 0
    with admission.submit(experiment_id, dict(frozen_params), n_seeds) as job:
        for status in job.follow():
            if status.state == "queued":
                report(0.0, f"waiting for a free slot: position {status.position} in the queue")
                continue
            report(min(status.fraction, 1.0),
                   f"{status.text} ({status.elapsed:.0f} s, limit "
                   f"{job.limits.wall_seconds:.0f} s)")
            if (_partial is not None and job.partial_seeds > shown
                    and status.elapsed >= PARTIAL_FROM_SECONDS):
                result = job.partial()
                if result is not None:
                    shown = job.partial_seeds
                    _partial(keep_partial(experiment_id, frozen_params, n_seeds, result))
        try:
            result = job.result()
        except RunStopped as err:
            if err.partial is not None:
                err.partial = keep_partial(experiment_id, frozen_params, n_seeds, err.partial)
            raise
    run_id = web_runs.save(result)  # as DESCENT_LAB_WEB_RUNS says; the id goes on the page
    if run_id is not None:
        result.provenance["run_id"] = run_id
    RUNS.put(own.key, result)
    return own


def run_with_display(experiment_id: str, params: dict, n_seeds: int,
                     draw: Callable[[Result], None] | None = None,
                     cancel_key: str | None = None) -> OwnRun | None:
    """`run_on_demand` with a progress bar; None after saying why there is no result.

    `draw(result)` draws the seeds finished so far under the bar while the run goes on;
    `cancel_key` adds a Cancel button (pressing it reruns the page, which stops the run;
    the page then finds `st.session_state[cancel_key]` set and the partial result in
    `st.session_state[cancel_key + ".partial"]`). A run stopped at its time or memory
    limit returns the seeds it finished, after saying why it stopped."""
    bar, cancel, chart = st.progress(0.0, text="starting"), st.empty(), st.empty()
    if cancel_key:
        st.session_state.pop(cancel_key + ".partial", None)
        cancel.button("Cancel run", key=cancel_key + ".button",
                      on_click=st.session_state.__setitem__, args=(cancel_key, True))

    def show_partial(partial: PartialRun) -> None:
        if cancel_key:
            st.session_state[cancel_key + ".partial"] = partial
        if draw is not None:
            with chart.container():
                draw(partial.get())

    try:
        own = run_on_demand(experiment_id, params, n_seeds,
                            _progress=lambda f, text: bar.progress(f, text=text),
                            _partial=show_partial)
    except RunStopped as err:
        for element in (bar, cancel, chart):
            element.empty()
        if err.partial is not None:
            st.warning(f"No full result: {err}.")
            return err.partial
        st.error(f"No result: {err}")
        return None
    for element in (bar, cancel, chart):
        element.empty()
    return own


def derived_or_message(experiment_id: str, fn: Callable, *args, columns: tuple[str, ...] = ()):
    """`from_shipped`, or None after telling the reader what is wrong and the fix."""
    try:
        return from_shipped(experiment_id, fn, *args, columns=columns)
    except StoreError as err:
        st.error(f"The shipped {experiment_id} result is unavailable: {err}")
        return None


def shipped_or_message(experiment_id: str, columns: tuple[str, ...] = ()) -> Result | None:
    """The shipped result, or None after telling the reader what is wrong and the fix."""
    try:
        return load_shipped(experiment_id, columns)
    except StoreError as err:
        st.error(f"The shipped {experiment_id} result is unavailable: {err}")
        return None
