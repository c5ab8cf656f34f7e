"""python -m weifen.torch script.py [args...] | -c code [args...] | -m module [args...]

Runs a program written for torch with weifen standing in for torch, for this run only.
"""

from __future__ import annotations

import importlib.machinery
import io
import os
import runpy
import sys
import types

from weifen.torch import install

USAGE = """\
usage: python -m weifen.torch script.py [args...]
       python -m weifen.torch -c code [args...]
       python -m weifen.torch -m module [args...]

Runs a program written for torch with weifen standing in for torch: `import torch`,
`import torch.nn as nn`, `from torch.autograd import grad`... give weifen's modules.
"""

_HERE = os.path.dirname(os.path.abspath(__file__))


def _exec_as_main(code: types.CodeType, **attrs: object) -> None:
    """Run `code` in a fresh __main__ module, as the interpreter runs a script."""
    main = types.ModuleType("__main__")
    main.__dict__.update(__spec__=None, __package__=None, **attrs)
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = main  # so that pickle and friends find what the code defines
    try:
        exec(code, main.__dict__)
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


def _run_file(path: str) -> None:
    path = os.path.abspath(path)  # __file__ is absolute, argv[0] as given, as in `python x.py`
    with io.open_code(path) as f:
        source = f.read()
    loader = importlib.machinery.SourceFileLoader("__main__", path)
    code = compile(source, path, "exec", dont_inherit=True)
    _exec_as_main(code, __file__=path, __cached__=None, __loader__=loader)


def _is_launcher_frame(tb: types.TracebackType) -> bool:
    filename = tb.tb_frame.f_code.co_filename
    return filename.startswith((_HERE + os.sep, "<frozen runpy>")) or filename == runpy.__file__


def _user_traceback(tb: types.TracebackType | None) -> types.TracebackType | None:
    """Drop the frames of this launcher and runpy: `python script.py` shows none of them."""
    frames = []
    while tb is not None:
        if not _is_launcher_frame(tb):
            frames.append(tb)
        tb = tb.tb_next
    result = None
    for t in reversed(frames):
        result = types.TracebackType(result, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return result


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, end="", file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    first = argv[0]
    if first in ("-c", "-m") and len(argv) < 2:
        print(f"Argument expected for the {first} option\n{USAGE}", end="", file=sys.stderr)
        return 2
    if first.startswith("-") and first not in ("-c", "-m"):
        print(f"unknown option {first}\n{USAGE}", end="", file=sys.stderr)
        return 2

    install()
    try:
        if first == "-c":
            sys.argv = ["-c", *argv[2:]]
            sys.path[0] = ""
            _exec_as_main(compile(argv[1], "<string>", "exec", dont_inherit=True))
        elif first == "-m":
            sys.argv = [argv[1], *argv[2:]]  # run_module puts the module's path in argv[0]
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            path = first
            if not os.path.exists(path):
                prog = os.path.basename(sys.executable)
                print(
                    f"{prog}: can't open file {os.path.abspath(path)!r}: "
                    "[Errno 2] No such file or directory",
                    file=sys.stderr,
                )
                return 2
            sys.argv = list(argv)
            if os.path.isfile(path):
                # as `python script.py`: the script's folder first on sys.path, not the cwd
                sys.path[0] = os.path.dirname(os.path.abspath(path))
                _run_file(path)
            else:  # a folder or zip file with a __main__.py
                runpy.run_path(path, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as e:
        tb = _user_traceback(e.__traceback__)
        sys.excepthook(type(e), e.with_traceback(tb), tb)
        return 130 if isinstance(e, KeyboardInterrupt) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
