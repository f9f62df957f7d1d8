"""3-D mechanics cases (``problem = "mechanics"``, ``geometry.dimension = 3``, a box).

a. A void-free box with roller sides is in uniaxial strain, as the plane-strain cell with roller
   sides is: under a fixed gap the stack pressure relaxes along the same history in 3-D (mixed
   displacement + mean-stress formulation, tetrahedra) as in 2-D (displacement formulation,
   triangles): both represent the homogeneous field exactly.
b. The 3-D example (two interfacial pores under 1 MPa): the Li creeps into the pores, the plate
   advances monotonically and the stack pressure is held.
"""

from __future__ import annotations

import csv
from pathlib import Path

from mpi4py import MPI

import numpy as np

from ssbx.case import load_case, with_overrides
from ssbx.io.runfolder import RunFolder
from ssbx.runs.registry import run_case

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _history(path: Path) -> dict[str, np.ndarray]:
    with path.open() as f:
        rows = list(csv.DictReader(f))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def _run(case, root: Path, comm=MPI.COMM_SELF) -> tuple[dict, dict[str, np.ndarray]]:
    folder = RunFolder(comm, root, overwrite=True)
    summary = run_case(case, folder, comm)
    folder.write_summary(summary)
    return summary, _history(root / "history.csv")


def _void_free(dimension: int):
    """pressure_hold.toml (fixed gap at 25 MPa, Li6PS5Cl, power-law Li) on a planar 100 um
    patch, one coarse element size, 10 min."""
    return with_overrides(load_case(EXAMPLES / "pressure_hold.toml"), {
        "geometry.kind": "planar", "geometry.dimension": dimension, "geometry.width": "100 um",
        "mesh.size_fine": "50 um", "mesh.size_coarse": "50 um", "time.end": "10 min",
        "output.fields": False, "output.plots": False})


def test_void_free_box_relaxes_as_the_plane_strain_cell(tmp_path):
    """Same steps; stack pressure and plate displacement equal to round-off (measured 2.4e-15
    and 8.8e-16 of their scales)."""
    _, h2 = _run(_void_free(2), tmp_path / "2d")
    s3, h3 = _run(_void_free(3), tmp_path / "3d")
    assert s3["mesh"]["num_cells"] > 0
    assert h2["time_s"].shape == h3["time_s"].shape, (h2["time_s"].size, h3["time_s"].size)
    assert np.allclose(h2["time_s"], h3["time_s"], rtol=1e-9, atol=0.0)
    for key in ("stack_pressure_Pa", "plate_displacement_m"):
        scale = np.max(np.abs(h2[key]))
        diff = np.max(np.abs(h3[key] - h2[key])) / scale
        print(f"\n{key}: 2-D vs 3-D max difference {diff:.2e} of {scale:.4g}")
        assert diff < 1e-12, (key, diff)
    # the pressure relaxes as the Li creeps (measured 25 -> 24.84 MPa in 10 min)
    p = h3["stack_pressure_Pa"]
    assert p[-1] < 0.995 * 25e6 and np.all(np.diff(p[h3["time_s"] >= 10.0]) <= 0.0)


def example_3d(**overrides):
    """examples/pore_array_creep_3d.toml with ``overrides`` (dotted keys)."""
    return with_overrides(load_case(EXAMPLES / "pore_array_creep_3d.toml"), overrides)


def test_the_3d_creep_example_closes_its_pores_under_a_held_pressure(tmp_path):
    """The example, 3 min: the mixed formulation in the Li, the plate advancing into the
    creeping Li at every step once loaded, the pressure held at 1 MPa, the fields written."""
    summary, h = _run(example_3d(**{"time.end": "3 min"}), tmp_path / "run")
    s = {k: v["value"] for k, v in summary["scalars"].items()}
    loaded = h["time_s"] >= 1.0
    assert np.allclose(h["stack_pressure_Pa"][loaded], 1e6, rtol=1e-9)
    u = h["plate_displacement_m"][loaded]
    assert np.all(np.diff(u) < 0.0)  # outward normal: the plate moves towards the electrolyte
    print(f"\nplate displacement change in 3 min: {s['plate_displacement_change']:.3e} m")
    assert s["plate_displacement_change"] < -5e-10  # measured -1.6 nm in 3 min
    assert {"displacement.bp", "stack_pressure.png", "mesh.xdmf"} <= set(summary["files"])
    assert (tmp_path / "run" / "displacement.bp").is_dir()


def test_free_sides_are_more_compliant_than_rollers(tmp_path):
    """fixture.sides = "free" in 3-D (lateral rigid motions held on the left and front sides
    only): the fixed gap that carries 1 MPa in the void-free box (loaded at once, the elastic
    plate displacement, then held for 1 s) is larger than between rollers: uniaxial stress
    against uniaxial strain (measured -26 nm against -17 nm)."""
    plates = {}
    for sides in ("symmetry", "free"):
        case = with_overrides(_void_free(3), {
            "fixture.sides": sides, "fixture.pressure": "1 MPa", "fixture.loading_time": "0 s",
            "time.end": "1 s", "time.initial_step": "0.01 s"})
        _, h = _run(case, tmp_path / sides)
        plates[sides] = h["plate_displacement_m"][-1]
    print(f"\nheld plate displacement: {plates}")
    assert plates["free"] < plates["symmetry"] < 0.0, plates
