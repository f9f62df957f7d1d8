"""The reference current problem in scikit-fem (T. Gustafsson, G. D. McBain, "scikit-fem: A Python
package for finite element assembly", J. Open Source Softw. 5(52), 2369 (2020),
doi:10.21105/joss.02369), on the graded tensor mesh of :mod:`tensor_mesh`.

Electrolyte rectangle [0, W] x [0, H]: div(kappa grad phi) = 0; kappa dphi/dn = i on the top
(the mean current density, galvanostatic, ideal counter electrode), linear kinetics
-kappa dphi/dn = phi / asr on the Li contact (y = 0 outside the void [x_a, x_b]), no flux
elsewhere. The cell voltage is the mean of phi over the top. Solved with scikit-fem's default
direct solver (scipy's SuperLU).
"""

from __future__ import annotations

import time
from typing import Any

from _common import arguments, report

t0 = time.perf_counter()
import numpy as np  # noqa: E402
from skfem import (  # noqa: E402
    Basis,
    BilinearForm,
    ElementTriP1,
    ElementTriP2,
    ElementTriP3,
    FacetBasis,
    Functional,
    LinearForm,
    MeshTri,
    solve,
)
from skfem.helpers import dot, grad  # noqa: E402
from tensor_mesh import rectangle_mesh  # noqa: E402

t_import = time.perf_counter() - t0


def main() -> None:
    """Mesh, assemble, solve, print the result line."""
    args = arguments("scikit-fem peer of the reference current problem")
    pb = args.problem
    w, h, xa, xb = pb["width"], pb["height"], pb["void_start"], pb["void_end"]
    kappa, asr, i = pb["conductivity"], pb["asr"], pb["current_density"]

    t = time.perf_counter()
    points, triangles = rectangle_mesh(w, h, xa, xb, args.h_min, args.h_max,
                                       pb["grading_distance"])
    tol = 1e-9 * w
    mesh = MeshTri(points, triangles).with_boundaries({
        "contact": lambda x: (np.abs(x[1]) < tol) & ((x[0] < xa) | (x[0] > xb)),
        "top": lambda x: np.abs(x[1] - h) < tol,
    })
    t_mesh = time.perf_counter() - t

    t = time.perf_counter()
    element = {1: ElementTriP1, 2: ElementTriP2, 3: ElementTriP3}[args.degree]()
    basis = Basis(mesh, element)
    contact = FacetBasis(mesh, element, facets=mesh.boundaries["contact"])
    top = FacetBasis(mesh, element, facets=mesh.boundaries["top"])

    @BilinearForm
    def conduction(u: Any, v: Any, _: Any) -> Any:
        return kappa * dot(grad(u), grad(v))

    @BilinearForm
    def kinetics(u: Any, v: Any, _: Any) -> Any:
        return u * v / asr

    @LinearForm
    def applied_current(v: Any, _: Any) -> Any:
        return i * v

    matrix = conduction.assemble(basis) + kinetics.assemble(contact)
    rhs = applied_current.assemble(top)
    t_assembly = time.perf_counter() - t

    t = time.perf_counter()
    phi = solve(matrix, rhs)
    t_solve = time.perf_counter() - t

    @Functional
    def potential(w_: Any) -> Any:
        return w_["phi"]

    voltage = potential.assemble(top, phi=top.interpolate(phi)) / w
    report(basis.N, voltage, {"import": t_import, "mesh": t_mesh, "assembly": t_assembly,
                              "solve": t_solve}, num_cells=mesh.t.shape[1])


if __name__ == "__main__":
    main()
