"""The Streamlit app: ``pages/`` and ``components/``. The only package that imports streamlit."""
