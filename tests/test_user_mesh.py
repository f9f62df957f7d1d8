"""Bring your own geometry (:mod:`ssbx.meshes.user_mesh`, ``geometry.mesh_file``): a user's
Gmsh file with ssbx's group names runs a current-distribution case (closed-form ASR of a flat
cell, 2 ranks = serial); every problem of a bad file is reported at once before solving; the
case refuses the key where it does not apply."""

from __future__ import annotations

import math
from pathlib import Path

from mpi4py import MPI

import pytest

from ssbx.case import CaseError, load_case, resolve_case
from ssbx.io.console import Console
from ssbx.io.runfolder import RunFolder
from ssbx.meshes.cell import build_cell_mesh
from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec
from ssbx.meshes.user_mesh import UserMeshError, read_user_mesh

FLAT_GEO = """// flat Li | electrolyte cell in micrometres: electrolyte 0..50, Li -20..0, width 100
lc = 5;
Point(1) = {0, -20, 0, lc}; Point(2) = {100, -20, 0, lc};
Point(3) = {100, 0, 0, lc}; Point(4) = {0, 0, 0, lc};
Point(5) = {100, 50, 0, lc}; Point(6) = {0, 50, 0, lc};
Line(1) = {1, 2}; Line(2) = {2, 3}; Line(3) = {3, 4}; Line(4) = {4, 1};
Line(5) = {3, 5}; Line(6) = {5, 6}; Line(7) = {6, 4};
Curve Loop(1) = {1, 2, 3, 4}; Plane Surface(1) = {1};
Curve Loop(2) = {-3, 5, 6, 7}; Plane Surface(2) = {2};
Physical Surface("electrolyte", 7) = {2};
Physical Surface("lithium", 8) = {1};
Physical Curve("contact", 100) = {3};
Physical Curve("se_top", 101) = {6};
Physical Curve("li_bottom", 102) = {1};
Physical Curve("side_left", 103) = {4, 7};
Physical Curve("side_right", 104) = {2, 5};
"""

CASE = """name = "user_flat"
[geometry]
mesh_file = "flat.geo"
mesh_unit = "1 um"
[output]
fields = false
plots = false
"""


def _write(folder: Path, comm: MPI.Comm, name: str, text: str) -> Path:
    path = folder / name
    if comm.rank == 0:
        path.write_text(text, encoding="utf-8")
    comm.Barrier()
    return path


@pytest.mark.mpi
def test_a_user_geo_file_runs_the_flat_cell_closed_form(comm, shared_tmp_path):
    """The flat cell drawn by the user in micrometres: h_se, h_li and width come from the file,
    and the ASR is bulk h_se/κ + charge transfer (10 + 4 ohm cm² at the defaults) to 1e-9;
    the same on 1 and 2 ranks. A relative mesh_file is found next to the case file."""
    from ssbx.runs.case_runner import execute_case

    folder = Path(shared_tmp_path)
    _write(folder, comm, "flat.geo", FLAT_GEO)
    case_path = _write(folder, comm, "case.toml", CASE)
    case = load_case(case_path)
    assert Path(case.geometry.mesh_file) == (folder / "flat.geo").resolve()
    out = execute_case("run", case, RunFolder(comm, folder / "run"), comm,
                       Console(comm, quiet=True), source="test")
    s = {k: v["value"] for k, v in out["results"]["scalars"].items()}
    assert s["asr_bulk"] == pytest.approx(50e-6 / 0.05, rel=1e-12)
    assert s["asr_total"] == pytest.approx(14e-4, rel=1e-9)
    assert s["contact_fraction"] == pytest.approx(1.0, rel=1e-12)
    assert "mesh.msh" in out["results"]["files"]
    if comm.rank == 0:  # the retagged mesh, in metres
        assert (folder / "run" / "mesh.msh").stat().st_size > 0
    every = comm.allgather(round(s["cell_voltage"], 12))
    assert all(v == every[0] for v in every)
    cell = build_cell_mesh(comm, CellGeometrySpec(mesh_file=str(folder / "flat.geo"),
                                                  mesh_unit=1e-6), MeshSizeSpec())
    assert (cell.geometry.h_se, cell.geometry.h_li, cell.geometry.width) == pytest.approx(
        (50e-6, 20e-6, 100e-6), rel=1e-12)
    assert cell.num_cells_electrolyte > 0 and cell.num_cells_lithium > 0


def test_every_problem_of_a_bad_file_is_reported_at_once(tmp_path):
    """An unknown group name, a facet group given as a surface, a missing required group."""
    bad = (FLAT_GEO.replace('Physical Curve("se_top", 101) = {6};', "")
           .replace('Physical Curve("contact", 100) = {3};',
                    'Physical Surface("contact", 100) = {1};')
           .replace('Physical Curve("li_bottom", 102) = {1};',
                    'Physical Curve("anode", 102) = {1};'))
    path = tmp_path / "bad.geo"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(UserMeshError) as err:
        read_user_mesh(MPI.COMM_SELF, path, CellGeometrySpec())
    text = str(err.value)
    for part in ("'anode' (dimension 1) is not an ssbx tag", "'contact' has dimension 2",
                 "'se_top' is missing", str(path)):
        assert part in text, text


MSH_INVERTED = """$MeshFormat
2.2 0 8
$EndMeshFormat
$PhysicalNames
3
1 1 "contact"
1 2 "se_top"
2 3 "electrolyte"
$EndPhysicalNames
$Nodes
5
1 0 0 0
2 1 0 0
3 1 1 0
4 0 1 0
5 0.5 0 0
$EndNodes
$Elements
6
1 1 2 1 1 1 5
2 1 2 1 1 5 2
3 1 2 2 2 3 4
4 2 2 3 10 1 2 3
5 2 2 3 10 1 4 3
6 2 2 3 10 1 5 2
$EndElements
"""


def test_inverted_and_degenerate_triangles_are_refused(tmp_path):
    path = tmp_path / "inverted.msh"
    path.write_text(MSH_INVERTED, encoding="utf-8")
    with pytest.raises(UserMeshError) as err:
        read_user_mesh(MPI.COMM_SELF, path, CellGeometrySpec())
    text = str(err.value)
    assert "1 degenerate triangle(s)" in text and "1 inverted triangle(s)" in text, text


def test_the_case_refuses_the_key_where_it_does_not_apply(tmp_path):
    geo = tmp_path / "flat.geo"
    geo.write_text(FLAT_GEO, encoding="utf-8")
    cases = [
        ({"problem": "mechanics", "geometry": {"mesh_file": str(geo)}},
         'a user mesh is read for problem = "current_distribution" only'),
        ({"geometry": {"mesh_file": str(tmp_path / "none.msh")}}, "no such file"),
        ({"geometry": {"mesh_file": str(tmp_path / "cell.vtu")}}, "not a file Gmsh reads"),
        ({"geometry": {"mesh_file": str(geo), "h_se": "60 um"}},
         'geometry.h_se = "60 um": not used with geometry.mesh_file'),
        ({"geometry": {"mesh_unit": "1 um"}}, "needs geometry.mesh_file"),
    ]
    for raw, expected in cases:
        with pytest.raises(CaseError) as err:
            resolve_case(raw)
        assert expected in str(err.value), (raw, str(err.value))
    case = resolve_case({"geometry": {"mesh_file": str(geo), "mesh_unit": "1 um"}})
    assert math.isclose(case.geometry.mesh_unit, 1e-6)


def test_the_example_geometry_matches_ssbx_s_own_mesher(tmp_path):
    """examples/user_geometry.toml (a half-circular void drawn in Gmsh) against the same cell
    meshed by ssbx (an elliptical void of width 20 um, height 10 um, equal element sizes): the
    constriction ASR and the peak current agree to 1e-3 (measured 2e-4 and 1e-4)."""
    from cases import example

    from ssbx.case import with_overrides
    from ssbx.runs.case_runner import execute_case

    comm = MPI.COMM_SELF
    user = with_overrides(example("user_geometry.toml"), {"output.fields": False,
                                                          "output.plots": False})
    own = resolve_case({
        "geometry": {"h_se": "50 um", "h_li": "20 um", "width": "100 um",
                     "voids": [{"center": "50 um", "width": "20 um", "height": "10 um"}]},
        "mesh": {"size_fine": "0.5 um", "size_coarse": "5 um"},
        "electrolyte": {"material": "LLZO"}, "operation": {"current_density": "1 mA/cm^2"},
        "output": {"fields": False, "plots": False}})
    results = []
    for case, name in ((user, "user"), (own, "own")):
        out = execute_case("run", case, RunFolder(comm, tmp_path / name), comm,
                           Console(comm, quiet=True), source="test")
        results.append({k: v["value"] for k, v in out["results"]["scalars"].items()})
    a, b = results
    assert a["asr_constriction"] == pytest.approx(b["asr_constriction"], rel=1e-3)
    assert a["peak_to_mean_ratio"] == pytest.approx(b["peak_to_mean_ratio"], rel=1e-3)
    assert a["contact_fraction"] == pytest.approx(0.8, rel=1e-12)


MSH_TETS = """$MeshFormat
2.2 0 8
$EndMeshFormat
$PhysicalNames
3
2 1 "contact"
2 2 "se_top"
3 3 "electrolyte"
$EndPhysicalNames
$Nodes
6
1 0 0 0
2 1 0 0
3 0 1 0
4 0 0 1
5 1 1 1
6 0.5 0.5 0
$EndNodes
$Elements
5
1 2 2 1 1 1 2 3
2 2 2 2 2 2 3 5
3 4 2 3 10 1 2 3 4
4 4 2 3 10 2 3 5 4
5 4 2 3 10 1 2 3 6
$EndElements
"""


def test_inverted_and_degenerate_tetrahedra_are_refused(tmp_path):
    """A 3-D user mesh: a tetrahedron of the other orientation and a flat one are reported."""
    path = tmp_path / "tets.msh"
    path.write_text(MSH_TETS, encoding="utf-8")
    with pytest.raises(UserMeshError) as err:
        read_user_mesh(MPI.COMM_SELF, path, CellGeometrySpec(dimension=3))
    text = str(err.value)
    assert "1 degenerate tetrahedra" in text and "1 inverted tetrahedra" in text, text


def test_the_3d_example_geometry_matches_ssbx_s_own_mesher(tmp_path):
    """examples/user_geometry_3d.toml (a hemispherical pore drawn in Gmsh, OpenCASCADE) against
    the same cell meshed by ssbx's 3-D builder at the same sizes: ASR, constriction and peak
    agree (measured 7e-6, 1.8e-4, 1.8e-4)."""
    from cases import example

    from ssbx.runs.current import solve_case

    comm = MPI.COMM_SELF
    user = example("user_geometry_3d.toml")
    own = resolve_case({
        "geometry": {"dimension": 3, "h_se": "20 um", "h_li": "10 um", "width": "40 um",
                     "voids": [{"center": "20 um", "center_y": "20 um", "width": "16 um",
                                "height": "8 um"}]},
        "mesh": {"size_fine": "0.8 um", "size_coarse": "4 um", "grading_distance": "8 um"},
        "electrolyte": {"material": "LLZO"}, "interface": {"kinetics": "butler_volmer"},
        "operation": {"current_density": "1 mA/cm^2"}, "solver": {"linear_solver": "amg"}})
    a, b = (solve_case(case, comm)[1].scalars for case in (user, own))
    assert user.geometry.dimension == 3
    assert a["asr_total"] == pytest.approx(b["asr_total"], rel=1e-4)
    assert a["asr_constriction"] == pytest.approx(b["asr_constriction"], rel=2e-3)
    assert a["peak_to_mean_ratio"] == pytest.approx(b["peak_to_mean_ratio"], rel=2e-3)
    assert a["contact_fraction"] == pytest.approx(1 - math.pi * 8**2 / 40**2, rel=1e-3)
