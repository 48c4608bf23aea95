"""The framework: what an experiment is, how it runs, is validated, stored and served."""
