# Two commands on a fresh machine: `make run` and `make test`.
# Both create .venv with the pinned dependencies when it is missing or stale.

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
# The protocol check run by tests/system/test_js_clients.py (official socket.io client, nats.js).
JS_CLIENTS := tests/js/node_modules/.package-lock.json
# The web client (web/): npm ci writes the first when package-lock.json changed,
# and the build is redone when any source is newer than web/dist.
WEB_DEPS := web/node_modules/.package-lock.json
WEB_DIST := web/dist/index.html
WEB_SOURCES := web/index.html web/vite.config.ts web/tsconfig.json web/package.json $(shell find web/src web/public web/scripts -type f 2>/dev/null)

# The browser tests drive Debian's Chromium (Playwright cannot download its own here).
CHROMIUM := /usr/bin/chromium

.PHONY: run test test-fast web-check lock clean

run: $(STAMP) $(WEB_DIST)
	$(VENV)/bin/chatbus up

# The web client's checks and build come first: the browser tests need web/dist.
test: $(STAMP) $(JS_CLIENTS) $(CHROMIUM) web-check
	$(VENV)/bin/python -m pytest

# The unit and integration tiers, for a change in progress: no processes of chatbus's own,
# no browser, the tests spread over both cores (pytest-xdist). The edge serves web/dist.
test-fast: $(STAMP) $(WEB_DIST)
	$(VENV)/bin/python -m pytest -n 2 tests/unit tests/integration

web-check:
	npm ci --prefix web --no-audit --no-fund
	npm run --prefix web typecheck
	npm run --prefix web lint
	npm test --prefix web
	npm run --prefix web build

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --constraint constraints.txt --editable '.[test]'
	@# The checkout on the venv's path, for what the wheel leaves out: `chatbus bench` (benchmarks/).
	$(VENV)/bin/python -c 'import pathlib, sys, sysconfig; pathlib.Path(sysconfig.get_path("purelib"), "chatbus-checkout.pth").write_text(sys.argv[1] + "\n")' '$(CURDIR)'
	touch $(STAMP)

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
	  echo "The browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; \
	fi

$(JS_CLIENTS): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --silent

$(WEB_DEPS): web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund

$(WEB_DIST): $(WEB_DEPS) $(WEB_SOURCES)
	npm run --prefix web build

# Re-pin every dependency to the newest version pyproject.toml allows: the packages whose
# internals chatbus overrides stay within the minor version pyproject.toml bounds them to.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --editable '.[test,profile]'
	{ echo "# Exact versions for every Python dependency (pip constraints). Regenerate with: make lock"; \
	  .lock-venv/bin/pip freeze --exclude-editable; } > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) var test-output web/node_modules web/dist
