"""The modular-arithmetic network of the grokking experiments, in plain numpy.

Data: all pairs (a, b) with labels (a op b) mod p, split at random. Model: concatenated
one-hot inputs, one hidden layer (x^2 or ReLU, no biases), p outputs. The one-hot layer
is a gather of embedding rows and its gradient a sparse one-hot product (`Step`), so an
epoch costs three small matrix products and a few passes over buffers made once.
Optimizer: full-batch AdamW. Gradients are derived by hand (checked against finite
differences and the textbook dense implementation in tests/test_grokking.py).
Everything is float32, and tiny values are flushed to zero every step: weight decay
drives Adam's moments into subnormal floats, on which matrix products run ~50x slower.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from scipy import sparse

from experiments.numerics.threads import single_threaded

OPERATIONS = {
    "add": lambda a, b, p: (a + b) % p,
    "subtract": lambda a, b, p: (a - b) % p,
    "multiply": lambda a, b, p: (a * b) % p,
}
BETAS, EPS = (0.9, 0.98), 1e-8
TINY = np.float32(1e-30)  # well above the subnormal range (< 1.2e-38) yet numerically zero
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


def output_grad(y, label, loss: str):
    """d loss / d scores for the mean loss over samples (and classes, for MSE)."""
    n, p = y.shape
    if loss == "mse":
        g = y * (2.0 / (n * p))
        g[np.arange(n), label] -= 2.0 / (n * p)
        return g.astype(y.dtype, copy=False)
    e = np.exp(y - y.max(axis=1, keepdims=True))
    g = e / e.sum(axis=1, keepdims=True)
    g[np.arange(n), label] -= 1
    return (g / n).astype(y.dtype, copy=False)


class Step:
    """One full-batch gradient pass over fixed training pairs, into buffers made once.

    The one-hot input layer is a gather of embedding rows going forward; going back, its
    gradient is the sparse (2p x n) transposed one-hot matrix times the hidden gradients,
    which adds each row once into its two embedding rows, in row order (the sums of a
    grouped sum, in the same order, ~10x faster than np.add.reduceat). Every (n x width)
    array is allocated once: a fresh 1 MB array per pass costs page faults on top of the
    arithmetic. What is left per pass is three small matrix products and a few
    elementwise passes.
    """

    def __init__(self, a, b, label, p: int, width: int, activation: str, loss: str,
                 dtype=np.float32):
        n = len(a)
        self.rows_a, self.rows_b, self.label = np.asarray(a), p + np.asarray(b), label
        self.quadratic, self.mse = activation == "quadratic", loss == "mse"
        self.hot = np.arange(n) * p + label  # flat positions of the labels in (n, p) scores
        pairs = np.arange(n)
        self.onehot_t = sparse.csr_matrix(
            (np.ones(2 * n, dtype), (np.concatenate([self.rows_a, self.rows_b]),
                                     np.concatenate([pairs, pairs]))), shape=(2 * p, n))
        self.h, self.z, self.dz = (np.empty((n, width), dtype) for _ in range(3))
        self.y, self.dy = np.empty((n, p), dtype), np.empty((n, p), dtype)

    def scores(self, w_in, w_out) -> np.ndarray:
        """The output scores of the pairs (a buffer, overwritten by the next pass)."""
        h, z = self.h, self.z
        np.take(w_in, self.rows_a, axis=0, out=h, mode="clip")  # "raise" would buffer
        h += np.take(w_in, self.rows_b, axis=0, out=z, mode="clip")  # z: scratch until set
        if self.quadratic:
            np.multiply(h, h, out=z)
        else:
            np.maximum(h, 0, out=z)
        return np.matmul(z, w_out, out=self.y)

    def __call__(self, w_in, w_out, g_in, g_out) -> np.ndarray:
        """Write the loss gradients at (w_in, w_out) into g_in, g_out; return the scores
        (a buffer, overwritten by the next pass)."""
        h, z, dz = self.h, self.z, self.dz
        y = self.scores(w_in, w_out)
        if self.mse:
            dy, scale = self.dy, 2.0 / y.size
            np.multiply(y, scale, out=dy)
            dy.reshape(-1)[self.hot] -= scale
        else:
            dy = output_grad(y, self.label, "cross_entropy")
        np.matmul(dy, w_out.T, out=dz)
        # d/dh of h^2 is 2h: the factor 2 goes on the small (2p x width) sum, exactly.
        dz *= h if self.quadratic else (h > 0)
        np.multiply(self.onehot_t @ dz, 2 if self.quadratic else 1, out=g_in)
        np.matmul(z.T, dy, out=g_out)
        return y


def gradients(weights, a, b, label, activation: str, loss: str):
    """Loss gradients w.r.t. (w_in, w_out), by hand, and the scores (one `Step`)."""
    w_in, w_out = weights
    step = Step(a, b, label, w_out.shape[1], w_out.shape[0], activation, loss, w_in.dtype)
    grads = [np.empty_like(w) for w in weights]
    return grads, step(w_in, w_out, *grads).copy()


# Training --------------------------------------------------------------------------------

def fourier_ipr(w_in: np.ndarray) -> float:
    """Mean inverse participation ratio of each neuron's power spectrum over residues.

    rfft folds each +-f pair into one bin, so a single pure wave scores 1 and white
    noise ~2/p; averaged over the a-half and the b-half of the input weights.
    """
    p = w_in.shape[0] // 2
    power = np.abs(np.fft.rfft(w_in.reshape(2, p, -1).astype(np.float64), axis=1)) ** 2
    total = power.sum(axis=1)
    ipr = (power**2).sum(axis=1) / np.where(total > 0, total**2, 1)
    return float(ipr.mean())


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


def adamw_step(weights, grads, moments, epoch: int, lr: float, wd: float) -> None:
    """One AdamW update in place (decoupled decay), then flush tiny values to zero.

    The same float32 operations, in the same order, as the textbook
    `m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w = (1 - lr wd) w - lr m_hat /
    (sqrt(v_hat) + eps)`, with two scratch arrays instead of a temporary per operation.
    """
    fix1, fix2 = 1 - BETAS[0] ** epoch, 1 - BETAS[1] ** epoch
    for w, g, (m, v) in zip(weights, grads, moments):
        t, u = np.empty_like(w), np.empty_like(w)
        m *= BETAS[0]
        m += np.multiply(g, 1 - BETAS[0], out=t)
        v *= BETAS[1]
        np.multiply(g, g, out=t)
        t *= 1 - BETAS[1]
        v += t
        w *= np.float32(1 - lr * wd)
        np.divide(v, np.float32(fix2), out=t)
        np.sqrt(t, out=t)
        t += np.float32(EPS)
        np.multiply(m, np.float32(lr / fix1), out=u)
        u /= t
        w -= u
        flush = np.empty(w.shape, bool)
        for arr in (m, v, w):  # subnormals make the next matmuls ~50x slower
            np.less(np.abs(arr, out=t), TINY, out=flush)
            arr[flush] = 0


def train(params: dict, seed: int, steps: Iterable[int] | None = None,
          keep_weights: bool = False) -> Iterator[dict]:
    """Full-batch AdamW, step by step; yields the logged measures at each epoch in `steps`
    (with copies of both weight matrices under "weights" if `keep_weights`).

    A generator, so callers can draw live, stop early (break) or keep only what they need.
    Both weight matrices are views of one flat vector, as are their gradients and Adam's
    moments, so an update is one pass per operation over all parameters.
    """
    (a, b, label), (ta, tb, tlabel) = dataset(params, seed)
    p, width = params["p"], params["width"]
    init = init_weights(p, width, seed, scale=params.get("init_scale", 1.0))
    flat = np.concatenate([w.ravel() for w in init])
    grad = np.empty_like(flat)
    moments = [[np.zeros_like(flat), np.zeros_like(flat)]]
    split = 2 * p * width
    weights = [flat[:split].reshape(2 * p, width), flat[split:].reshape(width, p)]
    grads = [grad[:split].reshape(2 * p, width), grad[split:].reshape(width, p)]
    act, loss, lr, wd = params["activation"], params["loss"], params["lr"], params["weight_decay"]
    # Buffers are allocated untouched: the test pass's gradient buffers cost no memory.
    step, test = Step(a, b, label, p, width, act, loss), Step(ta, tb, tlabel, p, width, act, loss)
    steps = log_schedule(params["epochs"]) if steps is None else steps
    logged = sorted(set(int(s) for s in steps))
    epoch = 0
    for stop in logged:
        # One BLAS thread: these matrices are small, and extra threads only contend for
        # the 2 shared cores (measured ~5x slower with the default thread pool).
        with single_threaded():
            while epoch < stop:
                epoch += 1
                step(*weights, *grads)
                adamw_step([flat], [grad], moments, epoch, lr, wd)
            y_train = step.scores(*weights)
            y_test = test.scores(*weights)
        out = {
            "step": epoch,
            "train_accuracy": accuracy(y_train, label),
            "test_accuracy": accuracy(y_test, tlabel),
            "train_loss": loss_value(y_train, label, loss),
            "test_loss": loss_value(y_test, tlabel, loss),
            "weight_norm": float(np.sqrt(sum(np.sum(w.astype(np.float64) ** 2) for w in weights))),
            "fourier_ipr": fourier_ipr(weights[0]),
        }
        if keep_weights:
            out["weights"] = [w.copy() for w in weights]
        yield out


