"""Navigation built from the experiment registry: a new experiment gets a page here
without any edit, with the content its `page` field names. Cross-experiment views are
listed in VIEWS below."""
from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from dashboard import data, experiment_page
from dashboard.pages import (
    experiment_content,
    explorer,
    home,
    memorize_or_generalize,
    runs,
    scaling_laws,
    u_turn,
    why_the_peak,
)
from dashboard.ui import labels, style
from experiments.framework import registry

VIEWS = (explorer, why_the_peak, u_turn, scaling_laws, memorize_or_generalize, runs)


APP = "Descent Lab"
NAV_TITLES = {"scaling": "Scaling with data"}  # the view "Scaling laws" fits any result


def tab_title(title: str) -> str:
    """The browser tab's title: the page first, so that tabs tell pages apart."""
    return APP if title in ("Home", APP) else f"{title} · {APP}"


def _named(render: Callable[[], None], path: str, title: str) -> Callable[[], None]:
    """st.Page wants a plain function with a unique name; it also names its tab."""
    def page() -> None:
        st.set_page_config(page_title=tab_title(title))
        render()

    page.__name__ = "page_" + path.replace("-", "_")
    return page


def page_table() -> dict[str, list[tuple[str, str, Callable[[], None]]]]:
    """Navigation sections -> (url_path, title, render) for every page of the app.

    Raises PageError when an experiment names a page that does not exist."""
    return {
        "Overview": [("home", "Home", home.render)],
        "Experiments": [(e.id, NAV_TITLES.get(e.id, labels.experiment_name(e.id)),
                         partial(experiment_page.render, e.id, experiment_content(e)))
                        for e in registry.experiments().values()],
        "Views": [(v.URL, v.TITLE, v.render) for v in VIEWS],
    }


def render_page(url_path: str) -> None:
    """Render one page without navigation (used by the AppTest smoke tests)."""
    st.set_page_config(page_title=APP, page_icon="📉", layout="wide")
    for entries in page_table().values():
        for path, title, render in entries:
            if path == url_path:
                st.set_page_config(page_title=tab_title(title))
                render()
                return
    raise KeyError(url_path)


WARM_UP_PAUSE = 1.0  # seconds between warm-up tasks


def warm_up_tasks() -> tuple[Callable[[], object], ...]:
    """What the server computes before visitors ask: Home's tour first (every visitor
    opens it), then every shipped result read once, one a second (WARM_UP_PAUSE) so as
    not to slow the first visitor's page, so that a burst of sessions does not start
    with each of them reading Parquet files."""
    return (home.warm, *(partial(data.load_shipped, e) for e in registry.experiments()))


def main() -> None:
    data.warm_up(warm_up_tasks(), WARM_UP_PAUSE)  # once per process, in the background
    st.set_page_config(page_title=APP, page_icon="📉", layout="wide")
    sections = {}
    for name, entries in page_table().items():
        pages = [st.Page(_named(render, path, title), title=title, url_path=path,
                         default=path == "home")
                 for path, title, render in entries]
        if pages:
            sections[name] = pages
    st.html(style.PHONE_CSS + (style.dark_css() if st.context.theme.type == "dark" else ""))
    st.navigation(sections).run()
