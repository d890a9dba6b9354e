"""`python -m solver.certcheck PACKAGE PANEL CERT`: the §6 check with nothing but Python."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    from solver.certcheck.check import check_certificate

    if len(argv) != 3:
        print("用法：python -m solver.certcheck 抽取包.json 结果.json 证明.json", file=sys.stderr)
        return 2
    files = []
    for path in argv:
        try:
            with open(path, "rb") as fh:
                files.append(fh.read())
        except OSError as exc:
            print(f"{path}：无法读取（{exc.strerror}）", file=sys.stderr)
            return 2
    verdict = check_certificate(files[0], files[1], files[2])
    print(verdict.message, file=sys.stderr if verdict.exit_code == 2 else sys.stdout)
    return verdict.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
