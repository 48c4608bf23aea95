"""A few test examples kept with a result, with the model's prediction at every swept
size, so a page can scrub through model sizes in the browser without refitting.

Rows follow the tidy contract: one row per (example, size) with the prediction as
`value`, plus rows holding what the page draws the predictions against (the true
label and the 8x8 pixels of a digit, or the test target of a regression).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PER_CLASS = 2  # digits shown per class: 20 images fit a phone screen in two rows
REGRESSION_POINTS = 60  # test points in a predicted-against-true scatter


def digit_examples(labels: np.ndarray, per_class: int = PER_CLASS) -> np.ndarray:
    """Indices of the first `per_class` test digits of each class, in class order."""
    return np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in np.unique(labels)])


def per_size(metric: str, sizes: np.ndarray, predicted: np.ndarray) -> pd.DataFrame:
    """One row per (size, example) of `predicted`, shaped (sizes, examples)."""
    n_sizes, n_examples = predicted.shape
    return pd.DataFrame({"metric": metric, "value": predicted.ravel().astype(float),
                         "n_params": np.repeat(sizes, n_examples),
                         "example": np.tile(np.arange(n_examples), n_sizes)})


def digit_rows(sizes: np.ndarray, predicted: np.ndarray, labels: np.ndarray,
               pixels: np.ndarray) -> pd.DataFrame:
    """predicted: (sizes, examples) labels; labels: (examples,); pixels: (examples, 64)."""
    n_examples = predicted.shape[1]
    examples = np.arange(n_examples)
    return pd.concat([
        per_size("predicted_label", sizes, predicted),
        pd.DataFrame({"metric": "true_label", "value": labels.astype(float),
                      "example": examples}),
        pd.DataFrame({"metric": "pixel", "value": pixels.ravel().astype(float),
                      "example": np.repeat(examples, pixels.shape[1]),
                      "pixel": np.tile(np.arange(pixels.shape[1]), n_examples)}),
    ], ignore_index=True)


def regression_rows(sizes: np.ndarray, predicted: np.ndarray, targets: np.ndarray
                    ) -> pd.DataFrame:
    """predicted: (sizes, examples) predictions; targets: (examples,) test targets."""
    return pd.concat([
        per_size("prediction", sizes, predicted),
        pd.DataFrame({"metric": "target", "value": targets.astype(float),
                      "example": np.arange(predicted.shape[1])}),
    ], ignore_index=True)
