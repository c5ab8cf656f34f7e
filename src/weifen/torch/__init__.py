"""Let ``import torch`` give weifen, for one run or one session.

    python -m weifen.torch script.py [args...]     # run a torch script unchanged
    python -m weifen.torch -c "import torch; ..."
    python -m weifen.torch -m package.module [args...]

or, in-process (a notebook, say)::

    import weifen.torch
    weifen.torch.install()
    import torch            # weifen
    import torch.nn as nn   # weifen.nn, the same module object

A finder at the front of ``sys.meta_path`` maps ``torch`` and ``torch.X.Y`` to ``weifen`` and
``weifen.X.Y``, so both names give one module object (``torch.autograd is weifen.autograd``).
A submodule weifen lacks raises ModuleNotFoundError naming ``torch.X``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

__all__ = ["install", "uninstall", "is_installed"]


class _AliasLoader(importlib.abc.Loader):
    """Hands the import system a module that is already imported under its own name."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module
        self.own_spec = getattr(module, "__spec__", None)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        # The import system then fills in only the attributes that are missing (the module
        # keeps its __name__, __file__, __path__), except __spec__, put back below.
        return self.module

    def exec_module(self, module: ModuleType) -> None:
        # Nothing to run: it ran when it was imported under its own name. Its own spec keeps
        # relative imports, reload() and pickling working as before.
        module.__spec__ = self.own_spec


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Resolves ``alias`` and ``alias.X.Y`` to the modules ``target`` and ``target.X.Y``."""

    def __init__(self, alias: str, target: str) -> None:
        self.alias = alias
        self.target = target

    def target_name(self, fullname: str) -> str | None:
        if fullname == self.alias:
            return self.target
        if fullname.startswith(self.alias + "."):
            return self.target + fullname[len(self.alias) :]
        return None

    def find_spec(
        self,
        fullname: str,
        path: object = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        name = self.target_name(fullname)
        if name is None:
            return None
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise  # the target exists but something it imports does not
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: {self.target} stands in for {self.alias} "
                f"here and does not provide {fullname} (there is no {name})",
                name=fullname,
            ) from None
        return importlib.machinery.ModuleSpec(
            fullname,
            _AliasLoader(module),
            origin=getattr(module, "__file__", None),
            is_package=hasattr(module, "__path__"),
        )

    def __repr__(self) -> str:
        return f"<weifen.torch finder: {self.alias} -> {self.target}>"


_finder = _AliasFinder("torch", "weifen")
# Real torch modules that were imported before install(), put back by uninstall().
_displaced: dict[str, ModuleType] = {}


def _is_alias(name: str) -> bool:
    return name == "torch" or name.startswith("torch.")


def is_installed() -> bool:
    """Whether ``import torch`` gives weifen now."""
    return _finder in sys.meta_path


def install() -> None:
    """Make ``import torch`` (and ``torch.X``) give weifen (and ``weifen.X``) from now on.

    Real torch modules already imported are set aside, not touched; uninstall() restores them.
    Calling it twice does nothing more.
    """
    if is_installed():
        return
    for name in [n for n in sys.modules if _is_alias(n)]:
        module = sys.modules.pop(name)
        if not getattr(module, "__name__", "").startswith("weifen"):
            _displaced[name] = module
    sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    """Undo install(): ``import torch`` gives real torch again (if it is installed)."""
    while _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [n for n in sys.modules if _is_alias(n)]:
        if getattr(sys.modules[name], "__name__", "").startswith("weifen"):
            del sys.modules[name]
    sys.modules.update(_displaced)
    _displaced.clear()
