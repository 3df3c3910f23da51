"""Placeholder page (being written)."""

from __future__ import annotations

import streamlit as st

if __name__ == "__main__":
    st.title("準備中")
