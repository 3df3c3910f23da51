"""``facilitator users``: accounts from the command line, passwords never echoed."""

from __future__ import annotations

import json

from click.testing import CliRunner

from facilitator.cli.root import cli
from facilitator.settings import Settings


def run(settings: Settings, *args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), *args], input=stdin)


def test_add_list_and_remove_a_member(settings: Settings) -> None:
    assert run(settings, "users", "add", "admin", "--role", "admin", "--password-stdin",
               stdin="a long admin password\n").exit_code == 0  # fmt: skip
    added = run(settings, "users", "add", "委員A", "--password-stdin", stdin="a long password\n")
    assert added.exit_code == 0 and "委員A（委員）" in added.output  # least privilege by default
    listed = json.loads(run(settings, "users", "list", "--json").output)
    assert listed == {
        "users": [
            {"name": "admin", "role": "admin", "disabled": False, "sso": False},
            {"name": "委員A", "role": "viewer", "disabled": False, "sso": False},
        ]
    }
    assert "password" not in run(settings, "users", "list").output
    assert run(settings, "users", "remove", "委員A").exit_code == 0


def test_bad_input_exits_2_in_japanese(settings: Settings) -> None:
    short = run(settings, "users", "add", "山田", "--password-stdin", stdin="short\n")
    assert short.exit_code == 2 and "10文字以上" in short.output
    role = run(settings, "users", "add", "山田", "--role", "owner", "--password-stdin", stdin="x\n")
    assert role.exit_code == 2
    missing = run(
        settings, "users", "passwd", "佐藤", "--password-stdin", stdin="a long password\n"
    )
    assert missing.exit_code != 0 and "佐藤" in missing.output


def test_stop_reset_and_restart_a_member(settings: Settings) -> None:
    run(settings, "users", "add", "admin", "--role", "admin", "--password-stdin",
        stdin="a long admin password\n")  # fmt: skip
    run(settings, "users", "add", "山田", "--role", "editor", "--password-stdin",
        stdin="a long password\n")  # fmt: skip
    stopped = run(settings, "users", "disable", "山田")
    assert stopped.exit_code == 0 and "停止しました: 山田" in stopped.output
    assert "山田  事務局  （停止中）" in run(settings, "users", "list").output
    last = run(settings, "users", "disable", "admin")
    assert last.exit_code == 2 and "最後の管理者は停止できません" in last.output
    reset = run(settings, "users", "reset", "山田")
    password = reset.output.strip().splitlines()[-1]
    assert reset.exit_code == 0 and "一度だけ表示" in reset.output and len(password) >= 10
    assert run(settings, "users", "enable", "山田").exit_code == 0
    from facilitator.auth import UserStore

    assert UserStore(settings).authenticate("山田", password) is not None
    from facilitator.auth.audit import read

    actions = [e.action for e in read(settings)][:3]
    assert actions == ["user_enable", "user_reset", "user_disable"]
    missing = run(settings, "users", "reset", "佐藤")
    assert missing.exit_code != 0 and "佐藤" in missing.output


def test_a_single_sign_on_member_has_no_password(settings: Settings) -> None:
    from facilitator.auth import UserStore

    run(settings, "users", "add", "admin", "--role", "admin", "--password-stdin",
        stdin="a long admin password\n")  # fmt: skip
    added = run(settings, "users", "add", "yamada@pref.example.lg.jp", "--role", "editor", "--sso")
    assert added.exit_code == 0 and "事務局・シングルサインオン" in added.output
    assert "シングルサインオン" in run(settings, "users", "list").output
    store = UserStore(settings)
    assert store.single_sign_on("Yamada@pref.example.lg.jp").role == "editor"  # type: ignore[union-attr]
    reset = run(settings, "users", "reset", "yamada@pref.example.lg.jp")
    assert reset.exit_code != 0 and "パスワードはありません" in reset.output
    run(settings, "users", "disable", "yamada@pref.example.lg.jp")
    assert store.single_sign_on("yamada@pref.example.lg.jp") is None
