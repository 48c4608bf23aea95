"""Benchmark: epochs per second of the grokking trainer, against a plain numpy baseline
and against the machine's limit for the same shapes.

Measured in the same run, alternating so that the machine's load hits both sides alike:
- the reference: the textbook numpy network (dense one-hot inputs times the first layer,
  every gradient a matrix product, fresh arrays every step, the same AdamW and flush);
- the lab's trainer (experiments/numerics/modular_net.py, its epoch in modular_step.py);
- the lab's trainer as it was when issue 18 was filed (`--baseline`, a commit of this
  repository; its modular_net.py is read with `git show` and run from memory), so the
  speed-up over the trainer the issue measured is a ratio of the same run;
- the one-thread float32 matrix products of one epoch (three n x width x p products, the
  work neither can avoid), as epochs/s if an epoch were nothing else.
Then the price of subnormal floats: one epoch-sized matrix product on normal vs
subnormal inputs, and the run with the trainer's flush switched off, block by block.

    python -m bench.bench_grokking [--epochs 600] [--seed 0] [--rounds 3] [--no-flush-check]
                                   [--baseline COMMIT | --baseline none]
"""
from __future__ import annotations

import argparse
import subprocess
import time
import types
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from experiments import grokking
from experiments.numerics import modular_net, modular_step

# Larger than the page's default (p = 31, width 128), whose tiny products measure Python
# overhead rather than the trainer's arithmetic; the README's figures are for this size.
BENCH = {"p": 59, "width": 256, "train_fraction": 0.3, "weight_decay": 5.0}
ISSUE_18 = "3c9cacf"  # main when issue 18 was filed (its trainer ran ~0.7x the reference)
ROOT = Path(__file__).resolve().parent.parent


def reference_train(params: dict, seed: int, steps) -> list[dict]:
    """The straightforward implementation (x^2 activation, MSE): train and test accuracy
    and loss at each epoch in `steps`, from the lab's data split and initialization."""
    (a, b, label), (ta, tb, tlabel) = modular_net.dataset(params, seed)
    p = params["p"]

    def onehot(cols, width):
        out = np.zeros((len(cols[0]), width), np.float32)
        for col in cols:
            out[np.arange(len(col)), col] = 1
        return out

    x, x_test, target = onehot((a, p + b), 2 * p), onehot((ta, p + tb), 2 * p), onehot((label,), p)
    weights = modular_net.init_weights(p, params["width"], seed)
    moments = [[np.zeros_like(w), np.zeros_like(w)] for w in weights]
    b1, b2 = modular_step.BETAS
    lr, wd, tiny = params["lr"], params["weight_decay"], modular_step.TINY
    logs, epoch = [], 0
    with threadpool_limits(1, user_api="blas"):
        for stop in sorted(steps):
            while epoch < stop:
                epoch += 1
                w_in, w_out = weights
                h = x @ w_in
                z = h * h
                dy = (z @ w_out - target) * (2.0 / target.size)
                grads = [x.T @ ((dy @ w_out.T) * (2 * h)), z.T @ dy]
                fix1, fix2 = 1 - b1**epoch, 1 - b2**epoch
                for w, g, (m, v) in zip(weights, grads, moments):
                    m *= b1
                    m += (1 - b1) * g
                    v *= b2
                    v += (1 - b2) * (g * g)
                    w *= np.float32(1 - lr * wd)
                    w -= np.float32(lr / fix1) * m / (np.sqrt(v / np.float32(fix2))
                                                       + np.float32(modular_step.EPS))
                    for arr in (m, v, w):
                        arr[np.abs(arr) < tiny] = 0
            scores = [(xs @ weights[0]) ** 2 @ weights[1] for xs in (x, x_test)]
            logs.append({"step": epoch, "train_accuracy": modular_net.accuracy(scores[0], label),
                         "test_accuracy": modular_net.accuracy(scores[1], tlabel),
                         "train_loss": modular_net.loss_value(scores[0], label, "mse"),
                         "test_loss": modular_net.loss_value(scores[1], tlabel, "mse")})
    return logs


def lab_train(params: dict, seed: int, steps) -> list[dict]:
    return list(modular_net.train(params, seed, steps))


def trainer_at(commit: str):
    """`train` of experiments/numerics/modular_net.py at `commit`, or None (no git)."""
    try:
        source = subprocess.run(["git", "show", f"{commit}:experiments/numerics/modular_net.py"],
                                cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType(f"modular_net_{commit}")
    exec(compile(source, f"{commit}:modular_net.py", "exec"), module.__dict__)
    return lambda params, seed, steps: list(module.train(params, seed, steps))


def epoch_products(n: int, width: int, p: int, repeats: int = 30) -> float:
    """Best seconds for one epoch's three float32 products on one BLAS thread."""
    rng = np.random.default_rng(0)
    z, w = rng.random((n, width), dtype=np.float32), rng.random((width, p), dtype=np.float32)
    dy = rng.random((n, p), dtype=np.float32)
    with threadpool_limits(1, user_api="blas"):
        return min(_timed(lambda: (z @ w, dy @ w.T, z.T @ dy)) for _ in range(repeats))


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


def epoch_times(params: dict, seed: int, block: int) -> list[float]:
    """Seconds per block of `block` epochs (logging only at block ends)."""
    steps = range(block, params["epochs"] + 1, block)
    times, start = [], time.perf_counter()
    for _ in modular_net.train(params, seed, steps):
        now = time.perf_counter()
        times.append(now - start)
        start = now
    return times


def compare(params: dict, seed: int, rounds: int, baseline: str | None = None) -> None:
    """Reference vs lab (vs the lab at `baseline`) vs the matrix products, best of `rounds`
    alternating runs."""
    p, width, epochs = params["p"], params["width"], params["epochs"]
    n = len(modular_net.dataset(params, seed)[0][0])
    flops = 3 * 2 * n * width * p
    steps = modular_net.log_schedule(epochs)
    # CPU seconds as well as wall: on a busy host a one-thread run waits for a core, and
    # its CPU time still counts only its own work.
    sides = [("reference", reference_train), ("lab", lab_train)]
    old = trainer_at(baseline) if baseline else None
    if old is not None:
        sides.append((f"lab@{baseline}", old))
    elif baseline:
        print(f"(no git history: the trainer at {baseline} is left out)")
    best, final = {(name, clock): np.inf for name, _ in sides for clock in ("wall", "cpu")}, {}
    for _ in range(rounds):
        for name, fn in sides:
            wall, cpu = time.perf_counter(), time.process_time()
            logs = fn(params, seed, steps)
            best[name, "wall"] = min(best[name, "wall"], time.perf_counter() - wall)
            best[name, "cpu"] = min(best[name, "cpu"], time.process_time() - cpu)
            final[name] = logs[-1]["test_accuracy"]
    rate = {name: epochs / best[name, "cpu"] for name in final}
    wall_rate = {name: epochs / best[name, "wall"] for name in final}
    products = epoch_products(n, width, p)
    bound = 1 / products
    print(f"benchmark run: p={p} width={width} train_fraction={params['train_fraction']} "
          f"(n={n} training pairs), {epochs} epochs, {len(steps)} evaluations, best of {rounds}")
    print(f"one-thread float32 matmul, this epoch's three products ({n}x{width}x{p}): "
          f"{products * 1e3:.2f} ms = {flops / products / 1e9:.1f} GFLOP/s, "
          f"{bound:.0f} epochs/s if an epoch were only these")
    for name in final:
        print(f"{name:9s}: {rate[name]:6.0f} epochs/s of CPU time ({wall_rate[name]:.0f} wall), "
              f"{flops * rate[name] / 1e9:5.1f} GFLOP/s ({rate[name] / bound:.0%} of the "
              f"same-shape matmul rate), final test accuracy {final[name]:.3f}")
    print(f"lab vs reference: speed-up {rate['lab'] / rate['reference']:.2f}x on CPU time, "
          f"{wall_rate['lab'] / wall_rate['reference']:.2f}x on wall time")
    share = rate["lab"] / bound
    if old is not None:
        then = rate[f"lab@{baseline}"]
        print(f"figure: grokking trainer: {rate['lab']:.0f} epochs/s = {share:.0%} of the "
              f"one-thread matmul rate, {rate['lab'] / then:.2f}x the trainer at {baseline} "
              f"(issue 18's baseline, {then:.0f} epochs/s in this run)")
    else:
        print(f"figure: grokking trainer: {rate['lab']:.0f} epochs/s = {share:.0%} of the "
              f"one-thread matmul rate")


def flush_check(params: dict, seed: int) -> None:
    n = len(modular_net.dataset(params, seed)[0][0])
    print(f"one epoch-sized product on subnormal inputs: "
          f"{subnormal_penalty(n, params['width'], params['p']):.1f}x slower")
    block = max(params["epochs"] // 6, 1)
    with_flush = epoch_times(params, seed, block)
    saved = modular_step.TINY
    modular_step.TINY = np.float32(0)  # |x| < 0 never holds: nothing is flushed
    try:
        without = epoch_times(params, seed, block)
    finally:
        modular_step.TINY = saved
    print(f"ms per epoch, blocks of {block} epochs (flush on / flush off):")
    for i, (a, b) in enumerate(zip(with_flush, without)):
        print(f"  epochs {i * block + 1:5d}-{(i + 1) * block:5d}: {1e3 * a / block:7.2f} / "
              f"{1e3 * b / block:7.2f}  ({b / a:.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-flush-check", action="store_true")
    parser.add_argument("--baseline", default=ISSUE_18,
                        help="a commit whose trainer runs alongside ('none' to leave it out)")
    args = parser.parse_args()
    params = grokking.EXPERIMENT.validate({**BENCH, "epochs": args.epochs})
    compare(params, args.seed, args.rounds, None if args.baseline == "none" else args.baseline)
    if not args.no_flush_check:
        flush_check(params, args.seed)


if __name__ == "__main__":
    main()
