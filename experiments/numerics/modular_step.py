"""One epoch of the modular-arithmetic network (experiments/numerics/modular_net.py), in
buffers made once: the full-batch gradient pass (`Step`) and the AdamW update (`AdamW`).

An epoch's unavoidable work is three small matrix products; everything else is a few
passes over buffers. Every (n x width) and (n x p) array is allocated once (a fresh 1 MB
array per pass costs page faults on top of the arithmetic), every operation writes into
an existing buffer, and the scores of a forward pass are reused: the training log at
epoch t and the gradient pass of epoch t + 1 share one forward pass at the same weights.
Everything is float32, and tiny values are flushed to zero after every update: weight
decay drives Adam's moments and unused weights into subnormal floats, on which the
matrix products run ~50-140x slower (bench/bench_grokking.py measures it).
"""
from __future__ import annotations

import numpy as np
from scipy import sparse

BETAS, EPS = (0.9, 0.98), 1e-8
TINY = np.float32(1e-30)  # well above the subnormal range (< 1.2e-38) yet numerically zero
BLOCK_BYTES = 2**19  # a block's (rows x width) hidden values: two of them fit a 2 MB L2 cache


class Step:
    """Forward and backward passes over fixed pairs (a, b) with their labels.

    The one-hot input layer is a gather of embedding rows going forward; going back, its
    gradient is the sparse (2p x n) transposed one-hot matrix times the hidden gradients,
    which adds each row once into its two embedding rows, in row order (the sums of a
    grouped sum, in the same order, ~10x faster than np.add.reduceat). The scores and
    every derived quantity (gradients, loss, accuracy) live in buffers that the next
    forward pass overwrites. A Step for scores alone (`backward=False`, the test pairs)
    keeps the hidden values of one block of rows instead of every row's, so they stay
    in the cache.
    """

    def __init__(self, a, b, label, p: int, width: int, activation: str, loss: str,
                 dtype=np.float32, outputs: int | None = None, backward: bool = True):
        n, outputs = len(a), outputs or p
        self.n, self.p = n, p
        self.rows_a, self.rows_b = np.asarray(a), p + np.asarray(b)
        self.label = np.asarray(label)
        self.quadratic, self.mse = activation == "quadratic", loss == "mse"
        self.hot = np.arange(n) * outputs + self.label  # flat positions of the labels in y
        if backward:
            pairs = np.arange(n)
            self.onehot_t = sparse.csr_matrix(
                (np.ones(2 * n, dtype), (np.concatenate([self.rows_a, self.rows_b]),
                                         np.concatenate([pairs, pairs]))), shape=(2 * p, n))
        # Scores of padding outputs (zero weights) are zero, so are their MSE gradients;
        # cross-entropy works on the first p columns and leaves the rest of dy at zero.
        self.y, self.dy = np.empty((n, outputs), dtype), np.zeros((n, outputs), dtype)
        self.row = np.empty((n, 1), dtype)  # per-pair scratch (softmax maxima and sums)
        count = -(-n * width * np.dtype(dtype).itemsize // BLOCK_BYTES)
        size = -(-n // count)
        self.blocks = [slice(start, min(start + size, n)) for start in range(0, n, size)]
        self.keep = backward
        self.h, self.z = (np.empty((n if backward else size, width), dtype) for _ in range(2))

    def scores(self, w_in, w_out) -> np.ndarray:
        """The output scores of the pairs (a buffer, overwritten by the next pass).

        Block by block of rows, so that each block's gathers, activation and product
        work on data still in the core's cache (the same numbers as one big block)."""
        for rows in self.blocks:
            hidden = rows if self.keep else slice(0, rows.stop - rows.start)
            h, z = self.h[hidden], self.z[hidden]
            np.take(w_in, self.rows_a[rows], axis=0, out=h, mode="clip")  # "raise" buffers
            h += np.take(w_in, self.rows_b[rows], axis=0, out=z, mode="clip")  # z: scratch
            if self.quadratic:
                np.multiply(h, h, out=z)
            else:
                np.maximum(h, 0, out=z)
            np.matmul(z, w_out, out=self.y[rows])
        return self.y

    def backward(self, w_out, g_in, g_out) -> None:
        """Write the loss gradients into g_in, g_out, from the last `scores` pass (made
        at these same weights)."""
        dy = self.output_grad()
        np.matmul(self.z.T, dy, out=g_out)
        for rows in self.blocks:  # z is no longer needed: dz goes in its place
            h, dz = self.h[rows], np.matmul(dy[rows], w_out.T, out=self.z[rows])
            if self.quadratic:
                dz *= h
            else:
                np.multiply(dz, h > 0, out=dz)
        # d/dh of h^2 is 2h: the factor 2 goes on the small (2p x width) sum, exactly.
        np.multiply(self.onehot_t @ self.z, 2 if self.quadratic else 1, out=g_in)

    def __call__(self, w_in, w_out, g_in, g_out) -> np.ndarray:
        """Write the loss gradients at (w_in, w_out) into g_in, g_out; return the scores
        (a buffer, overwritten by the next pass)."""
        y = self.scores(w_in, w_out)
        self.backward(w_out, g_in, g_out)
        return y

    def output_grad(self) -> np.ndarray:
        """d loss / d scores of the mean loss over pairs (and classes, for MSE), into
        the `dy` buffer."""
        y, dy, flat = self.y, self.dy, self.dy.reshape(-1)
        if self.mse:
            scale = 2.0 / (self.n * self.p)
            np.multiply(y, scale, out=dy)
            flat[self.hot] -= scale
            return dy
        self.softmax()
        flat[self.hot] -= 1
        dy /= self.n
        return dy

    def softmax(self) -> None:
        """Softmax of the scores into `dy` (the first p columns)."""
        y, dy, row = self.y[:, :self.p], self.dy[:, :self.p], self.row
        np.max(y, axis=1, keepdims=True, out=row)
        np.subtract(y, row, out=dy)
        np.exp(dy, out=dy)
        np.sum(dy, axis=1, keepdims=True, out=row)
        dy /= row

    def loss(self) -> float:
        """Mean loss of the last scores (uses `dy` as scratch)."""
        y, dy, flat = self.y, self.dy, self.dy.reshape(-1)
        if self.mse:
            np.copyto(dy, y)
            flat[self.hot] -= 1
            return float(np.dot(flat, flat)) / (self.n * self.p)
        y, dy = y[:, :self.p], dy[:, :self.p]
        np.max(y, axis=1, keepdims=True, out=self.row)
        np.subtract(y, self.row, out=dy)
        label_part = float(np.sum(flat[self.hot], dtype=np.float64))
        np.exp(dy, out=dy)
        norm = np.log(np.sum(dy, axis=1, out=self.row[:, 0]))
        return (float(np.sum(norm, dtype=np.float64)) - label_part) / self.n

    def accuracy(self) -> float:
        """Share of pairs whose highest score is their label (the first, on ties)."""
        # argmax is ~2x faster over whole padded rows than over a view of the first p
        # columns; padding at -inf never wins, and it is zero again for the next pass.
        pad = self.y[:, self.p:]
        pad.fill(-np.inf)
        hits = np.argmax(self.y, axis=1) == self.label
        pad.fill(0)
        return float(np.count_nonzero(hits)) / self.n


class AdamW:
    """Full-batch AdamW on one flat parameter vector, in place (decoupled decay), then
    tiny values flushed to zero.

    The same float32 operations, in the same order, as the textbook
    `m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w = (1 - lr wd) w - lr m_hat /
    (sqrt(v_hat) + eps)`, each into a buffer made once (the step size into the gradient's:
    `grads` holds garbage afterwards). The weights `w` (a copy of the initial ones) and
    the moments `m`, `v` are views of one buffer, flushed in one pass.
    """

    def __init__(self, weights: np.ndarray, grads: np.ndarray, lr: float, wd: float):
        size = weights.size
        self.state = np.zeros(3 * size, weights.dtype)
        self.w, self.m, self.v = (self.state[i * size:(i + 1) * size] for i in range(3))
        self.w[:] = weights
        self.g, self.lr, self.decay = grads, lr, np.float32(1 - lr * wd)
        self.scratch = np.empty_like(self.state)
        self.t = self.scratch[:size]
        self.flush = np.empty(self.state.shape, bool)
        self.epoch = 0

    def step(self) -> None:
        w, g, m, v, t = self.w, self.g, self.m, self.v, self.t
        self.epoch += 1
        fix1, fix2 = 1 - BETAS[0] ** self.epoch, 1 - BETAS[1] ** self.epoch
        m *= BETAS[0]
        m += np.multiply(g, 1 - BETAS[0], out=t)
        v *= BETAS[1]
        np.multiply(g, g, out=t)
        t *= 1 - BETAS[1]
        v += t
        w *= self.decay
        np.divide(v, np.float32(fix2), out=t)
        np.sqrt(t, out=t)
        t += np.float32(EPS)
        u = np.multiply(m, np.float32(self.lr / fix1), out=g)  # g is used up: its buffer
        u /= t
        w -= u
        # Subnormals make the next matmuls ~50x slower.
        np.less(np.abs(self.state, out=self.scratch), TINY, out=self.flush)
        self.state[self.flush] = 0
