"""`expertpool serve`: run the web admin (the web package is imported only here, lazily)."""

from __future__ import annotations

import argparse
import importlib


def cmd_serve(args: argparse.Namespace) -> int:
    from expertpool.runtime import open_database

    open_database()  # a clear message now rather than a 500 on the first request
    web_app = importlib.import_module("web.app")
    app = web_app.create_app()
    print(f"专家库管理系统已启动：http://{args.host}:{args.port}/  （Ctrl+C 停止）")
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="启动网页管理端")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.set_defaults(func=cmd_serve)
