"""Method of manufactured solutions for the current-distribution problem.

A smooth potential phi_m is imposed on a 100 um x 50 um electrolyte (planar) or an
r x z = 100 um x 50 um cylinder (axisymmetric): the bottom y = 0 is the Li contact with nonlinear
Butler–Volmer kinetics (alpha_a = 0.3, alpha_c = 0.7, eta = 50..100 mV), the top y = h carries the
galvanostatic counter current -i_app, the sides are insulating. phi_m is designed so that
``kappa dphi_m/dy = -i_app`` at the top and ``dphi_m/dx = 0`` on the sides; the volume source
``s = -div(kappa grad phi_m)`` (axisymmetric: ``-(1/r) d/dr(r kappa dphi/dr) - d/dz(kappa
dphi/dz)``) and the interface source ``g = kappa grad phi_m . n - i_BV(eta(phi_m))`` make phi_m
the exact solution. Four structured refinements; expected rates O(h^(k+1)) in L2 and O(h^k) in the
H1 seminorm for Lagrange degree k (docs/physics.md, section 7).
"""

from __future__ import annotations

import math

from mpi4py import MPI

import dolfinx
import numpy as np
import pytest
import ufl
from dolfinx import fem

from ssbx.physics.constants import LI_MOLAR_VOLUME
from ssbx.physics.kinetics import ButlerVolmer
from ssbx.physics.kinetics import overpotential as metal_overpotential
from ssbx.problems.current import (
    CurrentDistributionProblem,
    CurrentSettings,
    ElectrolyteDomain,
)


def overpotential(*args, **kwargs):
    """The overpotential of a Li anode (the tests are about Li)."""
    return metal_overpotential(*args, molar_volume=LI_MOLAR_VOLUME, **kwargs)


L = 100e-6  # width (planar) or radius (axisymmetric) [m]
H = 50e-6  # electrolyte thickness [m]
KAPPA = 0.05  # S/m
I_APP = 5.0  # A/m^2, stripping
KINETICS = ButlerVolmer(exchange_current_density=3.0, alpha_a=0.3, alpha_c=0.7,
                        temperature=298.15)
CONTACT, TOP = 11, 14
LEVELS = (8, 16, 32, 64)  # elements along x; ny = nx / 2
EXPECTED_RATES = {1: (1.9, 0.9), 2: (2.9, 1.9)}  # (L2, H1) lower bounds


def phi_exact(x, mod=ufl):
    """Manufactured potential [V]: phi(x, 0) = -75 mV +/- 25 mV, so eta = 50..100 mV.

    d/dy at y = h is -I_APP / KAPPA (uniform counter current); d/dx = 0 at x = 0 and x = L.
    ``mod``: ``ufl`` for forms, ``numpy`` for point values.
    """
    X, Y = x[0] / L, x[1] / H
    return (-0.075 - I_APP / KAPPA * x[1]
            + 0.018 * mod.cos(math.pi * X) * (Y - 1.0) ** 2
            + 0.006 * mod.cos(2.0 * math.pi * X) * mod.cos(math.pi * Y)
            + 0.002 * mod.cos(3.0 * math.pi * X) * mod.sin(0.5 * math.pi * Y) ** 2)


def _source(axisymmetric: bool):
    def source(mesh):
        x = ufl.SpatialCoordinate(mesh)
        g = KAPPA * ufl.grad(phi_exact(x))
        if axisymmetric:  # -(1/r) d/dr(r kappa dphi/dr) - d/dz(kappa dphi/dz)
            return -(x[0] * g[0]).dx(0) / x[0] - g[1].dx(1)
        return -ufl.div(g)
    return source


def _interface_source(mesh):
    x = ufl.SpatialCoordinate(mesh)
    n = ufl.FacetNormal(mesh)
    phi = phi_exact(x)
    return KAPPA * ufl.dot(ufl.grad(phi), n) - KINETICS.current_density(overpotential(phi),
                                                                        exp=ufl.exp)


def _domain(comm, n: int, axisymmetric: bool) -> ElectrolyteDomain:
    mesh = dolfinx.mesh.create_rectangle(
        comm, [np.array([0.0, 0.0]), np.array([L, H])], [n, n // 2],
        dolfinx.mesh.CellType.triangle, ghost_mode=dolfinx.mesh.GhostMode.shared_facet)
    return _tagged_domain(mesh, axisymmetric)


def _tagged_domain(mesh, axisymmetric: bool) -> ElectrolyteDomain:
    """The electrolyte ``mesh`` with its contact (bottom) and top tagged along the vertical
    axis (y in 2-D, z in 3-D)."""
    fdim = mesh.topology.dim - 1
    up = mesh.geometry.dim - 1
    bottom = dolfinx.mesh.locate_entities_boundary(mesh, fdim, lambda x: np.isclose(x[up], 0.0))
    top = dolfinx.mesh.locate_entities_boundary(mesh, fdim, lambda x: np.isclose(x[up], H))
    facets = np.concatenate([bottom, top]).astype(np.int32)
    values = np.concatenate([np.full_like(bottom, CONTACT), np.full_like(top, TOP)])
    order = np.argsort(facets)
    tags = dolfinx.mesh.meshtags(mesh, fdim, facets[order], values[order].astype(np.int32))
    return ElectrolyteDomain(mesh=mesh, facet_tags=tags, axisymmetric=axisymmetric, thickness=H,
                             contact_tag=CONTACT, top_tag=TOP)


def _errors(problem: CurrentDistributionProblem, degree: int) -> tuple[float, float]:
    """L2 and H1-seminorm errors (weighted by 2 pi r in axisymmetry), assembled in parallel."""
    mesh = problem.domain.mesh
    x = ufl.SpatialCoordinate(mesh)
    e = problem.phi - phi_exact(x)
    dx = ufl.Measure("dx", domain=mesh, metadata={"quadrature_degree": 2 * degree + 4})
    w = problem.weight
    comm = mesh.comm
    l2 = comm.allreduce(fem.assemble_scalar(fem.form(e * e * w * dx)), op=MPI.SUM)
    h1 = comm.allreduce(fem.assemble_scalar(fem.form(ufl.inner(ufl.grad(e), ufl.grad(e)) * w
                                                     * dx)), op=MPI.SUM)
    return math.sqrt(l2), math.sqrt(h1)


CASES = [
    pytest.param(False, 1, id="planar-P1", marks=pytest.mark.mpi),
    pytest.param(False, 2, id="planar-P2"),
    pytest.param(True, 1, id="axisymmetric-P1"),
    pytest.param(True, 2, id="axisymmetric-P2", marks=pytest.mark.mpi),
]


@pytest.mark.parametrize(("axisymmetric", "degree"), CASES)
@pytest.mark.slow
def test_manufactured_solution_rates(comm, axisymmetric, degree):
    settings = CurrentSettings(conductivity=KAPPA, kinetics=KINETICS, mode="galvanostatic",
                               current_density=I_APP, counter_electrode="ideal", degree=degree,
                               rtol=1e-12, atol=1e-14, molar_volume=LI_MOLAR_VOLUME)
    hs, l2s, h1s, profile_errors, newton = [], [], [], [], []
    for n in LEVELS:
        domain = _domain(comm, n, axisymmetric)
        problem = CurrentDistributionProblem(
            domain, settings, source=_source(axisymmetric), interface_source=_interface_source,
            prefix=f"mms_{int(axisymmetric)}_{degree}_{n}_")
        result = problem.solve()
        l2, h1 = _errors(problem, degree)
        hs.append(L / n)
        l2s.append(l2)
        h1s.append(h1)
        newton.append(int(result.scalars["newton_iterations"]))
        # the Butler–Volmer part of the contact current at the contact nodes
        p = result.profile
        xs = np.vstack([p.position, np.zeros_like(p.position)])
        i_exact = KINETICS.current_density(overpotential(phi_exact(xs, np)))
        profile_errors.append(float(np.max(np.abs(p.current_density - i_exact))
                                    / np.max(np.abs(i_exact))))
        # the profile is global and sorted: every contact node once
        assert p.position.size == n * degree + 1
        assert np.all(np.diff(p.position) > 0)
    l2_rates = np.log(np.array(l2s[:-1]) / l2s[1:]) / np.log(np.array(hs[:-1]) / hs[1:])
    h1_rates = np.log(np.array(h1s[:-1]) / h1s[1:]) / np.log(np.array(hs[:-1]) / hs[1:])

    if comm.rank == 0:
        kind = "axisymmetric" if axisymmetric else "planar"
        print(f"\nMMS {kind} P{degree} on {comm.size} rank(s): Butler–Volmer 0.3/0.7, "
              f"eta 50-100 mV")
        print(f"{'h [m]':>10} {'L2 error':>11} {'rate':>5} {'H1 error':>11} {'rate':>5} "
              f"{'i_BV err':>9} {'Newton':>6}")
        for k, h in enumerate(hs):
            r2 = f"{l2_rates[k - 1]:5.2f}" if k else "     "
            r1 = f"{h1_rates[k - 1]:5.2f}" if k else "     "
            print(f"{h:10.3e} {l2s[k]:11.4e} {r2} {h1s[k]:11.4e} {r1} "
                  f"{profile_errors[k]:9.2e} {newton[k]:6d}")

    # Butler–Volmer is genuinely nonlinear here: Newton needs several iterations
    assert min(newton) >= 3
    l2_min, h1_min = EXPECTED_RATES[degree]
    assert l2_rates[-1] > l2_min and h1_rates[-1] > h1_min, (l2_rates, h1_rates)
    assert np.all(l2_rates > l2_min - 0.15) and np.all(h1_rates > h1_min - 0.15)
    # the nodal contact current converges to the exact Butler–Volmer current
    assert profile_errors[-1] < profile_errors[0]
    assert profile_errors[-1] < (1e-3 if degree == 1 else 1e-5)


# ---------------------------------------------------------------------------------------------
# 3-D: a 100 x 50 um box, 50 um thick (x, y lateral, z vertical), the contact at z = 0
# ---------------------------------------------------------------------------------------------
D3 = 50e-6  # depth of the 3-D box along y [m]
LEVELS_3D = {1: (8, 16, 32), 2: (4, 8, 16)}  # elements along x; ny = nz = nx / 2


def phi_exact_3d(x, mod=ufl):
    """The planar manufactured potential with z vertical, plus a y-dependent term whose y
    derivative vanishes on y = 0 and y = D3 (insulating sides); eta = 45..105 mV."""
    X, Y, Z = x[0] / L, x[1] / D3, x[2] / H
    return (-0.075 - I_APP / KAPPA * x[2]
            + 0.018 * mod.cos(math.pi * X) * (Z - 1.0) ** 2
            + 0.006 * mod.cos(2.0 * math.pi * X) * mod.cos(math.pi * Z)
            + 0.005 * mod.cos(math.pi * Y) * mod.cos(math.pi * X) * (Z - 1.0) ** 2)


def _domain_3d(comm, n: int) -> ElectrolyteDomain:
    mesh = dolfinx.mesh.create_box(
        comm, [np.array([0.0, 0.0, 0.0]), np.array([L, D3, H])], [n, n // 2, n // 2],
        dolfinx.mesh.CellType.tetrahedron, ghost_mode=dolfinx.mesh.GhostMode.shared_facet)
    return _tagged_domain(mesh, axisymmetric=False)


@pytest.mark.parametrize("degree", [pytest.param(1, marks=pytest.mark.mpi), 2])
@pytest.mark.slow
def test_manufactured_solution_rates_3d(comm, degree):
    """The 3-D current problem (tetrahedra, Butler–Volmer contact) converges at the optimal
    rates, on 1 and 2 ranks."""
    settings = CurrentSettings(conductivity=KAPPA, kinetics=KINETICS, mode="galvanostatic",
                               current_density=I_APP, counter_electrode="ideal", degree=degree,
                               rtol=1e-12, atol=1e-14, molar_volume=LI_MOLAR_VOLUME)

    def source(mesh):
        return -ufl.div(KAPPA * ufl.grad(phi_exact_3d(ufl.SpatialCoordinate(mesh))))

    def interface_source(mesh):
        x = ufl.SpatialCoordinate(mesh)
        phi = phi_exact_3d(x)
        return (KAPPA * ufl.dot(ufl.grad(phi), ufl.FacetNormal(mesh))
                - KINETICS.current_density(overpotential(phi), exp=ufl.exp))

    hs, l2s, h1s, newton = [], [], [], []
    for n in LEVELS_3D[degree]:
        domain = _domain_3d(comm, n)
        problem = CurrentDistributionProblem(domain, settings, source=source,
                                             interface_source=interface_source,
                                             prefix=f"mms3d_{degree}_{n}_")
        result = problem.solve()
        x = ufl.SpatialCoordinate(domain.mesh)
        e = problem.phi - phi_exact_3d(x)
        dx = ufl.Measure("dx", domain=domain.mesh, metadata={"quadrature_degree": 2 * degree + 3})
        l2 = comm.allreduce(fem.assemble_scalar(fem.form(e * e * dx)), op=MPI.SUM)
        h1 = comm.allreduce(fem.assemble_scalar(fem.form(ufl.inner(ufl.grad(e), ufl.grad(e))
                                                         * dx)), op=MPI.SUM)
        hs.append(L / n)
        l2s.append(math.sqrt(l2))
        h1s.append(math.sqrt(h1))
        newton.append(int(result.scalars["newton_iterations"]))
        # the profile carries both lateral coordinates of every contact node once
        p = result.profile
        assert p.position_y is not None
        assert p.position.size == (n * degree + 1) * (n // 2 * degree + 1)
    l2_rates = np.log(np.array(l2s[:-1]) / l2s[1:]) / np.log(np.array(hs[:-1]) / hs[1:])
    h1_rates = np.log(np.array(h1s[:-1]) / h1s[1:]) / np.log(np.array(hs[:-1]) / hs[1:])
    if comm.rank == 0:
        print(f"\nMMS 3-D P{degree} on {comm.size} rank(s): L2 {l2s} rates {l2_rates}; "
              f"H1 {h1s} rates {h1_rates}; Newton {newton}")
    assert min(newton) >= 3
    l2_min, h1_min = EXPECTED_RATES[degree]
    assert l2_rates[-1] > l2_min and h1_rates[-1] > h1_min, (l2_rates, h1_rates)
