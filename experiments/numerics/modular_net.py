"""The modular-arithmetic network of the grokking experiments, in plain numpy.

Data: all pairs (a, b) with labels (a op b) mod p, split at random. Model: concatenated
one-hot inputs, one hidden layer (x^2 or ReLU, no biases), p outputs. Optimizer:
full-batch AdamW. Gradients are derived by hand (checked against finite differences and
the textbook dense implementation in tests/test_grokking.py). The training loop runs
on the epoch machinery of experiments/numerics/modular_step.py (buffers made once,
float32, tiny values flushed to zero); `forward` and `gradients` here are the plain
one-off versions for the progress measures and the tests.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

import numpy as np

from experiments.numerics.modular_step import AdamW, Step
from experiments.numerics.threads import single_threaded

OPERATIONS = {
    "add": lambda a, b, p: (a + b) % p,
    "subtract": lambda a, b, p: (a - b) % p,
    "multiply": lambda a, b, p: (a * b) % p,
}
SCHEDULE_POINTS = 90


# Data -----------------------------------------------------------------------------------

def dataset(params: dict, seed: int):
    """All p^2 pairs, labelled and split at random: (a, b, label) for train, then test."""
    p = params["p"]
    a, b = (g.ravel() for g in np.meshgrid(np.arange(p), np.arange(p), indexing="ij"))
    label = OPERATIONS[params["operation"]](a, b, p)
    order = np.random.default_rng([seed, 0]).permutation(p * p)
    n_train = int(np.clip(round(params["train_fraction"] * p * p), 1, p * p - 1))
    pick = lambda idx: (a[idx], b[idx], label[idx])  # noqa: E731
    return pick(np.sort(order[:n_train])), pick(order[n_train:])


def init_weights(p: int, width: int, seed: int, dtype=np.float32, scale: float = 1.0):
    """Gaussian weights, std 0.5 / (2 width)^(1/3) as in Gromov's quadratic model, times
    `scale` (Omnigrok's large initializations use scale > 1)."""
    rng = np.random.default_rng([seed, 1])
    std = scale * 0.5 / (2 * width) ** (1 / 3)
    return [(std * rng.standard_normal((2 * p, width))).astype(dtype),
            (std * rng.standard_normal((width, p))).astype(dtype)]


# Model: forward, loss and hand-derived gradients ---------------------------------------

def forward(weights, a, b, activation: str):
    """Output scores and the hidden pre-activations; the one-hot layer is a row gather."""
    w_in, w_out = weights
    p = w_out.shape[1]
    h = np.take(w_in, a, axis=0)
    h += np.take(w_in, p + b, axis=0)
    z = h * h if activation == "quadratic" else np.maximum(h, 0)
    return z @ w_out, h, z


def loss_value(y, label, loss: str) -> float:
    n, p = y.shape
    if loss == "mse":
        err = y.copy()
        err[np.arange(n), label] -= 1
        return float(np.mean(err * err))
    shifted = y - y.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(log_norm - shifted[np.arange(n), label]))


def gradients(weights, a, b, label, activation: str, loss: str):
    """Loss gradients w.r.t. (w_in, w_out), by hand, and the scores (one `Step`)."""
    w_in, w_out = weights
    step = Step(a, b, label, w_out.shape[1], w_out.shape[0], activation, loss, w_in.dtype)
    grads = [np.empty_like(w) for w in weights]
    return grads, step(w_in, w_out, *grads).copy()


# Training --------------------------------------------------------------------------------

def fourier_ipr(w_in: np.ndarray) -> float:
    """Mean inverse participation ratio of each neuron's power spectrum over residues.

    The real DFT folds each +-f pair into one bin, so a single pure wave scores 1 and white
    noise ~2/p; averaged over the a-half and the b-half of the input weights.
    """
    p = w_in.shape[0] // 2
    bins = p // 2 + 1
    parts = _real_dft(p) @ w_in.reshape(2, p, -1).astype(np.float64)
    power = parts[:, :bins] ** 2 + parts[:, bins:] ** 2
    total = power.sum(axis=1)
    ipr = (power**2).sum(axis=1) / np.where(total > 0, total**2, 1)
    return float(ipr.mean())


@functools.lru_cache(maxsize=8)
def _real_dft(p: int) -> np.ndarray:
    """Cosine rows then sine rows of the DFT over p residues, frequencies 0..p // 2: as a
    product ~10x faster than np.fft.rfft, whose prime sizes take Bluestein's detour."""
    angle = 2 * np.pi / p * ((np.arange(p // 2 + 1)[:, None] * np.arange(p)) % p)
    return np.vstack([np.cos(angle), np.sin(angle)])


# Progress measures (Nanda et al. 2023) ---------------------------------------------------------

# The label (a op b) mod p as a wave: cos(2 pi k (a + b - c) / p) peaks at the right answer c,
# so a Fourier circuit for addition lives on the 3-D frequencies +-k (1, 1, -1) of the
# logits over (a, b, c); for subtraction on +-k (1, -1, -1). Multiplication has no such
# circuit over the residues themselves, so it gets no progress measures.
WAVE_SIGNS = {"add": (1, 1, -1), "subtract": (1, -1, -1)}
KEY_SHARE = 0.8  # key frequencies: the fewest strongest that hold 80% of the wave energy


def all_logits(weights, activation: str) -> np.ndarray:
    """The network's scores for every pair, as a (p, p, p) array over (a, b, c)."""
    p = weights[1].shape[1]
    a, b = (g.ravel() for g in np.meshgrid(np.arange(p), np.arange(p), indexing="ij"))
    return forward(weights, a, b, activation)[0].astype(np.float64).reshape(p, p, p)


def _wave_index(p: int, k: int, signs) -> tuple:
    return tuple((s * k) % p for s in signs)


def wave_energy(logits: np.ndarray, operation: str) -> np.ndarray:
    """Energy of the logits along the wave of each frequency k = 1..(p-1)/2 (both signs)."""
    p = logits.shape[0]
    spectrum = np.abs(np.fft.fftn(logits)) ** 2
    signs = WAVE_SIGNS[operation]
    return np.array([spectrum[_wave_index(p, k, signs)] + spectrum[_wave_index(p, -k, signs)]
                     for k in range(1, (p - 1) // 2 + 1)])


def key_frequencies(logits: np.ndarray, operation: str, share: float = KEY_SHARE) -> np.ndarray:
    """The fewest frequencies, strongest first, whose waves hold `share` of the wave energy."""
    energy = wave_energy(logits, operation)
    order = np.argsort(-energy, kind="stable")
    cumulative = np.cumsum(energy[order]) / max(energy.sum(), 1e-300)
    return np.sort(order[: int(np.searchsorted(cumulative, share)) + 1] + 1)


def split_logits(logits: np.ndarray, keys, operation: str) -> tuple[np.ndarray, np.ndarray]:
    """(restricted, excluded): the logits projected onto the key frequencies' waves, and
    the logits with those waves removed (the two add up to the logits)."""
    p = logits.shape[0]
    spectrum = np.fft.fftn(logits)
    keep = np.zeros(spectrum.shape, bool)
    for k in keys:
        for sign in (1, -1):
            keep[_wave_index(p, sign * int(k), WAVE_SIGNS[operation])] = True
    restricted = np.fft.ifftn(np.where(keep, spectrum, 0)).real
    return restricted, logits - restricted


def progress_losses(logits: np.ndarray, keys, operation: str, loss: str, train_pairs,
                    test_pairs) -> dict:
    """Restricted loss (key waves only) on the test pairs, excluded loss (key waves removed)
    on the training pairs."""
    restricted, excluded = split_logits(logits, keys, operation)
    (a, b, label), (ta, tb, tlabel) = train_pairs, test_pairs
    return {"restricted_loss": loss_value(restricted[ta, tb], tlabel, loss),
            "excluded_loss": loss_value(excluded[a, b], label, loss)}


def log_schedule(epochs: int, points: int = SCHEDULE_POINTS) -> np.ndarray:
    """Log-spaced epochs 1..epochs (every epoch at first, then geometric)."""
    return np.unique(np.round(np.geomspace(1, epochs, points)).astype(int))


def accuracy(y, label) -> float:
    return float(np.mean(np.argmax(y, axis=1) == label))


def train(params: dict, seed: int, steps: Iterable[int] | None = None,
          keep_weights: bool = False) -> Iterator[dict]:
    """Full-batch AdamW, step by step; yields the logged measures at each epoch in `steps`
    (with copies of both weight matrices under "weights" if `keep_weights`).

    A generator, so callers can draw live, stop early (break) or keep only what they need.
    Both weight matrices are views of one flat vector, as are their gradients, so an
    update is one pass per operation over all parameters (experiments/numerics/
    modular_step.py). A log's pass over the training pairs is also the next epoch's
    gradient pass.
    """
    (a, b, label), (ta, tb, tlabel) = dataset(params, seed)
    p, width = params["p"], params["width"]
    w_in, w_out = init_weights(p, width, seed, scale=params.get("init_scale", 1.0))
    # The output layer gets zero columns up to a multiple of 8: the products run ~7-20%
    # faster on such shapes, and zero columns change no sum (the same numbers, bit for bit).
    outputs = -(-p // 8) * 8
    padded = np.zeros((width, outputs), np.float32)
    padded[:, :p] = w_out
    flat = np.concatenate([w_in.ravel(), padded.ravel()])
    adamw = AdamW(flat, np.empty_like(flat), params["lr"], params["weight_decay"])
    flat, grad, split = adamw.w, adamw.g, 2 * p * width
    weights = [flat[:split].reshape(2 * p, width), flat[split:].reshape(width, outputs)]
    grads = [grad[:split].reshape(2 * p, width), grad[split:].reshape(width, outputs)]
    act, loss = params["activation"], params["loss"]
    step = Step(a, b, label, p, width, act, loss, outputs=outputs)
    test = Step(ta, tb, tlabel, p, width, act, loss, outputs=outputs, backward=False)
    steps = log_schedule(params["epochs"]) if steps is None else steps
    ready = False  # whether grads hold the gradients at the current weights
    for stop in sorted(set(int(s) for s in steps)):
        # One BLAS thread: these matrices are small, and extra threads only contend for
        # the 2 shared cores (measured ~5x slower with the default thread pool).
        with single_threaded():
            while adamw.epoch < stop:
                if not ready:
                    step(*weights, *grads)
                adamw.step()
                ready = False
            step(*weights, *grads)  # the log's training scores, and the next gradients
            test.scores(*weights)
            ready = True
            out = {
                "step": adamw.epoch,
                "train_accuracy": step.accuracy(),
                "test_accuracy": test.accuracy(),
                "train_loss": step.loss(),
                "test_loss": test.loss(),
                "weight_norm": float(np.sqrt(np.dot(flat, flat))),
                "fourier_ipr": fourier_ipr(weights[0]),
            }
        if keep_weights:
            out["weights"] = [weights[0].copy(), weights[1][:, :p].copy()]
        yield out
