"""The one label map: column, metric and value names as a reader should see them.

Charts take their default axis titles from here and pages their headings and options,
so a metric is called the same thing, with the same unit, everywhere.
"""
from __future__ import annotations

METRICS = {
    "mse": "squared loss",
    "error_rate": "0-1 error",
    "loss": "mean squared error",
    "risk": "risk (test error minus noise)",
    "excess_risk": "excess risk (test error minus noise)",
    "coef_norm": "coefficient norm ||beta||",
    "sigma_min": "smallest singular value of F",
    "accuracy": "accuracy",
    "weight_norm": "weight norm",
    "fourier_ipr": "Fourier IPR",
    "epochs_to_fit": "epochs to fit",
    "epochs_to_generalize": "epochs to generalize",
    "edit_distance": "wrong digits per answer",
}

COLUMNS = {
    "n_params": "parameters",
    "n_train": "training size",
    "gamma": "gamma = p / n",
    "n_weak": "number of weak directions",
    "params_per_sample": "parameters / training samples (10 / n)",
    "label_fraction": "share of training labels randomized",
    "train_fraction": "training fraction",
    "weight_decay": "weight decay",
    "step": "step",
    "effective_params": "effective parameters p_eff = n · mean ||s(x0)||²",
}

N_PARAMS = {  # what the parameter count is in each experiment
    "polynomial": "coefficients (degree + 1)",
    "random_features": "random features N",
    "deep_double_descent": "weights of the network (log scale)",
    "emergence": "model size N (random features)",
    "trees": "composite parameter count",
}

MODELS = {
    "forest": "Random forest",
    "boosting": "L2-boosting",
    "random_features": "random features",
    "network": "network",
    "train_mean": "predict the training mean",
    "zero": "predict zero",
}

STAGES = {"leaves": "leaves", "trees": "trees", "rounds": "rounds",
          "ensembles": "averaged ensembles"}

SCRUB = {  # the scrub-the-model-size charts (dashboard/charts/scrub.py)
    "slider": "model (0 = smallest)",
    "x": "input x",
    "y": "output y",
    "slice": "position along a line through the {dim}-dimensional input",
    "prediction": "prediction",
    "target": "test target (true value plus noise)",
}


def metric(name: str, split: str | None = None) -> str:
    """'test 0-1 error' for ('error_rate', 'test'); unknown names are shown as they are."""
    text = METRICS.get(name, name)
    return f"{split} {text}" if split else text


def column(name: str, experiment: str | None = None) -> str:
    """Axis title of a column; the parameter count is named per experiment."""
    if name == "n_params" and experiment in N_PARAMS:
        return N_PARAMS[experiment]
    return COLUMNS.get(name, name)


def ridge(value: float) -> str:
    return "0 (minimum norm)" if value == 0 else f"{value:g}"


def label_noise(value: float) -> str:
    return "clean labels" if value == 0 else f"{value:.0%} of labels flipped"


def weight_decay(value: float) -> str:
    return "none" if value == 0 else f"{value:g}"


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
