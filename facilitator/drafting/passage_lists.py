"""Where a passage lists steps or items: numbered steps (①②③…) of a process and runs of
list items (「・」「1.」), found line by line. A meeting answer quotes each in order."""

from __future__ import annotations

import re

STEP_MARKS = "①②③④⑤⑥⑦⑧⑨⑩"
STEPS_MIN = (3, 7)
"""Asked for the steps of a process, a run of at least this many lines numbered ①, ②, ③… in
order, each with at least this many characters after its number, is quoted step by step.
One sentence answered 「協議の場では、どういう順序で話を進めればいい？」 with the council
paper's 「協議に向けた枠組みの整理…」, or with the opener 「以下の①~⑥を繰り返しながら…」
that lists none of them. The length keeps out figure captions numbered the same way
(「③積極的役割を」)."""

LIST_ITEM = re.compile(r"^(?:-\s*)?(?:・|\d{1,2}\.\s)")


def step_lines(lines: list[str]) -> list[int]:
    """Where the numbered steps are: lines opening ①, ②, ③… in order (a new ① restarts)."""
    run: list[int] = []
    for i, line in enumerate(lines):
        n = len(run)
        mark, text = line[:1], line[1:].strip()
        if len(text) < STEPS_MIN[1]:
            continue
        if n < len(STEP_MARKS) and mark == STEP_MARKS[n]:
            run.append(i)
        elif mark == STEP_MARKS[0]:
            run = [i]
    return run if len(run) >= STEPS_MIN[0] else []


def list_run(lines: list[str]) -> tuple[int, list[int]]:
    """(the line above, the items) of the first run of at least three list items."""
    run: list[int] = []
    for i, line in enumerate([*lines, ""]):
        if LIST_ITEM.match(line):
            run.append(i)
            continue
        if len(run) >= STEPS_MIN[0] and run[0] > 0:
            return run[0] - 1, run
        run = []
    return -1, []


def step_text(text: str, lines: list[str], first: int, following: int) -> str:
    """Step ``first`` with its lines up to the ``following`` step (「⑤ 方策と役割分担の決定
    …について議論。地域の医療資源などを踏まえて…検討。」), verbatim from ``text``; the last
    step (``following`` 0) is its own line."""
    start = text.find(lines[first])
    end = text.find(lines[following], start) if following else -1
    return text[start:end].strip() if following and end > start else lines[first]
