"""One module per app page, each a short ``render()`` that lays out components."""
