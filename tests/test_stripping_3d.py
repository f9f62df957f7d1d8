"""Verification of the stripping / contact model in 3-D (a box, z vertical, the interface z = 0).

a. The nodal rule of the P2 triangle (the contact term lumped node by node) integrates
   quadratics exactly; the P1 vertex rule linears.
b. A pore is an initial gap of revolution about its vertical axis; the flat 3-D cell has the
   tags, the layers and the cell count the estimate promises.
c. A trench (a gap constant along y) stripped and rested in a thin 3-D box gives the plane-strain
   cell's void volume, collector displacement and voltage (1e-2; measured 1e-3).
d. A pore stripped and rested: the Li inventory closes to round-off at every step, no
   penetration, the contact force equals the stack pressure times the area (the force of the P2
   triangles' vertices, which carry no weight, is kept).
e. Vacancy transport of a flat interface (uniform stripping, both lattice-site balances): the
   box injects, stores and annihilates per area what the plane-strain cell does (1e-3).
f. An elastic electrolyte (top fixed, rollers on the four sides) deflects by p h_se / M under a
   uniform contact pressure; with it the trench is the plane-strain cell as in (c).
g. Bad input: 3-D stripping outside a box, on a rough interface or with explicit voids is
   refused by name before meshing.
h. (mpi) 2 ranks = serial.
"""

from __future__ import annotations

import dataclasses

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh

from ssbx.meshes.estimate import flat_cell_count
from ssbx.meshes.flat_cell import build_flat_cell_mesh
from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec, VoidSpec
from ssbx.meshes.tags import CellTag, FacetTag
from ssbx.meshes.voids import initial_gap, void_gap
from ssbx.physics.constants import LI_MOLAR_VOLUME
from ssbx.physics.creep_laws import MASIAS_2019
from ssbx.physics.elasticity import LI6PS5CL, LITHIUM
from ssbx.physics.kinetics import LinearKinetics
from ssbx.problems.current import CurrentSettings
from ssbx.problems.interface import nodal_facet_quadrature
from ssbx.problems.stripping.problem import StrippingProblem
from ssbx.problems.stripping.state import Load, StrippingSettings
from ssbx.problems.stripping.stepping import StepControl, advance

H_SE, H_LI, WIDTH, SIZE = 20e-6, 10e-6, 20e-6, 2e-6
PRESSURE = 0.3e6
CURRENT = 100.0  # 10 mA/cm^2
SLOW_LI = dataclasses.replace(MASIAS_2019, A=MASIAS_2019.A * 1e-3)
TRENCH = VoidSpec(center=0.5 * WIDTH, width=10e-6, height=0.3e-6)
PORE_BOX = 12e-6  # a square cell of a pore array
PORE = VoidSpec(center=0.5 * PORE_BOX, center_y=0.5 * PORE_BOX, width=7e-6, height=0.3e-6)


def _settings(voids=(), electrolyte: str = "rigid") -> StrippingSettings:
    cs = CurrentSettings(conductivity=0.2, kinetics=LinearKinetics(2e-4),
                         molar_volume=LI_MOLAR_VOLUME)
    return StrippingSettings(current=cs, li=LITHIUM, creep=SLOW_LI, electrolyte=LI6PS5CL,
                             pressure=PRESSURE, voids=tuple(voids),
                             electrolyte_mechanics=electrolyte)


def _strip_and_rest(comm, dimension: int, *, voids=(), trench: bool = False,
                    width: float = WIDTH, depth: float = SIZE,
                    electrolyte: str = "rigid") -> tuple[StrippingProblem, list[dict]]:
    """Strip at 10 mA/cm^2 for 3 s, rest 3 s; rows of scalars (``strip_end`` marks the last
    stripping row)."""
    geo = CellGeometrySpec(kind="planar", dimension=dimension, h_se=H_SE, h_li=H_LI,
                           width=width, depth=depth, voids=tuple(voids))
    cm = build_flat_cell_mesh(comm, geo, MeshSizeSpec(size_fine=SIZE, size_coarse=4 * SIZE))
    s = _settings(voids, electrolyte)
    pb = StrippingProblem(cm, s)
    if trench:  # the 2-D void's profile along x, the same at every y
        g = initial_gap(pb.nodes.coords[:, 0], (TRENCH,))
        pb.g0[:] = g
        pb.state.gap[:] = g
        pb.state.contact[:] = g <= s.contact_tolerance
    pb.initialize()
    rows = [pb.scalars()]

    def on_step(rep, prev):
        rows.append(pb.scalars(prev, rep) | {"voltage": rep.voltage})

    ctl = StepControl(dt_initial=1e-3, dt_max=50.0, max_thickness_change=0.05e-6)
    advance(pb, Load.current(CURRENT), 3.0, ctl, on_step=on_step)
    rows[-1]["strip_end"] = True
    advance(pb, Load.current(0.0), 3.0, ctl, on_step=on_step)
    return pb, rows


@pytest.fixture(scope="module", params=["rigid", "elastic"])
def trench_runs(request):
    """The trench in plane strain and in a 3-D box one column deep (serial), against a rigid
    and an elastic electrolyte."""
    comm = MPI.COMM_SELF
    planar, rows_2d = _strip_and_rest(comm, 2, voids=(TRENCH,), electrolyte=request.param)
    box, rows_3d = _strip_and_rest(comm, 3, trench=True, electrolyte=request.param)
    yield (planar, rows_2d), (box, rows_3d)
    planar.close()
    box.close()


@pytest.fixture(scope="module")
def pore_run():
    pb, rows = _strip_and_rest(MPI.COMM_SELF, 3, voids=(PORE,), width=PORE_BOX, depth=PORE_BOX)
    yield pb, rows, PORE
    pb.close()


@pytest.mark.parametrize("degree", [1, 2])
def test_nodal_triangle_rule_is_exact_to_its_degree(degree):
    msh = mesh.create_box(MPI.COMM_SELF, [[0, 0, 0], [1, 1, 1]], [3, 3, 3],
                          mesh.CellType.tetrahedron)
    top = mesh.locate_entities_boundary(msh, 2, lambda x: np.isclose(x[2], 1.0))
    tags = mesh.meshtags(msh, 2, top, np.full(top.size, 1, dtype=np.int32))
    ds = ufl.Measure("ds", domain=msh, subdomain_data=tags,
                     metadata=nodal_facet_quadrature(3, degree))(1)
    x = ufl.SpatialCoordinate(msh)
    f = x[0] ** 2 + x[0] * x[1] if degree == 2 else 3.0 * x[0] - x[1] + 2.0
    exact = 1.0 / 3.0 + 1.0 / 4.0 if degree == 2 else 3.0
    assert abs(fem.assemble_scalar(fem.form(f * ds)) - exact) < 1e-13
    if degree == 2:  # and is not exact beyond: x^2 y^2
        assert abs(fem.assemble_scalar(fem.form(x[0] ** 2 * x[1] ** 2 * ds)) - 1 / 9) > 1e-5
    V = fem.functionspace(msh, ("Lagrange", degree))
    mass = fem.assemble_matrix(fem.form(ufl.TrialFunction(V) * ufl.TestFunction(V) * ds))
    dense = mass.to_dense()
    assert np.allclose(dense, np.diag(np.diag(dense)), atol=1e-15)  # lumped: diagonal


def test_a_pore_is_a_gap_of_revolution():
    pore = VoidSpec(center=7e-6, center_y=4e-6, width=6e-6, height=0.4e-6, shape="lens")
    rng = np.random.default_rng(3)
    pts = rng.uniform(0.0, 12e-6, size=(200, 2))
    rho = np.hypot(pts[:, 0] - 7e-6, pts[:, 1] - 4e-6)
    expected = void_gap(rho, dataclasses.replace(pore, center=0.0))
    assert np.array_equal(initial_gap(pts, (pore,)), expected)
    assert initial_gap(np.array([[7e-6, 4e-6]]), (pore,))[0] == pytest.approx(0.4e-6)
    assert (expected > 0).any() and (expected == 0).any()


def test_flat_box_cell_tags_and_count():
    geo = CellGeometrySpec(kind="planar", dimension=3, h_se=H_SE, h_li=H_LI, width=WIDTH,
                           depth=0.5 * WIDTH)
    sizes = MeshSizeSpec(size_fine=SIZE, size_coarse=4 * SIZE)
    cm = build_flat_cell_mesh(MPI.COMM_SELF, geo, sizes)
    msh = cm.mesh
    assert msh.topology.index_map(3).size_local == flat_cell_count(geo, sizes)
    one = fem.Constant(msh, 1.0)
    ds = ufl.Measure("ds", domain=msh, subdomain_data=cm.facet_tags)
    dx = ufl.Measure("dx", domain=msh, subdomain_data=cm.cell_tags)
    area = WIDTH * 0.5 * WIDTH

    def integral(form):
        return fem.assemble_scalar(fem.form(form))

    assert integral(one * dx(int(CellTag.LITHIUM))) == pytest.approx(area * H_LI, rel=1e-12)
    assert integral(one * dx(int(CellTag.ELECTROLYTE))) == pytest.approx(area * H_SE, rel=1e-12)
    for tag, expected in [(FacetTag.LI_BOTTOM, area), (FacetTag.SE_TOP, area),
                          (FacetTag.SIDE_LEFT, 0.5 * WIDTH * (H_SE + H_LI)),
                          (FacetTag.SIDE_FRONT, WIDTH * (H_SE + H_LI))]:
        assert integral(one * ds(int(tag))) == pytest.approx(expected, rel=1e-12)
    # the contact z = 0 is an interior facet of the cell mesh: its tag is there
    assert cm.facet_tags.find(int(FacetTag.CONTACT)).size == 2 * 10 * 5


def test_elastic_electrolyte_in_a_box_deflects_uniaxially():
    """A flat contact under p: the electrolyte (top fixed, rollers on the four sides) deflects
    by p h_se / M, M = lambda + 2 mu (uniaxial strain)."""
    p = 4e6
    geo = CellGeometrySpec(kind="planar", dimension=3, h_se=H_SE, h_li=H_LI, width=8e-6,
                           depth=6e-6)
    cm = build_flat_cell_mesh(MPI.COMM_SELF, geo, MeshSizeSpec(size_fine=SIZE,
                                                                size_coarse=4 * SIZE))
    pb = StrippingProblem(cm, dataclasses.replace(_settings(electrolyte="elastic"), pressure=p,
                                                  creep=None))
    pb.initialize()
    M = LI6PS5CL.lame_lambda + 2.0 * LI6PS5CL.shear_modulus
    assert np.allclose(pb.state.deflection, p * H_SE / M, rtol=1e-8)
    assert pb.scalars()["contact_fraction"] == pytest.approx(1.0, abs=1e-12)
    pb.close()


def _at_strip_end(rows):
    return next(r for r in rows if r.get("strip_end"))


def test_a_trench_in_3d_is_the_plane_strain_cell(trench_runs):
    (planar, rows_2d), (box, rows_3d) = trench_runs
    a2, a3 = planar.area, box.area
    for when in (_at_strip_end, lambda rows: rows[-1]):
        r2, r3 = when(rows_2d), when(rows_3d)
        assert r3["void_volume"] / a3 == pytest.approx(r2["void_volume"] / a2, rel=1e-2)
        assert r3["plate_displacement"] == pytest.approx(r2["plate_displacement"], rel=1e-2)
        assert r3["contact_fraction"] == pytest.approx(r2["contact_fraction"], abs=1e-9)
        assert r3["voltage"] == pytest.approx(r2["voltage"], rel=1e-2)
    # the void shrank by creep during the run (the comparison is not of two idle states)
    assert rows_3d[-1]["void_volume"] < 0.9 * rows_3d[0]["void_volume"]


def test_a_pore_in_3d_keeps_the_inventory_and_the_stack_force(pore_run):
    pb, rows, pore = pore_run
    assert len(rows) > 10
    for r in rows:
        assert abs(r["li_inventory_error"]) < 1e-12
        assert r["penetration_max"] < 1e-12
        assert r["stack_pressure"] == pytest.approx(PRESSURE, rel=1e-8)
    charge = _at_strip_end(rows)["charge_density"]
    assert charge == pytest.approx(3.0 * CURRENT, rel=1e-9)
    # the pore's footprint is not in contact, the rest is: contact fraction 1 - pi a^2 / A
    # on the node grid (the P2 nodes are SIZE / 2 apart)
    footprint = np.pi * (0.5 * pore.width) ** 2 / pb.area
    assert rows[0]["contact_fraction"] == pytest.approx(1.0 - footprint, abs=0.05)
    # the pore crowds the current at its edge and the creep closes it at rest
    assert max(r["peak_to_mean_ratio"] for r in rows[1:] if r.get("voltage", 0) > 0) > 1.01
    assert rows[-1]["void_volume"] < _at_strip_end(rows)["void_volume"]


def _flat_case(dimension: int, **overrides):
    """The tests' tiny stripping case without its void (uniform stripping at 5 mA/cm^2 under a
    rigid plate), in plane strain or in a 3-D box 8 x 4 um."""
    import tomllib

    from cases import TINY

    from ssbx.case import resolve_case, with_overrides

    raw = tomllib.loads(TINY)
    del raw["geometry"]["voids"]
    raw["protocol"]["steps"] = ["Strip at 5 mA/cm^2 for 0.005 mAh/cm^2"]
    raw["fixture"] = {"type": "rigid_plate", "pressure": "1 MPa"}
    if dimension == 3:
        raw["geometry"].update(dimension=3, width="8 um", depth="4 um")
    return with_overrides(resolve_case(raw), overrides)


@pytest.mark.parametrize("balance", ["separate", "interface_sink"])
def test_vacancies_of_a_flat_3d_interface_are_the_plane_strain_ones(balance):
    """Uniform stripping injects, stores and annihilates the same vacancies per area in the box
    as in the plane-strain cell (the same 1-D problem; the interface sink's site inventory
    closes)."""
    from ssbx.runs.stripping import Recorder, build_problem, run_protocol, step_control

    out = {}
    for dim in (2, 3):
        case = _flat_case(dim, **{"vacancy.enabled": True, "vacancy.site_balance": balance,
                                  "vacancy.critical_supersaturation": 1e6})
        pb = build_problem(case, MPI.COMM_SELF)
        recorder = Recorder(pb, 5)
        recorder.record(None, None)
        run_protocol(pb, case.protocol.parsed(), step_control(case), recorder, None)
        inventory = pb.vacancies.problem.inventory()
        out[dim] = ({k: inventory[k] / pb.area for k in ("injected", "stored", "annihilated")},
                    pb.scalars())
        pb.close()
    (per_area_2d, s2), (per_area_3d, s3) = out[2], out[3]
    assert per_area_2d["injected"] > 0.0
    injected = per_area_2d["injected"]
    assert per_area_3d["injected"] == pytest.approx(injected, rel=1e-3)
    # the fates of the injected vacancies (with the interface sink most leave through the
    # interface and the bulk's share is small, of either sign) agree to 1e-3 of the injection
    for key in ("stored", "annihilated"):
        assert abs(per_area_3d[key] - per_area_2d[key]) < 1e-3 * injected
    assert s3["removed_thickness_mean"] == pytest.approx(s2["removed_thickness_mean"], rel=1e-3)
    assert s3["plate_displacement"] == pytest.approx(s2["plate_displacement"], rel=1e-3)
    assert abs(s3["li_inventory_error"]) < 1e-9
    assert abs(s3["vacancy_balance_error"]) < 1e-9


@pytest.mark.parametrize("extra, message", [
    ({"geometry.kind": "axisymmetric"}, "3-D stripping runs in a box"),
    ({"geometry.roughness_rq": "0.1 um", "geometry.roughness_length": "5 um"},
     "a rough interface is 2-D only"),
    ({"geometry.void_model": "explicit"}, "initial gaps on the flat interface"),
])
def test_3d_stripping_refuses_what_it_does_not_have(extra, message):
    from ssbx.case import CaseError, resolve_case

    case = {
        "name": "s3", "problem": "stripping",
        "geometry": {"kind": "planar", "dimension": 3, "h_se": "20 um", "h_li": "10 um",
                     "width": "20 um"},
        "mesh": {"size_fine": "2 um", "size_coarse": "5 um"},
        "interface": {"kinetics": "linear", "asr": "2 ohm cm^2"},
        "protocol": {"steps": ["Strip at 1 mA/cm^2 for 1 s"]},
    }
    for dotted, value in extra.items():
        section, key = dotted.split(".")
        case.setdefault(section, {})[key] = value
    with pytest.raises(CaseError, match=message):
        resolve_case(case)


def test_a_random_pore_array_becomes_the_initial_gaps():
    """``pore_count`` pores drawn for the box are the stripping problem's voids (gaps of
    revolution; the mesh need not resolve them)."""
    from ssbx.case import resolve_case
    from ssbx.meshes.pores import cell_voids
    from ssbx.setup import stripping_settings

    case = resolve_case({
        "name": "array", "problem": "stripping",
        "geometry": {"kind": "planar", "dimension": 3, "h_se": "20 um", "h_li": "10 um",
                     "width": "20 um", "pore_count": 4, "pore_contact_fraction": 0.8,
                     "pore_aspect": 0.05, "pore_seed": 2},
        "mesh": {"size_fine": "2 um", "size_coarse": "5 um"},
        "interface": {"kinetics": "linear", "asr": "2 ohm cm^2"},
        "protocol": {"steps": ["Strip at 1 mA/cm^2 for 1 s"]},
    })
    voids = stripping_settings(case).voids
    assert len(voids) == 4 and voids == cell_voids(case.geometry)
    footprint = sum(np.pi * (0.5 * v.width) ** 2 for v in voids) / (20e-6) ** 2
    assert footprint == pytest.approx(0.2, rel=1e-9)


def test_a_3d_stripping_case_runs_and_writes_its_interface_map(tmp_path):
    """A tiny 3-D case through ``run_case``: the interface profiles carry x and y, the map is
    drawn, the summary's inventory closes."""
    import csv
    import tomllib

    from cases import TINY

    from ssbx.case import resolve_case
    from ssbx.io.runfolder import RunFolder
    from ssbx.runs.registry import run_case

    raw = tomllib.loads(TINY)
    raw["geometry"].update(dimension=3, width="8 um", depth="4 um", h_se="4 um", h_li="4 um")
    raw["geometry"]["voids"] = [{"center": "4 um", "center_y": "2 um", "width": "3.6 um",
                                 "height": "0.3 um"}]
    raw["mesh"].update(size_fine="0.9 um", size_coarse="1.8 um")
    raw["protocol"]["steps"] = ["Strip at 5 mA/cm^2 for 0.0005 mAh/cm^2"]
    folder = RunFolder(MPI.COMM_SELF, tmp_path / "run", overwrite=True)
    summary = run_case(resolve_case(raw), folder, MPI.COMM_SELF)
    assert {"interface_map.png", "interface_profiles.csv", "potential.bp"} <= set(
        summary["files"])
    assert (tmp_path / "run" / "interface_map.png").stat().st_size > 10_000
    with open(tmp_path / "run" / "interface_profiles.csv") as f:
        header = next(csv.reader(f))
    assert header[3:5] == ["x_m", "y_m"]
    assert abs(summary["scalars"]["li_inventory_error_max"]["value"]) < 1e-12
    assert summary["dofs"]["interface_nodes"] == (2 * 9 + 1) * (2 * 5 + 1)


def test_3d_stripping_case_is_valid():
    from ssbx.case import load_case

    case = load_case("examples/stripping_3d.toml")
    assert case.geometry.dimension == 3 and case.problem == "stripping"


@pytest.mark.mpi
def test_3d_stripping_on_two_ranks_is_serial():
    comm = MPI.COMM_WORLD
    if comm.size < 2:
        pytest.skip("needs mpirun -n 2")
    parallel, rows_p = _strip_and_rest(comm, 3, voids=(PORE,), width=PORE_BOX, depth=PORE_BOX)
    serial, rows_s = _strip_and_rest(MPI.COMM_SELF, 3, voids=(PORE,), width=PORE_BOX,
                                     depth=PORE_BOX)
    assert len(rows_p) == len(rows_s)
    for key in ("contact_fraction", "void_volume", "plate_displacement", "voltage"):
        for a, b in zip(rows_p[1:], rows_s[1:], strict=True):
            assert a[key] == pytest.approx(b[key], rel=1e-8, abs=1e-18)
    assert np.allclose(parallel.state.gap, serial.state.gap, rtol=0, atol=1e-15)
    serial.close()
    parallel.close()


@pytest.mark.mpi
@pytest.mark.slow
def test_stripping_3d_benchmark_quick(shared_tmp_path):
    """The quick benchmark on 1 or 2 ranks: the trench against plane strain, the pore's Li
    inventory and contact force (under mpirun: serially the fixtures above run the same)."""
    from pathlib import Path

    if MPI.COMM_WORLD.size < 2:
        pytest.skip("serially the trench and pore fixtures run these checks; make test runs "
                    "the benchmark on 2 ranks")

    from ssbx.benchmarks.framework import run_benchmark

    result = run_benchmark("stripping_3d", MPI.COMM_WORLD, None, True,
                           Path(shared_tmp_path) / "bench")
    assert all(c.passed for c in result.checks), [c.to_dict() for c in result.checks]
    assert len(result.findings["trench_differences"]) == 6


@pytest.mark.parametrize("layout", ["random", "grid", "line_with_roundoff"])
def test_nearest_sets_equal_the_brute_force_search(layout):
    """The bucket-grid search of the vertices' weighted neighbours returns the all-pairs sets
    (ties at equal distances included: on a grid a query has 2 or 4 nearest)."""
    from ssbx.problems.stripping.problem import nearest_sets

    rng = np.random.default_rng(7)
    if layout == "random":
        points = np.zeros((3000, 3))
        points[:, :2] = rng.random((3000, 2)) * 1e-4
        queries = np.zeros((500, 3))
        queries[:, :2] = rng.random((500, 2)) * 1e-4
    elif layout == "line_with_roundoff":  # a 2-D interface: its flat axis carries ~1e-23 m
        points = np.zeros((54, 3))
        points[:, 0] = np.sort(rng.random(54)) * 1e-5
        points[:, 1] = rng.normal(scale=5e-23, size=54)
        queries = np.array([[-2e-24, 1.3e-23, 0.0]])
    else:
        g = np.linspace(0.0, 20e-6, 41)
        x, y = np.meshgrid(g, g)
        points = np.column_stack([x.ravel(), y.ravel(), np.zeros(x.size)])
        queries = points[::5] + np.array([0.5 * g[1], 0.0, 0.0])
    fast = nearest_sets(points, queries, 1.01)
    for q, found in zip(queries, fast, strict=True):
        d = np.linalg.norm(points - q, axis=1)
        assert np.array_equal(found, np.flatnonzero(d <= 1.01 * d.min()))
    if layout == "grid":
        assert {len(f) for f in fast} == {1, 2}
