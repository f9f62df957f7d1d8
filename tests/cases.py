"""Cases shared by the tests: the repository's examples and a few small cases written for tests.

Tests import these names (``from cases import TINY, example``); the fixtures of ``conftest.py``
hand out the resolved cases. Resolved cases are frozen dataclasses, so one object can be shared.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from pathlib import Path
from typing import Any

from ssbx.case import Case, load_case, resolve_case

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

#: A tiny stripping case: strip, rest and plate over a small void (~30 time steps, seconds).
TINY = """
name = "tiny_strip"
problem = "stripping"
[geometry]
kind = "planar"
h_se = "20 um"
h_li = "10 um"
width = "40 um"
[[geometry.voids]]
center = "20 um"
width = "16 um"
height = "0.4 um"
[mesh]
size_fine = "4 um"
size_coarse = "5 um"
[electrolyte]
conductivity = "2 mS/cm"
[interface]
kinetics = "butler_volmer"
asr = "2 ohm cm^2"
[mechanics]
li_model = "power_law"
electrolyte_preset = "Li6PS5Cl"
[fixture]
pressure = "0.5 MPa"
[protocol]
steps = ["Strip at 5 mA/cm^2 for 0.01 mAh/cm^2", "Rest for 2 s", "Plate at 5 mA/cm^2 for 5 s"]
[contact]
max_thickness_change = "0.05 um"
profile_interval = 5
[ccs]
capacity = "0.02 mAh/cm^2"
lower = "0.1 mA/cm^2"
upper = "1000 mA/cm^2"
bracket_ratio = 10.0
max_expansions = 0
[time]
initial_step = "1e-4 s"
max_step = "10 s"
min_step = "1e-10 s"
max_plastic_strain_increment = 0.02
"""


@functools.cache
def example(name: str) -> Case:
    """The resolved example case ``examples/<name>`` (read once per process)."""
    return load_case(EXAMPLES / name)


def tiny_stripping() -> Case:
    """:data:`TINY`, resolved."""
    return resolve_case(tomllib.loads(TINY))


def with_sections(case: Case, **sections: dict[str, Any]) -> Case:
    """``case`` with fields of its sections replaced (``interface={"kinetics": "linear"}``),
    without re-validation: for tests that set what the case file cannot express."""
    for name, values in sections.items():
        case = dataclasses.replace(case, **{name: dataclasses.replace(getattr(case, name),
                                                                      **values)})
    return case
