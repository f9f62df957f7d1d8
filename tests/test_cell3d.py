"""The 3-D cell (``geometry.dimension = 3``): geometry and tags against closed-form volumes and
areas, random pore arrays, the cell-count estimate, and current distributions against closed
forms and the 2-D axisymmetric solution of the same cell.

Closed forms: the flat cell's ASR ``h/kappa + eta(i)/i`` (exact in P1); the primary current
through a contact disk of radius a centred in a cylinder of radius b with an insulating annulus
(Newman 1966, J. Electrochem. Soc. 113, 501, doi:10.1149/1.2424003; fit of Gibson 1976, in
the form of docs/physics.md): ``R = (1 - 1.40925 e + 0.29591 e^3) / (4 kappa a)``, ``e = a/b``.
"""

from __future__ import annotations

import math

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.meshes.cell import build_cell_mesh
from ssbx.meshes.cell3d import build_gmsh_model_3d, void_problems_3d
from ssbx.meshes.estimate import cell_count_3d
from ssbx.meshes.pores import CLEARANCE, cell_voids, pore_diameter, random_pore_array
from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec, VoidSpec
from ssbx.physics.constants import LI_MOLAR_VOLUME
from ssbx.physics.kinetics import ButlerVolmer, PrimaryKinetics
from ssbx.problems.current import CurrentDistributionProblem, CurrentSettings, electrolyte_domain

UM = 1e-6

BOX = CellGeometrySpec(dimension=3, width=60 * UM, depth=50 * UM, h_se=30 * UM, h_li=15 * UM,
                       voids=(VoidSpec(center=15 * UM, center_y=15 * UM, width=16 * UM,
                                       height=8 * UM),
                              VoidSpec(center=40 * UM, center_y=20 * UM, width=16 * UM,
                                       height=3 * UM, shape="lens"),
                              VoidSpec(center=30 * UM, center_y=38 * UM, width=14 * UM,
                                       height=5 * UM, shape="rounded_rectangle",
                                       corner_radius=2 * UM)))
CYLINDER = CellGeometrySpec(dimension=3, kind="axisymmetric", width=50 * UM, h_se=30 * UM,
                            h_li=15 * UM,
                            voids=(VoidSpec(center=0.0, width=20 * UM, height=5 * UM),
                                   VoidSpec(center=25 * UM, width=10 * UM, height=3 * UM,
                                            shape="lens"),
                                   VoidSpec(center=50 * UM, width=20 * UM, height=4 * UM,
                                            shape="rounded_rectangle", corner_radius=2 * UM)))
PORES = CellGeometrySpec(dimension=3, width=60 * UM, h_se=30 * UM, h_li=15 * UM, pore_count=6,
                         pore_seed=3)
SIZES = MeshSizeSpec(size_fine=2 * UM, size_coarse=6 * UM, grading_distance=15 * UM)


# ---------------------------------------------------------------------------------------------
# closed-form volumes [um^3] of the void shapes
# ---------------------------------------------------------------------------------------------
def spheroid_cap(a: float, h: float) -> float:
    """Half spheroid of radius a, depth h."""
    return 2.0 / 3.0 * math.pi * a * a * h


def spherical_cap(a: float, h: float) -> float:
    """Spherical cap of base radius a, height h."""
    return math.pi * h * (3.0 * a * a + h * h) / 6.0


def segment_area(a: float, h: float) -> float:
    """Circular segment of chord 2a and height h (the lens section)."""
    radius = (a * a + h * h) / (2.0 * h)
    theta = 2.0 * math.asin(a / radius)
    return 0.5 * radius * radius * (theta - math.sin(theta))


def fillet(rc: float) -> tuple[float, float]:
    """Area of the corner a fillet of radius rc removes, and its centroid's distance from the
    corner along either edge."""
    area = rc * rc * (1.0 - math.pi / 4.0)
    return area, rc * (5.0 / 6.0 - math.pi / 4.0) / (1.0 - math.pi / 4.0)


def rounded_cylinder(a: float, h: float, rc: float) -> float:
    """Cylinder of radius a, depth h, its bottom edge rounded with radius rc (Pappus)."""
    area, xbar = fillet(rc)
    return math.pi * a * a * h - 2.0 * math.pi * (a - xbar) * area


def physical_measures(gmsh) -> dict[str, float]:
    """CAD volume or area of every physical group of the current model [um^3, um^2]."""
    return {gmsh.model.getPhysicalName(d, t): sum(
        gmsh.model.occ.getMass(d, e) for e in gmsh.model.getEntitiesForPhysicalGroup(d, t))
        for d, t in gmsh.model.getPhysicalGroups()}


@pytest.fixture
def gmsh_session():
    import gmsh

    gmsh.initialize()
    gmsh.option.setNumber("General.Terminal", 0)
    yield gmsh
    gmsh.finalize()


def test_box_pores_have_their_closed_form_volumes_and_areas(gmsh_session):
    gmsh = gmsh_session
    gmsh.model.add("box")
    build_gmsh_model_3d(gmsh, BOX, SIZES, generate=False)
    m = physical_measures(gmsh)
    footprints = math.pi * (8.0**2 + 8.0**2 + 7.0**2)
    voids = spheroid_cap(8.0, 8.0) + spherical_cap(8.0, 3.0) + rounded_cylinder(7.0, 5.0, 2.0)
    expected = {"void_se": footprints, "contact": 60.0 * 50.0 - footprints,
                "se_top": 3000.0, "li_bottom": 3000.0, "electrolyte": 60.0 * 50.0 * 30.0,
                "lithium": 60.0 * 50.0 * 15.0 - voids, "side_left": 50.0 * 45.0,
                "side_right": 50.0 * 45.0, "side_front": 60.0 * 45.0, "side_back": 60.0 * 45.0}
    for name, value in expected.items():
        assert m[name] == pytest.approx(value, rel=1e-6), name
    # the void walls: everything of the Li's boundary that is not the outer box or contact
    assert m["void_li"] > footprints


def test_cylinder_is_the_axisymmetric_cell_revolved(gmsh_session):
    gmsh = gmsh_session
    gmsh.model.add("cylinder")
    build_gmsh_model_3d(gmsh, CYLINDER, SIZES, generate=False)
    m = physical_measures(gmsh)
    b = 50.0
    void_se = math.pi * 10.0**2 + math.pi * (30.0**2 - 20.0**2) + math.pi * (b**2 - 40.0**2)
    # rim void: the part r = 40..50 of a flat-bottomed slot, its inner bottom corner rounded
    area, xbar = fillet(2.0)
    rim = math.pi * (b**2 - 40.0**2) * 4.0 - 2.0 * math.pi * (40.0 + xbar) * area
    ring = 2.0 * math.pi * 25.0 * segment_area(5.0, 3.0)  # Pappus: section centroid at r = 25
    voids = spheroid_cap(10.0, 5.0) + ring + rim
    expected = {"void_se": void_se, "contact": math.pi * b * b - void_se,
                "se_top": math.pi * b * b, "electrolyte": math.pi * b * b * 30.0,
                "lithium": math.pi * b * b * 15.0 - voids,
                "side_right": 2.0 * math.pi * b * (45.0 - 4.0)}
    for name, value in expected.items():
        assert m[name] == pytest.approx(value, rel=1e-6), name
    assert "side_left" not in m and "side_front" not in m


@pytest.mark.parametrize("geometry", [BOX, CYLINDER, PORES], ids=["box", "cylinder", "pores"])
def test_cell_count_estimate_is_within_the_stated_factor(gmsh_session, geometry):
    gmsh = gmsh_session
    gmsh.model.add("count")
    build_gmsh_model_3d(gmsh, geometry, SIZES)
    count = len(gmsh.model.mesh.getElementsByType(4)[0])
    assert 0.7 < cell_count_3d(geometry, SIZES) / count < 1.4


# ---------------------------------------------------------------------------------------------
# random pore arrays
# ---------------------------------------------------------------------------------------------
def test_random_pores_leave_the_contact_fraction_and_do_not_overlap():
    pores = random_pore_array(100 * UM, 80 * UM, 12, 0.7, aspect=0.3, seed=5)
    d = pore_diameter(100 * UM, 80 * UM, 12, 0.7)
    assert len(pores) == 12
    assert 1.0 - 12 * math.pi * d * d / 4.0 / (100 * UM * 80 * UM) == pytest.approx(0.7, rel=1e-12)
    assert all(p.width == d and p.height == pytest.approx(0.3 * d) for p in pores)
    centres = np.array([[p.center, p.center_y] for p in pores])
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=-1) + np.eye(12) * 1.0
    assert gaps.min() >= (1.0 + CLEARANCE) * d * (1 - 1e-12)
    geometry = CellGeometrySpec(dimension=3, width=100 * UM, depth=80 * UM, voids=pores)
    assert void_problems_3d(geometry, pores) == []
    # reproducible from the seed, another seed another array
    assert random_pore_array(100 * UM, 80 * UM, 12, 0.7, aspect=0.3, seed=5) == pores
    assert random_pore_array(100 * UM, 80 * UM, 12, 0.7, aspect=0.3, seed=6) != pores
    with pytest.raises(ValueError, match="lower the count or raise the contact fraction"):
        random_pore_array(100 * UM, 80 * UM, 40, 0.3, aspect=0.3, seed=0)


def test_listed_pores_that_overlap_or_leave_the_box_are_reported():
    bad = (VoidSpec(center=10 * UM, center_y=10 * UM, width=10 * UM, height=2 * UM),
           VoidSpec(center=18 * UM, center_y=10 * UM, width=10 * UM, height=2 * UM),
           VoidSpec(center=55 * UM, center_y=30 * UM, width=12 * UM, height=2 * UM))
    geometry = CellGeometrySpec(dimension=3, width=60 * UM, voids=bad)
    problems = void_problems_3d(geometry, bad)
    assert any("voids 0 and 1 overlap" in p for p in problems)
    assert any(p.startswith("void 2: its footprint") for p in problems)


# ---------------------------------------------------------------------------------------------
# current distribution in 3-D
# ---------------------------------------------------------------------------------------------
def _solve(geometry, sizes, kinetics, comm=MPI.COMM_WORLD, degree=2, current=10.0, cache=False):
    cell = build_cell_mesh(comm, geometry, sizes, cache=cache)
    settings = CurrentSettings(conductivity=0.1, kinetics=kinetics, degree=degree,
                               linear_solver="amg", current_density=current,
                               molar_volume=LI_MOLAR_VOLUME)
    return cell, CurrentDistributionProblem(electrolyte_domain(cell), settings).solve()


BV = ButlerVolmer(exchange_current_density=10.0, alpha_a=0.5, alpha_c=0.5, temperature=298.15)


@pytest.mark.mpi
def test_flat_box_has_the_one_dimensional_asr(comm):
    flat = CellGeometrySpec(dimension=3, width=20 * UM, depth=10 * UM, h_se=30 * UM, h_li=10 * UM)
    _, result = _solve(flat, MeshSizeSpec(size_fine=5 * UM, size_coarse=5 * UM), BV, comm,
                       degree=1, current=100.0)
    s = result.scalars
    eta = BV.overpotential_for(100.0)
    assert s["asr_total"] == pytest.approx(30 * UM / 0.1 + eta / 100.0, rel=1e-9)
    assert s["contact_fraction"] == pytest.approx(1.0, rel=1e-12)
    assert abs(s["energy_balance_error"]) < 1e-10


@pytest.mark.slow
def test_disk_contact_in_a_cylinder_matches_the_constriction_closed_form():
    """Primary current through a disk contact a = b/2 in a cylinder: the 3-D mesh reaches the
    closed form to 0.3 % (issue 17 asks 1 %); the 2-D axisymmetric cell got 0.1 %."""
    b, a = 50 * UM, 25 * UM
    geometry = CellGeometrySpec(dimension=3, kind="axisymmetric", width=b, h_se=100 * UM,
                                h_li=10 * UM,
                                voids=(VoidSpec(center=b, width=2 * (b - a), height=2 * UM,
                                                shape="rounded_rectangle", corner_radius=UM),))
    sizes = MeshSizeSpec(size_fine=1 * UM, size_coarse=5 * UM, grading_distance=30 * UM,
                         max_cells=10**7)
    _, result = _solve(geometry, sizes, PrimaryKinetics())
    s = result.scalars
    eps = a / b
    resistance = (1.0 - 1.40925 * eps + 0.29591 * eps**3) / (4.0 * 0.1 * a)
    assert s["asr_constriction"] / (resistance * math.pi * b * b) - 1.0 == pytest.approx(
        0.0, abs=0.01)
    assert s["contact_fraction"] == pytest.approx(eps**2, rel=2e-3)


@pytest.mark.slow
def test_cylinder_agrees_with_the_axisymmetric_section():
    """The 3-D cylinder and the 2-D axisymmetric cell of the same voids (axis void, ring, disk
    contact inside a rim void) give the same ASR and peak current with Butler–Volmer."""
    sizes = MeshSizeSpec(size_fine=1 * UM, size_coarse=5 * UM, grading_distance=15 * UM,
                         max_cells=10**7)
    _, res3 = _solve(CYLINDER, sizes, BV)
    section = CellGeometrySpec(kind="axisymmetric", width=CYLINDER.width, h_se=CYLINDER.h_se,
                               h_li=CYLINDER.h_li, voids=CYLINDER.voids)
    _, res2 = _solve(section, MeshSizeSpec(size_fine=0.1 * UM, size_coarse=2 * UM), BV)
    s3, s2 = res3.scalars, res2.scalars
    assert s3["asr_total"] == pytest.approx(s2["asr_total"], rel=2e-3)
    assert s3["asr_constriction"] == pytest.approx(s2["asr_constriction"], rel=0.02)
    assert s3["contact_fraction"] == pytest.approx(s2["contact_fraction"], rel=5e-3)
    assert s3["peak_to_mean_ratio"] == pytest.approx(s2["peak_to_mean_ratio"], rel=0.02)


@pytest.mark.mpi
def test_pore_array_mesh_and_solution_are_the_same_on_any_ranks(comm, tmp_path_factory,
                                                                 monkeypatch):
    """The random-pore box through the mesh cache (written, then read back): the same ASR from
    the built and the cached mesh, and on 2 ranks the same as a serial solve on each rank."""
    folder = tmp_path_factory.getbasetemp() / f"cache3d-{comm.size}"
    monkeypatch.setenv("SSBX_MESH_CACHE", str(comm.bcast(str(folder))))
    sizes = MeshSizeSpec(size_fine=1.5 * UM, size_coarse=5 * UM, grading_distance=10 * UM)
    first, res1 = _solve(PORES, sizes, BV, comm, cache=True)
    again, res2 = _solve(PORES, sizes, BV, comm, cache=True)
    assert not first.from_cache and again.from_cache
    assert res2.scalars["asr_total"] == pytest.approx(res1.scalars["asr_total"], rel=1e-12)
    voids = cell_voids(PORES)
    covered = sum(math.pi * v.width**2 / 4 for v in voids) / PORES.width**2
    assert res1.scalars["contact_fraction"] == pytest.approx(1.0 - covered, rel=5e-3)
    if comm.size > 1:
        _, serial = _solve(PORES, sizes, BV, MPI.COMM_SELF)
        for name in ("asr_total", "contact_fraction", "peak_to_mean_ratio"):
            assert res1.scalars[name] == pytest.approx(serial.scalars[name], rel=1e-9), name


# ---------------------------------------------------------------------------------------------
# case files
# ---------------------------------------------------------------------------------------------
def _problems(raw):
    from ssbx.case import resolve_case
    from ssbx.errors import CaseError

    with pytest.raises(CaseError) as info:
        resolve_case(raw)
    return info.value.problems


BOX_CASE = {"geometry": {"dimension": 3, "width": "60 um", "h_se": "30 um", "h_li": "15 um",
                         "pore_count": 6, "pore_seed": 3},
            "mesh": {"size_fine": "1 um", "size_coarse": "5 um"}}


def test_a_3d_case_resolves_to_the_geometry_it_names():
    from ssbx.case import resolve_case

    case = resolve_case(BOX_CASE | {"geometry": BOX_CASE["geometry"] | {"voids": [
        {"center": "10 um", "center_y": "50 um", "width": "6 um", "height": "2 um"}]}})
    g = case.geometry
    assert (g.dimension, g.pore_count) == (3, 6)
    assert g.box_depth == pytest.approx(60 * UM, rel=1e-12)
    assert g.voids[0].center_y == pytest.approx(50 * UM)
    assert len(cell_voids(g)) == 7
    # written back and read again: the same case
    assert resolve_case(case.to_toml_dict()).geometry == g


@pytest.mark.parametrize(("change", "needle"), [
    ({"problem": "crack"}, 'solved for problem = "current_distribution", "mechanics" and '
                           '"stripping" only'),
    ({"problem": "stripping", "geometry": BOX_CASE["geometry"] | {"void_model": "explicit"}},
     "3-D stripping has its pores as initial gaps"),
    ({"problem": "mechanics", "geometry": {"kind": "axisymmetric", "dimension": 3}},
     "3-D mechanics runs in a box"),
    ({"geometry": BOX_CASE["geometry"] | {"pore_count": 40, "pore_contact_fraction": 0.3}},
     "lower the count or raise the contact fraction"),
    ({"geometry": BOX_CASE["geometry"] | {"voids": [
        {"center": "10 um", "width": "6 um", "height": "2 um"}]}}, "center_y: missing"),
    ({"geometry": BOX_CASE["geometry"] | {"voids": [
        {"center": "10 um", "center_y": "10 um", "width": "6 um", "height": "2 um"},
        {"center": "14 um", "center_y": "10 um", "width": "6 um", "height": "2 um"}]}},
     "overlap or touch"),
    ({"geometry": BOX_CASE["geometry"] | {"pore_shape": "lens", "pore_aspect": 0.6}},
     "at most a hemisphere"),
    ({"mesh": {"size_fine": "0.3 um", "size_coarse": "0.5 um"}}, "tetrahedra"),
    ({"geometry": {"depth": "20 um"}}, "geometry.depth = \"20 um\": used by a 3-D box"),
    ({"geometry": {"kind": "axisymmetric", "dimension": 3, "pore_count": 3}},
     "the 3-D cylinder has the 2-D axisymmetric voids"),
    ({"geometry": {}, "problem": "stripping", "mesh": {"refinements": 1}},
     "refines the Gmsh cell of problem"),
    ({"mesh": {"size_fine": "1 um", "size_coarse": "2 um", "refinements": 2}}, "tetrahedra"),
])
def test_bad_3d_cases_are_refused_before_meshing(change, needle):
    raw = BOX_CASE | change
    problems = _problems(raw)
    assert any(needle in p for p in problems), problems


# ---------------------------------------------------------------------------------------------
# uniform refinement after distribution (mesh.refinements)
# ---------------------------------------------------------------------------------------------
TWO_D = CellGeometrySpec(voids=(VoidSpec(50 * UM, 40 * UM, 2 * UM),))


@pytest.mark.mpi
@pytest.mark.parametrize(("geometry", "sizes"), [
    (TWO_D, MeshSizeSpec(size_fine=0.5 * UM, size_coarse=4 * UM)),
    (PORES, SIZES), (CYLINDER, SIZES)], ids=["2d", "box", "cylinder"])
def test_tags_from_positions_are_gmsh_tags(comm, geometry, sizes):
    """The tags rebuilt from positions after a refinement are Gmsh's own on the coarse mesh,
    on every entity a rank owns (what assembly and boundary conditions read; a ghost facet's
    exterior status is known to its owner only)."""
    from ssbx.meshes.refine import tags_from_positions

    cell = build_cell_mesh(comm, geometry, sizes, cache=False)
    cells, facets = tags_from_positions(cell.mesh, geometry)
    topology = cell.mesh.topology
    for ours, gmsh in ((cells, cell.cell_tags), (facets, cell.facet_tags)):
        owned = topology.index_map(ours.dim).size_local
        keep_ours, keep_gmsh = ours.indices < owned, gmsh.indices < owned
        assert np.array_equal(ours.indices[keep_ours], gmsh.indices[keep_gmsh])
        assert np.array_equal(ours.values[keep_ours], gmsh.values[keep_gmsh])


@pytest.mark.mpi
def test_refined_mesh_solves_like_the_serial_refined_mesh(comm):
    """One refinement of the pore box: 8x the tetrahedra, the same contact fraction, and the
    same ASR on 1 and 2 ranks (to the AMG tolerance)."""
    coarse, res0 = _solve(PORES, SIZES, BV, comm)
    fine_sizes = MeshSizeSpec(size_fine=SIZES.size_fine, size_coarse=SIZES.size_coarse,
                              grading_distance=SIZES.grading_distance, refinements=1)
    fine, res1 = _solve(PORES, fine_sizes, BV, comm)
    assert fine.num_cells_electrolyte == 8 * coarse.num_cells_electrolyte
    assert res1.scalars["contact_fraction"] == pytest.approx(res0.scalars["contact_fraction"],
                                                             rel=1e-12)
    assert res1.scalars["asr_total"] == pytest.approx(res0.scalars["asr_total"], rel=1e-3)
    if comm.size > 1:
        _, serial = _solve(PORES, fine_sizes, BV, MPI.COMM_SELF)
        assert res1.scalars["asr_total"] == pytest.approx(serial.scalars["asr_total"], rel=1e-7)


@pytest.mark.mpi
def test_the_3d_example_writes_a_run_folder_paraview_opens(comm, shared_tmp_path):
    """``examples/pore_array_3d.toml`` (coarsened): VTX potential, mesh XDMF, the contact map
    with both lateral coordinates, the peak's y; Butler–Volmer needs several Newton steps."""
    import csv
    from pathlib import Path

    from ssbx.case import load_case, with_overrides
    from ssbx.io.console import Console
    from ssbx.io.runfolder import RunFolder
    from ssbx.runs.registry import run_case

    example = Path(__file__).resolve().parents[1] / "examples" / "pore_array_3d.toml"
    case = with_overrides(load_case(example), {"mesh.size_fine": "1 um",
                                               "mesh.size_coarse": "6 um"})
    root = Path(shared_tmp_path) / "pores3d"
    folder = RunFolder(comm, root, overwrite=True)
    summary = run_case(case, folder, comm, Console(comm, quiet=True))
    folder.write_summary(summary)
    s = {k: v["value"] for k, v in summary["scalars"].items()}
    assert s["newton_iterations"] >= 2
    assert 0.0 < s["peak_position_y"] < 60 * UM
    assert s["contact_fraction"] == pytest.approx(0.8, rel=1e-2)
    assert summary["mesh"]["quality_min"] > 0.0 and summary["mesh"]["volume_min"] > 0.0
    for name in ("potential.bp", "mesh.xdmf", "mesh.h5", "interface_current.png"):
        assert (root / name).exists(), name
    with (root / "interface_current.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert {"x_m", "y_m"} <= rows[0].keys()
    assert len({(r["x_m"], r["y_m"]) for r in rows}) == len(rows)


def test_a_3d_user_mesh_takes_no_pore_keys():
    from pathlib import Path

    geo = Path(__file__).resolve().parents[1] / "examples/user_geometry/cell_with_pore_3d.geo"
    problems = _problems({"geometry": {"dimension": 3, "mesh_file": str(geo), "pore_count": 3}})
    assert any("geometry.pore_count = 3: not used with geometry.mesh_file" in p
               for p in problems), problems
