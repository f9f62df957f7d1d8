"""3-D linear elasticity (:mod:`ssbx.problems.elastic_3d`) against the Lamé solution of a thick
spherical shell under internal pressure, the AMG solver's iteration counts, and a manufactured
solution on a box (rates).

Lamé (Timoshenko & Goodier, Theory of Elasticity, 3rd ed., 1970, §141): a shell a <= r <= b
with internal pressure p and a free outer surface has the radial displacement

    u_r(r) = p a^3 / (E (b^3 - a^3)) [(1 - 2 nu) r + (1 + nu) b^3 / (2 r^2)].

The octant x, y, z >= 0 is meshed with curved (10-node) tetrahedra and held by its symmetry
planes; P2 displacements converge at O(h^3) in L2 (measured: 6.8e-3, 1.6e-3, 2.5e-4 at
h = 2.5, 1.25, 0.625 um, rates 2.1 and 2.6, still rising; CG + GAMG with the rigid-body modes
26, 27, 32 iterations).
"""

from __future__ import annotations

import math

from mpi4py import MPI

import numpy as np
import pytest
import ufl

from ssbx.meshes.sphere import SphereTag, build_sphere_octant, octant_volume
from ssbx.physics.elastic_material import ElasticMaterial
from ssbx.problems.elastic_3d import ElasticBody3D

UM = 1e-6
A, B = 5 * UM, 10 * UM
PRESSURE = 10e6
MATERIAL = ElasticMaterial("LLZO-like", E=150e9, nu=0.25)
SIZES = (2.5 * UM, 1.25 * UM, 0.625 * UM)


def lame_displacement(x, mod=ufl):
    """The exact displacement vector u_r(r) x / r [m]."""
    E, nu = MATERIAL.E, MATERIAL.nu
    r = mod.sqrt(x[0] ** 2 + x[1] ** 2 + x[2] ** 2)
    ur = PRESSURE * A**3 / (E * (B**3 - A**3)) * ((1 - 2 * nu) * r + (1 + nu) * B**3 / (2 * r**2))
    return ufl.as_vector([ur * x[i] / r for i in range(3)])


def _solve(comm, size, near_nullspace=True):
    data = build_sphere_octant(comm, B, size, inner_radius=A, order=2)
    body = ElasticBody3D(data.mesh, data.facet_tags, MATERIAL, near_nullspace=near_nullspace,
                         prefix=f"lame_{int(near_nullspace)}_{size:.3g}_")
    for tag, component in ((SphereTag.SYMMETRY_X, 0), (SphereTag.SYMMETRY_Y, 1),
                           (SphereTag.SYMMETRY_Z, 2)):
        body.fix(tag, component)
    body.press(SphereTag.INNER, PRESSURE)
    solution = body.solve()
    x = ufl.SpatialCoordinate(data.mesh)
    exact = lame_displacement(x)
    e = solution.displacement - exact
    error = math.sqrt(body.integrate(ufl.inner(e, e)) / body.integrate(ufl.inner(exact, exact)))
    volume = body.integrate(1.0)
    return solution, error, volume


@pytest.mark.slow
def test_lame_shell_converges_at_third_order_with_flat_amg_iterations():
    errors, iterations = [], []
    for size in SIZES:
        solution, error, volume = _solve(MPI.COMM_WORLD, size)
        assert volume == pytest.approx(octant_volume(B, A), rel=1e-4)  # curved tetrahedra
        errors.append(error)
        iterations.append(solution.iterations)
    rates = np.log2(np.array(errors[:-1]) / errors[1:])
    print(f"\nLamé shell: relative L2 errors {errors}, rates {rates}, CG iterations {iterations}")
    assert errors[-1] < 1e-3
    # pre-asymptotic on the coarsest mesh (two elements through the shell): 2.1, then 2.6
    assert rates[-1] > 2.5 and rates[-1] > rates[0], rates
    # the rigid-body near-nullspace keeps GAMG's iterations flat under refinement
    assert max(iterations) <= 1.5 * min(iterations), iterations
    bare, _, _ = _solve(MPI.COMM_WORLD, SIZES[-1], near_nullspace=False)
    assert bare.iterations > iterations[-1], (bare.iterations, iterations[-1])


@pytest.mark.mpi
def test_lame_shell_is_the_same_on_two_ranks(comm):
    _, error, _ = _solve(comm, SIZES[0])
    if comm.size > 1:
        _, serial, _ = _solve(MPI.COMM_SELF, SIZES[0])
        assert error == pytest.approx(serial, rel=1e-3)  # equal to the CG tolerance
    assert error < 1e-2  # 6.8e-3 on this coarsest mesh


# ---------------------------------------------------------------------------------------------
# manufactured solution on a box
# ---------------------------------------------------------------------------------------------
BOX = (40 * UM, 20 * UM, 20 * UM)


def manufactured_displacement(x):
    """A smooth 3-D displacement [m] with shear and dilatation in every component; zero normal
    component on x = 0, y = 0 and z = 0 (rollers there)."""
    X, Y, Z = (x[i] / BOX[i] for i in range(3))
    s = 1e-8
    return ufl.as_vector([s * ufl.sin(math.pi * X / 2) * (1 + Y * Z),
                          s * Y * ufl.cos(math.pi * X / 3) * (1 + Z * Z),
                          s * ufl.sin(math.pi * Z / 2) * (1 + X * Y)])


@pytest.mark.parametrize("degree", [pytest.param(1, marks=pytest.mark.mpi), 2])
def test_manufactured_solution_rates_3d_elasticity(comm, degree):
    """Rollers on the three faces through the origin, the exact traction on the other three,
    the body force -div sigma(u_m): L2 rates k + 1, H1 rates k."""
    import dolfinx

    hs, l2s, h1s = [], [], []
    for n in (8, 16, 32) if degree == 1 else (4, 8, 16):
        mesh = dolfinx.mesh.create_box(comm, [np.zeros(3), np.array(BOX)], [n, n // 2, n // 2],
                                       dolfinx.mesh.CellType.tetrahedron)
        fdim = 2
        facets, values = [], []
        for tag, (axis, value) in enumerate([(0, 0.0), (1, 0.0), (2, 0.0), (0, BOX[0]),
                                             (1, BOX[1]), (2, BOX[2])]):
            found = dolfinx.mesh.locate_entities_boundary(
                mesh, fdim, lambda x, a=axis, v=value: np.isclose(x[a], v))
            facets.append(found)
            values.append(np.full(found.size, tag, dtype=np.int32))
        f = np.concatenate(facets)
        order = np.argsort(f)
        tags = dolfinx.mesh.meshtags(mesh, fdim, f[order], np.concatenate(values)[order])
        body = ElasticBody3D(mesh, tags, MATERIAL, degree=degree, prefix=f"mms_el_{degree}_{n}_")
        x = ufl.SpatialCoordinate(mesh)
        exact = manufactured_displacement(x)
        stress = body.stress(exact)
        body.load(-ufl.div(stress))
        for tag in range(3):
            body.fix(tag, tag)
        normal = ufl.FacetNormal(mesh)
        for tag in range(3, 6):
            body.pull(tag, stress * normal)
        # the rollers only hold the normal component: the exact tangential traction there
        for tag in range(3):
            t = stress * normal
            body.pull(tag, t - ufl.dot(t, normal) * normal)
        solution = body.solve(rtol=1e-12)
        e = solution.displacement - exact
        hs.append(BOX[0] / n)
        l2s.append(math.sqrt(body.integrate(ufl.inner(e, e))))
        h1s.append(math.sqrt(body.integrate(ufl.inner(ufl.grad(e), ufl.grad(e)))))
    l2 = np.log2(np.array(l2s[:-1]) / l2s[1:])
    h1 = np.log2(np.array(h1s[:-1]) / h1s[1:])
    print(f"\n3-D elasticity MMS P{degree}: L2 rates {l2}, H1 rates {h1}")
    assert l2[-1] > degree + 0.8 and h1[-1] > degree - 0.15, (l2, h1)
