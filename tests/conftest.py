"""Shared fixtures: one warm engine per Keras flavour for the whole session (TensorFlow is
imported once per flavour, each probe is a fresh fork)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# tests see fresh probes; the cache's own tests turn it back on for themselves
os.environ["GRAPHFIX_NO_CACHE"] = "1"
os.environ["GRAPHFIX_NO_SERVER"] = "1"  # each test's probes in workers it owns; the server has its own tests

from graphfix.engine import Engine, Options
from graphfix.registry import discover


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    eng = Engine(discover(), Options(timeout=60))
    yield eng
    eng.close()
