"""Descent Lab's Streamlit dashboard: pages call experiment code and chart builders."""
