"""Server-wide admission for on-demand runs: a few at a time, a short queue, the rest turned away.

One dashboard process serves every visitor, so every on-demand computation goes through
one `Gate`: at most `slots` runs at once (each in its own limited child process, see
experiments/isolated.py), at most `max_waiting` visitors queued behind them with their
position shown, and anyone beyond that told the lab is busy. A visitor who leaves or
changes the settings gives the slot back at once (the caller closes its `Job` in a
`finally`). Nothing here knows about the dashboard: a page drives a `Job` by iterating
`follow()` and drawing each `Status`.

    with admission.submit("polynomial", params, n_seeds) as job:
        for status in job.follow():
            show(status)
        frame, provenance = job.result()
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from experiments.framework import registry
from experiments.framework.isolated import Child, Limits, RunStopped

__all__ = ["Busy", "Gate", "Job", "RunStopped", "Status", "GATE", "held", "limits_for", "submit"]

SLOTS = int(os.environ.get("DESCENT_LAB_RUN_SLOTS", "2"))
MAX_WAITING = int(os.environ.get("DESCENT_LAB_RUN_QUEUE", "4"))
HARD_LIMIT_FACTOR = 2.0  # a run may take twice its experiment's cap before it is killed


class Busy(RunStopped):
    """Every slot is taken and the queue is full."""


@dataclass(frozen=True)
class Status:
    state: str  # "queued" or "running"
    position: int = 0  # 1 = next in line (queued only)
    fraction: float = 0.0
    text: str = ""
    elapsed: float = 0.0


class Gate:
    """Slots plus a first-come queue; thread-safe (each dashboard session is a thread)."""

    def __init__(self, slots: int = SLOTS, max_waiting: int = MAX_WAITING):
        if slots < 1 or max_waiting < 0:
            raise ValueError("a gate needs at least one slot and a non-negative queue")
        self.slots, self.max_waiting = slots, max_waiting
        self._lock = threading.Lock()
        self._running: list[object] = []
        self._waiting: list[object] = []

    def join(self) -> object:
        """A token that is admitted at once or queued; Busy if the queue is full."""
        with self._lock:
            if len(self._running) >= self.slots and len(self._waiting) >= self.max_waiting:
                raise Busy(f"the lab is busy ({len(self._running)} running, "
                           f"{len(self._waiting)} waiting); please try again in a minute")
            token = object()
            self._waiting.append(token)
            self._promote()
            return token

    def position(self, token: object) -> int:
        """0 once admitted, else the place in the queue (1 = next)."""
        with self._lock:
            return self._waiting.index(token) + 1 if token in self._waiting else 0

    def leave(self, token: object) -> None:
        with self._lock:
            for group in (self._running, self._waiting):
                if token in group:
                    group.remove(token)
            self._promote()

    def load(self) -> tuple[int, int]:
        """(running, waiting) right now."""
        with self._lock:
            return len(self._running), len(self._waiting)

    def _promote(self) -> None:
        while self._waiting and len(self._running) < self.slots:
            self._running.append(self._waiting.pop(0))


class Job:
    """One on-demand run from the queue to its result. Close it (or use `with`) to give the
    slot back and kill the child whatever happened."""

    def __init__(self, gate: Gate, experiment_id: str, params: dict, n_seeds: int,
                 limits: Limits):
        self._gate, self.limits = gate, limits
        self._request = (experiment_id, params, n_seeds)
        self._token = gate.join()
        self._child: Child | None = None

    def follow(self, poll_seconds: float = 0.25) -> Iterator[Status]:
        """Statuses every `poll_seconds` while queued or running; ends when the child exits."""
        while True:
            position = self._gate.position(self._token)
            if position:
                yield Status("queued", position)
            else:
                if self._child is None:
                    try:
                        self._child = Child(*self._request, self.limits)
                    except OSError as err:
                        raise RunStopped(
                            f"could not start a run process ({err.strerror})") from None
                if not self._child.running():
                    return
                child = self._child
                yield Status("running", 0, child.fraction, child.text, child.elapsed)
            time.sleep(poll_seconds)

    @property
    def partial_seeds(self) -> int:
        """Seeds in the partial result so far (0: none yet)."""
        return self._child.partial_seeds if self._child is not None else 0

    def partial(self):
        """The Result of the seeds finished so far, or None."""
        return self._child.partial() if self._child is not None else None

    def result(self):
        """(frame, provenance); RunStopped with a one-line reason if there is none (its
        `partial` holds the seeds finished before a stop)."""
        if self._child is None:
            raise RunStopped("the run never started")
        return self._child.result()

    def close(self) -> None:
        try:
            if self._child is not None:
                self._child.close()
        finally:
            self._gate.leave(self._token)

    def __enter__(self) -> Job:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


GATE = Gate()


@contextmanager
def held(gate: Gate | None = None) -> Iterator[None]:
    """A slot for in-process work that cannot wait in line (a live training loop that
    draws as it goes): taken for the block if one is free now, else Busy."""
    gate = gate or GATE
    token = gate.join()
    try:
        if gate.position(token):
            raise Busy("the lab is busy with other runs; please try again in a minute")
        yield
    finally:
        gate.leave(token)


def limits_for(experiment_id: str) -> Limits:
    return Limits(wall_seconds=HARD_LIMIT_FACTOR * registry.get(experiment_id).budget_seconds)


def submit(experiment_id: str, params: dict, n_seeds: int, limits: Limits | None = None,
           gate: Gate | None = None) -> Job:
    """Queue a run through the server-wide gate; Busy if it cannot even queue."""
    return Job(gate or GATE, experiment_id, params, n_seeds, limits or limits_for(experiment_id))
