"""Measured sentences (claims) too long to sit in their experiment's module."""
