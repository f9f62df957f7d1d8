"""Cracks at interfacial voids: the void map of a stripping run, voids in the crack mesh and
the current they focus onto a flaw at their edge."""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.io.void_map import PROFILES, void_fraction, void_intervals
from ssbx.meshes.crack_geometry import CrackSpec, validate_crack
from ssbx.meshes.cracks import build_crack_mesh, default_sizes
from ssbx.meshes.tags import CrackTag
from ssbx.physics.constants import FARADAY
from ssbx.physics.kinetics import ButlerVolmer
from ssbx.problems.crack_current import CrackCurrentProblem

OMEGA = 12.998e-6


def _profiles(path, rows) -> None:
    header = "time_s,step,time_step,x_m,initial_gap_m,gap_m,removed_m," \
             "current_density_A_per_m2,contact_pressure_Pa,contact\n"
    body = "".join(f"{t},0,{k},{x},0,0,0,0,0,{c}\n" for t, k, x, c in rows)
    (path / PROFILES).write_text(header + body)


def test_void_intervals_from_a_run_folder(tmp_path):
    """Contact-free runs of nodes become intervals reaching halfway to their neighbours,
    centred on the cell; the profile at or before a time is chosen."""
    x = np.arange(11) * 10e-6  # a 100 um cell
    early = [(0.0, 0, xi, 1.0) for xi in x]
    late = [(60.0, 5, xi, 0.0 if 2 <= k <= 3 or k == 10 else 1.0) for k, xi in enumerate(x)]
    _profiles(tmp_path, early + late)
    assert void_intervals(tmp_path, time=30.0) == ()
    voids = void_intervals(tmp_path)
    assert np.allclose(voids, ((-35e-6, -15e-6), (45e-6, 50e-6)), rtol=0, atol=1e-12)
    assert void_fraction(voids, 100e-6) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="no profile"):
        void_intervals(tmp_path, time=-1.0)


def test_voids_in_the_crack_mesh_and_their_rules():
    spec = CrackSpec("edge", 1e-6, 100e-6, 50e-6, voids=((-20e-6, 0.0),))
    mesh = build_crack_mesh(MPI.COMM_WORLD, spec, default_sizes(spec))
    tags = set(np.concatenate(MPI.COMM_WORLD.allgather(mesh.facet_tags.values)).tolist())
    assert int(CrackTag.VOID) in tags and int(CrackTag.INTERFACE) in tags
    with pytest.raises(ValueError, match="inside void"):
        validate_crack(CrackSpec("edge", 1e-6, 100e-6, 50e-6, voids=((-20e-6, 10e-6),)))
    with pytest.raises(ValueError, match="void 1"):
        validate_crack(CrackSpec("edge", 1e-6, 100e-6, 50e-6, position=30e-6,
                                 voids=((-20e-6, 0.0), (-5e-6, 10e-6))))


def test_a_void_focuses_the_plating_current_onto_a_flaw_at_its_edge():
    """A 1 um flaw at the edge of a void builds the same Li pressure at a smaller mean current:
    the wider the void (against Z kappa = 10 um), the smaller the critical plating current;
    the void carries no current."""
    kinetics = ButlerVolmer(8.314462618 * 298.15 / (FARADAY * 2e-4))
    currents = []
    for voids in ((), ((-20e-6, 0.0),), ((-80e-6, 0.0),)):
        spec = CrackSpec("edge", 1e-6, 200e-6, 100e-6, voids=voids)
        mesh = build_crack_mesh(MPI.COMM_WORLD, spec, default_sizes(spec))
        problem = CrackCurrentProblem(mesh, 0.05, kinetics, OMEGA)
        i_c, _ = problem.critical_plating_current(300e6, 2e6)
        currents.append(i_c)
        problem.close()
    assert currents[0] > 1.5 * currents[1] > 1.5 * currents[2] * 0.9
    assert currents[1] > currents[2]
