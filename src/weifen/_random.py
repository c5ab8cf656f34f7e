"""The random stream: one NumPy Generator, reseeded by `manual_seed`.

Matching PyTorch's random numbers bit for bit is not a goal; reproducibility within weifen is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "Generator"]


class Generator:
    """Matches `torch.Generator` (manual_seed, initial_seed, get_state/set_state)."""

    def __init__(self, device: Any = "cpu") -> None:
        self._seed = 67280421310721
        self._rng: Any = None

    @property
    def rng(self) -> np.random.Generator:
        # made on first use: numpy.random costs 20 ms of import time
        if self._rng is None:
            self._rng = np.random.default_rng(self._seed)
        return self._rng

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self._rng = None
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        s = int(np.random.SeedSequence().entropy) % (1 << 63)  # type: ignore[arg-type]
        self.manual_seed(s)
        return s

    def get_state(self) -> Any:
        return self.rng.bit_generator.state

    def set_state(self, state: Any) -> None:
        self.rng.bit_generator.state = state


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Matches `torch.manual_seed`."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    return default_generator.get_state()


def set_rng_state(state: Any) -> None:
    default_generator.set_state(state)


def rng(generator: Generator | None = None) -> np.random.Generator:
    return (generator or default_generator).rng
