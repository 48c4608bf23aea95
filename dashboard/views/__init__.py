"""Cross-experiment views (pages that are not one experiment). Each module has TITLE,
URL and render(); add one line to VIEWS to list a new one."""
from __future__ import annotations

import importlib

VIEW_MODULES: tuple[str, ...] = ("explorer", "why_the_peak", "u_turn", "scaling_laws",
                                 "memorize_or_generalize")

VIEWS = tuple(importlib.import_module(f"dashboard.views.{m}") for m in VIEW_MODULES)
