"""`python -m experiments new NAME`: a working experiment from a template, in one command.

Writes exactly three files, experiments/NAME.py, its page dashboard/pages/NAME.py and
tests/test_NAME.py, then (from the CLI) precomputes data/NAME.*. Nothing else is edited:
the registry finds the module, and the navigation, CLI and suite-wide tests follow it.
"""
from __future__ import annotations

import keyword
import re
from pathlib import Path
from string import Template

from experiments.framework import registry
from experiments.framework.params import ParamError

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).resolve().parent / "templates"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
FILES = {  # template -> where it goes
    "experiment.py.tmpl": "experiments/{name}.py",
    "page.py.tmpl": "dashboard/pages/{name}.py",
    "test_experiment.py.tmpl": "tests/test_{name}.py",
}


def targets(name: str, root: Path = ROOT) -> dict[str, Path]:
    return {template: root / where.format(name=name) for template, where in FILES.items()}


def check_name(name: str, root: Path = ROOT) -> None:
    if not NAME_PATTERN.match(name) or keyword.iskeyword(name):
        raise ParamError(f"name {name!r}: use 2-40 lowercase letters, digits or _, "
                         "starting with a letter")
    if name in registry.module_names() or (root / "experiments" / name).exists():
        raise ParamError(f"name {name!r} is taken: an experiment or module of that name exists")
    for path in targets(name, root).values():
        if path.exists():
            raise ParamError(f"{path.relative_to(root)} exists already")


def render(template: str, name: str) -> str:
    title = name.replace("_", " ").capitalize()
    return Template((TEMPLATES / template).read_text()).substitute(name=name, title=title)


def create(name: str, root: Path = ROOT) -> list[Path]:
    """Write the module, its page and its test; returns the files written."""
    check_name(name, root)
    written = []
    for template, path in targets(name, root).items():
        path.write_text(render(template, name))
        written.append(path)
    registry.module_names.cache_clear()
    registry.experiments.cache_clear()
    return written
