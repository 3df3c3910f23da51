"""The pieces pages are made of: session state, pickers, panels, the editor, charts."""
