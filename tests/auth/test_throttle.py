"""Repeated wrong passwords make a user name wait; a good login clears the count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from facilitator.auth.throttle import LOCKOUT, MAX_FAILURES, LoginThrottle
from facilitator.settings import Settings

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def throttle(tmp_path: Path) -> LoginThrottle:
    return LoginThrottle(Settings(data_dir=tmp_path, corpus_dir=tmp_path))


def test_a_few_mistakes_are_allowed(tmp_path: Path) -> None:
    t = throttle(tmp_path)
    for i in range(MAX_FAILURES - 1):
        t.failed("佐藤", T0 + timedelta(seconds=i))
    assert t.wait("佐藤", T0 + timedelta(minutes=1)) is None


def test_too_many_mistakes_make_that_name_wait_and_then_it_may_try_again(tmp_path: Path) -> None:
    t = throttle(tmp_path)
    for i in range(MAX_FAILURES):
        t.failed("佐藤", T0 + timedelta(seconds=i))
    last = T0 + timedelta(seconds=MAX_FAILURES - 1)
    assert t.wait("佐藤", last + timedelta(minutes=1)) == LOCKOUT - timedelta(minutes=1)
    assert t.wait("鈴木", last) is None  # other names are not affected
    assert t.wait("佐藤", last + LOCKOUT + timedelta(seconds=1)) is None


def test_mistakes_spread_over_a_long_time_do_not_add_up(tmp_path: Path) -> None:
    t = throttle(tmp_path)
    for i in range(MAX_FAILURES):
        t.failed("佐藤", T0 + timedelta(hours=i))
    assert t.wait("佐藤", T0 + timedelta(hours=MAX_FAILURES - 1, minutes=1)) is None


def test_a_good_login_clears_the_count_and_a_damaged_file_only_forgets(tmp_path: Path) -> None:
    t = throttle(tmp_path)
    for i in range(MAX_FAILURES):
        t.failed("佐藤", T0 + timedelta(seconds=i))
    t.succeeded("佐藤")
    assert t.wait("佐藤", T0 + timedelta(minutes=1)) is None
    t.path.write_text("{not json", encoding="utf-8")
    assert t.wait("佐藤", T0) is None
    t.failed("佐藤", T0)  # and it is written afresh
    assert "佐藤" in t.path.read_text(encoding="utf-8")
