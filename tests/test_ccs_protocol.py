"""The protocol-faithful CCS criterion: cycles of stripping and plating a capacity, judged on
contact loss and polarisation (``ccs.criterion = "protocol"``, ``ccs.cycles``)."""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
import pytest
from cases import tiny_stripping

from ssbx.case import with_overrides
from ssbx.errors import CaseError
from ssbx.runs.ccs import ccs_criterion, strip_trial, trial_steps
from ssbx.units import from_mA_per_cm2


def protocol_case(cycles: int = 2):
    return with_overrides(tiny_stripping(), {"ccs.criterion": "protocol", "ccs.cycles": cycles,
                                             "vacancy.enabled": False})


def test_trial_steps_follow_the_criterion():
    case = protocol_case(3)
    i = from_mA_per_cm2(1.0)
    steps = trial_steps(case, i)
    assert [s.kind for s in steps] == ["strip", "plate"] * 3
    assert all(s.capacity == case.ccs.capacity for s in steps)
    assert [np.sign(s.current_density) for s in steps] == [1.0, -1.0] * 3
    contact = with_overrides(case, {"ccs.criterion": "contact", "ccs.cycles": 1})
    assert [s.kind for s in trial_steps(contact, i)] == ["strip"]
    assert ccs_criterion(case) == "protocol"


def test_cycles_need_the_protocol_criterion():
    with pytest.raises(CaseError, match=r"ccs.cycles = 3: cycles are run by ccs.criterion"):
        with_overrides(tiny_stripping(), {"ccs.cycles": 3})


@pytest.mark.slow
def test_a_protocol_trial_strips_and_plates_back_and_judges_stability():
    case = protocol_case(2)
    sink: list = []
    trial = strip_trial(case, from_mA_per_cm2(1.0), MPI.COMM_SELF, recorder_sink=sink)
    assert trial.stable, trial.reason
    assert "2 cycle(s)" in trial.reason
    applied = sink[0].column("applied")
    q = sink[0].column("charge_density")
    # stripped then plated back, twice: the net charge returns to ~0, the gross is 4 x capacity
    assert abs(q[-1] - q[0]) < 1e-6 * case.ccs.capacity
    assert trial.metrics["capacity_reached_mAh_per_cm2"] == pytest.approx(
        4 * case.ccs.capacity / 36000.0, rel=1e-6)
    assert np.nanmin(applied) < 0.0 < np.nanmax(applied)  # plating and stripping both ran
    # a current far above the cell's limit is unstable (polarisation runs away or contact lost)
    hard = strip_trial(case, from_mA_per_cm2(5000.0), MPI.COMM_SELF)
    assert not hard.stable and ("polarisation" in hard.reason or "contact" in hard.reason
                                or "solver failed" in hard.reason)


def test_loss_gap_judges_the_area_near_the_electrolyte():
    """``ccs.loss_gap``: the contact fraction of the criterion counts the points within that gap
    of the electrolyte. The tiny void case loses contact at 5000 mA/cm^2 by the contact set; a
    loss gap larger than every gap there counts the whole interface as near, so the same trial
    is judged on its polarisation alone."""
    base = {"vacancy.enabled": False, "ccs.criterion": "contact", "ccs.voltage_rise": 1e9}
    current = from_mA_per_cm2(5000.0)
    by_set = strip_trial(with_overrides(tiny_stripping(), base), current, MPI.COMM_SELF)
    assert not by_set.stable and "contact fraction" in by_set.reason
    near = strip_trial(with_overrides(tiny_stripping(), base | {"ccs.loss_gap": "1 mm"}),
                       current, MPI.COMM_SELF)
    assert "contact fraction" not in near.reason
