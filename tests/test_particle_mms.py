"""Manufactured solution of the coupled particle system (:mod:`ssbx.problems.particle`):
stress-coupled diffusion ``div J = f`` with ``J = -D (grad c - (Omega c / R T) grad sigma_h)``,
chemo-elastic equilibrium ``-div sigma = b`` with
``sigma = C : (eps(u) - Omega (c - c_ref) / 3 1)``, and ``sigma_h = tr(sigma) / 3`` as the
third unknown; plane strain on a square of side L, concentration and displacement prescribed on
the boundary, the sources f and b computed from the manufactured fields by UFL. Observed rates
under refinement for P1 and P2 concentrations (P2 and P3 displacements, P1 and P2 hydrostatic
stress), serial and on 2 ranks. Measured (n = 4, 8, 16): P1 c L2 rates 1.86, 1.96, H1 0.99,
1.00, u L2 2.14, 2.03; P2 c L2 2.98, 3.02, H1 1.99, 2.01, u L2 3.81, 3.76."""

from __future__ import annotations

import math

from mpi4py import MPI

import dolfinx
import numpy as np
import pytest
import ufl
from dolfinx import fem

from ssbx.physics.mechanics import mandel_to_tensor
from ssbx.physics.particle import (
    LIMN2O4,
    SurfaceKinetics,
    hydrostatic,
    li_flux,
    linear_ocv,
    particle_stress,
)
from ssbx.problems.particle import ParticleGeometry, ParticleProblem

pytestmark = pytest.mark.slow  # convergence study: `make test`, not `make test-fast`

L = 1e-5
T = 298.15
M = LIMN2O4
C0 = 0.5 * M.max_concentration
STRAIN = M.molar_volume * C0 / 3.0  # the chemical strain's scale


def exact_fields(mod, x):
    X, Y = x[0] / L, x[1] / L
    c = C0 * (1.0 + 0.3 * mod.sin(math.pi * X) * mod.cos(0.5 * math.pi * Y))
    u = (STRAIN * L * mod.sin(0.5 * math.pi * X) * mod.cos(math.pi * Y),
         STRAIN * L * X * Y * (1.0 + X))
    return c, u


def solve(n, degree):
    msh = dolfinx.mesh.create_unit_square(MPI.COMM_WORLD, n, n)
    msh.geometry.x[:, :2] *= L
    msh.topology.create_connectivity(1, 2)
    facets = dolfinx.mesh.exterior_facet_indices(msh.topology)
    tags = dolfinx.mesh.meshtags(msh, 1, facets, np.full(len(facets), 1, dtype=np.int32))
    geometry = ParticleGeometry(msh, tags, "plane_strain", (1,), (), L)
    x = ufl.SpatialCoordinate(msh)
    c_ex, u_parts = exact_fields(ufl, x)
    u_ex = ufl.as_vector(u_parts)
    sigma = particle_stress(u_ex, c_ex, M, "plane_strain", C0)
    s_ex = hydrostatic(sigma)
    source = ufl.div(li_flux(c_ex, s_ex, M.diffusivity, M.molar_volume, T))
    tensor = mandel_to_tensor(sigma)
    body = -ufl.as_vector([tensor[i, 0].dx(0) + tensor[i, 1].dx(1) for i in range(2)])
    problem = ParticleProblem(geometry, M, SurfaceKinetics(1.0, linear_ocv(4.0, C0, -1e-5)),
                              initial_concentration=C0, temperature=T, degree=degree,
                              mechanics=True, stress_coupling=True,
                              concentration_source=source, body_force=body,
                              options_prefix=f"particle_mms_{n}_{degree}_")
    problem.fix("concentration", facets, lambda p: exact_fields(np, p)[0])
    problem.fix("displacement", facets, lambda p: np.vstack(exact_fields(np, p)[1]))
    problem.step(1e30)  # steady: the time term vanishes
    c, u = problem.concentration(), problem.displacement()
    problem.close()
    dx = ufl.Measure("dx", domain=msh, metadata={"quadrature_degree": 2 * degree + 6})

    def norm(expr):
        return math.sqrt(msh.comm.allreduce(fem.assemble_scalar(fem.form(expr * dx)),
                                            op=MPI.SUM))

    ec, eu = c - c_ex, u - u_ex
    return (norm(ec**2) / norm((c_ex - C0)**2),
            norm(ufl.inner(ufl.grad(ec), ufl.grad(ec))) / norm(ufl.inner(ufl.grad(c_ex),
                                                                          ufl.grad(c_ex))),
            norm(ufl.inner(eu, eu)) / norm(ufl.inner(u_ex, u_ex)))


@pytest.mark.mpi
@pytest.mark.parametrize("degree", (1, 2))
def test_coupled_manufactured_solution_rates(degree):
    sizes = (4, 8, 16)
    errors = np.array([solve(n, degree) for n in sizes])
    rates = np.log2(errors[:-1] / errors[1:])
    print(f"P{degree}: c L2 {errors[:, 0]}, rates {rates[:, 0]}; c H1 rates {rates[:, 1]}; "
          f"u L2 {errors[:, 2]}, rates {rates[:, 2]}")
    assert rates[-1, 0] > degree + 1 - 0.15
    assert rates[-1, 1] > degree - 0.1
    assert rates[-1, 2] > degree + 1 - 0.15
