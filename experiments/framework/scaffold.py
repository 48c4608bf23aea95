"""`python -m experiments new NAME`: a working experiment from a template, in one command.

Writes experiments/NAME.py and tests/test_NAME.py, adds NAME to the registry, and
precomputes data/NAME.*; the dashboard page and the smoke tests pick it up from the
registry with no further edits.
"""
from __future__ import annotations

import importlib
import keyword
import re
from pathlib import Path
from string import Template

from experiments.framework import registry
from experiments.framework.params import ParamError

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).resolve().parent / "templates"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
REGISTRY_ANCHOR = "MODULES = (\n"


def check_name(name: str) -> None:
    if not NAME_PATTERN.match(name) or keyword.iskeyword(name):
        raise ParamError(f"name {name!r}: use 2-40 lowercase letters, digits or _, "
                         "starting with a letter")
    if name in registry.experiments() or (ROOT / "experiments" / f"{name}.py").exists():
        raise ParamError(f"name {name!r} is taken: an experiment or module of that name exists")
    if (ROOT / "tests" / f"test_{name}.py").exists():
        raise ParamError(f"tests/test_{name}.py exists already")


def render(template: str, name: str) -> str:
    title = name.replace("_", " ").capitalize()
    return Template((TEMPLATES / template).read_text()).substitute(name=name, title=title)


def register(name: str, registry_file: Path) -> None:
    text = registry_file.read_text()
    if REGISTRY_ANCHOR not in text:
        raise ParamError(f"cannot find the MODULES list in {registry_file}")
    registry_file.write_text(text.replace(REGISTRY_ANCHOR, f'{REGISTRY_ANCHOR}    "{name}",\n', 1))


def create(name: str, root: Path = ROOT) -> list[Path]:
    """Write the module and its test and register it; returns the files written."""
    check_name(name)
    module = root / "experiments" / f"{name}.py"
    test = root / "tests" / f"test_{name}.py"
    module.write_text(render("experiment.py.tmpl", name))
    test.write_text(render("test_experiment.py.tmpl", name))
    register(name, root / "experiments" / "framework" / "registry.py")
    importlib.reload(registry)  # pick up the new MODULES entry in this process too
    return [module, test]
