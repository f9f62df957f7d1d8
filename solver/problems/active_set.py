"""Upper bounds on a SNES unknown by a semismooth Newton method of fixed sparsity.

The contact of the stripping problem bounds the interface displacement from above,
``u_i <= g_i``. Its Karush–Kuhn–Tucker conditions, with ``F`` the residual (the contact force on
dof i is ``mu_i = -F_i``),

    F_i + mu_i = 0,   mu_i >= 0,   g_i - u_i >= 0,   mu_i (g_i - u_i) = 0,

are the nonlinear complementarity equations ``Phi_i = max(F_i, c_i (u_i - g_i)) = 0``
(``c_i > 0`` any scale; here ``|J_ii|`` of the last Jacobian, so that both arguments are forces
and an active row keeps a pivot of the magnitude of its column: a unit diagonal against
stiffness entries of ~1e10 costs the LU its accuracy and MUMPS its workspace, through delayed
pivots). Newton's method on ``Phi`` with its generalized derivative is the primal–dual active-set
method (Hintermüller, Ito and Kunisch, SIAM J. Optim. 13, 865, 2002, doi:10.1137/S1052623401383558):
at each iterate a dof is *active* when ``c_i (u_i - g_i) > F_i``, its row of the Jacobian becomes
``c_i e_i`` and its residual ``c_i (u_i - g_i)`` (the step puts it on the bound); the other rows are
the unconstrained equations.

Why not PETSc's reduced-space VI (``vinewtonrsls``): that method solves on the inactive dofs
only, so every Newton iteration extracts a new submatrix and redoes the direct solver's
symbolic analysis. Here the matrix keeps its sparsity pattern (rows are zeroed in place,
``MAT_KEEP_NONZERO_PATTERN``), so MUMPS refactorises numerically only, and a plain
``newtonls`` SNES drives the iteration. At convergence ``Phi = 0`` is the same solution.
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import numpy as np

#: bounds at or above this are none (PETSc's INFINITY is finite: PETSC_MAX_REAL / 4)
_UNBOUNDED = 1e300


class UpperBoundActiveSet:
    """The residual and Jacobian hooks of the active-set method for ``x <= upper``.

    ``upper`` is a PETSc vector in the layout of the SNES unknown (``PETSc.INFINITY`` where
    unbounded); its values may change between solves; call :meth:`refresh` when they do (the
    bounded dofs are read there).
    :meth:`residual` runs after the residual assembly, :meth:`jacobian` after the Jacobian's
    (at the same iterate, as SNES ``newtonls`` calls them).
    """

    def __init__(self, comm: MPI.Comm, upper: Any, matrices: list[Any]) -> None:
        self.comm = comm
        self.upper = upper
        for mat in matrices:
            mat.setOption(PETSc.Mat.Option.KEEP_NONZERO_PATTERN, True)
        #: per local dof, the scale c_i [force per length] of the complementarity function:
        #: |J_ii| of the last Jacobian (so an active row keeps a pivot of its own magnitude)
        self._scale: np.ndarray | None = None
        self._row_scale = np.zeros(0)
        self._active = np.zeros(0, dtype=np.int32)
        self._bounded = np.zeros(0, dtype=np.int64)
        self.refresh()

    def refresh(self) -> None:
        """Read the bounded dofs of ``upper`` again (after its values changed)."""
        self._bounded = np.flatnonzero(self.upper.array_r < _UNBOUNDED)

    def reset(self) -> None:
        """Start a new solve: no scale until its first Jacobian (each solve independent of the
        one before: a restarted run reproduces an uninterrupted one)."""
        self._scale = None

    def residual(self, x: Any, b: Any) -> None:
        """Replace the bounded rows of the residual ``b`` at ``x`` by ``max(F, c (x - upper))``
        (not called on a failed constitutive update, whose NaN residual stops SNES)."""
        bounded = self._bounded
        values = b.array
        u = x.array_r[bounded]
        f = values[bounded]
        excess = u - self.upper.array_r[bounded]
        if self._scale is None:  # before the first Jacobian: on (or past) the bound, pushed up
            c = np.ones_like(excess)
            active = (excess > 0.0) | ((excess >= 0.0) & (f < 0.0))
        else:
            c = self._scale[bounded]
            active = c * excess > f
        new = bounded[active].astype(np.int32)
        self._active = new
        self._row_scale = c[active]
        values[new] = self._row_scale * excess[active]

    def jacobian(self, J: Any, P: Any) -> None:
        """Replace the active rows of the Jacobian (and of a distinct preconditioner matrix) by
        ``c_i e_i`` (the c_i of the residual); keep |J_ii| as the next c."""
        diag = J.getDiagonal()
        scale = np.abs(diag.array_r)
        diag.destroy()
        typical = self.comm.allreduce(float(np.max(scale, initial=0.0)), op=MPI.MAX)
        scale[scale <= 1e-12 * typical] = typical  # a zero diagonal (a mixed block) gets none
        if self._scale is None:
            # the first residual of a solve had no scale: its active rows are on the bound
            # (zero excess; the guesses are clipped onto it), where any c gives the same step;
            # a row past the bound reaches it at the next iteration
            self._row_scale = scale[self._active]
        start = J.getOwnershipRange()[0]
        rows = (self._active + start).astype(PETSc.IntType)
        for mat in (J,) if P is None or P == J else (J, P):
            own = mat.getDiagonal()  # the other rows keep their own diagonal
            own.array[self._active] = self._row_scale
            mat.zeroRows(rows, diag=0.0)
            mat.setDiagonal(own, addv=PETSc.InsertMode.INSERT_VALUES)
            own.destroy()
        self._scale = scale

    @property
    def active_count(self) -> int:
        """Active dofs of the last evaluation (all ranks)."""
        return int(self.comm.allreduce(self._active.size, op=MPI.SUM))
