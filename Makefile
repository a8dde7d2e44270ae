# The README's two commands: `make demo` and `make test`. Each sets itself up from nothing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev

.PHONY: demo test bench setup graphviz browser clean

demo: setup graphviz
	$(PY) examples/demo.py

test: setup graphviz browser
	$(PY) -m pytest -q

bench: setup graphviz
	$(PY) -m pip install -qq -e '.[dev,bench]'
	$(PY) benchmarks/run.py

setup: $(STAMP)

# -qq: pip's errors only; -q still printed setuptools' note on every editable install
$(STAMP): pyproject.toml
	test -x $(PY) || sh scripts/make-venv $(PYTHON) $(VENV)
	$(PY) -m pip install -qq --upgrade pip
	$(PY) -m pip install -qq -e '.[dev]'
	@# matplotlib builds its font cache on first import and says so: once, quietly, here
	@$(PY) -c 'import logging; logging.disable(); import matplotlib.font_manager'
	touch $(STAMP)

graphviz:
	@sh scripts/ensure-graphviz

browser:
	@sh scripts/ensure-browser

clean:
	rm -rf $(VENV) out build *.egg-info
