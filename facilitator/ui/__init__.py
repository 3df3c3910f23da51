"""Streamlit pages. The only place in the package that imports streamlit."""
