# Two commands on a fresh machine:  make run  |  make test
# Both create .venv (Python >= 3.12) if it is missing and install ssbx[wheels,test] into it (editable).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
EXTRAS ?= wheels,test
CASE ?= examples/void_2d.toml
NP ?= 2
# Hard limit on the parallel test step: a hang under MPI must fail, not block CI.
MPI_TEST_TIMEOUT ?= 1200
MPIEXEC ?= $(if $(wildcard $(VENV)/bin/mpirun),$(VENV)/bin/mpirun,mpirun)
# A python >= 3.12: the first of these that exists and is new enough.
PYTHON ?= $(shell for p in python3.12 python3.13 python3.14 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)
# FFCx and numba caches inside the project by default so that runs and tests reuse them.
export XDG_CACHE_HOME ?= $(CURDIR)/.cache
export NUMBA_CACHE_DIR ?= $(CURDIR)/.cache/numba
export OMP_NUM_THREADS ?= 1
export NUMBA_NUM_THREADS ?= 1

.PHONY: run test test-fast venv install test-serial test-mpi lint docs bench clean container-test

$(VENV)/.installed: pyproject.toml
	@if [ ! -x $(PY) ]; then \
		if [ -z "$(PYTHON)" ]; then echo "error: ssbx needs Python >= 3.12 (python3.12 not found on PATH; with pyenv: pyenv install 3.12)"; exit 1; fi; \
		echo "creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"; \
		$(PYTHON) -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	@# The bytecode of ssbx's own modules, written now: an editable install leaves it to the first
	@# import, which cannot write it where PYTHONDONTWRITEBYTECODE is set (many container and CI
	@# images) or the source tree is read-only (a container's user), and then every process
	@# compiles the sources again (~0.6 s of a 2 s run, measured by peer_comparison).
	$(PY) -m compileall -q -j 0 solver meshes physics benchmarks >/dev/null
	@touch $@

venv install: $(VENV)/.installed

run: $(VENV)/.installed
	$(VENV)/bin/ssbx run $(CASE) --overwrite
	@echo "ssbx is in $(VENV)/bin: 'source $(VENV)/bin/activate' (then 'ssbx --help'), or call $(VENV)/bin/ssbx"

test: $(VENV)/.installed test-serial test-mpi

# The serial part runs on $(WORKERS) processes (pytest-xdist; tests of one file stay on one worker
# so that module-scoped fixtures are built once); `make test WORKERS=1` runs it in one process.
WORKERS ?= 2
XDIST = $(if $(filter-out 0 1,$(WORKERS)),-n $(WORKERS) --dist loadfile,)

test-serial: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q $(XDIST) tests

# A fast subset for development (no benchmark runs, no multi-process or convergence studies:
# tests marked `slow`), serial part only. `make test` stays the complete run CI makes.
test-fast: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q $(XDIST) -m "not slow" tests

test-mpi: $(VENV)/.installed
	timeout --kill-after=30 $(MPI_TEST_TIMEOUT) $(MPIEXEC) -n $(NP) $(PY) -m pytest -q -m mpi -p no:cacheprovider tests

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check . || true

docs: $(VENV)/.installed
	$(VENV)/bin/ssbx schema --markdown > docs/case-reference.md

bench: $(VENV)/.installed
	$(VENV)/bin/ssbx bench run all

# The Dockerfile built and run without a Docker engine: podman (installed with apt-get if missing;
# SKIPPED only where it cannot be) builds it on a stand-in python:3.12-slim (debootstrap of Debian
# trixie, cached), then checks `ssbx info`, a run into a mounted folder with --user, and
# `mpirun -n 2` against 1 rank in the container. Needs root. See ci/container/test.sh.
container-test:
	bash ci/container/test.sh

clean:
	rm -rf $(VENV) .cache results bench-results
