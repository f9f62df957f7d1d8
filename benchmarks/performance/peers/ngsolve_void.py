"""The reference current problem in NGSolve (J. Schöberl, "C++11 implementation of finite elements
in NGSolve", ASC Report 30/2014, TU Wien (2014); Netgen: J. Schöberl, "NETGEN: an advancing front
2D/3D-mesh generator based on abstract rules", Comput. Visual. Sci. 1, 41-52 (1997),
doi:10.1007/s007910050004): Netgen meshes the rectangle with the element size h_min at the two
void edges and h_max elsewhere (its own grading), NGSolve assembles H1 elements of order P and
solves with its sparse Cholesky, as an NGSolve user writes it.

Equations as in :mod:`skfem_void`.
"""

from __future__ import annotations

import time

from _common import arguments, report

t0 = time.perf_counter()
import ngsolve  # noqa: E402
from netgen.geom2d import SplineGeometry  # noqa: E402

t_import = time.perf_counter() - t0
NETGEN_GRADING = 0.2
"""Netgen's mesh grading (its default is 0.3): the size grows ~ by this fraction per element,
close to the ssbx builder's linear growth from 0.25 to 4 um over 20 um."""


def main() -> None:
    """Mesh, assemble, solve, print the result line."""
    args = arguments("NGSolve peer of the reference current problem")
    pb = args.problem
    w, h, xa, xb = pb["width"], pb["height"], pb["void_start"], pb["void_end"]
    kappa, asr, i = pb["conductivity"], pb["asr"], pb["current_density"]

    t = time.perf_counter()
    geo = SplineGeometry()
    corners = [geo.AppendPoint(0, 0), geo.AppendPoint(xa, 0, maxh=args.h_min),
               geo.AppendPoint(xb, 0, maxh=args.h_min), geo.AppendPoint(w, 0),
               geo.AppendPoint(w, h), geo.AppendPoint(0, h)]
    names = ["contact", "void", "contact", "side", "top", "side"]
    for k, name in enumerate(names):
        geo.Append(["line", corners[k], corners[(k + 1) % len(corners)]], bc=name,
                   leftdomain=1, rightdomain=0)
    mesh = ngsolve.Mesh(geo.GenerateMesh(maxh=args.h_max, grading=NETGEN_GRADING))
    t_mesh = time.perf_counter() - t

    t = time.perf_counter()
    space = ngsolve.H1(mesh, order=args.degree)
    phi, v = space.TnT()
    a = ngsolve.BilinearForm(kappa * ngsolve.grad(phi) * ngsolve.grad(v) * ngsolve.dx
                             + phi * v / asr * ngsolve.ds("contact"))
    f = ngsolve.LinearForm(i * v * ngsolve.ds("top"))
    a.Assemble()
    f.Assemble()
    t_assembly = time.perf_counter() - t

    t = time.perf_counter()
    solution = ngsolve.GridFunction(space)
    solution.vec.data = a.mat.Inverse(space.FreeDofs(), inverse="sparsecholesky") * f.vec
    t_solve = time.perf_counter() - t

    voltage = ngsolve.Integrate(solution * ngsolve.ds("top"), mesh) / w
    report(space.ndof, voltage, {"import": t_import, "mesh": t_mesh, "assembly": t_assembly,
                                 "solve": t_solve}, num_cells=mesh.ne)


if __name__ == "__main__":
    main()
