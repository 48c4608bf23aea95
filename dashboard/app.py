"""Navigation built from the experiment registry: a new experiment gets a page here
without any edit. Cross-experiment views are listed in `dashboard/views/__init__.py`."""
from __future__ import annotations

import streamlit as st

from dashboard.pages import experiment, home
from dashboard.views import VIEWS
from experiments import registry


def experiment_page(experiment_id: str, title: str) -> st.Page:
    def page() -> None:
        experiment.render(experiment_id)

    page.__name__ = f"page_{experiment_id}"
    return st.Page(page, title=title, url_path=experiment_id)


def main() -> None:
    st.set_page_config(page_title="Descent Lab", page_icon="📉", layout="wide")
    overview = [st.Page(home.render, title="Home", url_path="home", default=True)]
    experiments = [experiment_page(e.id, e.title.split(":")[0]) for e in registry.experiments().values()]
    views = [st.Page(v.render, title=v.TITLE, url_path=v.URL) for v in VIEWS]
    sections = {"Overview": overview, "Experiments": experiments}
    if views:
        sections["Views"] = views
    st.navigation(sections).run()
