"""Parameter specs: one declaration that the CLI, the pages and validation all read.

A `Param` says what a knob is (type, default, bounds or choices, help). `validate`
turns untrusted input (Python values, CLI strings, URL strings) into a clean dict or
raises `ParamError` with one readable sentence naming the parameter.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class ParamError(ValueError):
    """A parameter value was rejected; the message is meant for the reader as is."""


KINDS = ("int", "float", "str", "bool", "floats")


@dataclass(frozen=True)
class Param:
    """One experiment parameter.

    kind: "int", "float", "str" (one of `choices`), "bool", or "floats" (a non-empty
    list of floats, e.g. several ridge penalties overlaid on one chart).
    `log` asks controls to step geometrically (penalties, widths).
    `relevant_when` names the settings this one depends on, as (name, allowed values)
    pairs: trees' `noise` only acts with `(("dataset", ("synthetic", "all")),)`.
    """

    name: str
    kind: str
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    log: bool = False
    max_items: int = 8
    relevant_when: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise TypeError(f"unknown kind {self.kind!r} for {self.name}")
        if self.kind == "str" and not self.choices:
            raise TypeError(f"str parameter {self.name} needs choices")

    def unused_by(self, values: Mapping[str, Any]) -> str | None:
        """The setting whose value in `values` makes this one do nothing (None: it acts)."""
        for name, allowed in self.relevant_when:
            if name in values and values[name] not in allowed:
                return name
        return None

    def bounds_text(self) -> str:
        if self.kind == "bool":
            return "(true or false)"
        if self.choices:
            return "one of " + ", ".join(self.choices)
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        return f"between {lo} and {hi}"

    def to_json(self) -> dict:
        out = {"name": self.name, "type": self.kind, "default": self.default, "help": self.help}
        if self.choices:
            out["choices"] = list(self.choices)
        if self.low is not None:
            out["min"] = self.low
        if self.high is not None:
            out["max"] = self.high
        if self.kind == "floats":
            out["max_items"] = self.max_items
        if self.log:
            out["log_scale"] = True
        if self.relevant_when:
            out["relevant_when"] = {name: list(allowed) for name, allowed in self.relevant_when}
        return out


def _fail(p: Param, what: str) -> ParamError:
    return ParamError(f"{p.name}: {what} (expected {p.kind} {p.bounds_text()})")


def _check_range(p: Param, x: float) -> None:
    if (p.low is not None and x < p.low) or (p.high is not None and x > p.high):
        raise _fail(p, f"{x:g} is out of range")


def _quoted(value: Any) -> str:
    """A rejected value as the reader gave it: text exactly as typed ('1e999', not the
    inf it parses to), numbers as plain numbers (3.5, not np.float64(3.5))."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return str(value.item() if hasattr(value, "item") else value)
    return repr(value)


def _as_float(p: Param, value: Any) -> float:
    given = value
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise _fail(p, f"{_quoted(given)} is not a number") from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(p, f"{_quoted(given)} is not a number")
    x = float(value)
    if not math.isfinite(x):
        raise _fail(p, f"{_quoted(given)} is not a finite number")
    _check_range(p, x)
    return x


def _as_int(p: Param, value: Any) -> int:
    given = value
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise _fail(p, f"{_quoted(given)} is not a whole number") from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(p, f"{_quoted(given)} is not a whole number")
    if not isinstance(value, numbers.Integral):
        if not math.isfinite(value) or value != math.floor(value):
            raise _fail(p, f"{_quoted(given)} is not a whole number")
    x = int(value)
    _check_range(p, x)
    return x


def _as_bool(p: Param, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if hasattr(value, "dtype") and value.dtype.kind == "b":
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "off"):
        return False
    raise _fail(p, f"{value!r} is not true or false")


def _as_floats(p: Param, value: Any) -> tuple[float, ...]:
    if isinstance(value, str):
        items: Sequence[Any] = [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        items = [value]
    elif isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = list(value.tolist() if hasattr(value, "tolist") else value)
    else:
        raise _fail(p, f"{value!r} is not a list of numbers")
    if not items:
        raise _fail(p, "the list is empty")
    if len(items) > p.max_items:
        raise _fail(p, f"{len(items)} values given, at most {p.max_items} allowed")
    return tuple(sorted({_as_float(p, v) for v in items}))


def coerce(p: Param, value: Any) -> Any:
    """Convert one untrusted value to the parameter's type, or raise ParamError."""
    if value is None:
        raise _fail(p, "no value given")
    if p.kind == "int":
        return _as_int(p, value)
    if p.kind == "float":
        return _as_float(p, value)
    if p.kind == "bool":
        return _as_bool(p, value)
    if p.kind == "floats":
        return _as_floats(p, value)
    if not isinstance(value, str) or value not in p.choices:
        raise _fail(p, f"{value!r} is not allowed")
    return value


def validate(spec: Sequence[Param], values: Mapping[str, Any] | None) -> dict:
    """Defaults overlaid with `values`, every value checked; unknown names are rejected."""
    values = dict(values or {})
    known = {p.name for p in spec}
    unknown = sorted(set(map(str, values)) - known)
    if unknown:
        raise ParamError(
            f"unknown parameter {unknown[0]!r} (known: {', '.join(sorted(known))})"
        )
    clean = {}
    for p in spec:
        clean[p.name] = coerce(p, values[p.name]) if p.name in values else coerce(p, p.default)
    return clean


def parse_assignments(pairs: Sequence[str]) -> dict[str, str]:
    """CLI `key=value` strings into a dict (values stay strings; `validate` converts)."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ParamError(f"--set expects key=value, got {pair!r}")
        out[key.strip()] = value
    return out
