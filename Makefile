# Two commands on a fresh machine: `make run` and `make test`.
# Both create .venv with the pinned dependencies when it is missing or stale.

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
# The protocol check run by tests/test_js_clients.py (official socket.io client, nats.js).
JS_CLIENTS := tests/js/node_modules/.package-lock.json

.PHONY: run test lock clean

run: $(STAMP)
	$(VENV)/bin/chatbus up

test: $(STAMP) $(JS_CLIENTS)
	$(VENV)/bin/python -m pytest

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --constraint constraints.txt --editable '.[test]'
	touch $(STAMP)

$(JS_CLIENTS): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --silent

# Re-pin every dependency to the newest version pyproject.toml allows.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --editable '.[test]'
	{ echo "# Exact versions for every Python dependency (pip constraints). Regenerate with: make lock"; \
	  .lock-venv/bin/pip freeze --exclude-editable; } > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) var test-output
