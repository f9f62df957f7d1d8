"""A direct solver's factorisation kept as GMRES's preconditioner while it still works.

Newton on a creeping solid changes its Jacobian a little from one iteration to the next: the
tangent of the creep law and, with an active-set contact, a few rows. A fresh LU at every
iteration (MUMPS: most of a 3-D stripping step) buys an exact solve that a slightly stale LU
gives as well as a preconditioner: GMRES then converges in a few iterations of one triangular
solve each. The factorisation is refreshed at the first iteration of every Newton solve, and
when the last linear solve needed more than ``max_iterations`` iterations or failed (the
Jacobian has drifted too far). GMRES stops at a relative 1e-3 (inexact Newton steps): the
Newton solve still meets its own tolerances, but not round-off.
"""

from __future__ import annotations

from typing import Any

#: PETSc options of the KSP around a reused LU (the LU's own options are the direct solver's):
#: right preconditioning so that the tolerances apply to the true residual
LAGGED_KSP_OPTIONS: dict[str, Any] = {
    "ksp_type": "gmres", "ksp_pc_side": "right", "ksp_gmres_restart": 100,
    "ksp_rtol": 1e-3, "ksp_atol": 0.0, "ksp_max_it": 100,
}


class FactorReuse:
    """The lagged preconditioner matrix of a KSP (see the module).

    SNES is given :attr:`matrix`, a copy of the Jacobian, as the preconditioner's matrix; the
    KSP's operator stays the Jacobian. The copy is refreshed (and so refactorised) only when
    :meth:`before_solve` decides to; otherwise its state is unchanged and PETSc keeps the
    factorisation.
    """

    def __init__(self, ksp: Any, jacobian: Any, max_iterations: int = 10) -> None:
        """``jacobian``: the SNES Jacobian matrix, assembled once (its sparsity pattern is
        copied; an unassembled PETSc matrix has none yet)."""
        from petsc4py import PETSc

        self.ksp = ksp
        self.max_iterations = int(max_iterations)
        #: the matrix the LU is computed from (a lagged copy of the Jacobian)
        self.matrix = jacobian.duplicate(copy=True)
        self._pattern = PETSc.Mat.Structure.SAME_NONZERO_PATTERN
        #: factorisations and Jacobians so far (the ratio is the saving)
        self.factorizations = 0
        self.jacobians = 0
        self._refresh = True

    def invalidate(self) -> None:
        """Refactorise at the next Jacobian (the problem calls it at the start of every
        solve: each solve is then independent of the one before, and a restarted run
        reproduces an uninterrupted one)."""
        self._refresh = True

    def before_solve(self, jacobian: Any) -> None:
        """Called at the end of the SNES Jacobian callback: refresh the lagged copy (and so
        the factorisation) after a failed or slow last solve, else keep it."""
        last = self.ksp.getIterationNumber()
        failed = self.ksp.getConvergedReason() < 0
        refresh = self._refresh or failed or last > self.max_iterations
        if refresh:
            jacobian.copy(self.matrix, structure=self._pattern)
        self._refresh = False
        self.jacobians += 1
        self.factorizations += int(refresh)

    def destroy(self) -> None:
        """Free the lagged copy (collective)."""
        self.matrix.destroy()
