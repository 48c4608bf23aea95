"""Navigation built from the experiment registry: a new experiment gets a page here
without any edit. Cross-experiment views are listed in `dashboard/views/__init__.py`."""
from __future__ import annotations

from functools import partial
from typing import Callable

import streamlit as st

from dashboard.pages import experiment, home
from dashboard.views import VIEWS
from experiments.framework import registry


def _named(render: Callable[[], None], path: str) -> Callable[[], None]:
    """st.Page wants a plain function with a unique name."""
    def page() -> None:
        render()

    page.__name__ = "page_" + path.replace("-", "_")
    return page


def page_table() -> dict[str, list[tuple[str, str, Callable[[], None]]]]:
    """Navigation sections -> (url_path, title, render) for every page of the app."""
    return {
        "Overview": [("home", "Home", home.render)],
        "Experiments": [(e.id, e.title.split(":")[0], partial(experiment.render, e.id))
                        for e in registry.experiments().values()],
        "Views": [(v.URL, v.TITLE, v.render) for v in VIEWS],
    }


def render_page(url_path: str) -> None:
    """Render one page without navigation (used by the AppTest smoke tests)."""
    st.set_page_config(page_title="Descent Lab", page_icon="📉", layout="wide")
    for entries in page_table().values():
        for path, _title, render in entries:
            if path == url_path:
                render()
                return
    raise KeyError(url_path)


def main() -> None:
    st.set_page_config(page_title="Descent Lab", page_icon="📉", layout="wide")
    sections = {}
    for name, entries in page_table().items():
        pages = [st.Page(_named(render, path), title=title, url_path=path, default=path == "home")
                 for path, title, render in entries]
        if pages:
            sections[name] = pages
    st.navigation(sections).run()
