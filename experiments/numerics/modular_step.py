"""One epoch of the modular-arithmetic network (experiments/numerics/modular_net.py), in
buffers made once: the full-batch gradient pass (`Step`) and the AdamW update (`AdamW`).

An epoch's unavoidable work is three small matrix products; everything else is a few
passes over buffers. Every (n x width) and (n x p) array is allocated once (a fresh 1 MB
array per pass costs page faults on top of the arithmetic), every operation writes into
an existing buffer, and a pass is reused: the training log at epoch t and the gradient
of epoch t + 1 come from one pass at the same weights.
Everything is float32, and tiny values are flushed to zero after every update: weight
decay drives Adam's moments and unused weights into subnormal floats, on which the
matrix products run ~50-140x slower (bench/bench_grokking.py measures it).
"""
from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse._sparsetools import csr_matvecs  # see _Block (scipy is pinned)

BETAS, EPS = (0.9, 0.98), 1e-8
TINY = np.float32(1e-30)  # well above the subnormal range (< 1.2e-38) yet numerically zero
BLOCK_BYTES = 2**19  # a block's hidden values; with their gradients they fit a 2 MB L2 cache


class Step:
    """Forward and backward passes over fixed pairs (a, b) with their labels.

    The one-hot input layer is a gather of embedding rows going forward; going back, its
    gradient is the sparse (2p x n) transposed one-hot matrix times the hidden gradients,
    which adds each row once into its two embedding rows, in row order (the sums of a
    grouped sum, in the same order, ~10x faster than np.add.reduceat). The pass runs
    block by block of rows, each block from its gather to its share of that sum, so a
    block's hidden values and their gradients stay in the core's cache; only the
    activations z (for the output layer's gradient, one product over every row) are
    kept for every row. The scores and every derived quantity (gradients, loss,
    accuracy) live in buffers that the next pass overwrites. A Step for scores alone
    (`backward=False`, the test pairs) keeps no row's activations: they overwrite the
    hidden values in place (one buffer fewer to stream through the cache: ~10% faster).
    """

    def __init__(self, a, b, label, p: int, width: int, activation: str, loss: str,
                 dtype=np.float32, outputs: int | None = None, backward: bool = True):
        n, outputs = len(a), outputs or p
        self.n, self.p, self.scale = n, p, 2.0 / (n * p)
        self.label = np.asarray(label)
        self.quadratic, self.mse = activation == "quadratic", loss == "mse"
        self.hot = np.arange(n) * outputs + self.label  # flat positions of the labels in y
        # Scores of padding outputs (zero weights) are zero, so are their MSE gradients;
        # cross-entropy works on the first p columns and leaves the rest of dy at zero.
        self.y, self.dy = np.empty((n, outputs), dtype), np.zeros((n, outputs), dtype)
        self.row = np.empty((n, 1), dtype)  # per-pair scratch (softmax maxima and sums)
        count = -(-n * width * np.dtype(dtype).itemsize // BLOCK_BYTES)
        size = -(-n // count)
        self.z = np.empty((n, width), dtype) if backward else None
        self.h = np.empty((size, width), dtype)
        self.dz = np.empty((size, width), dtype) if backward else None
        self.blocks = [_Block(self, slice(start, min(start + size, n)), np.asarray(a),
                              p + np.asarray(b), backward)
                       for start in range(0, n, size)]

    def scores(self, w_in, w_out) -> np.ndarray:
        """The output scores of the pairs (a buffer, overwritten by the next pass)."""
        for block in self.blocks:
            self._forward(block, w_in, w_out)
        return self.y

    def __call__(self, w_in, w_out, g_in, g_out) -> np.ndarray:
        """Write the loss gradients at (w_in, w_out) into g_in, g_out (C-contiguous);
        return the scores (a buffer, overwritten by the next pass)."""
        if not g_in.flags.c_contiguous:
            raise ValueError("g_in must be C-contiguous (the sums are added into it)")
        into = g_in.reshape(-1)
        into.fill(0)
        for block in self.blocks:
            h = self._forward(block, w_in, w_out)
            dy = self._output_grad(block)
            dz = np.matmul(dy, w_out.T, out=block.dz)
            if self.quadratic:
                dz *= h
            else:
                np.multiply(dz, h > 0, out=dz)
            # g_in += (onehot^T)[:, rows] @ dz: each embedding row's sum goes on where the
            # previous block left it, so the sums are those of one product over every row.
            csr_matvecs(*block.spread, block.dz_flat, into)
        np.matmul(self.z.T, self.dy, out=g_out)
        return self.y

    def _forward(self, block, w_in, w_out) -> np.ndarray:
        """One block's scores; returns its hidden values (a scratch buffer)."""
        h = block.h
        np.take(w_in, block.a, axis=0, out=h, mode="clip")  # "raise" buffers
        csr_matvecs(*block.add_b, w_in.reshape(-1), block.h_flat)  # h += w_in[p + b]
        if self.quadratic:
            np.multiply(h, h, out=block.z)
        else:
            np.maximum(h, 0, out=block.z)
        np.matmul(block.z, w_out, out=block.y)
        return h

    def _output_grad(self, block) -> np.ndarray:
        """d loss / d scores of the mean loss over pairs (and classes, for MSE) for one
        block's rows, into its share of the `dy` buffer (every step works row by row)."""
        y, dy = block.y, block.dy
        if self.mse:
            np.multiply(y, self.scale, out=dy)
            block.dy_flat[block.hot] -= self.scale
            return dy
        y, soft, row = y[:, :self.p], dy[:, :self.p], block.row
        np.max(y, axis=1, keepdims=True, out=row)
        np.subtract(y, row, out=soft)
        np.exp(soft, out=soft)
        np.sum(soft, axis=1, keepdims=True, out=row)
        soft /= row
        block.dy_flat[block.hot] -= 1
        dy /= self.n
        return dy

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


class _Block:
    """One block of rows: its views into the step's buffers, its gather indices and its
    parts of the one-hot matrix (for scipy's sparse kernel), made once."""

    def __init__(self, step: Step, rows: slice, rows_a, rows_b, backward: bool):
        size, dtype = rows.stop - rows.start, step.y.dtype
        (p2, width), outputs = (2 * step.p, step.h.shape[1]), step.y.shape[1]
        self.a = rows_a[rows]
        self.h = step.h[:size]
        self.h_flat = self.h.reshape(-1)
        self.z = step.z[rows] if backward else self.h  # h no longer needed: z in place
        self.y, self.dy, self.row = step.y[rows], step.dy[rows], step.row[rows]
        self.dy_flat = self.dy.reshape(-1)
        self.hot = step.hot[rows] - rows.start * outputs  # the labels' places in dy
        # csr_matvecs(rows, columns, vectors, indptr, indices, data, X, Y), the kernel
        # behind scipy's `csr_matrix @ dense`, adds A @ X into an existing Y (the public
        # product returns a fresh array, which would start each block's sums at zero).
        # Adding 1 * w_in[p + b] to h = w_in[a] is the sum w_in[a] + w_in[p + b], exactly,
        # in one pass over h (a gather into scratch, then an add, takes two).
        ones = np.ones(size, dtype)
        self.add_b = (size, p2, width, np.arange(size + 1, dtype=np.int32),
                      rows_b[rows].astype(np.int32), ones)
        if backward:
            self.dz = step.dz[:size]
            self.dz_flat = self.dz.reshape(-1)
            # d/dh of h^2 is 2h: the factor 2 goes into the one-hot entries (doubling is
            # exact in binary floats, so the sums are twice the plain sums, bit for bit).
            local = np.arange(size)
            part = sparse.csr_matrix(
                (np.full(2 * size, 2 if step.quadratic else 1, dtype),
                 (np.concatenate([self.a, rows_b[rows]]), np.concatenate([local, local]))),
                shape=(p2, size))
            part.sort_indices()  # each embedding row's terms in row order
            self.spread = (p2, size, width, part.indptr, part.indices, part.data)


class AdamW:
    """Full-batch AdamW on one flat parameter vector, in place (decoupled decay), then
    tiny values flushed to zero.

    The same float32 operations, in the same order, as the textbook
    `m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w = (1 - lr wd) w - lr m_hat /
    (sqrt(v_hat) + eps)`, each into a buffer made once (the step size into the gradient's:
    `grads` holds garbage afterwards). The weights `w` are a copy of the initial ones.
    """

    def __init__(self, weights: np.ndarray, grads: np.ndarray, lr: float, wd: float):
        self.w, self.m, self.v = weights.copy(), np.zeros_like(weights), np.zeros_like(weights)
        self.g, self.lr, self.decay = grads, lr, np.float32(1 - lr * wd)
        self.t, self.flush = np.empty_like(weights), np.empty(weights.size, bool)
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
        # Subnormals make the next matmuls ~50x slower. One vector at a time, through
        # buffers the update has just used (still in the cache); v, a decayed sum of
        # squares, is never negative and needs no abs.
        flush = self.flush
        for x in (w, m):
            np.less(np.abs(x, out=t), TINY, out=flush)
            np.copyto(x, 0, where=flush)
        np.less(v, TINY, out=flush)
        np.copyto(v, 0, where=flush)
