"""The rule files in facilitator/data are read with yaml.safe_load, which keeps the last of two
equal keys without a word: an entry added at the end (「心不全: [心臓が弱い]」) silently
replaced the one above it (「心不全: [心臓病]」) and a judged question lost its answer."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from facilitator.settings import PACKAGE_DATA


def _repeated_keys(node: yaml.Node) -> list[str]:
    out: list[str] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                out.append(f"{key.value} (line {key.start_mark.line + 1})")
            seen.add(key.value)
            out += _repeated_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            out += _repeated_keys(item)
    return out


@pytest.mark.parametrize("path", sorted(PACKAGE_DATA.glob("*.yaml")), ids=lambda p: p.name)
def test_no_key_is_written_twice(path: Path) -> None:
    assert _repeated_keys(yaml.compose(path.read_text(encoding="utf-8"))) == []


def test_a_repeated_key_is_found() -> None:
    assert _repeated_keys(yaml.compose("a: [1]\nb: [2]\na: [3]\n")) == ["a (line 3)"]
