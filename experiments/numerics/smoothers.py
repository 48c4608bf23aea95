"""Trees, forests and L2-boosting written as linear smoothers, y_hat(x0) = s(x0)' y.

What to notice
--------------
A regression tree predicts at x0 the mean training target of x0's leaf, so its weight
vector s(x0) puts 1/|leaf| on the training points sharing that leaf. A forest (no
bootstrap) averages its trees' weights. L2-boosting fits each new tree to the current
residuals y - S_train y, so its smoother grows as S <- S + lr * S_tree (I - S_train).
Given the fitted structure (the leaves) every model here is linear in y, and
Curth, Jeffares & van der Schaar (2023) measure its complexity by the effective
number of parameters p_eff = n * mean over test points of ||s(x0)||^2: a tree with
leaves of size 1 gives p_eff = n; averaging many trees spreads the weights and
shrinks p_eff again. Least squares uses the same definition (`linalg.SweepFit`).
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from sklearn.tree import DecisionTreeRegressor


def effective_params(s_query: np.ndarray) -> float:
    """p_eff = n * mean over query points of ||s(x0)||^2 for a (queries x n) smoother."""
    return s_query.shape[1] * float(np.mean(np.sum(s_query**2, axis=1)))


def leaf_weights(train_leaf: np.ndarray, query_leaf: np.ndarray) -> np.ndarray:
    """Smoother rows of one tree: 1/|leaf| on the training points in the query's leaf.

    Every leaf holds training points (the tree was grown on them), so no row is empty.
    """
    same = query_leaf[:, None] == train_leaf[None, :]
    return same / same.sum(axis=1, keepdims=True)


def tree_smoother(tree, x_train: np.ndarray, x_query: np.ndarray) -> np.ndarray:
    """(queries x n) smoother of a fitted scikit-learn tree trained on all of x_train."""
    return leaf_weights(tree.apply(x_train), tree.apply(x_query))


def forest_smoothers(trees, x_train: np.ndarray, x_query: np.ndarray) -> Iterator[np.ndarray]:
    """Smoothers of the forests made of the first 1, 2, ... trees (running averages)."""
    total = np.zeros((len(x_query), len(x_train)))
    for count, tree in enumerate(trees, start=1):
        total += tree_smoother(tree, x_train, x_query)
        yield total / count


def _leaf_members(train_leaf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(leaves x n) averaging matrix, row l = 1/|leaf l| on its training points; leaf ids."""
    ids, position = np.unique(train_leaf, return_inverse=True)
    members = np.zeros((len(ids), len(train_leaf)))
    members[position, np.arange(len(train_leaf))] = 1.0
    return members / members.sum(axis=1, keepdims=True), ids


def l2_boost(x_train: np.ndarray, y: np.ndarray, x_test: np.ndarray, rounds: int, *,
             learning_rate: float, max_leaf_nodes: int, seed: int, max_features="sqrt",
             ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """L2-boosting with multi-output regression trees, tracking the smoother.

    Yields after each round (f_train, f_test, s_train, s_test): predictions from the
    trees' own leaf values, and the smoother matrices with f = s @ y up to rounding.
    The arrays are updated in place: copy what you keep. Starts from the mean of y,
    like scikit-learn's gradient boosting; `max_features` makes members of an averaged
    ensemble differ (with all features they would be near copies).
    """
    y2 = np.ascontiguousarray((y[:, None] if y.ndim == 1 else y), dtype=np.float64)
    # scikit-learn trees work in float32; converting once lets us skip its per-call checks
    x_train32 = np.ascontiguousarray(x_train, dtype=np.float32)
    x_test32 = np.ascontiguousarray(x_test, dtype=np.float32)
    n, m = len(x_train), len(x_test)
    f_train = np.tile(y2.mean(axis=0), (n, 1))
    f_test = np.tile(y2.mean(axis=0), (m, 1))
    s_train = np.full((n, n), 1.0 / n)
    s_test = np.full((m, n), 1.0 / n)
    rng = np.random.default_rng([seed, 85])
    for _ in range(rounds):
        tree = DecisionTreeRegressor(max_leaf_nodes=max_leaf_nodes, max_features=max_features,
                                     random_state=int(rng.integers(2**31 - 1)))
        tree.fit(x_train32, y2 - f_train, check_input=False)
        leaf_train = tree.apply(x_train32, check_input=False)
        leaf_test = tree.apply(x_test32, check_input=False)
        values = tree.tree_.value[:, :, 0]  # each leaf's mean residual
        f_train += learning_rate * values[leaf_train]
        f_test += learning_rate * values[leaf_test]
        # The new tree is a leaf average of the residuals (I - S_train) y.
        average, ids = _leaf_members(leaf_train)
        step = average - average @ s_train
        s_test += learning_rate * step[np.searchsorted(ids, leaf_test)]
        s_train += learning_rate * step[np.searchsorted(ids, leaf_train)]
        yield f_train, f_test, s_train, s_test
