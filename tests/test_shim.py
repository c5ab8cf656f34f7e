"""python -m weifen.torch and weifen.torch.install(): `import torch` gives weifen."""

from __future__ import annotations

import importlib
import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import weifen
from weifen.torch import _AliasFinder

SRC = str(Path(weifen.__file__).resolve().parent.parent)


def run(
    args: list[str], cwd: Path, code: str | None = None, shim: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run `python -m weifen.torch ARGS` (with `code` as script.py in cwd, if given).

    With shim=False, run plain `python ARGS`.
    """
    if code is not None:
        (cwd / "script.py").write_text(textwrap.dedent(code), encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [SRC, env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, *(["-m", "weifen.torch"] if shim else []), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_script_imports_weifen_as_torch(tmp_path: Path) -> None:
    r = run(
        ["script.py", "a", "--b"],
        tmp_path,
        """
        import sys
        import torch
        import weifen
        print(torch.__name__, torch is weifen, __name__)
        print(sys.argv)
        print(__file__ == sys.path[0] + "/script.py")
        """,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "weifen True __main__",
        "['script.py', 'a', '--b']",
        "True",
    ]


def test_submodule_is_the_same_object(tmp_path: Path) -> None:
    r = run(
        ["script.py"],
        tmp_path,
        """
        import torch._dtype
        import torch._dtype as d
        from torch import _dtype
        import weifen._dtype
        print(d is weifen._dtype, _dtype is d, torch._dtype is d, d.__name__)
        """,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == "True True True weifen._dtype\n"


def test_torch_autograd_is_weifen_autograd(tmp_path: Path) -> None:
    if importlib.util.find_spec("weifen.autograd") is None:
        pytest.skip("weifen.autograd does not exist yet")
    r = run(
        ["script.py"],
        tmp_path,
        """
        import torch.autograd
        import weifen.autograd
        import torch
        print(torch.autograd is weifen.autograd)
        """,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == "True\n"


def test_missing_submodule_names_torch_x(tmp_path: Path) -> None:
    r = run(["script.py"], tmp_path, "import torch.no_such_module_xyz\n")
    assert r.returncode == 1
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: No module named 'torch.no_such_module_xyz'")
    assert "weifen" in last and "does not provide torch.no_such_module_xyz" in last


def test_traceback_shows_only_the_script(tmp_path: Path) -> None:
    r = run(["script.py"], tmp_path, "x = 1\nraise ValueError('boom')\n")
    assert r.returncode == 1
    assert "runpy" not in r.stderr and "weifen" not in r.stderr
    assert r.stderr.strip().splitlines()[-1] == "ValueError: boom"


def test_script_exit_status(tmp_path: Path) -> None:
    r = run(["script.py"], tmp_path, "import sys\nsys.exit(3)\n")
    assert r.returncode == 3


def test_dash_c(tmp_path: Path) -> None:
    r = run(["-c", "import sys, torch; print(torch.__name__, sys.argv)", "x", "y"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "weifen ['-c', 'x', 'y']\n"


def test_dash_m(tmp_path: Path) -> None:
    (tmp_path / "mymod.py").write_text(
        "import sys, torch\nprint(__name__, torch.__name__, sys.argv[1:])\n", encoding="utf-8"
    )
    r = run(["-m", "mymod", "q"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "__main__ weifen ['q']\n"


def test_usage_errors(tmp_path: Path) -> None:
    assert run([], tmp_path).returncode == 2
    r = run(["missing_script.py"], tmp_path)
    assert r.returncode == 2
    assert "can't open file" in r.stderr
    assert run(["-c"], tmp_path).returncode == 2


def test_install_and_uninstall_in_process(tmp_path: Path) -> None:
    code = """
    import sys
    import weifen, weifen.torch
    weifen.torch.install()
    weifen.torch.install()  # twice is fine
    import torch
    import torch._dtype
    print(torch is weifen, weifen.torch.is_installed())
    weifen.torch.uninstall()
    print(weifen.torch.is_installed(), [n for n in sys.modules if n.split('.')[0] == 'torch'])
    """
    r = run(["script.py"], tmp_path, code, shim=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "True True\nFalse []\n"


def test_install_sets_real_torch_aside(tmp_path: Path) -> None:
    if importlib.util.find_spec("torch") is None:
        pytest.skip("PyTorch is not installed")
    code = """
    import sys
    import torch as real
    import weifen, weifen.torch
    weifen.torch.install()
    import torch
    print(torch is weifen)
    weifen.torch.uninstall()
    import torch
    print(torch is real)
    """
    r = run(["script.py"], tmp_path, code, shim=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "True\nTrue\n"


@pytest.fixture
def fake_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A package `wf_fake_target` (with sub.leaf) and a finder aliasing `wf_fake_alias` to it."""
    pkg = tmp_path / "wf_fake_target"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("VALUE = 1\n", encoding="utf-8")
    (pkg / "sub" / "__init__.py").write_text("from . import leaf\n", encoding="utf-8")
    (pkg / "sub" / "leaf.py").write_text("def f():\n    return 42\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    finder = _AliasFinder("wf_fake_alias", "wf_fake_target")
    sys.meta_path.insert(0, finder)
    yield
    sys.meta_path.remove(finder)
    for name in list(sys.modules):
        if name.split(".")[0] in ("wf_fake_alias", "wf_fake_target"):
            del sys.modules[name]


@pytest.mark.usefixtures("fake_package")
def test_finder_with_a_fake_package() -> None:
    alias = importlib.import_module("wf_fake_alias")
    target = importlib.import_module("wf_fake_target")
    assert alias is target
    spec = target.__spec__
    assert spec is not None and spec.name == "wf_fake_target"  # its own spec is kept
    leaf = importlib.import_module("wf_fake_alias.sub.leaf")
    assert leaf is importlib.import_module("wf_fake_target.sub.leaf")
    assert sys.modules["wf_fake_alias.sub"] is sys.modules["wf_fake_target.sub"]
    assert leaf.f() == 42
    with pytest.raises(ModuleNotFoundError, match="does not provide wf_fake_alias.nope") as e:
        importlib.import_module("wf_fake_alias.nope")
    assert e.value.name == "wf_fake_alias.nope"
