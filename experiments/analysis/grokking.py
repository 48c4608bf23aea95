"""The sentences the grokking page shows, with every number computed from the run's frame.

Medians over seeds; "memorization" is the first logged epoch with train accuracy >= 99%,
"generalization" the first with test accuracy >= 95%, and the delay is their ratio.
Each claim names its regime (modulus, data fraction, weight decay, initialization),
because what holds at one setting fails at another (e.g. weight decay is needed with 30%
of pairs but not with 50%).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.framework.claims import Claim
from experiments.grokking import GROK_RATIO, delays, milestones, spectra


def regime(params: dict) -> str:
    return (f"p = {params['p']}, {params['train_fraction']:.0%} of pairs, weight decay "
            f"{params['weight_decay']:g}, init scale {params.get('init_scale', 1.0):g}, "
            f"{params['activation']} / {params['loss']}")


def _by_split(rows: pd.DataFrame) -> pd.DataFrame:
    """One column per split_metric (median over seeds), indexed by epoch."""
    wide = rows.assign(key=rows["split"] + "_" + rows["metric"])
    return wide.pivot_table(index="step", columns="key", values="value", aggfunc="median")


def _at(series: pd.Series, step: float) -> tuple[int, float]:
    """The logged value nearest to `step` (on a log scale) among the non-missing ones."""
    known = series.dropna()
    i = int(np.argmin(np.abs(np.log(known.index.to_numpy(float)) - np.log(step))))
    return int(known.index[i]), float(known.iloc[i])


def delay_claim(frame: pd.DataFrame, params: dict) -> Claim:
    per_seed = delays(frame)
    ok = per_seed["ratio"].notna()
    if not ok.all():
        return Claim("delay", f"{int((~ok).sum())} of {len(per_seed)} seeds did not both "
                     f"memorize and generalize within {params['epochs']} epochs.", False,
                     regime(params))
    marks = milestones(frame)
    mem, gen = marks["memorized"], marks["generalized"]
    ratio = per_seed["ratio"]
    text = (f"The median curves reach 99% training accuracy at epoch {mem} and 95% test "
            f"accuracy at epoch {gen}: generalization comes {gen / mem:.0f}x later (delay "
            f"per seed {ratio.min():.0f}x to {ratio.max():.0f}x over {len(per_seed)} seeds; "
            f"we call {GROK_RATIO:g}x or more a grok).")
    return Claim("delay", text, bool(gen / mem >= GROK_RATIO), regime(params))


def claims(frame: pd.DataFrame, params: dict) -> list[Claim]:
    marks = milestones(frame)
    mem, gen = marks["memorized"], marks["generalized"]
    out = [delay_claim(frame, params)]
    if mem is None or gen is None:
        return out
    curves = _by_split(frame[(frame["seed"] >= 0) & (frame["metric"] != "neuron_weight")])
    chance = 1 / params["p"]
    test_at_mem = curves.loc[mem, "test_accuracy"]
    out.append(Claim(
        "below_chance", f"When the training set is memorized (epoch {mem}), test accuracy is "
        f"{test_at_mem:.1%}, below the {chance:.1%} of guessing (1/p).",
        bool(test_at_mem < chance), regime(params)))
    norm = curves["train_weight_norm"]
    norm_mem, norm_gen = norm.loc[mem], norm.loc[gen]
    large = params.get("init_scale", 1.0) > 1
    verb = "falls" if norm_gen < norm_mem else "grows"
    out.append(Claim(
        "norm_falls" if large else "norm_grows",
        f"The weight norm {verb} during the delay: {norm_mem:.1f} at memorization, "
        f"{norm_gen:.1f} at generalization (it started at {norm.iloc[0]:.1f}).",
        bool(norm_gen < norm_mem) if large else bool(norm_gen > norm_mem), regime(params)))
    ipr_mem, ipr_gen = curves.loc[mem, "train_fourier_ipr"], curves.loc[gen, "train_fourier_ipr"]
    out.append(Claim(
        "waves", f"The neurons' Fourier sparsity rises from {ipr_mem:.2f} at memorization to "
        f"{ipr_gen:.2f} at generalization: their weights become a few pure waves.",
        bool(ipr_gen > 1.5 * ipr_mem), regime(params)))
    if "test_restricted_loss" in curves:
        out += progress_claims(curves, mem, gen, params)
    power = spectra(frame)
    if not power.empty:
        out.append(snapshot_claim(power, params))
    return out


def snapshot_claim(power: pd.DataFrame, params: dict) -> Claim:
    """The scrubber's neurons: the share of each one's power in its strongest frequency,
    median over the neurons, at the first and the last snapshot."""
    strongest = power.groupby(["epoch", "neuron"])["power"].max().groupby("epoch").median()
    first, last = strongest.index.min(), strongest.index.max()
    return Claim(
        "snapshot_waves",
        f"In the snapshots, a neuron's strongest frequency holds {strongest[first]:.0%} of its "
        f"power at epoch {first} and {strongest[last]:.0%} at epoch {last} (median over the "
        f"neurons shown): noise becomes one wave.",
        bool(strongest[last] > 0.5 and strongest[last] > 2 * strongest[first]), regime(params))


def progress_claims(curves: pd.DataFrame, mem: int, gen: int, params: dict) -> list[Claim]:
    """Hidden progress: halfway through the delay (on a log scale) the restricted loss has
    already fallen while the test loss has not; the excluded loss climbs from its low."""
    mid = float(np.sqrt(mem * gen))
    step, r_mid = _at(curves["test_restricted_loss"], mid)
    _, r_mem = _at(curves["test_restricted_loss"], mem)
    t_mem, t_mid = curves.loc[mem, "test_loss"], curves.loc[step, "test_loss"]
    acc_mid = curves.loc[step, "test_accuracy"]
    hidden = Claim(
        "hidden_progress",
        f"Halfway through the delay (epoch {step}, test accuracy still {acc_mid:.0%}) the "
        f"restricted loss has fallen to {r_mid / r_mem:.0%} of its value at memorization, "
        f"while the test loss stands at {t_mid / t_mem:.0%} of its own.",
        bool(r_mid / r_mem < min(t_mid / t_mem, 0.9)), regime(params))
    excluded = curves["train_excluded_loss"].dropna()
    during = excluded[(excluded.index >= mem) & (excluded.index <= gen)]
    low_step = int(during.idxmin())
    _, at_gen = _at(excluded, gen)
    train_loss = curves["train_loss"]
    rises = Claim(
        "excluded_rises",
        f"The excluded loss bottoms out at {during.min():.3g} (epoch {low_step}) and climbs to "
        f"{at_gen:.3g} by generalization ({at_gen / during.min():.1f}x) while the training "
        "loss keeps falling: removing the key waves hurts even the training pairs, so the "
        "network has come to rely on them.",
        bool(at_gen > 1.5 * during.min() and low_step < gen
             and train_loss.loc[gen] < train_loss.loc[low_step]), regime(params))
    return [hidden, rises]
