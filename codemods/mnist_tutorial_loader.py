"""GF511 mnist-tutorial-loader.

The TF1 tutorials' MNIST loader, ``from tensorflow.examples.tutorials.mnist import input_data``
and ``input_data.read_data_sets("MNIST_data/", one_hot=True)``: TensorFlow 2 no longer ships
``tensorflow.examples``.

Symptom: ``ModuleNotFoundError: No module named 'tensorflow.examples'`` at the import.

Detection: the program fails with that error at an import of
``tensorflow.examples.tutorials.mnist`` (``input_data``, ``read_data_sets``) in the user's file.

Fix: the import becomes a small local ``read_data_sets`` over ``keras.datasets.mnist`` with the
old loader's attributes: ``train`` / ``validation`` / ``test`` splits (the first
``validation_size`` training rows, 5000 by default, are the validation split, as TF1 did), each
with ``images`` flattened to 784 float32 values scaled to [0, 1] (``reshape=False``: 28x28x1),
``labels`` as digits or one-hot rows (``one_hot=True``), ``num_examples``,
``epochs_completed`` and ``next_batch(batch_size, shuffle=True)``, which shuffles each epoch and
completes a batch from the next epoch as TF1's did. The data are the same MNIST arrays, so the
program trains on what it trained on before. Calls through the module
(``input_data.read_data_sets``) call the local function. The validation split is at most half of
the training rows, so a small stand-in for MNIST still leaves a training split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.removed_module_path import dotted
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

TUTORIAL = "tensorflow.examples.tutorials.mnist"
_NO_MODULE = re.compile(r"No module named '(?P<module>tensorflow\.examples[\w.]*)'")
LOADER = "read_data_sets"
ADAPTER = '''def read_data_sets(train_dir=None, one_hot=False, dtype=None, reshape=True, validation_size=5000, seed=None, **kwargs):
    """The TF1 tutorials' MNIST loader (`tensorflow.examples.tutorials.mnist.input_data`), which
    TensorFlow 2 no longer ships, over `keras.datasets.mnist`: train/validation/test splits with
    images scaled to [0, 1] (flattened unless reshape=False), labels (one-hot if asked),
    num_examples and next_batch."""
    import collections

    import numpy
    from keras.datasets import mnist

    class DataSet:
        def __init__(self, images, labels):
            images = images.reshape(len(images), -1) if reshape else images.reshape(len(images), 28, 28, 1)
            self.images = images.astype("float32") / 255.0
            self.labels = numpy.eye(10, dtype="float32")[labels] if one_hot else labels.astype("uint8")
            self.num_examples = len(images)
            self.epochs_completed = 0
            self._index = 0
            self._random = numpy.random.RandomState(seed)
            self._order = numpy.arange(self.num_examples)

        def next_batch(self, batch_size, fake_data=False, shuffle=True):
            if self._index == 0 and self.epochs_completed == 0 and shuffle:
                self._random.shuffle(self._order)
            if self._index + batch_size <= self.num_examples:
                rows = self._order[self._index:self._index + batch_size]
                self._index += batch_size
                return self.images[rows], self.labels[rows]
            rest = self._order[self._index:].copy()
            self.epochs_completed += 1
            if shuffle:
                self._random.shuffle(self._order)
            self._index = batch_size - len(rest)
            rows = numpy.concatenate([rest, self._order[:self._index]])
            return self.images[rows], self.labels[rows]

    (train_images, train_labels), (test_images, test_labels) = mnist.load_data()
    validation_size = min(validation_size, len(train_images) // 2)
    Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])
    return Datasets(
        train=DataSet(train_images[validation_size:], train_labels[validation_size:]),
        validation=DataSet(train_images[:validation_size], train_labels[:validation_size]),
        test=DataSet(test_images, test_labels),
    )
'''


@dataclass(frozen=True)
class LocalLoader(Plan):
    """The tutorial import at `statement` becomes a local `read_data_sets` over keras.datasets.mnist."""

    statement: Span

    def describe(self) -> str:
        return "local-loader: `read_data_sets` over keras.datasets.mnist, same splits and attributes"


def tutorial_import(line: cst.CSTNode) -> set[str] | None:
    """The names through which `line` binds the tutorial loader: `input_data` (the module, whose
    `read_data_sets` is called) or `read_data_sets` itself; None when it is not such an import."""
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    statement = line.body[0]
    if isinstance(statement, cst.ImportFrom) and not statement.relative and not isinstance(statement.names, cst.ImportStar):
        module = dotted(statement.module)
        if module == TUTORIAL and all(dotted(a.name) == "input_data" for a in statement.names):
            return {dotted(a.asname.name) if a.asname else "input_data" for a in statement.names}  # type: ignore[arg-type]
        if module == f"{TUTORIAL}.input_data" and all(dotted(a.name) == LOADER and a.asname is None for a in statement.names):
            return {LOADER}
    if isinstance(statement, cst.Import) and all(dotted(a.name) == f"{TUTORIAL}.input_data" and a.asname for a in statement.names):
        return {dotted(a.asname.name) for a in statement.names if a.asname}  # type: ignore[arg-type]
    return None


class MnistTutorialLoader(FaultRule):
    code = "GF511"
    name = "mnist-tutorial-loader"
    summary = "the removed TF1 tutorial MNIST loader (tensorflow.examples.tutorials.mnist)"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None or error.type not in ("ModuleNotFoundError", "ImportError"):
            return []
        if _NO_MODULE.search(error.message) is None:
            return []
        for line in index.module.body:
            if tutorial_import(line) is not None and index.range(line).start.line == error.span.line:
                message = "TensorFlow 2 has no `tensorflow.examples.tutorials.mnist`: use a local `read_data_sets` over keras.datasets.mnist"
                return [self.fault(error.span.line, error.span.col + 1, message, repairs=(LocalLoader(index.span_of(line)),), explains_error=True)]
        return []

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, LocalLoader):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        target = index.node_at(plan.statement, cst.SimpleStatementLine)
        names = tutorial_import(target) if target is not None else None
        if target is None or names is None:
            raise Skip(f"no tutorial MNIST import at line {plan.statement.line}")
        if any(isinstance(s, cst.FunctionDef) and s.name.value == LOADER for s in index.module.body):
            raise Skip(f"the file already defines {LOADER}")
        modules = names - {LOADER}

        class Calls(cst.CSTTransformer):
            def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
                if isinstance(updated.value, cst.Name) and updated.value.value in modules and updated.attr.value == LOADER:
                    return cst.Name(LOADER)
                return updated

        module = index.module.visit(Calls())
        adapter = cst.parse_module(ADAPTER).body[0]
        blank = cst.EmptyLine()
        body: list[cst.BaseStatement] = []
        after_adapter = False
        for line in module.body:
            if after_adapter:
                own = [item for item in line.leading_lines if item.comment is not None]
                line = line.with_changes(leading_lines=[blank, blank, *own])
                after_adapter = False
            if line.deep_equals(target):
                spacing = [blank, blank] if body else []
                body.append(adapter.with_changes(leading_lines=[*target.leading_lines, *spacing]))  # type: ignore[attr-defined]
                after_adapter = True
                continue
            body.append(line)
        return module.with_changes(body=body).code

    EXAMPLES = (
        Example(
            before="import tensorflow as tf\nfrom tensorflow.examples.tutorials.mnist import input_data\n"
            "mnist = input_data.read_data_sets('MNIST_data/', one_hot=True)\n",
            plan=LocalLoader(Span(2, 0, 2, 58)),
            after="import tensorflow as tf\n\n\n" + ADAPTER + "\n\nmnist = read_data_sets('MNIST_data/', one_hot=True)\n",
        ),
        Example(
            before="from tensorflow.examples.tutorials.mnist.input_data import read_data_sets\nimport numpy as np\n"
            "data = read_data_sets('/tmp/mnist')\n",
            plan=LocalLoader(Span(1, 0, 1, 74)),
            after=ADAPTER + "\n\nimport numpy as np\ndata = read_data_sets('/tmp/mnist')\n",
        ),
        Example(
            before="import tensorflow.examples.tutorials.mnist.input_data as mnist_loader\nds = mnist_loader.read_data_sets('d', reshape=False)\n",
            plan=LocalLoader(Span(1, 0, 1, 70)),
            after=ADAPTER + "\n\nds = read_data_sets('d', reshape=False)\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="from keras.datasets import mnist\n(x, y), _ = mnist.load_data()\n",
            plan=LocalLoader(Span(1, 0, 1, 32)),
            note="the Keras loader",
        ),
    )
