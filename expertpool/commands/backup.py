"""`expertpool backup FILE` and `expertpool restore FILE` for the embedded SQLite database."""

from __future__ import annotations

import argparse
from pathlib import Path

from expertpool.commands.files import check_output_path, output_file

# The services are imported by the handlers: building the parser stays cheap (README §启动时间).


def cmd_backup(args: argparse.Namespace) -> int:
    from expertpool.db import check_connection
    from expertpool.runtime import open_engine
    from expertpool.services import backup as svc

    check_output_path(args.file, "FILE")
    engine = open_engine()
    check_connection(engine)
    with output_file(args.file, "FILE") as part:
        part.touch()  # an unwritable place fails here, with the system's reason
        size = svc.backup(engine, part, label=args.file)
    print(f"已备份到 {args.file}（{size / 1024:.0f} KB）")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from expertpool.runtime import open_engine
    from expertpool.services import backup as svc

    engine = open_engine()
    svc.restore(engine, Path(args.file))
    print(f"已从 {args.file} 恢复数据库")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("backup", help="在线备份 SQLite 数据库（一致快照）")
    p.add_argument("file")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="从备份文件恢复 SQLite 数据库（请先停止网页服务）")
    p.add_argument("file")
    p.set_defaults(func=cmd_restore)
