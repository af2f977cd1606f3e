# graphfix: `make demo` and `make test` set everything up from a clean clone.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.graphfix-installed

.PHONY: demo test lint eval bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[tf,test]'
	touch $(STAMP)

demo: $(STAMP)
	@echo "== graphfix rules"
	@$(VENV)/bin/graphfix rules
	@echo "== graphfix check examples/ (exit 1: faults found)"
	-@$(VENV)/bin/graphfix check examples/
	@echo "== graphfix fix examples/ (verified diffs; files are not touched)"
	@$(VENV)/bin/graphfix fix examples/
	@echo "== graphfix check --graph docs/graph-autoencoder.svg (rendered by graphviz-pure: no system Graphviz)"
	-@$(VENV)/bin/graphfix check --graph docs/graph-autoencoder.svg examples/autoencoder.py

lint: $(STAMP)
	$(VENV)/bin/ruff check graphfix codemods tests bench
	$(VENV)/bin/mypy

# one pytest process per core (at most 4): a probe keeps one core busy while its test waits
test: lint
	$(PY) -m pytest -q -n auto --maxprocesses 4 tests

eval: $(STAMP)
	$(PY) -m graphfix.corpus

bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
