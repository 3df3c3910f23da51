"""Reading report files into the store: read → validate every cell → derive function
states and per-municipality statistics → store, all or nothing per file."""
