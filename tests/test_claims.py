"""Every claim a page makes holds on the shipped data it is shown with.

If a future precompute stops supporting a sentence, this test names the experiment, the
claim and its text, so the sentence is fixed or the page stops making it.
"""
from __future__ import annotations

import pytest

from experiments.framework import registry, store


@pytest.mark.slow
@pytest.mark.parametrize("experiment_id", sorted(registry.experiments()))
def test_shipped_data_support_every_claim(experiment_id):
    exp = registry.get(experiment_id)
    frame, provenance = store.load(experiment_id)
    params = exp.validate(provenance["params"])
    claims = exp.claims(frame, params)
    keys = [c.key for c in claims]
    assert len(keys) == len(set(keys)), f"duplicate claim keys in {experiment_id}: {keys}"
    failing = [f"{c.key}: {c.text}" for c in claims if not c.holds]
    assert not failing, (f"{experiment_id} claims no longer supported by data/:\n"
                         + "\n".join(failing))
