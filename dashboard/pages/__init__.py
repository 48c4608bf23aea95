"""One file per page. `home.py`; the cross-experiment views (`explorer.py`,
`why_the_peak.py`, `u_turn.py`, `scaling_laws.py`: each with TITLE, URL and render());
and the content of each experiment page that is more than the generic chart
(`<name>.py` with `render(frame, params)`), named by the experiment's `page` field.
The frame every experiment page shares (settings, runs, provenance) is
`dashboard/experiment_page.py`.
"""
from __future__ import annotations

import importlib
from types import ModuleType

from experiments.framework.experiment import Experiment

NOT_EXPERIMENT_PAGES = ("home", "explorer", "why_the_peak", "u_turn", "scaling_laws")


class PageError(LookupError):
    """An experiment names a page that does not exist or cannot draw its result."""


def experiment_content(exp: Experiment) -> ModuleType | None:
    """The module named by `exp.page` (None when the experiment declares no page).

    Called for every experiment when the app starts, so a misnamed page stops the app
    with this message instead of quietly showing the generic chart."""
    if exp.page is None:
        return None
    where = f"dashboard/pages/{exp.page}.py"
    if exp.page in NOT_EXPERIMENT_PAGES:
        raise PageError(f"experiment {exp.id!r}: page={exp.page!r} is not an experiment page")
    try:
        module = importlib.import_module(f"dashboard.pages.{exp.page}")
    except ModuleNotFoundError as err:
        if err.name != f"dashboard.pages.{exp.page}":
            raise
        raise PageError(f"experiment {exp.id!r} declares page={exp.page!r}, but {where} "
                        "does not exist") from None
    if not callable(getattr(module, "render", None)):
        raise PageError(f"experiment {exp.id!r}: {where} has no render(frame, params)")
    return module
