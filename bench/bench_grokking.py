"""Benchmark: epochs per second of the grokking trainer, against the machine's limit.

Prints the trainer's speed (epochs/s) and its achieved GFLOP/s (three n x width x p
matrix products per epoch), next to a large float32 matrix product measured in the
same run on one BLAS thread (what the trainer uses) and on all threads. Then the price
of subnormal floats: one epoch-sized matrix product on normal vs subnormal inputs, and
the run with the trainer's flush switched off, block by block (a slowdown shows once
weight decay has pushed weights or Adam's moments into the subnormal range).

    python -m bench.bench_grokking [--epochs 600] [--seed 0] [--no-flush-check]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from experiments import grokking
from experiments.numerics import modular_net

# Larger than the page's default (p = 31, width 128), whose tiny products measure Python
# overhead rather than the trainer's arithmetic; the README's figures are for this size.
BENCH = {"p": 59, "width": 256, "train_fraction": 0.3, "weight_decay": 5.0}


def matmul_gflops(size: int = 2048, threads: int | None = None) -> float:
    a = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)
    with threadpool_limits(threads, user_api="blas"):
        a @ a
        best = min(_timed(lambda: a @ a) for _ in range(3))
    return 2 * size**3 / best / 1e9


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def subnormal_penalty(n: int, width: int, p: int) -> float:
    """How much slower an (n x width) @ (width x p) product is on subnormal inputs."""
    rng = np.random.default_rng(0)
    z, w = rng.random((n, width), dtype=np.float32), rng.random((width, p), dtype=np.float32)
    tiny = (z * np.float32(1e-39)).astype(np.float32)  # below float32's 1.2e-38: subnormal
    with threadpool_limits(1, user_api="blas"):
        normal = min(_timed(lambda: z @ w) for _ in range(20))
        slow = min(_timed(lambda: tiny @ w) for _ in range(20))
    return slow / normal


def flops_per_epoch(params: dict) -> float:
    p, width = params["p"], params["width"]
    n = len(modular_net.dataset(params, 0)[0][0])
    return 3 * 2 * n * width * p


def epoch_times(params: dict, seed: int, block: int) -> list[float]:
    """Seconds per block of `block` epochs (logging only at block ends)."""
    steps = range(block, params["epochs"] + 1, block)
    times, start = [], time.perf_counter()
    for _ in modular_net.train(params, seed, steps):
        now = time.perf_counter()
        times.append(now - start)
        start = now
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-flush-check", action="store_true")
    args = parser.parse_args()
    params = grokking.EXPERIMENT.validate({**BENCH, "epochs": args.epochs})
    flops = flops_per_epoch(params)
    print(f"benchmark run: p={params['p']} width={params['width']} "
          f"train_fraction={params['train_fraction']} -> {flops / 1e6:.0f} MFLOP per epoch")
    peak1, peak_all = matmul_gflops(threads=1), matmul_gflops()
    print(f"large float32 matmul (2048^2): {peak1:.0f} GFLOP/s on 1 thread, "
          f"{peak_all:.0f} GFLOP/s on all threads")

    start = time.perf_counter()
    logs = list(modular_net.train(params, args.seed))
    total = time.perf_counter() - start
    print(f"trainer (log schedule, {len(logs)} evaluations): {args.epochs} epochs in {total:.2f} s "
          f"= {args.epochs / total:.0f} epochs/s, {flops * args.epochs / total / 1e9:.1f} GFLOP/s "
          f"({100 * flops * args.epochs / total / 1e9 / peak1:.0f}% of the 1-thread matmul); "
          f"final test accuracy {logs[-1]['test_accuracy']:.3f}")
    if args.no_flush_check:
        return
    n = len(modular_net.dataset(params, args.seed)[0][0])
    print(f"one epoch-sized product on subnormal inputs: "
          f"{subnormal_penalty(n, params['width'], params['p']):.1f}x slower")
    block = max(args.epochs // 6, 1)
    with_flush = epoch_times(params, args.seed, block)
    saved = modular_net.TINY
    modular_net.TINY = np.float32(0)  # |x| < 0 never holds: nothing is flushed
    try:
        without = epoch_times(params, args.seed, block)
    finally:
        modular_net.TINY = saved
    print(f"ms per epoch, blocks of {block} epochs (flush on / flush off):")
    for i, (a, b) in enumerate(zip(with_flush, without)):
        print(f"  epochs {i * block + 1:5d}-{(i + 1) * block:5d}: {1e3 * a / block:7.2f} / "
              f"{1e3 * b / block:7.2f}  ({b / a:.1f}x)")


if __name__ == "__main__":
    main()
