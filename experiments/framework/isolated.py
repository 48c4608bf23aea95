"""Run one experiment in a child process with hard limits that hold whatever the estimate said.

A cost estimate can be wrong (an input the model does not price, a loaded host), so a
run that serves strangers needs limits enforced by the operating system, not by the
estimate: the child gets one BLAS thread (extra threads only contend on a small shared
host), the lowest scheduling priority before its run starts (nice 19, SCHED_IDLE
and idle I/O: it runs on the CPU time page views leave over), a ceiling on the memory it
may add, and a wall-clock limit after which the parent kills it.

Children are forked from a warm parent: the multiprocessing "forkserver" of this process
(one per server or test worker, started on the first run), which preloads
experiments.framework.zygote (one BLAS thread, numpy, pandas, scipy, scikit-learn, warm
BLAS buffers), so a run starts in milliseconds instead of ~1.3 s of imports. Each child
leads its own process group (a kill reaches anything it starts) and writes its stderr to
the run's log. multiprocessing pickles the call's arguments (the request as plain JSON
data, paths as str, the progress pipe's end) to its own forkserver; nothing else crosses.
The child reports progress as JSON messages on that pipe and hands its result back as a
Parquet file written by the store (no pickled result). While it runs, it rewrites a
second Parquet file with the seeds done so far (at most every PARTIAL_SECONDS): a page
draws it, and a run that is stopped or cancelled keeps it.
"""
from __future__ import annotations

import errno
import json
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import popen_forkserver, spawn
from multiprocessing.connection import wait
from pathlib import Path

from experiments.framework.provenance import ROOT, plain
from experiments.framework.wording import count

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                    "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
WARM_IMPORTS = ("scipy.linalg", "scipy.stats", "sklearn.datasets", "sklearn.linear_model",
                "sklearn.neural_network", "sklearn.svm", "sklearn.ensemble", "sklearn.tree")
MEMORY_EXIT = 3  # the child's exit code when it hit its memory ceiling
REFUSED_EXIT = 2  # ... when the experiment layer refused the settings (ParamError)
PARTIAL_SECONDS = 0.5  # the partial result file is rewritten at most this often
STARTING = "starting a run process"
ZYGOTE = "experiments.framework.zygote"  # what the forkserver preloads


NICE_VARIABLE = "DESCENT_LAB_RUN_NICE"  # a run's priority, 0..19 (default 19: the hosted demo)


def run_nice() -> int:
    """The nice value of run children: $DESCENT_LAB_RUN_NICE if set (0..19), else 19
    (which adds SCHED_IDLE and idle I/O). A lower value lets runs make progress on a host
    whose cores are kept busy by other work (the test suite's parallel workers)."""
    try:
        return min(19, max(0, int(os.environ.get(NICE_VARIABLE, "19"))))
    except ValueError:
        return 19


@dataclass(frozen=True)
class Limits:
    """wall_seconds: killed after running this long; memory_mb: address space the run may
    add on top of what the imports take; nice: scheduling priority below the server's (at
    19 the child also takes the idle CPU and I/O classes);
    startup_seconds: the child may take this long to report its first progress (tens of
    ms from the warm forkserver on a quiet host, far more at nice 19 on a busy one: the
    run's own limit starts then)."""

    wall_seconds: float = 40.0
    memory_mb: int = 600
    nice: int = field(default_factory=lambda: run_nice())
    startup_seconds: float = 60.0


class RunStopped(RuntimeError):
    """The run did not produce a result; the message is one plain sentence for the reader.
    `partial`: the Result of the seeds it finished before it stopped, if any."""

    def __init__(self, message: str, partial=None):
        super().__init__(message)
        self.partial = partial


class Child:
    """One running child process: progress, result, and a kill that is safe to repeat."""

    def __init__(self, experiment_id: str, params: dict, n_seeds: int, limits: Limits):
        self.limits = limits
        self.fraction, self.text = 0.0, STARTING
        self.started = time.monotonic()
        self._folder = tempfile.TemporaryDirectory(prefix="descent-lab-run-")
        self._out = Path(self._folder.name) / "result.parquet"
        self.partial_seeds = 0  # seeds in the partial result file (0: none yet)
        self._log = open(Path(self._folder.name) / "stderr.txt", "w+b")
        self._error = ""
        self._killed_for = ""
        request = {"experiment": experiment_id, "params": plain(params), "seeds": n_seeds,
                   "memory_mb": limits.memory_mb, "nice": limits.nice,
                   "cpu_seconds": int(limits.wall_seconds) + 5}
        context = _forkserver()
        self._messages, sender = context.Pipe(duplex=False)
        self._proc = _RunProcess(target=_forked, daemon=True,
                                 args=(str(self._out), self._log.name, request, sender))
        try:
            with _POLL:
                self._proc.start()
        finally:
            sender.close()  # the child holds the only write end: EOF when it exits
        # The timers hold even when nobody polls (a page thread stuck elsewhere).
        self._timer = self._start_timer(limits.startup_seconds, "busy")
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _start_timer(self, seconds: float, reason: str) -> threading.Timer:
        timer = threading.Timer(seconds, self.kill, args=(reason,))
        timer.daemon = True
        timer.start()
        return timer

    def _read(self) -> None:
        while True:
            try:
                message = json.loads(self._messages.recv_bytes())
            except (EOFError, OSError):
                return
            except ValueError:
                continue
            if "error" in message:
                self._error = str(message["error"])
            elif "partial" in message:
                self.partial_seeds = int(message["partial"])
            else:
                if self.text == STARTING:  # started: the run's own limit starts now
                    self._timer.cancel()
                    self.started = time.monotonic()
                    self._timer = self._start_timer(self.limits.wall_seconds, "timeout")
                self.fraction, self.text = float(message["fraction"]), str(message["text"])

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def running(self) -> bool:
        return self._exitcode() is None

    def _exitcode(self, block: bool = False) -> int | None:
        """Negative for a signal. Read under _POLL: the forkserver reports each code once
        on the sentinel, and two threads reading it at once would lose it."""
        if block:
            wait([self._proc.sentinel])
        with _POLL:
            return self._proc.exitcode

    def kill(self, reason: str = "cancelled") -> None:
        if self._exitcode() is None:
            self._killed_for = self._killed_for or reason
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except ProcessLookupError:  # killed before its setsid: it started nothing yet
                try:
                    os.kill(self._proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._exitcode(block=True)

    def partial(self):
        """The Result of the seeds finished so far, or None before the first one."""
        from experiments.framework.store import StoreError, read_table

        if not self.partial_seeds:
            return None
        try:
            return read_table(partial_path(self._out))
        except (StoreError, OSError):
            return None

    def result(self):
        """The Result once the child has exited; RunStopped says why not (with the partial
        result, if seeds finished before it stopped)."""
        from experiments.framework.store import StoreError, read_table

        code = self._exitcode(block=True)
        self._timer.cancel()
        self._reader.join(timeout=5)
        partial = self.partial()
        kept = (f"; showing the {count(self.partial_seeds, 'seed')} it finished"
                if partial is not None else "")
        if self._killed_for == "busy":
            raise RunStopped(f"the server was too busy to start the run within "
                             f"{self.limits.startup_seconds:.0f} s (load average "
                             f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); please try "
                             "again in a minute")
        if self._killed_for == "timeout" or code == -signal.SIGXCPU:
            raise RunStopped(f"stopped after {self.limits.wall_seconds:.0f} s, the time limit "
                             f"for one on-demand run{kept}: lower the size parameters or the "
                             "seeds", partial)
        if self._killed_for:
            raise RunStopped(f"the run was cancelled{kept}", partial)
        if code == MEMORY_EXIT or (code != 0 and _out_of_memory(self._log)):
            raise RunStopped(f"stopped: it needs more than the {self.limits.memory_mb} MB an "
                             f"on-demand run may use{kept}; lower the size parameters or the "
                             "seeds", partial)
        if code == REFUSED_EXIT:
            raise RunStopped(self._error or "the settings were refused")
        if code != 0:
            raise RunStopped(f"the run failed ({self._error or f'exit code {code}'})")
        try:
            return read_table(self._out)
        except StoreError as err:
            raise RunStopped(f"the run's result could not be read ({err})") from None

    def close(self) -> None:
        """Kill if still running and delete the temporary folder."""
        self.kill()
        self._reader.join(timeout=5)  # it replaces the timer on the first progress message
        self._timer.cancel()
        self._timer.join()  # a timer already inside kill() still reads the process
        self._messages.close()
        self._proc.close()
        self._log.close()
        self._folder.cleanup()


def _out_of_memory(log) -> bool:
    """Native code (OpenBLAS) reports a failed allocation on stderr, not as MemoryError."""
    log.flush()
    log.seek(0)
    tail = log.read()[-4000:].decode(errors="replace").lower()
    return "memory allocation" in tail or "cannot allocate memory" in tail


def run_isolated(experiment_id: str, params: dict, n_seeds: int, limits: Limits = Limits(),
                 poll_seconds: float = 0.1):
    """Blocking convenience for scripts and tests: run in a child, return its Result."""
    child = Child(experiment_id, params, n_seeds, limits)
    try:
        while child.running():
            time.sleep(poll_seconds)
        return child.result()
    finally:
        child.close()


def partial_path(out: Path) -> Path:
    return out.with_name("partial.parquet")


_POLL = threading.Lock()  # Process.start also polls every other running child
_SEND: list = []  # in a child: its end of the progress pipe


def _forkserver() -> multiprocessing.context.BaseContext:
    """This process's forkserver context, preloading the zygote (started on first use)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([ZYGOTE])
    return context


def _without_main(prepare: Callable[[str], dict]) -> Callable[[str], dict]:
    def preparation_data(name: str) -> dict:
        data = prepare(name)
        data.pop("init_main_from_name", None)
        data.pop("init_main_from_path", None)
        return data
    return preparation_data


class _Popen(popen_forkserver.Popen):
    """The forkserver's launch without the parent's __main__: Streamlit sets the page
    script as __main__ while it runs, and multiprocessing would run it again in the child
    (as __mp_main__) before the target. A run needs only sys.path and the working folder,
    so the preparation data loses its main module for this launch (under _POLL, which
    every launch holds; nothing else in the process starts forkserver children)."""

    def _launch(self, process_obj):
        prepare = spawn.get_preparation_data
        spawn.get_preparation_data = _without_main(prepare)
        try:
            super()._launch(process_obj)
        finally:
            spawn.get_preparation_data = prepare


class _RunProcess(multiprocessing.get_context("forkserver").Process):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


def _forked(out: str, log: str, request: dict, sender) -> None:
    """The child's entry in the forkserver's fork: its own process group and stderr first."""
    os.setsid()
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.chdir(ROOT)
    _SEND.append(sender)
    sys.exit(worker(Path(out), request))


def _emit(message: dict) -> None:
    _SEND[0].send_bytes(json.dumps(message).encode())


def _data_size() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmData:"):
            return int(line.split()[1]) * 1024
    return 0


def warm_blas() -> None:
    """Each OpenBLAS allocates its work buffers on first use, and one that fails to
    under the ceiling retries forever instead of failing: allocate them first."""
    import numpy as np
    import scipy.linalg

    square = np.eye(64) + 1.0
    np.linalg.qr(square @ square)
    scipy.linalg.qr(scipy.linalg.blas.dgemm(1.0, square, square))


IOPRIO_SET = {"x86_64": 251, "aarch64": 30}  # syscall numbers; no Python wrapper exists
IOPRIO_IDLE = (3 << 13) | 0  # class IDLE, level 0, for IOPRIO_WHO_PROCESS (1)


def lower_priority(nice: int) -> None:
    """This process below everything else: a run must not take the CPU from the server
    and the browsers showing pages. At nice 19 also SCHED_IDLE (runs only on an otherwise
    idle core) and the idle I/O class, each where the platform allows it. An increment:
    a run child starts at its forkserver's priority, which is the server's."""
    os.nice(nice)
    if nice < 19:
        return
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        pass
    number = IOPRIO_SET.get(os.uname().machine)
    if number is not None:
        import ctypes

        ctypes.CDLL(None, use_errno=True).syscall(number, 1, 0, IOPRIO_IDLE)


def worker(out: Path, request: dict) -> int:
    """The child side: priority, then the ceilings, then the run; returns the exit code.
    The imports and BLAS buffers are the zygote's, loaded before the fork, so the memory
    ceiling does not have to make room for them."""
    lower_priority(int(request.get("nice", 0)))
    from experiments.framework import registry, store
    from experiments.framework.experiment import run
    from experiments.framework.params import ParamError

    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(used.ru_utime + used.ru_stime) + int(request["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    # RLIMIT_DATA counts the heap and anonymous mappings (what a run allocates) but not
    # shared libraries, which a run may still load lazily. Measured after the imports,
    # so the ceiling is what the run itself may add.
    ceiling = _data_size() + int(request["memory_mb"]) * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (ceiling, ceiling))
    try:
        exp = registry.get(request["experiment"])
        params = exp.validate(request["params"])
        seeds = int(request["seeds"])
        written = [0.0]

        def keep_partial(result) -> None:
            if time.monotonic() - written[0] < PARTIAL_SECONDS:
                return
            store.write_table(result.frame, partial_path(out), result.provenance)
            written[0] = time.monotonic()
            _emit({"partial": len(result.provenance.get("seeds", []))})

        frame, provenance = run(exp, params, seeds, partial=keep_partial,
                                progress=lambda f, text: _emit({"fraction": f, "text": text}))
        store.write_table(frame, out, provenance)
    except (ParamError, KeyError) as err:
        _emit({"error": str(err).strip("'\"")})
        return REFUSED_EXIT
    except MemoryError:
        return MEMORY_EXIT
    except OSError as err:
        if err.errno == errno.ENOMEM:
            return MEMORY_EXIT
        raise
    return 0
