"""Shared fixtures: one warm engine per Keras flavour for the whole session (TensorFlow is
imported once per flavour, each probe is a fresh fork)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import codemods
from graphfix.engine import Engine, Options


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    eng = Engine(codemods.load(), Options(timeout=60))
    yield eng
    eng.close()
