"""Whole torch programs run unchanged through `python -m weifen.torch` print exactly what
PyTorch printed (recorded in tests/programs/*.expected; re-checked live when torch is
installed). The programs are deterministic: no random numbers reach their output."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).parent / "programs"
PROGRAMS = sorted(HERE.glob("*.py"))


def _run(args: list[str]) -> str:
    proc = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, cwd=HERE
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_program_prints_what_pytorch_printed(program: pathlib.Path) -> None:
    expected = program.with_suffix(".expected").read_text()
    assert _run(["-m", "weifen.torch", str(program)]) == expected


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_golden_file_is_still_pytorchs_output(program: pathlib.Path) -> None:
    pytest.importorskip("torch")
    assert _run([str(program)]) == program.with_suffix(".expected").read_text()
