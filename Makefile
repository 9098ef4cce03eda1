# The two commands a newcomer needs: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench lock clean browser docs native

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP) native
	$(VENV)/bin/tftsr demo --out out/demo

# The detection engine's C++ parts (tftsr_kernel/pii/native/), against Debian's RE2; without them the
# engine runs its Python loops (same results, slower).
native: $(STAMP)
	@test -f /usr/include/re2/re2.h && command -v g++ >/dev/null 2>&1 || \
		{ apt-get update -qq && apt-get install -y -qq g++ libre2-dev; }
	TFTSR_PII_NATIVE=0 $(PY) -m tftsr_kernel.pii.native.build

browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

lint: $(STAMP)
	$(VENV)/bin/ruff check tftsr_kernel tests bench
	$(VENV)/bin/mypy

test: $(STAMP) native browser lint
	$(PY) -m pytest

bench: $(STAMP) native
	$(PY) -m bench

# Re-resolve every dependency (runtime, dev and bench) and write the lock CI installs from.
lock:
	rm -rf /tmp/tftsr-lock && $(PYTHON) -m venv /tmp/tftsr-lock
	/tmp/tftsr-lock/bin/pip install --quiet --upgrade pip
	/tmp/tftsr-lock/bin/pip install --quiet hatchling editables ".[dev,bench]"
	/tmp/tftsr-lock/bin/pip freeze --exclude-editable | grep -v '^tftsr-kernel' > requirements.lock

clean:
	rm -rf $(VENV) out dist build tftsr_kernel/pii/native/*.so

# Regenerate docs/cli.md from the commands' --help (tests/test_docs.py fails when it is stale).
docs: $(STAMP)
	$(PY) -m docs.cli_reference
