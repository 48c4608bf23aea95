"""Pricing on-demand runs: work counts times a few machine constants.

Each experiment's `cost` and `memory` count the work its code does (flops of each
solver step, elements touched, library calls, scikit-learn fits, array sizes) and
price it here. `RATE` holds the machine constants: seconds per unit of each kind of
work with ONE BLAS thread (on-demand work runs single-threaded), fitted by
`bench/calibrate_costs.py` on the lab's 2-core host while other work kept it busy
(load average ~10; quiet, it runs ~2x faster). `LOAD` is the margin on top, so an
estimate is ~2-3x what the run takes on a quiet host (quiet actual / estimate 0.3-0.7,
the target of every experiment's model, including those that price their work in
seconds directly). A run therefore stays within twice its estimate while load slows
it by up to ~3-6x; heavier load (measured up to 3-6x between runs of the same
configuration on a shared host, more in bursts) is caught by the wall-clock limit of
experiments/framework/isolated.py, which stops the run and keeps the seeds it finished.
Default runs must stay under their caps.

Where the data decide the route (a penalty too ill-conditioned for a Cholesky takes an
SVD; a network may stop early), the estimate takes the costlier route.
"""
from __future__ import annotations

from collections import Counter

import numpy as np


class Work(Counter):
    """Units of each kind of work (the keys of RATE); adds and scales like a vector."""

    def __add__(self, other):
        out = Work(self)
        out.update(other)
        return out

    def __mul__(self, factor: float):
        return Work({kind: units * factor for kind, units in self.items()})

    __rmul__ = __mul__


RATE = {
    "gemm": 2e-11,       # per flop in float64 matrix products (quiet host: 1.4e-11)
    "sgemm": 4e-11,      # per flop in float32 products of the small grokking matrices
    "lapack": 2.5e-10,   # per flop in Cholesky, QR and triangular solves
    "svd": 8e-10,        # per p^3 of a dense p x p SVD or eigendecomposition
    "elements": 8e-10,   # per float64 element read or written by elementwise numpy work
    "features": 2.5e-8,  # per random Fourier feature value (float32 cos, casts, first touch)
    "calls": 1e-5,       # per numpy / scipy / pandas call with a fixed overhead
    "tree": 4e-8,        # per sample x sqrt(features) x output x depth level of a tree fit
    "fits": 1.5e-3,      # per scikit-learn estimator fit (validation, set-up)
    "svm": 1e-9,         # per kernel entry x input dimension in an SVC fit
    "lbfgs": 1.3e-7,     # per sample x feature x class of a logistic regression fit
    "mlp": 2.5e-10,      # per flop of an MLP's training epochs
}
LOAD = 1.25
MB = 2**20
BASE_BYTES = 4 * MB  # interpreter-side allocations of any run (frames, logs, small arrays)
MEMORY_MARGIN = 1.1  # arrays the counts leave out (index copies, small temporaries)


def seconds(work: Work) -> float:
    """Estimated wall time of `work` with one BLAS thread on the shared host."""
    return LOAD * sum(RATE[kind] * units for kind, units in work.items())


RUN = Work(calls=3000)  # validation, frames, combine and the tidy check of any run


def price(work: Work) -> float:
    """An experiment's estimate: the seconds of its total work plus a run's fixed part
    (bench/calibrate_costs.py intercepts this call to read the work itself)."""
    return seconds(work + RUN)


# The nested least-squares sweep (experiments/numerics/sweep_solver.py) ------------------

LANCZOS_STEPS = 30  # measured mean steps per run: 6 (polynomial) to 29 (linear theory)
DENSE_BELOW = 64


def _extremes(p: int, steps: int) -> Work:
    """Two Lanczos runs (A and A^-1) of `steps` on a p x p factor, or a dense pass."""
    if p <= DENSE_BELOW:
        return Work(svd=p**3, calls=4)
    steps = min(steps, p)
    return Work(elements=2 * steps * (3 * p * p + 4 * steps * p), calls=2 * steps * 10)


def _narrow(p: int) -> float:
    """Triangular solves on small p x p factors run far below the blocked rate (measured
    ~3x slower per flop at p = 35 than at p = 400)."""
    return 1.0 + 64.0 / max(p, 1)


def sweep_work(n: int, m: int, k: int, widths, ridges, smoother: bool = True,
               lanczos_steps: int = LANCZOS_STEPS) -> Work:
    """Work of `nested_ridge_sweep` on (n x P) train and (m x P) test features, k targets.

    Widths up to n: one QR, then per width a condition estimate and, per penalty, a
    triangular solve (0) or a Cholesky (> 0), or the SVD route if that costs more.
    Wider: Gram updates by the new columns, a Cholesky per penalty, and near the
    threshold (p <= 3n) and at the widest model the exact LQ / SVD route if that costs
    more (smooth features can stay that ill-conditioned far past the threshold)."""
    widths = np.asarray(widths, dtype=float)
    zero = sum(1 for lam in ridges if lam == 0)
    positive = len(ridges) - zero
    mt = m if smoother else 0
    work = Work(calls=20)
    small = widths[widths <= n]
    if len(small):
        work["lapack"] += 2 * n * small[-1] ** 2
    for p in small:
        # narrow products and many-right-hand-side solves are bound by the data they read
        store = Work(gemm=2 * (n + m) * p * k, elements=(n + m) * (p + 2 * k) + p * mt, calls=8)
        narrow = _narrow(p)
        solve = Work(lapack=p * p * (k + mt) * narrow, elements=3 * p * mt, calls=4)
        chol = Work(gemm=2 * p**3 + 2 * p * p * mt, lapack=(p**3 / 3 + 2 * p * p * mt) * narrow,
                    elements=6 * p * mt, calls=6)
        svd = Work(svd=p**3, gemm=2 * mt * p * p + 4 * p * p * k, elements=3 * p * mt, calls=10)
        direct = solve * zero + chol * positive
        work += _extremes(int(p), lanczos_steps) + store * len(ridges) + max(direct, svd,
                                                                             key=seconds)
        work["calls"] += 12
    done = n
    for p in widths[widths > n]:
        work["gemm"] += 2 * n * (n + m) * (p - done)
        done = p
        gram = Work(lapack=n**3 / 3, elements=n * (k + mt) * 3, calls=15) + _extremes(n,
                                                                                      lanczos_steps)
        gram += Work(lapack=n**3 / 3, elements=n * n, calls=3) * positive
        gram += Work(lapack=2 * n * n * (k + mt) * _narrow(n), gemm=2 * n * (n + m) * k,
                     elements=4 * n * (k + mt) + n * (n + m), calls=12) * len(ridges)
        if p <= 3 * n or p == widths[-1]:
            wide = Work(lapack=4 * p * n * n, svd=n**3, gemm=2 * mt * p * n + 2 * p * n * n,
                        elements=3 * p * n + n * mt, calls=20)
            wide += Work(gemm=2 * (n + m) * p * k, elements=2 * (n + m) * k, calls=8) * len(ridges)
            gram = max(gram, wide, key=seconds)
        work += gram
    return work


def sweep_bytes(n: int, m: int, k: int, n_widths: int, n_ridges: int, p_max: int,
                smoother: bool = True) -> float:
    """Peak bytes the sweep allocates on top of its input features: predictions for every
    (width, penalty), the Gram and test-kernel matrices with their solves, and the
    orthogonal route's factors (a QR of the widest block, which ill-conditioned features
    can take at any width)."""
    mt = m if smoother else 0
    fit = 8 * n_widths * n_ridges * (n + m) * (k + 1)
    gram = 8 * (3 * n * n + 2 * m * n + 4 * n * (k + mt))
    orthogonal = 8 * (3 * p_max * n + 3 * min(p_max, n) * mt + 2 * n * n)
    return fit + max(gram, orthogonal) + 8 * (p_max + 200 * max(n, 1))


def total_bytes(arrays: float) -> float:
    """A run's peak estimate from the arrays it counted."""
    return BASE_BYTES + MEMORY_MARGIN * arrays


def frame_bytes(rows: float, columns: int) -> float:
    """A tidy result frame: ~16 bytes a cell (numbers, or Arrow strings and offsets)."""
    return 16.0 * rows * columns


def results_bytes(rows_per_seed: float, columns: int, n_seeds: int) -> float:
    """Per-seed frames held until the end, plus the concatenated copy."""
    return 2 * frame_bytes(rows_per_seed * n_seeds, columns)


def describe_bytes(size: float) -> str:
    return f"{size / 2**30:.1f} GB" if size >= 2**30 else f"{size / MB:.0f} MB"
