"""The plug-in contract (Experiment's docstring, CONTRIBUTING.md): every module
`experiments/<id>.py` declares it, and a broken one is named with what is missing."""
import subprocess
import sys

import pytest

from experiments.framework import registry
from experiments.framework.experiment import Experiment
from experiments.framework.params import ParamError


@pytest.mark.parametrize("name", registry.module_names())
def test_every_experiment_module_keeps_the_contract(name):
    assert registry.contract_problems(name) == []


def test_sidebar_order_is_declared_and_unique():
    orders = [exp.order for exp in registry.experiments().values()]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)


def test_a_broken_module_is_named_with_what_is_missing(monkeypatch, tmp_path):
    polynomial = registry.get("polynomial")
    fake = type(sys)("experiments.fake_contract")
    fake.EXPERIMENT = Experiment(**{**polynomial.__dict__, "id": "other", "cost": None,
                                    "summary": ""})
    monkeypatch.setitem(sys.modules, "experiments.fake_contract", fake)
    assert registry.contract_problems("fake_contract") == [
        "experiments/fake_contract.py: EXPERIMENT.summary missing",
        "experiments/fake_contract.py: EXPERIMENT.cost missing",
        "experiments/fake_contract.py: EXPERIMENT.id is 'other', expected the module name "
        "'fake_contract'",
        "experiments/fake_contract.py: EXPERIMENT.cost is not callable",
    ]
    del fake.EXPERIMENT
    assert registry.contract_problems("fake_contract") == [
        "experiments/fake_contract.py: no EXPERIMENT = Experiment(...) defined"]


def test_unknown_ids_are_refused_with_the_known_ones():
    with pytest.raises(ParamError, match="unknown experiment 'nope'.*polynomial"):
        registry.get("nope")


@pytest.mark.slow
def test_get_imports_only_the_requested_experiment():
    code = ("import sys; from experiments.framework import registry; registry.get('trees'); "
            "print(sorted(m for m in sys.modules if m.count('.') == 1 and m.startswith("
            "'experiments.') and m.split('.')[1] not in ('framework', 'numerics', 'analysis')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['experiments.trees']"
