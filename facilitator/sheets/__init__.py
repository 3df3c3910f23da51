"""The issue sheet (課題シート): its model, its versions, its citations and its edit rules.

``model`` is the pydantic sheet with the shared field labels; ``store`` keeps every
version in SQLite and refuses stale saves; ``citations`` verifies that a citation quotes
a retrieved chunk verbatim; ``edit`` holds the rules by which a person's edits apply
(the app's editor and the Excel import both use them).
"""
