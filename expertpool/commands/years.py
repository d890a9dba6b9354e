"""`expertpool year list|open|import`: thin adapters over ``expertpool.services.years``."""

from __future__ import annotations

import argparse
from datetime import datetime

from expertpool.actor import Actor
from expertpool.clock import shanghai_now
from expertpool.commands.files import read
from expertpool.errors import UserError

# The services (and SQLAlchemy with them) are imported by the handlers: building the parser
# stays cheap.

# Changes made at the console are the bureau's, recorded under this name in the audit log.
CLI_ACTOR = Actor("命令行", "bureau")


def cmd_list(args: argparse.Namespace) -> int:
    from expertpool.db import session_scope
    from expertpool.runtime import open_database
    from expertpool.services import years

    _, factory = open_database()
    with session_scope(factory) as session:
        today = shanghai_now().date()
        for row in years.list_years(session):
            source = f"由{row.year.opened_from}年度开启" if row.year.opened_from else "评委会目录"
            print(
                f"{row.year.year}年度  {years.year_phase(session, row.year.year, today)}  "
                f"{row.meetings}个例会  推荐截止{row.deadline:%Y-%m-%d %H:%M}  {source}"
            )
    return 0


def _deadline(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(hour=23, minute=59, second=59)
    except ValueError:
        raise UserError("--deadline 应为日期，如2027-07-31", field="deadline") from None


def cmd_open(args: argparse.Namespace) -> int:
    from expertpool.db import session_scope
    from expertpool.runtime import open_database
    from expertpool.services import years

    _, factory = open_database()
    with session_scope(factory) as session:
        effects = years.opening_effects(session, args.year, shanghai_now().date())
        opened = years.open_year(
            session,
            CLI_ACTOR,
            args.year,
            from_year=args.from_year,
            deadline=_deadline(args.deadline),
        )
        count = len(years.year_meetings(session, opened.year))
    print(f"已开启{args.year}年度：从{opened.opened_from}年度复制了{count}个评委会例会")
    for line in effects[1:]:  # the first line is the copy just reported
        print(f"  {line}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from expertpool.db import session_scope
    from expertpool.runtime import open_database
    from expertpool.services import years
    from expertpool.spreadsheet import MAX_FILE_BYTES

    data = read(args.file, "例会计划时间表", MAX_FILE_BYTES)
    rows = (
        years.read_table(data=data)
        if data.startswith(b"PK")
        else years.read_table(text=data.decode("utf-8-sig", errors="replace"))
    )
    _, factory = open_database()
    try:
        with session_scope(factory) as session:
            result = years.import_table(session, CLI_ACTOR, args.year, rows)
    except years.TableRowErrors as exc:
        for line in exc.lines():
            print(line)
        raise
    print(
        f"已导入{args.year}年度例会计划时间表：更新{len(result.updated)}个，新增{len(result.added)}个"
    )
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("year", help="工作年度：列出、开启下一年度、导入例会计划时间表")
    ysub = p.add_subparsers(dest="year_command", metavar="操作", parser_class=type(p))
    q = ysub.add_parser("list", help="列出已开启的工作年度")
    q.set_defaults(func=cmd_list)
    q = ysub.add_parser("open", help="在最新年度的基础上开启下一年度（复制评委会和例会计划）")
    q.add_argument("year", type=int, help="要开启的年度，如2025")
    q.add_argument("--from", dest="from_year", type=int, help="复制自哪一年度（默认最新年度）")
    q.add_argument("--deadline", help="专家推荐截止日期，如2025-07-31（默认7月31日）")
    q.set_defaults(func=cmd_open)
    q = ysub.add_parser(
        "import", help="导入通知附件中的例会计划时间表（xlsx或制表符/逗号分隔的文本）"
    )
    q.add_argument("year", type=int, help="年度（须为最新年度）")
    q.add_argument("file", help="xlsx文件，或粘贴保存的文本文件（UTF-8）")
    q.set_defaults(func=cmd_import)
