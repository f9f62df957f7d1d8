"""The mechanics solver (solver/mechanics_problem.py) against linear-elastic closed forms.

a. Lamé thick-walled cylinder (plane strain) and thick sphere (axisymmetric) under internal
   pressure on a quarter annulus / quarter meridian (curved P2 geometry for P2), symmetry on the
   cut edges: displacement and stress L2 errors and their rates over three meshes;
b. the same cylinder on COMM_WORLD equals COMM_SELF (mpi);
c. patch tests: a homogeneous stress state is reproduced to round-off on a distorted mesh
   (plane strain P1 and P2, 3-D P1 and P2);
d. a uniaxial column: imposed displacement (reaction → stack pressure), a time-dependent
   traction and a Winkler spring fixture against their closed forms;
e. axisymmetric vs 3-D: a closed-ended thick tube (internal pressure + end cap load), both
   against each other and the generalised-plane-strain closed form;
f. declarative errors: periodic sides refused, a slanted symmetry boundary refused; presets.

Measured (P2, h = 0.2/0.1/0.05 of the wall thickness; E = 200 GPa, nu = 0.3, p = 100 MPa):
cylinder u L2 errors 1.87e-4, 2.32e-5, 2.75e-6 (rates 3.01, 3.08), stress 9.8e-3, 2.7e-3,
7.1e-4 (1.86, 1.93); P1 rates u 2.08, 1.97, stress 1.03, 0.98. Sphere P2 u 4.65e-4, 5.97e-5,
7.05e-6 (2.96, 3.08), stress (1.89, 1.92); P1 u (2.16, 1.88), stress (1.02, 0.99).
"""

from __future__ import annotations

import math

from mpi4py import MPI

import gmsh
import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from gmsh_models import A_IN, B_OUT, BOTTOM, INNER, LEFT, gmsh_mesh, quarter_annulus

from ssbx.physics.elasticity import (
    ELECTROLYTE_PRESETS,
    LITHIUM,
    LLZO,
    ElasticMaterial,
    electrolyte_material,
)
from ssbx.physics.mechanics import elastic_stress, mandel_strain
from ssbx.problems.mechanics import (
    Displacement,
    MechanicsProblem,
    Periodic,
    Spring,
    Symmetry,
    Traction,
)

E, NU, P = 200e9, 0.3, 100e6
STEEL = ElasticMaterial("steel", E, NU)


# --------------------------------------------------------------------------------------------
# meshes
# --------------------------------------------------------------------------------------------
def _tag_planes(msh, planes: dict[int, tuple[int, float]]) -> dmesh.MeshTags:
    """Facet tags of the boundary planes ``x[axis] = value``."""
    fdim = msh.topology.dim - 1
    msh.topology.create_connectivity(fdim, msh.topology.dim)
    idx, val = [], []
    for tag, (axis, value) in planes.items():
        facets = dmesh.locate_entities_boundary(
            msh, fdim, lambda x, a=axis, v=value: np.isclose(x[a], v))
        idx.append(facets)
        val.append(np.full(facets.size, tag, dtype=np.int32))
    idx_all, val_all = np.concatenate(idx), np.concatenate(val)
    order = np.argsort(idx_all, kind="stable")
    return dmesh.meshtags(msh, fdim, idx_all[order], val_all[order])


def _distort(msh, lengths: tuple[float, ...], amplitude: float) -> None:
    """Move interior nodes by a smooth, deterministic field (the same on every rank)."""
    x = msh.geometry.x
    gdim = len(lengths)
    xi = x[:, :gdim] / np.array(lengths)
    bubble = np.prod(xi * (1.0 - xi), axis=1) * 4.0**gdim
    for i in range(gdim):
        x[:, i] += amplitude * lengths[i] * bubble * np.sin(7.0 * xi[:, (i + 1) % gdim] + i)


# --------------------------------------------------------------------------------------------
# a/b. Lamé
# --------------------------------------------------------------------------------------------
def _lame_exact(kind: str, x):
    """Exact (u, Mandel stress) of the thick cylinder (plane strain) / sphere (axisymmetric)."""
    a, b = A_IN, B_OUT
    R = ufl.sqrt(x[0] ** 2 + x[1] ** 2)
    if kind == "plane_strain":
        c = P * a**2 / (b**2 - a**2)
        s_r, s_t = c * (1 - b**2 / R**2), c * (1 + b**2 / R**2)
        u_R = (1 + NU) / E * c * ((1 - 2 * NU) * R + b**2 / R)
        s_out = NU * (s_r + s_t)  # sigma_zz
    else:
        c = P * a**3 / (b**3 - a**3)
        s_r, s_t = c * (1 - b**3 / R**3), c * (1 + b**3 / (2 * R**3))
        u_R = c / E * ((1 - 2 * NU) * R + (1 + NU) * b**3 / (2 * R**2))
        s_out = s_t  # hoop
    cs, sn = x[0] / R, x[1] / R
    u = ufl.as_vector([u_R * cs, u_R * sn])
    sigma = ufl.as_vector([s_r * cs * cs + s_t * sn * sn, s_r * sn * sn + s_t * cs * cs, s_out,
                           math.sqrt(2) * (s_r - s_t) * sn * cs, 0.0, 0.0])
    return u, sigma


def _lame_u_inner(kind: str) -> float:
    a, b = A_IN, B_OUT
    if kind == "plane_strain":
        c = P * a**2 / (b**2 - a**2)
        return (1 + NU) / E * c * ((1 - 2 * NU) * a + b**2 / a)
    c = P * a**3 / (b**3 - a**3)
    return c / E * ((1 - 2 * NU) * a + (1 + NU) * b**3 / (2 * a**2))


def _lame_errors(comm, kind: str, degree: int, h: float) -> tuple[float, float, float]:
    """Relative L2 errors of u and sigma, and the inner-wall radial displacement."""
    data = quarter_annulus(comm, h, degree)
    prob = MechanicsProblem(data.mesh, data.cell_tags, data.facet_tags, kind=kind,
                            materials={1: STEEL}, degree=degree,
                            bcs=[Traction(INNER, P), Symmetry(BOTTOM), Symmetry(LEFT)],
                            prefix=f"lame_{kind}_{degree}_{comm.size}_")
    res = prob.solve_step(0.0)
    assert res.converged and res.iterations == 1
    x = ufl.SpatialCoordinate(data.mesh)
    u_ex, s_ex = _lame_exact(kind, x)
    w = 2 * math.pi * x[0] if kind == "axisymmetric" else 1.0
    dx = ufl.dx(domain=data.mesh, metadata={"quadrature_degree": 10})
    s_h = elastic_stress(mandel_strain(prob.u, kind), STEEL.lame_lambda, STEEL.shear_modulus)

    def integral(f) -> float:
        return comm.allreduce(fem.assemble_scalar(fem.form(f * w * dx)), op=MPI.SUM)

    e_u = math.sqrt(integral(ufl.dot(prob.u - u_ex, prob.u - u_ex))
                    / integral(ufl.dot(u_ex, u_ex)))
    e_s = math.sqrt(integral(ufl.dot(s_h - s_ex, s_h - s_ex)) / integral(ufl.dot(s_ex, s_ex)))
    u_inner = -prob.mean_normal_displacement(INNER)  # n points to the centre
    return e_u, e_s, u_inner


@pytest.mark.parametrize("kind", ["plane_strain", "axisymmetric"])
@pytest.mark.slow
def test_lame_convergence(kind):
    """u: L2 rate ~2 (P1) and ~3 (P2); stress: ~1 and ~2; inner displacement exact to 1e-5."""
    comm = MPI.COMM_SELF
    sizes = (0.2, 0.1, 0.05)
    for degree, (rate_u, rate_s) in ((1, (1.8, 0.9)), (2, (2.75, 1.75))):
        errors = [_lame_errors(comm, kind, degree, h) for h in sizes]
        rates_u = [math.log2(errors[i][0] / errors[i + 1][0]) for i in range(2)]
        rates_s = [math.log2(errors[i][1] / errors[i + 1][1]) for i in range(2)]
        assert min(rates_u) > rate_u, (degree, errors, rates_u)
        assert min(rates_s) > rate_s, (degree, errors, rates_s)
        if degree == 2:
            assert errors[-1][0] < 2e-5 and errors[-1][1] < 2e-3
            assert errors[-1][2] == pytest.approx(_lame_u_inner(kind), rel=1e-5)


@pytest.mark.mpi
def test_lame_cylinder_parallel(comm):
    """The same P2 cylinder on COMM_WORLD and COMM_SELF: equal errors (round-off)."""
    world = _lame_errors(comm, "plane_strain", 2, 0.1)
    alone = _lame_errors(MPI.COMM_SELF, "plane_strain", 2, 0.1)
    assert world[0] == pytest.approx(alone[0], rel=1e-7)
    assert world[1] == pytest.approx(alone[1], rel=1e-7)
    assert world[2] == pytest.approx(alone[2], rel=1e-10)
    assert world[0] < 3e-5


# --------------------------------------------------------------------------------------------
# c. patch tests
# --------------------------------------------------------------------------------------------
def _homogeneous_strain(stress: np.ndarray, kind: str) -> np.ndarray:
    """Mandel strain of a diagonal stress (plane strain: the stress_zz that keeps e_zz = 0)."""
    s = stress.copy()
    if kind == "plane_strain":
        s[2] = NU * (s[0] + s[1])
    return np.linalg.solve(STEEL.mandel_stiffness(), s)


@pytest.mark.mpi
@pytest.mark.parametrize("degree", [1, 2])
@pytest.mark.parametrize("kind", ["plane_strain", "3d"])
@pytest.mark.slow
def test_patch(comm, kind, degree):
    """Pressures p_i on the faces x_i = L_i, rollers on x_i = 0: u = eps x to round-off on a
    distorted mesh, and the reported stack pressures equal p_i."""
    if kind == "plane_strain":
        lengths = (2.0, 1.0)
        msh = dmesh.create_rectangle(comm, [[0, 0], list(lengths)], [5, 4],
                                     ghost_mode=dmesh.GhostMode.shared_facet)
    else:
        lengths = (1.0, 1.5, 2.0)
        msh = dmesh.create_box(comm, [[0, 0, 0], list(lengths)], [3, 3, 3],
                               dmesh.CellType.tetrahedron,
                               ghost_mode=dmesh.GhostMode.shared_facet)
    gdim = len(lengths)
    _distort(msh, lengths, 0.08)
    planes = {10 + i: (i, 0.0) for i in range(gdim)} | {20 + i: (i, lengths[i])
                                                         for i in range(gdim)}
    tags = _tag_planes(msh, planes)
    pressures = [30e6, -20e6, 50e6][:gdim]
    bcs = [Symmetry(10 + i) for i in range(gdim)] + [Traction(20 + i, pressures[i])
                                                      for i in range(gdim)]
    prob = MechanicsProblem(msh, None, tags, kind=kind, materials={1: STEEL}, degree=degree,
                            bcs=bcs, prefix=f"patch_{kind}_{degree}_")
    res = prob.solve_step(0.0)
    assert res.converged
    stress = np.zeros(6)
    stress[:gdim] = -np.array(pressures)
    eps = _homogeneous_strain(stress, kind)
    X = prob.V.tabulate_dof_coordinates()[:, :gdim]
    u_exact = X * eps[:gdim]
    u_h = prob.u.x.array.reshape(-1, gdim)
    scale = np.max(np.abs(u_exact))
    error = comm.allreduce(float(np.max(np.abs(u_h - u_exact))), op=MPI.MAX)
    assert error < 1e-12 * scale
    for i in range(gdim):  # reaction on the rollers = applied load
        assert prob.stack_pressure(10 + i) == pytest.approx(pressures[i], rel=1e-10)
        assert prob.stack_pressure(20 + i) == pytest.approx(pressures[i], rel=1e-12)
        assert prob.mean_normal_displacement(20 + i) == pytest.approx(eps[i] * lengths[i],
                                                                      rel=1e-11)


# --------------------------------------------------------------------------------------------
# d. uniaxial column: Displacement reaction, Traction(t), Spring
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def column():
    """Axisymmetric solid cylinder r <= R, 0 <= z <= H: axis 10, side 21, bottom 11, top 12."""
    R, H = 1e-3, 2e-3
    msh = dmesh.create_rectangle(MPI.COMM_WORLD, [[0, 0], [R, H]], [2, 4],
                                 ghost_mode=dmesh.GhostMode.shared_facet)
    return msh, _tag_planes(msh, {10: (0, 0.0), 21: (0, R), 11: (1, 0.0), 12: (1, H)}), R, H


@pytest.mark.mpi
def test_column_boundary_conditions(column):
    """Uniaxial stress: the top moves by -p H / E and the reaction equals the load."""
    msh, tags, R, H = column
    common = {"kind": "axisymmetric", "materials": {1: STEEL}, "degree": 1}
    supports = [Symmetry(10), Symmetry(11)]

    # imposed displacement: pressure = -E d / H from the residual reaction
    d = -1e-6
    prob = MechanicsProblem(msh, None, tags, bcs=[*supports, Displacement(12, 1, d)],
                            prefix="column_disp_", **common)
    res = prob.solve_step(0.0)
    assert res.converged
    assert res.plate_pressure == pytest.approx(-E * d / H, rel=1e-10)
    assert res.plate_displacement == pytest.approx(d, rel=1e-12)
    assert prob.boundary_area(12) == pytest.approx(math.pi * R**2, rel=1e-12)
    assert prob.stack_pressure(11) == pytest.approx(-E * d / H, rel=1e-10)  # bottom reaction

    # time-dependent traction, several steps (linear: 1 Newton iteration each)
    prob = MechanicsProblem(msh, None, tags, bcs=[*supports, Traction(12, lambda t: 5e6 * t)],
                            prefix="column_trac_", **common)
    for _ in range(3):
        res = prob.solve_step(0.5)
        assert res.converged and res.iterations <= 1
        prob.commit()
        p = 5e6 * prob.time
        assert res.plate_pressure == pytest.approx(p, rel=1e-12)
        assert res.plate_displacement == pytest.approx(-p * H / E, rel=1e-10)

    # Winkler spring: p = p0 + k u_n, u_n = -p H / E  =>  p = p0 / (1 + k H / E)
    p0, k = 10e6, 2.0 * E / H
    prob = MechanicsProblem(msh, None, tags, bcs=[*supports, Spring(12, p0, k)],
                            prefix="column_spring_", **common)
    res = prob.solve_step(0.0)
    assert res.converged and res.iterations == 1
    p = p0 / (1.0 + k * H / E)
    assert res.plate_pressure == pytest.approx(p, rel=1e-10)
    assert res.plate_displacement == pytest.approx(-p * H / E, rel=1e-10)


# --------------------------------------------------------------------------------------------
# e. axisymmetric vs 3-D: closed-ended thick tube
# --------------------------------------------------------------------------------------------
TUBE_H = 1.0


def _tube_exact() -> tuple[float, float]:
    """Closed-ended tube a < r < b: sigma_z = c = p a^2/(b^2 - a^2) everywhere; returns the
    radial displacement of the bore and the axial displacement of the end z = H."""
    a, b = A_IN, B_OUT
    c = P * a**2 / (b**2 - a**2)
    u_a = c * a / E * ((1 - 2 * NU) + (1 + NU) * b**2 / a**2)
    return u_a, c * (1 - 2 * NU) / E * TUBE_H


def _quarter_tube_3d(comm: MPI.Comm, h: float):
    """OCC quarter tube x, y >= 0, a <= r <= b, 0 <= z <= H; tags: bore 1, outside 2, z = 0: 3,
    z = H: 5, x = 0: 4, y = 0: 6."""

    def build() -> None:
        occ = gmsh.model.occ
        outer = occ.addCylinder(0, 0, 0, 0, 0, TUBE_H, B_OUT)
        inner = occ.addCylinder(0, 0, 0, 0, 0, TUBE_H, A_IN)
        box = occ.addBox(0, 0, 0, B_OUT, B_OUT, TUBE_H)
        tube, _ = occ.cut([(3, outer)], [(3, inner)])
        quarter, _ = occ.intersect(tube, [(3, box)])
        occ.synchronize()
        gmsh.model.addPhysicalGroup(3, [quarter[0][1]], 1)
        groups: dict[int, list[int]] = {}
        for _, surface in gmsh.model.getBoundary(quarter, oriented=False):
            cx, cy, cz = occ.getCenterOfMass(2, surface)
            r = math.hypot(cx, cy)
            if abs(cz) < 1e-9:
                tag = 3
            elif abs(cz - TUBE_H) < 1e-9:
                tag = 5
            elif abs(cx) < 1e-9:
                tag = 4
            elif abs(cy) < 1e-9:
                tag = 6
            else:
                tag = 1 if r < 0.5 * (A_IN + B_OUT) else 2
            groups.setdefault(tag, []).append(surface)
        for tag, surfaces in groups.items():
            gmsh.model.addPhysicalGroup(2, surfaces, tag)
        gmsh.option.setNumber("Mesh.MeshSizeMax", h)
        gmsh.option.setNumber("Mesh.MeshSizeMin", h)
        gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
        gmsh.model.mesh.generate(3)
        gmsh.model.mesh.setOrder(2)

    return gmsh_mesh(comm, "quarter_tube", 3, build)


@pytest.mark.slow
def test_axisymmetric_matches_3d():
    """Bore and end displacements of a closed-ended tube: axisymmetric = 3-D within 1e-3, and
    both match the closed form (generalised plane strain, exact for a capped tube)."""
    comm = MPI.COMM_SELF
    a, b = A_IN, B_OUT
    cap = P * a**2 / (b**2 - a**2)  # tensile end load: pressure -cap on the end face
    u_a, w_end = _tube_exact()

    msh = dmesh.create_rectangle(comm, [[a, 0.0], [b, TUBE_H]], [6, 6],
                                 ghost_mode=dmesh.GhostMode.shared_facet)
    tags = _tag_planes(msh, {1: (0, a), 2: (0, b), 3: (1, 0.0), 5: (1, TUBE_H)})
    axi = MechanicsProblem(msh, None, tags, kind="axisymmetric", materials={1: STEEL},
                           bcs=[Traction(1, P), Traction(5, -cap), Symmetry(3)],
                           prefix="tube_axi_")
    assert axi.solve_step(0.0).converged
    axi_bore, axi_end = -axi.mean_normal_displacement(1), axi.mean_normal_displacement(5)

    data = _quarter_tube_3d(comm, 0.3)
    solid = MechanicsProblem(data.mesh, data.cell_tags, data.facet_tags, kind="3d",
                             materials={1: STEEL},
                             bcs=[Traction(1, P), Traction(5, -cap), Symmetry(3), Symmetry(4),
                                  Symmetry(6)], prefix="tube_3d_")
    assert solid.solve_step(0.0).converged
    bore_3d, end_3d = -solid.mean_normal_displacement(1), solid.mean_normal_displacement(5)

    assert bore_3d == pytest.approx(axi_bore, rel=1e-3)
    assert end_3d == pytest.approx(axi_end, rel=1e-3)
    assert axi_bore == pytest.approx(u_a, rel=1e-5)
    assert axi_end == pytest.approx(w_end, rel=1e-5)
    assert bore_3d == pytest.approx(u_a, rel=1e-3)
    assert end_3d == pytest.approx(w_end, rel=1e-3)


# --------------------------------------------------------------------------------------------
# f. declarative errors and presets
# --------------------------------------------------------------------------------------------
def test_refused_conditions():
    comm = MPI.COMM_SELF
    msh = dmesh.create_unit_square(comm, 2, 2)
    tags = _tag_planes(msh, {1: (0, 0.0), 2: (0, 1.0)})
    with pytest.raises(ValueError, match="dolfinx_mpc"):
        MechanicsProblem(msh, None, tags, kind="plane_strain", materials={1: STEEL},
                         bcs=[Periodic(1, 2)], prefix="refuse_periodic_")
    with pytest.raises(ValueError, match="needs a 3-D mesh"):
        MechanicsProblem(msh, None, tags, kind="3d", materials={1: STEEL}, prefix="refuse_3d_")
    # a symmetry boundary that is not a coordinate plane: the whole (L-shaped) boundary 1 + 2
    lshape = dmesh.locate_entities_boundary(msh, 1, lambda x: np.isclose(x[1], 0.0))
    both = dmesh.meshtags(msh, 1, np.sort(np.concatenate([tags.indices, lshape])),
                          np.full(tags.indices.size + lshape.size, 5, dtype=np.int32))
    with pytest.raises(ValueError, match="not a plane"):
        MechanicsProblem(msh, None, both, kind="plane_strain", materials={1: STEEL},
                         bcs=[Symmetry(5)], prefix="refuse_sym_")


def test_presets():
    assert LLZO.E == 150e9 and LLZO.shear_modulus == pytest.approx(59.7e9, rel=2e-3)
    assert LITHIUM.E == pytest.approx(7.82e9) and LITHIUM.nu == pytest.approx(0.38)
    assert electrolyte_material("llzo") is LLZO
    assert set(ELECTROLYTE_PRESETS) == {"LLZO", "Li6PS5Cl", "70Li2S-30P2S5", "Na-beta-alumina"}
    assert ELECTROLYTE_PRESETS["70Li2S-30P2S5"].E == 18.5e9
    m = STEEL
    C = m.mandel_stiffness()
    assert C[0, 0] == pytest.approx(m.lame_lambda + 2 * m.shear_modulus)
    assert m.bulk_modulus == pytest.approx(np.sum(C[:3, :3]) / 9.0)
    with pytest.raises(KeyError, match="presets"):
        electrolyte_material("unobtainium")
    with pytest.raises(ValueError):
        ElasticMaterial("bad", 1e9, 0.5)
