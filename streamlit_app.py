"""Descent Lab entrypoint (`streamlit run streamlit_app.py`, Community Cloud's default)."""
from dashboard.app import main

main()
