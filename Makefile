# autograd_lab: set-up, lessons and tests in two commands.
#
#   make lab     create .venv, install the lessons' dependencies, start JupyterLab on notebooks/
#   make test    create .venv, install the test dependencies, run ruff and the whole test suite
#   make lite    build the lessons as a static web site that runs in the browser (build/lite/)
#
# Set-up is repeated only when pyproject.toml changes (stamp files in .venv/).
# Variables you can set on the command line, e.g. `make lab LAB_PORT=9999`:
#   PYTHON      interpreter that creates .venv                (python3)
#   EXTRA_PIP   extra pip requirements installed with the rest (e.g. "torch==2.13.0")
#   LAB_PORT    JupyterLab port                               (8888)
#   LAB_IP      JupyterLab listening address                  (127.0.0.1)
#   LAB_ARGS    extra JupyterLab arguments                    (e.g. --no-browser)
#   PYTEST_ARGS, NBVAL_ARGS, TEST_PATHS   how `make test` calls pytest
#   BENCH_ARGS  arguments for bench/run_all.py
#   LITE_DIR    where `make lite` puts the site                (build/lite)

SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
EXTRA_PIP ?=

LAB_STAMP := $(VENV)/.installed-lab
TEST_STAMP := $(VENV)/.installed-test
LITE_STAMP := $(VENV)/.installed-lite
EXTRA_STAMP := $(VENV)/.installed-extra

LAB_PORT ?= 8888
LAB_IP ?= 127.0.0.1
LAB_ARGS ?=
# Root must say so explicitly to JupyterLab; without a display no browser can be opened.
LAB_ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_CAN_OPEN_BROWSER := $(DISPLAY)$(WAYLAND_DISPLAY)$(filter Darwin,$(shell uname -s))
LAB_BROWSER_FLAG := $(if $(LAB_CAN_OPEN_BROWSER)$(filter --no-browser,$(LAB_ARGS)),,--no-browser)

RUFF_PATHS := $(wildcard autograd_lab tests bench tools notebooks/conftest.py classroom)
TEST_PATHS ?= tests notebooks
NBVAL_ARGS ?= --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg \
	--nbval-cell-timeout=300
PYTEST_ARGS ?= -p no:cacheprovider -q -rs
BENCH_ARGS ?=
LITE_DIR ?= build/lite

.PHONY: help lab test lite lint notebooks figures bench clean system-lab system-test system-lite

help:
	@echo "make lab        set up .venv and start JupyterLab on notebooks/"
	@echo "make test       set up .venv and run ruff + the test suite (unit, notebooks, browser)"
	@echo "make lite       build the lessons as a web site that runs in the browser ($(LITE_DIR)/)"
	@echo "make notebooks  re-run every lesson notebook and store its outputs"
	@echo "make figures    regenerate the pictures in imgs/"
	@echo "make bench      run the benchmarks (BENCH_ARGS=...)"
	@echo "make lint       ruff check"
	@echo "make clean      remove .venv and caches"

# ---------------------------------------------------------------- the virtual environment

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || { \
	  echo "autograd_lab needs Python >= 3.10; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." \
	       "Run: make PYTHON=python3.11 ..."; exit 1; }
	@$(has_venv) || $(call as_root_apt,python3-venv) || true
	@$(has_venv) || { \
	  v=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	  echo "Python's venv module is missing: install it with" \
	       "'sudo apt-get install python3-venv' (or python$$v-venv), then run make again."; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Extra requirements (EXTRA_PIP) are remembered: changing them re-runs the set-up.
# An empty EXTRA_PIP keeps whatever was installed before.
$(EXTRA_STAMP): FORCE | $(PY)
	@if [ -n "$(strip $(EXTRA_PIP))" ] && \
	    [ "$$(cat $@ 2>/dev/null)" != "$(strip $(EXTRA_PIP))" ]; then \
	  echo "$(strip $(EXTRA_PIP))" > $@; \
	elif [ ! -e $@ ]; then touch $@; fi

$(LAB_STAMP): pyproject.toml $(EXTRA_STAMP) | $(PY)
	$(PIP) install -e ".[lab]" $(EXTRA_PIP)
	@touch $@

$(TEST_STAMP): pyproject.toml $(EXTRA_STAMP) | $(PY)
	$(PIP) install -e ".[lab,test]" $(EXTRA_PIP)
	@touch $@ $(LAB_STAMP) $(LITE_STAMP)

$(LITE_STAMP): pyproject.toml $(EXTRA_STAMP) | $(PY)
	$(PIP) install -e ".[lite]" $(EXTRA_PIP)
	@touch $@

.PHONY: FORCE
FORCE:

# ---------------------------------------------------------------- system packages
# Installed with apt-get when we are root or have passwordless sudo; otherwise one line says how.

# $(call as_root_apt,PACKAGES): install Debian packages if possible, fail quietly otherwise.
as_root_apt = { \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	  else false; fi && command -v apt-get >/dev/null 2>&1 && \
	  echo "Installing system packages: $(1)" && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(1) </dev/null; }

GRAPHVIZ_HINT := Graphviz 'dot' not found: install it with 'sudo apt-get install graphviz', \
	'brew install graphviz' or 'conda install -c conda-forge graphviz'. The lessons still run; \
	graph pictures show a notice instead.
NODE_HINT := Node.js/npm not found: install them with 'sudo apt-get install nodejs npm' to build \
	the browser lessons (make lite, which takes Pyodide and Graphviz for WebAssembly from npm); \
	their tests are skipped until then.
BROWSER_HINT := Chromium not found: install it with 'sudo apt-get install chromium \
	fonts-liberation' to run the browser test; it is skipped until then.

PROXY_HINT := npm not found: install Node.js and npm ('sudo apt-get install nodejs npm') to run \
	the JupyterHub class test; it is skipped until then.
# JupyterHub's proxy is a Node program; the hub test finds it in .venv/node_modules/.bin.
# Its 5.x releases need Node 20; Debian 12's Node 18 gets the 4.x line.
HUB_PROXY := $(VENV)/node_modules/.bin/configurable-http-proxy

has_venv = $(PYTHON) -c 'import venv, ensurepip' 2>/dev/null
has_dot = command -v dot >/dev/null 2>&1
has_node = { command -v node && command -v npm; } >/dev/null 2>&1
has_chromium = { command -v chromium || command -v chromium-browser; } >/dev/null 2>&1
has_fonts = { ! command -v dpkg-query >/dev/null 2>&1 || \
	dpkg-query -W -f='$${Status}' fonts-liberation 2>/dev/null | grep -q 'ok installed'; }

system-lab:
	@$(has_dot) || $(call as_root_apt,graphviz) || echo "$(GRAPHVIZ_HINT)"

system-test:
	@missing=""; \
	$(has_dot) || missing="$$missing graphviz"; \
	$(has_chromium) || missing="$$missing chromium"; \
	$(has_fonts) || missing="$$missing fonts-liberation"; \
	$(has_node) || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then $(call as_root_apt,$$missing) || true; fi; \
	$(has_dot) || echo "$(GRAPHVIZ_HINT)"; \
	$(has_chromium) || echo "$(BROWSER_HINT)"; \
	$(has_node) || echo "$(NODE_HINT)"

system-lite:
	@$(has_node) || $(call as_root_apt,nodejs npm) || true

# $(call build_lite,DIR,OPTIONAL): the browser lessons into DIR (tools/build_lite.py); without
# npm, one line says how to get it, and the build fails unless OPTIONAL is non-empty.
build_lite = if $(has_node); then $(PY) tools/build_lite.py --output-dir $(1); \
	else echo "$(NODE_HINT)"; $(if $(2),true,false); fi

$(HUB_PROXY): | $(PY)
	@if command -v npm >/dev/null 2>&1; then \
	  major=$$(node -p 'process.versions.node.split(".")[0]'); \
	  npm install --prefix $(VENV) --no-save --no-audit --no-fund --loglevel=error \
	    "configurable-http-proxy@$$( [ "$$major" -ge 20 ] && echo 5 || echo 4 )"; \
	else echo "$(PROXY_HINT)"; fi

# ---------------------------------------------------------------- the two commands

lab: $(LAB_STAMP) system-lab
	@echo
	@echo "Starting JupyterLab on notebooks/ at http://$(LAB_IP):$(LAB_PORT)/lab"
	@echo "Open the link with the token that JupyterLab prints below; Ctrl-C twice stops it."
	@echo
	$(VENV)/bin/jupyter lab --ServerApp.root_dir="$(CURDIR)/notebooks" \
	  --ServerApp.ip=$(LAB_IP) --ServerApp.port=$(LAB_PORT) \
	  $(LAB_ROOT_FLAG) $(LAB_BROWSER_FLAG) $(LAB_ARGS)

lite: $(LITE_STAMP) system-lite
	@$(call build_lite,$(LITE_DIR))

# The lite tests read build/lite/ (built here; without npm they are skipped).
test: $(TEST_STAMP) system-test $(HUB_PROXY)
	$(VENV)/bin/ruff check $(RUFF_PATHS)
	@$(call build_lite,build/lite,optional)
	$(PY) -m pytest $(TEST_PATHS) $(NBVAL_ARGS) $(PYTEST_ARGS)

# ---------------------------------------------------------------- the rest

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check $(RUFF_PATHS)

notebooks: $(TEST_STAMP) system-lab
	$(PY) tools/run_notebooks.py

figures: $(LAB_STAMP) system-lab
	$(PY) tools/make_figures.py

bench: $(TEST_STAMP)
	$(PY) bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache build dist *.egg-info test-artifacts \
	  autograd_lab/viz/wasm_graphviz
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
