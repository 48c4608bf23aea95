"""Experiment-specific page content: `dashboard/sections/<experiment id>.py` with a
`render(frame, params)` function replaces the generic chart on that experiment's page."""
