"""``facilitator users``: the accounts of the app (管理者・事務局・委員)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from facilitator.auth import ROLE_LABELS, ROLES, UserStore
from facilitator.auth.audit import ACTIONS, command_actor, read, record
from facilitator.cli.root import FacilitatorGroup, echo_json, settings
from facilitator.corpus.documents import replace_atomically
from facilitator.errors import FacilitatorError
from facilitator.text import japanese_time


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("パスワード", hide_input=True, confirmation_prompt="確認のためもう一度")


@click.group(cls=FacilitatorGroup)
def users() -> None:
    """アプリの利用者（管理者・事務局・委員）を追加・一覧・停止・削除する."""


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="viewer",
    show_default=True,
    help="admin（管理者: データの読み込み）/ editor（事務局: シートの編集・公表）/ viewer（委員: 検索と質問）",
)
@click.option("--password-stdin", is_flag=True, help="パスワードを標準入力の1行から読む")
@click.option(
    "--sso",
    is_flag=True,
    help="組織のアカウント（シングルサインオン）でだけログインする利用者。NAME はそのメールアドレス。"
    "パスワードは設定しない",
)
def users_add(name: str, role: str, password_stdin: bool, sso: bool) -> None:
    """利用者を追加する（パスワードは10文字以上。保存するのはハッシュだけ）."""
    password = None if sso else _password(password_stdin)
    user = UserStore(settings()).add(name, role, password, sso=sso)
    record(settings(), "user_add", user.name, command_actor(), user.role)
    how = "・シングルサインオン" if sso else ""
    click.echo(f"追加しました: {user.name}（{ROLE_LABELS[user.role]}{how}）")


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="パスワードを標準入力の1行から読む")
def users_passwd(name: str, password_stdin: bool) -> None:
    """利用者のパスワードを変える."""
    store = UserStore(settings())
    store.get(name)
    store.set_password(name, _password(password_stdin))
    record(settings(), "user_passwd", name, command_actor())
    click.echo(f"パスワードを変更しました: {name}")


@users.command("reset")
@click.argument("name")
def users_reset(name: str) -> None:
    """パスワードを忘れた利用者に新しいパスワードを発行する（一度だけ表示）."""
    password = UserStore(settings()).reset(name)
    record(settings(), "user_reset", name, command_actor())
    click.echo(f"{name} の新しいパスワード（この一度だけ表示します。本人に伝えてください）:")
    click.echo(password)


@users.command("disable")
@click.argument("name")
def users_disable(name: str) -> None:
    """利用者を停止する（ログインできなくなり、開いている画面も次の操作でログアウト。記録は残る）."""
    UserStore(settings()).set_disabled(name, True)
    record(settings(), "user_disable", name, command_actor())
    click.echo(f"停止しました: {name}（`facilitator users enable {name}` で戻せます）")


@users.command("enable")
@click.argument("name")
def users_enable(name: str) -> None:
    """停止した利用者を再びログインできるようにする."""
    UserStore(settings()).set_disabled(name, False)
    record(settings(), "user_enable", name, command_actor())
    click.echo(f"停止を解除しました: {name}")


@users.command("list")
@click.option(
    "--json", "as_json", is_flag=True, help="JSON で出力: {users: [{name, role, disabled, sso}]}"
)
def users_list(as_json: bool) -> None:
    """利用者の一覧（パスワードは表示しない）."""
    rows = UserStore(settings()).list()
    if as_json:
        echo_json(
            {
                "users": [
                    {"name": u.name, "role": u.role, "disabled": u.disabled, "sso": u.sso}
                    for u in rows
                ]
            }
        )
        return
    if not rows:
        click.echo("利用者はまだいません（`facilitator bootstrap` で管理者を作成）。")
    for u in rows:
        marks = ("  シングルサインオン" if u.sso else "") + ("  （停止中）" if u.disabled else "")
        click.echo(f"{u.name}  {ROLE_LABELS[u.role]}{marks}")


@users.command("remove")
@click.argument("name")
def users_remove(name: str) -> None:
    """利用者を削除する（最後の管理者は削除できない）."""
    UserStore(settings()).remove(name)
    record(settings(), "user_remove", name, command_actor())
    click.echo(f"削除しました: {name}")


@click.command("audit")
@click.option("--limit", default=50, show_default=True, help="表示する件数（新しい順）")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="JSON で出力: {entries: [{at, actor, action, target, detail}]}",
)
@click.option(
    "--csv",
    "csv_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV ファイルに書き出す（Excel で開ける UTF-8。--limit 件まで）",
)
def audit_command(limit: int, as_json: bool, csv_out: Path | None) -> None:
    """操作の記録（ログイン・シートの保存と取り込み・報告データ・資料・利用者）を新しい順に表示する."""
    entries = read(settings(), limit)
    if csv_out is not None:
        from facilitator.auth.audit import to_csv

        body = to_csv(entries).encode("utf-8")
        try:
            replace_atomically(csv_out, lambda fh: fh.write(body))
        except OSError as exc:
            raise FacilitatorError(f"{csv_out} に書き出せません（{exc.strerror}）。") from exc
        click.echo(f"{len(entries)}件を {csv_out} に書き出しました。")
        return
    if as_json:
        echo_json({"entries": [e.model_dump() for e in entries]})
        return
    if not entries:
        click.echo("操作の記録はまだありません。")
    for e in entries:
        what = ACTIONS.get(e.action, e.action)
        click.echo(f"{japanese_time(e.at)}  {e.actor}  {what}  {e.target}")
