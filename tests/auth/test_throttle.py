"""Repeated wrong passwords make a user name wait; a good login clears the count. The count
is in the shared database: every instance (and both backends) sees the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from facilitator.auth.throttle import LOCKOUT, MAX_FAILURES, LoginThrottle
from facilitator.settings import Settings

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def throttle(tmp_path: Path) -> LoginThrottle:
    return LoginThrottle(Settings(data_dir=tmp_path, corpus_dir=tmp_path))


def test_every_instance_counts_the_same_mistakes(backend: Settings) -> None:
    for i in range(MAX_FAILURES):  # each attempt reaches another app instance
        LoginThrottle(backend).failed("佐藤", T0 + timedelta(seconds=i))
    last = T0 + timedelta(seconds=MAX_FAILURES - 1)
    assert LoginThrottle(backend).wait("佐藤", last) == LOCKOUT
    LoginThrottle(backend).succeeded("佐藤")
    assert LoginThrottle(backend).wait("佐藤", last) is None


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


def test_a_good_login_clears_the_count(tmp_path: Path) -> None:
    t = throttle(tmp_path)
    for i in range(MAX_FAILURES):
        t.failed("佐藤", T0 + timedelta(seconds=i))
    t.succeeded("佐藤")
    assert t.wait("佐藤", T0 + timedelta(minutes=1)) is None
    t.failed("佐藤", T0 + timedelta(minutes=2))  # and counting starts afresh
    assert t.wait("佐藤", T0 + timedelta(minutes=3)) is None
