"""The shapes a failing program's data had (recorded with the error) and how GF104 reads them to
find an input shape the program never used before it failed."""

from __future__ import annotations

import types

import numpy as np

from codemods.unbuilt_model import _fed_shapes
from graphfix.runtime.graphfix_recorder import _data_shapes
from graphfix.source import SourceIndex


def test_data_shapes_are_per_sample_and_skip_what_is_not_data() -> None:
    names = {
        "table": np.zeros((40, 9), dtype="float32"),
        "images": np.zeros((8, 28, 28, 3)),
        "labels": np.zeros((8,)),
        "_private": np.zeros((2, 2)),
        "np": np,
        "count": 3,
        "Thing": type("Thing", (), {"shape": (1, 2)}),
        "shaped": types.SimpleNamespace(shape=(4, 4)),  # not an array library's object
    }
    assert _data_shapes(names) == {"table": [9], "images": [28, 28, 3], "labels": []}


def test_data_shapes_stop_at_the_limit() -> None:
    names = {f"a{i}": np.zeros((2, i + 1)) for i in range(10)}
    assert len(_data_shapes(names, limit=4)) == 4


SOURCE = '''\
class Trainer:
    def __init__(self):
        self.model = make()

    def train(self, x, y):
        self.model.fit(x, y)


def run(model, feats):
    model.predict(feats[:10])


t = Trainer()
t.train(table, prices)
run(net, images)
net.fit(x=other, y=prices)
'''


def test_fed_shapes_follow_names_slices_keywords_and_parameters() -> None:
    index = SourceIndex(SOURCE)
    data = {"table": (9,), "images": (28, 28), "other": (5,), "prices": (1,)}
    assert _fed_shapes(index, {"self.model"}, data) == [(None, 9)]
    assert _fed_shapes(index, {"model"}, data) == [(None, 28, 28)]
    assert _fed_shapes(index, {"net"}, data) == [(None, 5)]
    assert _fed_shapes(index, {"unknown"}, data) == []
    assert _fed_shapes(index, {"self.model"}, {"prices": (1,)}) == []
