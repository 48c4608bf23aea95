"""Parameter validation: every bad value gets one readable message naming the parameter."""
import math

import numpy as np
import pytest

from experiments.framework.params import Param, ParamError, coerce, parse_assignments, validate

SPEC = (
    Param("n", "int", 30, "count", low=5, high=200),
    Param("noise", "float", 0.1, "std", low=0.0, high=2.0),
    Param("ridge", "floats", (0.0,), "penalties", low=0.0, high=10.0, max_items=4),
    Param("target", "str", "cos", "function", choices=("cos", "sin")),
    Param("flag", "bool", False, "switch"),
)


def test_defaults_are_valid_and_typed():
    clean = validate(SPEC, {})
    assert clean == {"n": 30, "noise": 0.1, "ridge": (0.0,), "target": "cos", "flag": False}


def test_strings_from_cli_or_url_are_converted():
    clean = validate(SPEC, {"n": "40", "noise": "1e-2", "ridge": "0.1, 0, 1e-3",
                            "target": "sin", "flag": "true"})
    assert clean == {"n": 40, "noise": 0.01, "ridge": (0.0, 0.001, 0.1), "target": "sin",
                     "flag": True}
    assert validate(SPEC, {"n": np.int64(7), "noise": np.float32(0.5)})["n"] == 7


@pytest.mark.parametrize("name, value, fragment", [
    ("n", "abc", "not a whole number"),
    ("n", 3.5, "not a whole number"),
    ("n", True, "not a whole number"),
    ("n", 4, "out of range"),
    ("n", 10**9, "out of range"),
    ("n", None, "no value"),
    ("noise", math.nan, "not a finite number"),
    ("noise", "inf", "not a finite number"),
    ("noise", -0.1, "out of range"),
    ("noise", [1.0], "not a number"),
    ("ridge", [], "empty"),
    ("ridge", "1,2,3,4,5", "at most 4"),
    ("ridge", [0.1, "x"], "not a number"),
    ("target", "tan", "not allowed"),
    ("target", 3, "not allowed"),
    ("flag", "maybe", "not true or false"),
])
def test_bad_values_are_rejected_with_the_parameter_named(name, value, fragment):
    with pytest.raises(ParamError) as err:
        validate(SPEC, {name: value})
    message = str(err.value)
    assert message.startswith(f"{name}:") and fragment in message
    assert "\n" not in message


@pytest.mark.parametrize("name, value, message", [
    ("n", "1e999", "n: '1e999' is not a whole number"),
    ("n", " 2.5 ", "n: ' 2.5 ' is not a whole number"),
    ("noise", "1e999", "noise: '1e999' is not a finite number"),
    ("noise", "-Infinity", "noise: '-Infinity' is not a finite number"),
    ("ridge", "0.1, 1e999", "ridge: '1e999' is not a finite number"),
    ("n", np.float64(3.5), "n: 3.5 is not a whole number"),
    ("noise", math.inf, "noise: inf is not a finite number"),
])
def test_a_rejected_value_is_quoted_as_given_not_as_parsed(name, value, message):
    """A link's `1e999` parses to inf: the notice must show what the reader typed."""
    with pytest.raises(ParamError) as err:
        validate(SPEC, {name: value})
    assert str(err.value).startswith(message + " (expected ")


def test_unknown_names_are_rejected_and_known_ones_listed():
    with pytest.raises(ParamError, match="unknown parameter 'nn'.*known: flag, n, noise"):
        validate(SPEC, {"nn": 3})


def test_cli_assignments_parse_and_reject_garbage():
    assert parse_assignments(["a=1", "b = x=y"]) == {"a": "1", "b": " x=y"}
    with pytest.raises(ParamError, match="key=value"):
        parse_assignments(["novalue"])


def test_relevant_when_names_settings_of_the_same_experiment_with_valid_values():
    from experiments.framework import registry

    for exp in registry.experiments().values():
        spec = {p.name: p for p in exp.params}
        for p in exp.params:
            for name, allowed in p.relevant_when:
                assert name in spec and name != p.name, (exp.id, p.name, name)
                assert all(coerce(spec[name], v) == v for v in allowed), (exp.id, p.name)


def test_a_setting_is_unused_only_when_its_condition_fails():
    from experiments import trees

    noise = next(p for p in trees.EXPERIMENT.params if p.name == "noise")
    assert noise.unused_by({"dataset": "digits"}) == "dataset"
    assert noise.unused_by({"dataset": "synthetic"}) is None
    assert noise.unused_by({"dataset": "all"}) is None
    assert noise.to_json()["relevant_when"] == {"dataset": ["synthetic", "all"]}
