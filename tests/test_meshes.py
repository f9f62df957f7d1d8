"""Tests of the Gmsh cell builders (meshes/cell.py): areas, tagged lengths, conformity, sizes, I/O.

Tests marked ``mpi`` also run under ``mpirun -n 2 python -m pytest -m mpi``.
"""

import ssbx  # noqa: F401  (loads the dolfinx wheel's MPI before anything else)

# isort: split
import math
from pathlib import Path

from mpi4py import MPI

import dolfinx
import numpy as np
import pytest
import ufl
from dolfinx import fem

from ssbx.meshes.cell import (
    CellMesh,
    build_cell_mesh,
    mesh_statistics,
    read_cell_mesh_xdmf,
    validate_geometry,
    write_cell_mesh_xdmf,
)
from ssbx.meshes.sizing import effective_sizes
from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec, VoidSpec
from ssbx.meshes.tags import CellTag, FacetTag, physical_name

UM = 1e-6
COMM = MPI.COMM_WORLD
SIZES = MeshSizeSpec(size_fine=0.5 * UM, size_coarse=5 * UM, grading_distance=15 * UM)

CASES: dict[str, CellGeometrySpec] = {
    "planar-0": CellGeometrySpec(),
    "planar-1-ellipse": CellGeometrySpec(
        voids=(VoidSpec(center=50 * UM, width=40 * UM, height=2 * UM),)
    ),
    "planar-1-rounded": CellGeometrySpec(
        voids=(VoidSpec(50 * UM, 30 * UM, 4 * UM, "rounded_rectangle", 1.5 * UM),)
    ),
    "planar-2-mixed": CellGeometrySpec(
        voids=(
            VoidSpec(70 * UM, 30 * UM, 4 * UM, "rounded_rectangle", 1.5 * UM),
            VoidSpec(25 * UM, 20 * UM, 3 * UM, "ellipse"),
        )
    ),
    "planar-1-lens": CellGeometrySpec(
        voids=(VoidSpec(50 * UM, 40 * UM, 5 * UM, "lens"),)
    ),
    "axi-0": CellGeometrySpec(kind="axisymmetric"),
    "axi-hub-ring": CellGeometrySpec(
        kind="axisymmetric", voids=(VoidSpec(0.0, 20 * UM, 2 * UM),
                                    VoidSpec(60 * UM, 20 * UM, 3 * UM, "lens"))
    ),
    "axi-disk-contact": CellGeometrySpec(
        kind="axisymmetric", voids=(VoidSpec(0.0, 10 * UM, 2 * UM, "lens"),
                                    VoidSpec(100 * UM, 100 * UM, 3 * UM))
    ),
    "axi-1-ellipse": CellGeometrySpec(kind="axisymmetric", voids=(VoidSpec(0.0, 40 * UM, 2 * UM),)),
    "axi-1-rounded": CellGeometrySpec(
        kind="axisymmetric", voids=(VoidSpec(0.0, 40 * UM, 3 * UM, "rounded_rectangle", 1 * UM),)
    ),
}

_MESHES: dict[str, CellMesh] = {}


def cell_mesh(name: str) -> CellMesh:
    """Build each case once per session (collective: every rank runs the same tests in order)."""
    if name not in _MESHES:
        _MESHES[name] = build_cell_mesh(COMM, CASES[name], SIZES)
    return _MESHES[name]


@pytest.fixture
def shared_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh temporary folder made by rank 0, the same path on every rank."""
    path = str(tmp_path_factory.mktemp("meshes")) if COMM.rank == 0 else None
    return Path(COMM.bcast(path, root=0))


# ---------------------------------------------------------------------------------------------
# analytical reference
# ---------------------------------------------------------------------------------------------


def half(g: CellGeometrySpec, v: VoidSpec) -> bool:
    """Whether only half of the void is meshed (on the axis or on the outer radius)."""
    return g.kind == "axisymmetric" and (v.x_min < 0.0 or v.x_max > g.width)


def void_area(g: CellGeometrySpec, v: VoidSpec) -> float:
    """Area [m²] of the part of the void in the meshed (half-)plane."""
    axi = half(g, v)
    if v.shape == "lens":  # circular segment of radius R and depth h
        a, h = 0.5 * v.width, v.height
        R = (a * a + h * h) / (2.0 * h)
        segment = R * R * math.acos((R - h) / R) - (R - h) * math.sqrt(2.0 * R * h - h * h)
        return 0.5 * segment if axi else segment
    if v.shape == "ellipse":
        return math.pi * v.width * v.height / (8.0 if axi else 4.0)
    r = v.corner_radius
    corner = r * r * (1.0 - math.pi / 4.0)
    return 0.5 * v.width * v.height - corner if axi else v.width * v.height - 2.0 * corner


def void_li_length(g: CellGeometrySpec, v: VoidSpec) -> float:
    """Length [m] of the void's Li-side surface."""
    axi = half(g, v)
    a, h = 0.5 * v.width, v.height
    if v.shape == "lens":
        R = (a * a + h * h) / (2.0 * h)
        arc = 2.0 * R * math.asin(a / R)
        return 0.5 * arc if axi else arc
    if v.shape == "ellipse":
        t = np.linspace(0.0, 0.5 * math.pi, 200_001)
        quarter = float(np.sum(np.hypot(np.diff(a * np.cos(t)), np.diff(h * np.sin(t)))))
        return quarter if axi else 2.0 * quarter
    r = v.corner_radius
    one_side = (h - r) + 0.5 * math.pi * r + (a - r)
    return one_side if axi else 2.0 * one_side


def void_se_length(g: CellGeometrySpec) -> float:
    return sum(0.5 * v.width if half(g, v) else v.width for v in g.voids)


def expected_lengths(g: CellGeometrySpec) -> dict[FacetTag, float]:
    """Exact lengths [m] of the straight tagged boundaries."""
    left = g.h_se + g.h_li
    if g.voids and half(g, min(g.voids, key=lambda v: v.center)):
        left -= min(g.voids, key=lambda v: v.center).height
    return {
        FacetTag.CONTACT: g.width - void_se_length(g),
        FacetTag.VOID_SE: void_se_length(g),
        FacetTag.SE_TOP: g.width,
        FacetTag.LI_BOTTOM: g.width,
        FacetTag.SIDE_LEFT: left,
        FacetTag.SIDE_RIGHT: g.h_se + g.h_li - sum(v.height for v in g.voids
                                                   if v.x_max > g.width),
    }


# ---------------------------------------------------------------------------------------------
# measuring with dolfinx forms: one functional, one JIT compilation for all tags and meshes
# ---------------------------------------------------------------------------------------------


def tagged_measures(cm: CellMesh) -> dict[str, float]:
    """Global areas [m²] of the cell tags, ``ds`` and some ``dS`` lengths [m] of the facet tags."""
    mesh = cm.mesh
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=cm.cell_tags)
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=cm.facet_tags)
    dS = ufl.Measure("dS", domain=mesh, subdomain_data=cm.facet_tags)
    terms: dict[str, tuple[fem.Constant, ufl.Measure]] = {}
    for tag in CellTag:
        terms[f"dx:{tag.name}"] = (fem.Constant(mesh, 0.0), dx(int(tag)))
    for tag in FacetTag:
        terms[f"ds:{tag.name}"] = (fem.Constant(mesh, 0.0), ds(int(tag)))
    terms["dS:CONTACT"] = (fem.Constant(mesh, 0.0), dS(int(FacetTag.CONTACT)))
    terms["dS:VOID_SE"] = (fem.Constant(mesh, 0.0), dS(int(FacetTag.VOID_SE)))
    functional = sum(
        (c("+") if m.integral_type() == "interior_facet" else c) * m for c, m in terms.values()
    )
    form = fem.form(functional)
    out = {}
    for key, (c, _) in terms.items():
        for other, _ in terms.values():
            other.value = 0.0
        c.value = 1.0
        out[key] = mesh.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)
    return out


# ---------------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------------


@pytest.mark.mpi
@pytest.mark.parametrize("name", list(CASES))
def test_areas_and_lengths(name: str) -> None:
    cm = cell_mesh(name)
    g = cm.geometry
    m = tagged_measures(cm)
    # material areas: the electrolyte is a rectangle, the Li a rectangle minus the voids
    assert m["dx:ELECTROLYTE"] == pytest.approx(g.width * g.h_se, rel=1e-12)
    li_exact = g.width * g.h_li - sum(void_area(g, v) for v in g.voids)
    assert m["dx:LITHIUM"] == pytest.approx(li_exact, rel=1e-3)
    # the inscribed polygon of the curved void surfaces: void area within 2 %
    void_mesh = g.width * g.h_li - m["dx:LITHIUM"]
    assert void_mesh == pytest.approx(sum(void_area(g, v) for v in g.voids), rel=2e-2, abs=1e-18)
    # straight boundaries are exact; CONTACT is interior (dS), the void surfaces exterior (ds)
    for tag, length in expected_lengths(g).items():
        key = f"dS:{tag.name}" if tag is FacetTag.CONTACT else f"ds:{tag.name}"
        assert m[key] == pytest.approx(length, rel=1e-12, abs=1e-12 * g.width), tag.name
    assert m["ds:CONTACT"] == 0.0
    assert m["dS:VOID_SE"] == 0.0
    li_len = sum(void_li_length(g, v) for v in g.voids)
    assert m["ds:VOID_LI"] == pytest.approx(li_len, rel=5e-3, abs=1e-12 * g.width)
    assert m["dx:ELECTROLYTE"] + m["dx:LITHIUM"] > 0.0


@pytest.mark.mpi
@pytest.mark.parametrize("name", list(CASES))
def test_interface_tagged_and_conforming(name: str) -> None:
    cm = cell_mesh(name)
    mesh, g = cm.mesh, cm.geometry
    tdim, fdim = 2, 1
    mesh.topology.create_connectivity(fdim, tdim)
    n_facets = mesh.topology.index_map(fdim).size_local
    facet_value = np.zeros(n_facets + mesh.topology.index_map(fdim).num_ghosts, dtype=np.int32)
    facet_value[cm.facet_tags.indices] = cm.facet_tags.values
    n_cells = mesh.topology.index_map(tdim).size_local + mesh.topology.index_map(tdim).num_ghosts
    cell_value = np.zeros(n_cells, dtype=np.int32)
    cell_value[cm.cell_tags.indices] = cm.cell_tags.values
    assert np.all(cell_value > 0), "every local (owned and ghost) cell carries a material tag"

    tol = 1e-9 * g.width
    on_interface = dolfinx.mesh.locate_entities(mesh, fdim, lambda x: np.abs(x[1]) < tol)
    on_interface = on_interface[on_interface < n_facets]
    values = facet_value[on_interface]
    allowed = {int(FacetTag.CONTACT), int(FacetTag.VOID_SE)}
    assert set(np.unique(values).tolist()) <= allowed, "every facet of y = 0 is CONTACT or VOID_SE"
    n_interface = COMM.allreduce(len(on_interface), op=MPI.SUM)
    assert n_interface > 0

    f2c = mesh.topology.connectivity(fdim, tdim)
    for f in on_interface:
        cells = f2c.links(f)
        materials = sorted(cell_value[cells].tolist())
        if facet_value[f] == FacetTag.CONTACT:  # conforming: one Li and one electrolyte cell
            assert materials == [int(CellTag.ELECTROLYTE), int(CellTag.LITHIUM)]
        else:
            assert materials == [int(CellTag.ELECTROLYTE)]

    # every boundary facet is tagged with an exterior tag, and no interior facet except CONTACT
    boundary = dolfinx.mesh.exterior_facet_indices(mesh.topology)
    boundary = boundary[boundary < n_facets]
    assert np.all(facet_value[boundary] > 0)
    assert not np.any(facet_value[boundary] == FacetTag.CONTACT)
    interior_tagged = np.setdiff1d(
        cm.facet_tags.indices[cm.facet_tags.indices < n_facets], boundary
    )
    assert np.all(facet_value[interior_tagged] == FacetTag.CONTACT)

    # global cell counts
    stats = mesh_statistics(cm)
    assert stats["num_cells"] == cm.num_cells_electrolyte + cm.num_cells_lithium
    assert stats["quality_min"] > 0.3
    assert stats["area_min"] > 0.0


@pytest.mark.mpi
@pytest.mark.parametrize("name", ["planar-1-ellipse", "planar-2-mixed", "axi-1-rounded",
                                  "axi-hub-ring", "axi-disk-contact"])
def test_size_at_triple_points(name: str) -> None:
    cm = cell_mesh(name)
    g = cm.geometry
    fine = effective_sizes(g, SIZES)["fine"]
    triple = [(x, 0.0) for v in g.voids for x in (
        ((v.x_max,) if v.x_min < 0.0 else (v.x_min,)) if half(g, v) else (v.x_min, v.x_max))]
    x = cm.mesh.geometry.x[:, :2]
    n_owned = cm.mesh.topology.index_map(2).size_local
    dofmap = cm.mesh.geometry.dofmaps[0][:n_owned]
    for point in triple:
        nodes = np.flatnonzero(np.linalg.norm(x - np.asarray(point), axis=1) < 1e-9 * g.width)
        local: list[float] = []
        if len(nodes):
            cells = np.flatnonzero(np.any(dofmap == nodes[0], axis=1))
            for c in cells:
                others = [n for n in dofmap[c] if n != nodes[0]]
                local += np.linalg.norm(x[others] - x[nodes[0]], axis=1).tolist()
        edges = np.concatenate([np.asarray(e, dtype=float) for e in COMM.allgather(local)])
        assert len(edges) >= 4, f"triple point {point} is a mesh vertex with several cells"
        assert 0.3 * fine < edges.min() and edges.max() < 2.5 * fine, (point, edges / fine)
        assert 0.6 * fine < np.median(edges) < 1.6 * fine


def test_thin_void_cells_valid() -> None:
    """A thin void (height = width / 200) with the finest sizes still gives valid triangles."""
    g = CellGeometrySpec(voids=(VoidSpec(50 * UM, 40 * UM, 0.2 * UM),))
    cm = build_cell_mesh(COMM, g, MeshSizeSpec(0.25 * UM, 4 * UM, 20 * UM))
    stats = mesh_statistics(cm)
    assert stats["area_min"] > 1e-3 * (0.25 * UM) ** 2
    assert stats["quality_min"] > 0.3
    sizes = effective_sizes(g, MeshSizeSpec(0.25 * UM, 4 * UM, 20 * UM))
    assert sizes["void"][0] == pytest.approx(0.25 * UM)


@pytest.mark.mpi
@pytest.mark.parametrize("name", ["planar-2-mixed", "axi-1-ellipse"])
def test_xdmf_round_trip(name: str, shared_tmp: Path) -> None:
    cm = cell_mesh(name)
    path = shared_tmp / f"{name}.xdmf"
    write_cell_mesh_xdmf(cm, path)
    back = read_cell_mesh_xdmf(COMM, path, cm.geometry)
    assert back.num_cells_electrolyte == cm.num_cells_electrolyte
    assert back.num_cells_lithium == cm.num_cells_lithium
    for tags_a, tags_b, dim in [
        (cm.cell_tags, back.cell_tags, 2),
        (cm.facet_tags, back.facet_tags, 1),
    ]:
        assert tags_a.dim == dim and tags_b.dim == dim
        owned_a = tags_a.values[tags_a.indices < cm.mesh.topology.index_map(dim).size_local]
        owned_b = tags_b.values[tags_b.indices < back.mesh.topology.index_map(dim).size_local]
        for t in [*CellTag, *FacetTag]:  # the same sequence of collectives on every rank
            na = COMM.allreduce(int(np.count_nonzero(owned_a == int(t))), op=MPI.SUM)
            nb = COMM.allreduce(int(np.count_nonzero(owned_b == int(t))), op=MPI.SUM)
            assert na == nb, (dim, t)
    m_a, m_b = tagged_measures(cm), tagged_measures(back)
    for key in m_a:
        assert m_b[key] == pytest.approx(m_a[key], rel=1e-12, abs=1e-20), key
    with pytest.raises(ValueError, match="spans"):
        read_cell_mesh_xdmf(COMM, path, CellGeometrySpec(width=2 * cm.geometry.width))


@pytest.mark.mpi
def test_msh_written_in_metres(shared_tmp: Path) -> None:
    import meshio

    g = CASES["planar-1-ellipse"]
    path = shared_tmp / "cell.msh"
    cm = build_cell_mesh(COMM, g, SIZES, msh_path=path)
    COMM.barrier()
    if COMM.rank == 0:
        m = meshio.read(path)
        assert m.points[:, 0].max() == pytest.approx(g.width, rel=1e-12)
        assert m.points[:, 1].min() == pytest.approx(-g.h_li, rel=1e-12)
        assert len(m.cells_dict["triangle"]) == cm.num_cells_electrolyte + cm.num_cells_lithium
        names = set(m.field_data)
        in_3d_only = {FacetTag.SIDE_FRONT, FacetTag.SIDE_BACK}
        assert {physical_name(t) for t in (*CellTag, *FacetTag) if t not in in_3d_only} == names
    COMM.barrier()


def test_gmsh_already_initialized() -> None:
    import gmsh

    gmsh.initialize(interruptible=False)
    try:
        gmsh.model.add("someone_elses_model")
        cm = build_cell_mesh(COMM, CASES["planar-0"], SIZES)
        assert gmsh.isInitialized()
        assert cm.num_cells_lithium > 0
    finally:
        gmsh.finalize()


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (CellGeometrySpec(voids=(VoidSpec(10 * UM, 30 * UM, 2 * UM),)), "strictly inside"),
        (
            CellGeometrySpec(
                voids=(VoidSpec(30 * UM, 20 * UM, 2 * UM), VoidSpec(45 * UM, 20 * UM, 2 * UM))
            ),
            "overlap",
        ),
        (CellGeometrySpec(voids=(VoidSpec(50 * UM, 20 * UM, 25 * UM),)), "h_li"),
        (
            CellGeometrySpec(
                voids=(VoidSpec(50 * UM, 20 * UM, 2 * UM, "rounded_rectangle", 3 * UM),)
            ),
            "corner_radius",
        ),
        (CellGeometrySpec(kind="axisymmetric", voids=(VoidSpec(5 * UM, 20 * UM, 2 * UM),)), "axis"),
        (
            CellGeometrySpec(kind="axisymmetric", voids=(VoidSpec(0.0, 20 * UM, 2 * UM),) * 2),
            "at most one",
        ),
        (CellGeometrySpec(h_li=0.0), "h_li"),
    ],
)
def test_invalid_geometry(geometry: CellGeometrySpec, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_geometry(geometry)
    with pytest.raises(ValueError, match=message):
        build_cell_mesh(COMM, geometry, SIZES)


def test_no_comm_world_in_meshes() -> None:
    for path in (Path(__file__).parents[1] / "meshes").glob("*.py"):
        assert "COMM_WORLD" not in path.read_text(), path
