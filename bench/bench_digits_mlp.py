"""Benchmark: epochs per second of the packed two-layer network, against the machine's limit.

Trains the deep double descent sweep's widths side by side (full batch, one BLAS thread,
as the experiment does) and prints epochs/s and the achieved GFLOP/s, next to a large
float32 matrix product measured in the same run on one BLAS thread: the fraction of that
peak is how much of the machine the trainer uses. Then the same widths trained one at a
time, to show what packing them into one hidden layer buys.

    python -m bench.bench_digits_mlp [--epochs 300] [--n-train 200]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from experiments import deep_double_descent as ddd
from experiments.numerics import digits_mlp as mlp


def matmul_gflops(size: int = 2048) -> float:
    a = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)
    with threadpool_limits(1, user_api="blas"):
        a @ a
        best = np.inf
        for _ in range(3):
            start = time.perf_counter()
            a @ a
            best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def train_seconds(widths, x, target, epochs: int, lr: float) -> float:
    nets = mlp.init(widths, ddd.N_IN, ddd.N_CLASSES, np.random.default_rng(0))
    start = time.perf_counter()
    mlp.train(nets, x, target, epochs, lr)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--n-train", type=int, default=200)
    args = parser.parse_args()
    params = ddd.EXPERIMENT.validate({**ddd.EXPERIMENT.precompute_params, "n_train": args.n_train})
    widths = ddd.widths_for(params)
    x, labels, _, _ = ddd._data(params, 0)
    target = np.eye(ddd.N_CLASSES, dtype=np.float32)[labels]
    peak = matmul_gflops()
    packed = train_seconds(widths, x, target, args.epochs, params["lr"])
    flops = mlp.epoch_flops(widths, args.n_train, ddd.N_IN, ddd.N_CLASSES)
    achieved = flops * args.epochs / packed / 1e9
    print(f"widths {', '.join(map(str, widths))} (hidden units {widths.sum()}), n = {args.n_train}")
    print(f"float32 matmul peak, 1 BLAS thread: {peak:.1f} GFLOP/s")
    print(f"packed widths: {args.epochs / packed:.1f} epochs/s, {achieved:.1f} GFLOP/s "
          f"({achieved / peak:.0%} of the one-thread peak)")
    alone = sum(train_seconds([w], x, target, args.epochs, params["lr"]) for w in widths)
    print(f"one width at a time: {args.epochs / alone:.1f} epochs/s of the whole sweep "
          f"(packing: {alone / packed:.1f}x speed-up)")


if __name__ == "__main__":
    main()
