# ssbx container image.
#
# Two bases:
#   docker build -t ssbx .
#       python:3.12-slim + ssbx[wheels,test]: dolfinx, PETSc and MPICH from the dolfinx-solver-real
#       wheel, installed by the Makefile (`make venv`) into the venv /opt/ssbx/.venv.
#   docker build -t ssbx:fenics --build-arg BASE_IMAGE=ghcr.io/fenics/dolfinx/dolfinx:v0.11.0 .
#       the official FEniCS image (its own dolfinx, PETSc with hypre, MPICH, MPI HDF5/ADIOS2):
#       ssbx[test] *without* the `wheels` extra goes into the image's Python environment
#       (/dolfinx-env), also through `make venv`.
#   WITH_WHEEL=auto (default) picks by itself: the wheel only if the base cannot import dolfinx.
#   Force with --build-arg WITH_WHEEL=1 or 0.
#
# Run (the entry point runs any command; a bare ssbx subcommand -- run, ccs, sweep, cache, mesh,
# validate, info, schema, bench or an option -- gets `ssbx` put in front):
#   docker run --rm -v "$PWD":/work ssbx ssbx run /work/examples/void_2d.toml
#   docker run --rm -v "$PWD":/work ssbx mpirun -n 2 ssbx run /work/examples/void_2d.toml
#   docker run --rm -v "$PWD":/work ssbx ccs /work/ccs.toml
# Results go to /work/results/<case name>/ (the working directory is /work). The container runs
# as the non-root user `ssbx` (uid SSBX_UID, default 1000); to write into a mounted folder owned
# by someone else, add `--user "$(id -u):$(id -g)"`. Use `--shm-size=1g` for many MPI ranks.
#
# Sweeps (many cases, groups of ranks taking the next pending case; rerunning resumes):
#   docker run --rm --shm-size=1g -v "$PWD":/work ssbx
#       mpirun -n 8 ssbx sweep /work/sweep.toml --out /work/sweep --ranks-per-case 2   (one line)
#   docker run --rm -v "$PWD":/work ssbx sweep /work/sweep.toml --collect
# Many processes share the FFCx/numba caches below; ssbx waits for another process's compile
# (SSBX_JIT_TIMEOUT seconds, default 900) instead of dolfinx's 10 s. To keep the caches between
# containers, mount a folder there: -v ssbx-cache:/var/cache/ssbx.
# On a cluster, convert the image for Apptainer (`apptainer build ssbx.sif
# docker-daemon://ssbx:latest`) and see docs/CLUSTER.md (MPI, caches, Slurm, sweeps).
#
# Other build arguments: SSBX_UID; PREWARM=1 runs examples/void_2d.toml once at build time so
# that the FFCx (JIT) and numba caches in the image are warm; SSBX_GIT_COMMIT=$(git rev-parse
# HEAD) records the source commit in provenance.json (the image has no .git).

ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE}

ARG WITH_WHEEL=auto
ARG SSBX_UID=1000
ARG PREWARM=0
ARG SSBX_GIT_COMMIT=unknown
# build-time only (ARG, not ENV): no pip cache in the image layers
ARG PIP_NO_CACHE_DIR=1
ARG PIP_DISABLE_PIP_VERSION_CHECK=1
ARG DEBIAN_FRONTEND=noninteractive

# gcc + libc6-dev: FFCx compiles every form with a C compiler at run time (Python.h comes with the
# base image); make: the install below goes through the Makefile; git: source provenance;
# the rest: X11/GL libraries that the PyPI gmsh wheel links against.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      gcc libc6-dev make git ca-certificates \
      libglu1-mesa libgl1 libglx0 libopengl0 libglvnd0 libxrender1 libxcursor1 libxft2 \
      libxinerama1 libx11-6 libfontconfig1 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/ssbx
# Only the sources: never a host .venv, .cache or results folder.
COPY pyproject.toml Makefile README.md ./
COPY solver/ solver/
COPY meshes/ meshes/
COPY physics/ physics/
COPY benchmarks/ benchmarks/
COPY examples/ examples/
COPY docs/ docs/
COPY tests/ tests/

# Install exactly as `make run` / `make test` do on a workstation: `make venv VENV=... EXTRAS=...`
# (pip install -e ".[EXTRAS]").
RUN set -eu; \
    case "${WITH_WHEEL}" in \
      auto) if python3 -c "import mpi4py.MPI, dolfinx" >/dev/null 2>&1; then with_wheel=0; \
            else with_wheel=1; fi ;; \
      0|1) with_wheel="${WITH_WHEEL}" ;; \
      *) echo "WITH_WHEEL must be auto, 0 or 1 (got ${WITH_WHEEL})" >&2; exit 1 ;; \
    esac; \
    if [ "$with_wheel" = 1 ]; then \
      venv=/opt/ssbx/.venv; extras=wheels,test; \
    elif [ -n "${VIRTUAL_ENV:-}" ] && [ -x "${VIRTUAL_ENV}/bin/python" ]; then \
      venv="${VIRTUAL_ENV}"; extras=test; \
    else \
      venv=/opt/ssbx/.venv; extras=test; python3 -m venv --system-site-packages "$venv"; \
    fi; \
    echo "installing ssbx[$extras] into $venv"; \
    make venv VENV="$venv" EXTRAS="$extras"; \
    ln -sf "$venv" /opt/ssbx/env

RUN (useradd --create-home --shell /bin/bash --uid "${SSBX_UID}" ssbx 2>/dev/null \
      || useradd --create-home --shell /bin/bash ssbx) \
 && mkdir -p /work /var/cache/ssbx/fenics /var/cache/ssbx/numba /var/cache/ssbx/matplotlib \
 && chmod -R 1777 /var/cache/ssbx \
 && chown ssbx: /work \
 && printf '%s\n' \
      '#!/bin/sh' \
      '# ssbx image entry point: run the given command (ssbx, mpirun, bash, ...).' \
      'set -e' \
      'case "${1:-}" in' \
      '  "") set -- ssbx --help ;;' \
      '  run|ccs|sweep|cache|mesh|validate|info|schema|bench|-*) set -- ssbx "$@" ;;' \
      'esac' \
      'exec "$@"' \
      > /usr/local/bin/ssbx-entrypoint \
 && chmod 755 /usr/local/bin/ssbx-entrypoint

# Writable caches for any user (also `--user`); on a cluster point them at a shared filesystem.
ENV PATH=/opt/ssbx/env/bin:${PATH} \
    XDG_CACHE_HOME=/var/cache/ssbx \
    NUMBA_CACHE_DIR=/var/cache/ssbx/numba \
    MPLCONFIGDIR=/var/cache/ssbx/matplotlib \
    OMP_NUM_THREADS=1 \
    NUMBA_NUM_THREADS=1 \
    OPENBLAS_NUM_THREADS=1 \
    SSBX_GIT_COMMIT=${SSBX_GIT_COMMIT}

# Smoke test of the installed stack, and the optional cache pre-warming run.
RUN ssbx info \
 && ssbx validate examples/*.toml \
 && if [ "${PREWARM}" = 1 ]; then \
      ssbx run examples/void_2d.toml --out /tmp/prewarm --quiet && rm -rf /tmp/prewarm; \
    fi \
 && chmod -R a+rwX /var/cache/ssbx

USER ssbx
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/ssbx-entrypoint"]
CMD ["ssbx", "--help"]
