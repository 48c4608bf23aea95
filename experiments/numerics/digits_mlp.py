"""A two-layer ReLU network on vectors (digits), many widths trained side by side, in numpy.

Model for each width h: y = relu(x W1 + b1) W2 + b2, squared loss on one-hot targets
(the loss of the random-features experiments, so the interpolation threshold sits where
the parameter count reaches n x classes, as in Belkin et al. 2019). All widths of a
sweep share one hidden layer of width sum(h): model m owns a contiguous block of hidden
units, so the first layer and its gradient are one matrix product each for every model,
and only the small output layer is done per model. Each model's loss is its own mean,
so the models do not interact: training them together equals training them apart.

Optimizer: full-batch Adam with an optional L2 penalty (weight_decay / 2) ||W||^2 on both
weight matrices (not on biases), added to the gradient. Everything is float32 and tiny
values are flushed to zero every step: matrix products on subnormal floats run ~50x slower.
Gradients are derived by hand (checked against finite differences in the tests).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from experiments.numerics.threads import single_threaded

BETAS, EPS = (0.9, 0.999), 1e-8
TINY = np.float32(1e-30)  # far above the subnormal range (< 1.2e-38), numerically zero


def n_weights(width: int, n_in: int, n_out: int) -> int:
    """Weights and biases of one two-layer network."""
    return width * (n_in + 1) + n_out * (width + 1)


def width_for_params(n_params: float, n_in: int, n_out: int) -> float:
    """The (real) width at which a network has n_params weights."""
    return (n_params - n_out) / (n_in + 1 + n_out)


@dataclass
class Nets:
    """Several two-layer networks packed side by side; block m of the hidden layer is
    model m (columns starts[m]:starts[m + 1] of w1, rows of w2)."""

    w1: np.ndarray  # (n_in, H)
    b1: np.ndarray  # (H,)
    w2: np.ndarray  # (H, n_out)
    b2: np.ndarray  # (M, n_out)
    starts: np.ndarray  # (M + 1,)

    def arrays(self) -> list[np.ndarray]:
        return [self.w1, self.b1, self.w2, self.b2]

    def blocks(self):
        return [slice(int(a), int(b)) for a, b in zip(self.starts[:-1], self.starts[1:])]


def init(widths, n_in: int, n_out: int, rng: np.random.Generator) -> Nets:
    """He-style first layer N(0, 2/n_in), output layer N(0, 1/h), zero biases."""
    widths = np.asarray(widths, dtype=int)
    starts = np.concatenate([[0], np.cumsum(widths)])
    w1 = rng.standard_normal((n_in, starts[-1])) * np.sqrt(2.0 / n_in)
    w2 = rng.standard_normal((starts[-1], n_out)) / np.sqrt(np.repeat(widths, widths))[:, None]
    return Nets(w1.astype(np.float32), np.zeros(starts[-1], np.float32), w2.astype(np.float32),
                np.zeros((len(widths), n_out), np.float32), starts)


def forward(nets: Nets, x: np.ndarray):
    """Outputs (M, n, n_out) of every model, and the hidden pre-activations (n, H)."""
    h = x @ nets.w1
    h += nets.b1
    z = np.maximum(h, 0)
    y = np.stack([z[:, blk] @ nets.w2[blk] for blk in nets.blocks()])
    y += nets.b2[:, None, :]
    return y, h, z


def losses(y: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Per model: mean over samples of the squared error summed over outputs."""
    return np.sum((y - target) ** 2, axis=(1, 2)) / y.shape[1]


def gradients(nets: Nets, x: np.ndarray, target: np.ndarray, weight_decay: float = 0.0):
    """Gradients of every model's loss + (weight_decay / 2) ||W||^2 w.r.t. its own weights
    (the losses are separate, so one gradient array serves all), and the outputs."""
    y, h, z = forward(nets, x)
    dy = (y - target) * np.float32(2.0 / x.shape[0])
    dz = np.empty_like(z)
    d_w2 = np.empty_like(nets.w2)
    for m, blk in enumerate(nets.blocks()):
        np.matmul(dy[m], nets.w2[blk].T, out=dz[:, blk])
        np.matmul(z[:, blk].T, dy[m], out=d_w2[blk])
    dz *= h > 0
    grads = [x.T @ dz, dz.sum(axis=0), d_w2, dy.sum(axis=1)]
    if weight_decay:
        grads[0] += np.float32(weight_decay) * nets.w1
        grads[2] += np.float32(weight_decay) * nets.w2
    return grads, y


class Adam:
    """Full-batch Adam on a list of arrays, in place, flushing tiny values to zero. The
    step's temporaries live in two scratch buffers per array (the same operations in the
    same order as the plain expressions, so the same numbers, without fresh allocations)."""

    def __init__(self, arrays, lr: float):
        self.lr, self.step = lr, 0
        self.moments = [(np.zeros_like(a), np.zeros_like(a)) for a in arrays]
        self.scratch = [(np.empty_like(a), np.empty_like(a), np.empty(a.shape, bool))
                        for a in arrays]

    def update(self, arrays, grads) -> None:
        self.step += 1
        fix1, fix2 = 1 - BETAS[0] ** self.step, 1 - BETAS[1] ** self.step
        rate, fix2, eps = np.float32(self.lr / fix1), np.float32(fix2), np.float32(EPS)
        for w, g, (m, v), (a, b, tiny) in zip(arrays, grads, self.moments, self.scratch):
            m *= BETAS[0]
            m += np.multiply(1 - BETAS[0], g, out=a)
            v *= BETAS[1]
            v += np.multiply(1 - BETAS[1], np.multiply(g, g, out=a), out=a)
            np.divide(v, fix2, out=a)
            np.sqrt(a, out=a)
            a += eps
            np.multiply(rate, m, out=b)
            b /= a
            w -= b
            # subnormals make the next matmuls ~50x slower (v >= 0: no abs needed)
            np.copyto(m, 0, where=np.less(np.abs(m, out=a), TINY, out=tiny))
            np.copyto(v, 0, where=np.less(v, TINY, out=tiny))


def train(nets: Nets, x: np.ndarray, target: np.ndarray, epochs: int, lr: float,
          weight_decay: float = 0.0) -> np.ndarray:
    """Full-batch Adam for `epochs` steps on one BLAS thread (small matrices: extra threads
    only contend for the shared cores). Returns each model's final training loss."""
    x, target = x.astype(np.float32), target.astype(np.float32)
    opt = Adam(nets.arrays(), lr)
    with single_threaded():
        for _ in range(epochs):
            grads, _ = gradients(nets, x, target, weight_decay)
            opt.update(nets.arrays(), grads)
        return losses(forward(nets, x)[0], target)


def epoch_flops(widths, n: int, n_in: int, n_out: int) -> float:
    """Multiply-adds x 2 of one training epoch: forward (x W1, z W2) and backward
    (dy W2^T, z^T dy, x^T dz), i.e. ~ 2 n H (2 n_in + 3 n_out)."""
    return 2.0 * n * float(np.sum(widths)) * (2 * n_in + 3 * n_out)
