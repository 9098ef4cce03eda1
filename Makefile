# The two commands a newcomer needs: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench lock clean browser docs

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/tftsr demo --out out/demo

browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

lint: $(STAMP)
	$(VENV)/bin/ruff check tftsr_kernel tests bench
	$(VENV)/bin/mypy

test: $(STAMP) browser lint
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m bench

# Re-resolve every dependency (runtime, dev and bench) and write the lock CI installs from.
lock:
	rm -rf /tmp/tftsr-lock && $(PYTHON) -m venv /tmp/tftsr-lock
	/tmp/tftsr-lock/bin/pip install --quiet --upgrade pip
	/tmp/tftsr-lock/bin/pip install --quiet hatchling editables ".[dev,bench]"
	/tmp/tftsr-lock/bin/pip freeze --exclude-editable | grep -v '^tftsr-kernel' > requirements.lock

clean:
	rm -rf $(VENV) out dist build

# Regenerate docs/cli.md from the commands' --help (tests/test_docs.py fails when it is stale).
docs: $(STAMP)
	$(PY) -m docs.cli_reference
