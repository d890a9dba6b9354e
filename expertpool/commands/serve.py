"""`expertpool serve`: run the web admin (the web package is imported only here, lazily)."""

from __future__ import annotations

import argparse
import errno
import importlib
import socket
import sys
from typing import TYPE_CHECKING

from expertpool.commands.files import int_range
from expertpool.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Engine


def _warn_if_not_writable(engine: Engine) -> None:
    """Serve anyway (reading still works) but say at once why logins will fail."""
    from expertpool import dbstate  # SQLAlchemy: imported by the command, not the parser

    problem = dbstate.write_problem(engine)
    if problem is not None:
        where = engine.url.render_as_string(hide_password=True)
        print(
            f"警告：{dbstate.TITLES[problem]}（{where}）：数据库不能写入，"
            "登录和一切保存都会失败，页面将提示“数据库只读”。"
            "请检查数据库文件或数据库账户的写权限。",
            file=sys.stderr,
            flush=True,
        )


def cmd_serve(args: argparse.Namespace) -> int:
    from expertpool.runtime import open_database

    engine, _ = open_database()  # a clear message now rather than a 500 on the first request
    _warn_if_not_writable(engine)
    web_app = importlib.import_module("web.app")
    serving = importlib.import_module("werkzeug.serving")
    app = web_app.create_app()
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:  # werkzeug would print its own English message and exit
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((args.host, args.port))
    except OSError as exc:
        why = "端口已被占用" if exc.errno == errno.EADDRINUSE else (exc.strerror or "无法绑定地址")
        raise UserError(
            f"无法在 {args.host}:{args.port} 启动服务：{why}，可用 --port 换一个端口"
        ) from None
    finally:
        probe.close()
    server = serving.make_server(args.host, args.port, app, threaded=True)
    print(f"专家库管理系统已启动：http://{args.host}:{args.port}/  （Ctrl+C 停止）", flush=True)
    print("多人同时使用时，请按 README“多台应用服务器”一节用 gunicorn 部署。", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("已停止。")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="启动网页管理端")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int_range(1, 65535), default=5000)
    p.set_defaults(func=cmd_serve)
