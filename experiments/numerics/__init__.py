"""Shared numerics: solvers, features, datasets, networks, fits; no experiment logic."""
