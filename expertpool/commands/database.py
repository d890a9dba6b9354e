"""`expertpool init`, `demo`, `export-draw`, `user`: thin adapters over the services."""

from __future__ import annotations

import argparse
import getpass
import sys

from expertpool.actor import Actor
from expertpool.commands.files import check_output_path, int_range, write_bytes
from expertpool.errors import UserError

# The services (and SQLAlchemy with them) are imported by the handlers, so that building the
# parser, `--help` and the file commands stay cheap.

# Demo pool size per senior committee: the demo marks 40 experts as out of the pool, so
# it needs at least 2 per committee; beyond 1000 the load takes minutes for no purpose.
DEMO_SIZE_MIN, DEMO_SIZE_MAX = 2, 1000

# Account changes made at the console, as the audit log names them (the system's own role).
CLI_ACTOR = Actor("命令行", "")


def cmd_init(args: argparse.Namespace) -> int:
    from expertpool import schema
    from expertpool.db import session_scope
    from expertpool.runtime import open_database
    from expertpool.services import catalogue_sync

    engine, factory = open_database(require_schema=False)
    schema.upgrade(engine)  # refuses a foreign or unknown-version database with a UserError
    with session_scope(factory) as session:
        loaded = catalogue_sync.sync_all(session)
    for year, n in sorted(loaded.items()):
        print(f"已载入{year}年评委会目录：{n}个评委会例会")
    print(f"数据库已就绪：{engine.url.render_as_string(hide_password=True)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from expertpool.db import session_scope
    from expertpool.runtime import open_database
    from expertpool.services import demo

    _, factory = open_database()
    with session_scope(factory) as session:
        if args.if_empty and demo.has_experts(session):
            print("数据库中已有专家数据，未重复载入演示数据。")
        else:
            summary = demo.load_demo(
                session, year=args.year, seed=args.seed, experts_per_committee=args.size
            )
            print(
                f"演示数据已载入：{summary.units}个单位，{summary.experts}名专家，"
                f"{summary.applicants}名申报人，{summary.conflicts}条回避申报"
            )
    print(f"演示账户（密码均为 {demo.DEMO_PASSWORD}）：")
    for username, _role, display, _unit, _committees in demo.DEMO_USERS:
        print(f"  {username:10s} {display}")
    return 0


def cmd_export_draw(args: argparse.Namespace) -> int:
    from expertpool.clock import SYSTEM_CLOCK
    from expertpool.db import session_scope
    from expertpool.runtime import open_database
    from expertpool.services import audit, packages

    if args.output and args.output != "-":
        check_output_path(args.output, "-o")
    _, factory = open_database()
    with session_scope(factory) as session:
        meeting = packages.find_meeting(session, args.meeting)
        today = SYSTEM_CLOCK.shanghai_now().date()  # a lapsed 暂停至 counts, as in a draw today
        data = packages.package_bytes(packages.build_package(session, meeting, today=today))
        head = audit.current_head(session)
    write_bytes(data, args.output)
    if args.output and args.output != "-":
        print(f"已导出抽取数据包：{args.output}", file=sys.stderr)
    # The package's bytes are fixed by its format: the audit head goes beside it.
    print(f"审计链头（导出时）：{head.label()}", file=sys.stderr)
    return 0


def _ask_password(what: str = "新账户密码", undone: str = "账户未创建") -> str:
    """A password typed twice on the terminal (never echoed)."""
    if not sys.stdin.isatty():
        raise UserError(
            "--password：未给出密码，且标准输入不是终端，无法提示输入（脚本中请用 --password）",
            field="--password",
        )
    try:
        first = getpass.getpass(f"{what}：")
        second = getpass.getpass("再次输入密码：")
    except EOFError:
        raise UserError("--password：未输入密码", field="--password") from None
    if first != second:
        raise UserError(f"--password：两次输入的密码不一致，{undone}", field="--password")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from expertpool.db import session_scope
    from expertpool.runtime import open_database
    from expertpool.services import accounts

    _, factory = open_database()
    username, _ = accounts.check_user_fields(args.username, args.name or "")
    password = args.password if args.password is not None else _ask_password()
    accounts.check_password_policy(username, password)  # before anything is written
    committees = [c.strip() for c in (args.committee or []) if c.strip()]
    with session_scope(factory) as session:
        user = accounts.create_user(
            session,
            args.username,
            password,
            args.role,
            display_name=args.name or "",
            unit_name=args.unit,
            committee_names=committees,
            actor=CLI_ACTOR,
        )
        print(f"已创建账户：{user.username}（{user.role}）")
    return 0


def _set_active(username: str, active: bool) -> str:
    """Disable or enable one account through the service (audited); its username."""
    from expertpool.db import session_scope
    from expertpool.runtime import open_database
    from expertpool.services import accounts

    _, factory = open_database()
    with session_scope(factory) as session:
        return accounts.set_active(session, username, active, actor=CLI_ACTOR).username


def cmd_user_disable(args: argparse.Namespace) -> int:
    print(f"已停用账户：{_set_active(args.username, False)}（已登录的会话随即失效）")
    return 0


def cmd_user_enable(args: argparse.Namespace) -> int:
    print(f"已启用账户：{_set_active(args.username, True)}")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from expertpool.db import session_scope
    from expertpool.runtime import open_database
    from expertpool.services import accounts

    _, factory = open_database()
    with session_scope(factory) as session:  # an unknown name is refused before the prompt
        accounts.require_user(session, args.username)
    password = args.password if args.password is not None else _ask_password("新密码", "密码未修改")
    with session_scope(factory) as session:
        user = accounts.change_password(session, args.username, password, actor=CLI_ACTOR)
    print(f"已修改账户 {user.username} 的密码（该账户已登录的会话全部失效）")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from expertpool.db import session_scope
    from expertpool.models.enums import ROLES
    from expertpool.runtime import open_database
    from expertpool.services import accounts

    _, factory = open_database()
    with session_scope(factory) as session:
        users = accounts.list_users(session)
        for user in users:
            state = "启用" if user.active else "停用"
            where = user.unit.name if user.unit is not None else ""
            print(
                f"{user.username:16s} {ROLES.get(user.role, user.role):12s} {state}  "
                f"{user.display_name}{'  ' + where if where else ''}"
            )
        print(f"共 {len(users)} 个账户")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("init", help="创建或升级数据库结构，并载入评委会目录")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="载入演示专家库（合成数据）")
    p.add_argument("--year", type=int, help="演示的工作年度（默认今天所在的年度）")
    p.add_argument("--seed", type=int, default=20240731)
    p.add_argument(
        "--size",
        type=int_range(DEMO_SIZE_MIN, DEMO_SIZE_MAX),
        default=140,
        help=f"每个高级评委会的专家数（中级减半），{DEMO_SIZE_MIN}–{DEMO_SIZE_MAX}",
    )
    p.add_argument("--if-empty", action="store_true", help="库中已有专家时不再载入，只列出演示账户")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("export-draw", help="导出某次例会的抽取数据包（expertpool.draw/1）")
    p.add_argument("meeting", metavar="MEETING_ID")
    p.add_argument("-o", "--output")
    p.set_defaults(func=cmd_export_draw)

    p = sub.add_parser("user", help="账户管理")
    usub = p.add_subparsers(dest="user_command", metavar="操作", parser_class=type(p))
    add = usub.add_parser("add", help="新建账户")
    add.add_argument("username")
    add.add_argument("--password", help="省略时在终端提示输入（输入两次）")
    add.add_argument("--role", required=True, choices=["unit", "bureau", "office", "regulator"])
    add.add_argument("--name", help="显示名称")
    add.add_argument("--unit", help="推荐单位账户所属单位名称")
    add.add_argument("--committee", action="append", help="办事机构负责的评委会名称（可多次）")
    add.set_defaults(func=cmd_user_add)
    dis = usub.add_parser("disable", help="停用账户")
    dis.add_argument("username")
    dis.set_defaults(func=cmd_user_disable)
    ena = usub.add_parser("enable", help="重新启用已停用的账户")
    ena.add_argument("username")
    ena.set_defaults(func=cmd_user_enable)
    pwd = usub.add_parser("passwd", help="修改（重设）账户密码，并使其已登录的会话失效")
    pwd.add_argument("username")
    pwd.add_argument("--password", help="省略时在终端提示输入（输入两次）")
    pwd.set_defaults(func=cmd_user_passwd)
    lst = usub.add_parser("list", help="列出全部账户")
    lst.set_defaults(func=cmd_user_list)
