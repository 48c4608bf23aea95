"""Datasets shared by the experiments: scikit-learn's bundled digits and synthetic tasks.

Everything is offline (digits ships inside scikit-learn) and every draw is a pure
function of its seed, so the same config always gives the same split.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

N_CLASSES = 10
N_DIGITS = 1797  # images in scikit-learn's digits (train + test together)


@dataclass(frozen=True)
class Split:
    """A train/test split; y_* are integer labels (classification) or floats (regression)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


@lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = (bunch.data / 16.0).astype(np.float64)  # pixel intensities 0..16 -> [0, 1]
    x.setflags(write=False)
    y = bunch.target.astype(np.int64)
    y.setflags(write=False)
    return x, y


def stratified_indices(labels: np.ndarray, n_train: int, rng: np.random.Generator) -> np.ndarray:
    """n_train indices with every class represented as evenly as the counts allow."""
    classes = np.unique(labels)
    per_class = np.full(len(classes), n_train // len(classes))
    per_class[: n_train % len(classes)] += 1
    chosen = []
    for cls, count in zip(classes, rng.permutation(per_class)):
        pool = np.flatnonzero(labels == cls)
        chosen.append(rng.choice(pool, size=min(count, pool.size), replace=False))
    return np.sort(np.concatenate(chosen))


def digits_split(n_train: int, seed: int, n_test: int | None = None) -> Split:
    """A stratified training subset of the 1,797 digits; the rest (or n_test of it) is test."""
    x, y = _digits()
    if not 10 <= n_train <= len(y) - 100:
        raise ValueError(f"n_train must be between 10 and {len(y) - 100} for digits")
    rng = np.random.default_rng([seed, 17])
    train = stratified_indices(y, n_train, rng)
    rest = np.setdiff1d(np.arange(len(y)), train)
    if n_test is not None and n_test < rest.size:
        rest = np.sort(rng.choice(rest, size=n_test, replace=False))
    return Split(x[train], y[train], x[rest], y[rest])


def flip_labels(labels: np.ndarray, fraction: float, rng: np.random.Generator,
                n_classes: int = N_CLASSES) -> np.ndarray:
    """Replace a `fraction` of labels by a different class chosen uniformly."""
    labels = labels.copy()
    flip = rng.random(labels.size) < fraction
    shift = rng.integers(1, n_classes, size=flip.sum())
    labels[flip] = (labels[flip] + shift) % n_classes
    return labels


def one_hot(labels: np.ndarray, n_classes: int = N_CLASSES) -> np.ndarray:
    return np.eye(n_classes)[labels]


def synthetic_directions(dim: int) -> tuple[np.ndarray, np.ndarray]:
    """The fixed (w, v) of the synthetic task in `dim` dimensions."""
    fixed = np.random.default_rng([dim, 2019])
    return fixed.standard_normal(dim) / np.sqrt(dim), fixed.standard_normal(dim) / np.sqrt(dim)


def synthetic_target(dim: int):
    """The noiseless synthetic function x -> sin(w'x) + 0.5 (v'x)^2."""
    w, v = synthetic_directions(dim)
    return lambda x: np.sin(x @ w) + 0.5 * (x @ v) ** 2


def synthetic_regression(n_train: int, n_test: int, dim: int, noise: float, seed: int) -> Split:
    """y = sin(w'x) + 0.5 (v'x)^2 + noise, x ~ N(0, I_dim), w, v ~ N(0, I_dim / dim).

    The function (w, v) is fixed for a given `dim`; the seed draws only the data, so
    seeds are repeated draws from one distribution. Non-linear enough that a linear
    model underfits, smooth enough that random features and trees learn it.
    """
    target = synthetic_target(dim)
    rng = np.random.default_rng([seed, 29])
    x_train = rng.standard_normal((n_train, dim))
    x_test = rng.standard_normal((n_test, dim))
    y_train = target(x_train) + noise * rng.standard_normal(n_train)
    y_test = target(x_test) + noise * rng.standard_normal(n_test)
    return Split(x_train, y_train, x_test, y_test)
