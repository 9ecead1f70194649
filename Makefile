# ArtSeek: `make run` sets up .venv (if needed) and opens the app; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run demo test test-slow test-all lint bench package package-tiny clean-venv

$(STAMP): requirements.txt requirements-dev.txt requirements-cluster.txt requirements-openvino.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) main.py

demo: $(STAMP)
	$(PY) main.py --demo

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

test-slow: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m slow

test-all: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "slow or not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check artseek tests scripts main.py --select F,E9

bench: $(STAMP)
	$(PY) main.py bench indexing

clean-venv:
	rm -rf $(VENV)

package: $(STAMP)
	bash scripts/package.sh

package-tiny: $(STAMP)
	bash scripts/package.sh --tiny
