"""Making text for people from the evidence: issue-sheet drafts and meeting answers.

``context`` gathers what a draft may use (area figures, example sheets, retrieved
passages, ranked precedents) and depends on nothing else here; ``offline`` composes the
deterministic draft (with ``roles`` for who does what); ``llm`` drafts with a chat model
through ``chat`` (building, calling, repairing once), ``schema`` (what the model fills),
``prompts`` (prompt files, outside text framed as data) and ``checks`` (what is sent back
to it); ``draft`` orchestrates and verifies every draft once; ``answer`` answers a
question during a meeting.
"""
