"""ssbx: finite-element electro-chemo-mechanics of Li-metal / solid-electrolyte interfaces.

Importing any ``ssbx`` module runs this file first. It is the one place that imports
``dolfinx_solver`` (the binary wheel's loader, which must come before ``import dolfinx`` so that
the wheel's MPI library is found). Environments with their own dolfinx (conda, spack, HPC modules)
do not have that module, and nothing is needed there.
"""

from __future__ import annotations

try:  # the `wheels` extra: dolfinx + PETSc + MPICH as one wheel
    import dolfinx_solver  # noqa: F401
except ImportError:  # dolfinx from conda / spack / a module, or not installed at all
    pass

__version__ = "0.1.0"

DOLFINX_MISSING = (
    "ssbx needs dolfinx 0.11, which could not be imported: install the wheel with "
    "`pip install 'ssbx[wheels]'`, or install ssbx into an environment that already has dolfinx "
    "(conda-forge fenics-dolfinx, spack, an HPC module) with `pip install --no-deps -e .`"
)


class DolfinxUnavailable(ImportError):
    """dolfinx (with mpi4py and petsc4py) cannot be imported."""


def require_dolfinx(rank: int = 0) -> None:
    """Import dolfinx or raise :class:`DolfinxUnavailable` with a one-line explanation.

    Also configures the FFCx JIT and numba caches for concurrent processes
    (:func:`ssbx.parallel.jit_cache.configure_jit`: a long wait for other processes' compiles,
    ``SSBX_JIT_TIMEOUT``; self-healing of dead compiles; writable cache folders). ``rank``: the
    process's rank in its job (configuration warnings on rank 0 only).
    """
    try:
        from mpi4py import MPI  # noqa: F401
        from petsc4py import PETSc  # noqa: F401

        import dolfinx  # noqa: F401
    except ImportError as err:
        raise DolfinxUnavailable(f"{DOLFINX_MISSING} ({err})") from None
    from ssbx.parallel.jit_cache import configure_jit

    configure_jit(rank=rank)
