# Quotable: `make chat` runs it, `make test` tests it.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INDEX ?= .index
HOST ?= 127.0.0.1
PORT ?= 7860
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install install-test install-ocr chat index test lint bench audit browser clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch first, pinned: it is the local CPU wheel. Unpinned, pip pulls CUDA.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# The optional OCR engine for PDF pages without a text layer (RapidOCR; its models ship in the wheel).
$(VENV)/.installed-ocr: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[ocr]'
	touch $@

install: $(VENV)/.installed

install-ocr: $(VENV)/.installed-ocr

install-test: $(VENV)/.installed-test

# Builds the index when missing or stale; unchanged files are not re-embedded.
# With no path, ingest re-reads what the index holds (corpus/ and uploaded files).
index: install
	$(BIN)/python -m ingest --index-dir $(INDEX)

chat: index
	$(BIN)/python -m chat --index-dir $(INDEX) --host $(HOST) --port $(PORT)

# Debian's chromium for the browser tests (never a downloaded browser build). If it cannot be
# installed here, say so loudly: the browser tests then skip, naming the missing /usr/bin/chromium.
browser:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || \
	  { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || \
	    (sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || \
	    echo "WARNING: could not install Debian's chromium; the browser tests will be skipped" >&2; }

lint: install-test
	$(BIN)/ruff check .

test: install-test install-ocr browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: install-test
	$(BIN)/python -m bench

audit: install
	$(BIN)/pip install -q -e '.[audit]'
	$(BIN)/pip-audit --skip-editable --strict  # --strict: a package it could not check is a failure

clean:
	rm -rf $(VENV) $(INDEX)
