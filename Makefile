# roleport: `make demo` and `make test` work on a fresh machine (they install what they need).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: test demo bench dist lint unit js browsers system-deps deps clean

test: deps lint js
	$(PY) -m pytest

deps: system-deps $(PY_STAMP) $(NODE_STAMP)

# Debian's browsers and driver for the end-to-end suites (CI runs as root on a fresh machine).
system-deps:
	@scripts/ensure-system-deps.sh

$(PY_STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test,demo]'
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lint: $(PY_STAMP) $(NODE_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	npx --no-install eslint .
	npx --no-install web-ext lint --self-hosted --warnings-as-errors=false

js: $(NODE_STAMP)
	node --test tests/js/

unit: $(PY_STAMP)
	$(PY) -m pytest -m 'not browser'

browsers: deps
	$(PY) -m pytest -m browser

demo: deps
	$(PY) -m demo

bench: deps
	$(PY) -m bench

# The wheel and sdist are built with the venv's pinned setuptools (no isolated build env to fetch);
# the extension packages per store (Chrome Web Store, addons.mozilla.org): docs/RELEASING.md.
dist: $(PY_STAMP)
	$(PY) -m build --no-isolation --outdir dist .
	$(PY) scripts/build_extension.py --out dist

clean:
	rm -rf $(VENV) node_modules build dist web-ext-artifacts artifacts roleport.egg-info
