"""Checks of a case that involve several keys (cross-key rules).

Voids inside the cell and not overlapping, void depth below the Li thickness, mesh sizes
against the features they resolve, kinetics against the counter electrode, what each
problem kind needs ... Each rule appends its messages to the :class:`ValidationState`.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ssbx.case.protocol import (
    FORMS,
    METAL_KINDS,
    PARTICLE_KINDS,
    ProtocolError,
    parse_protocol,
)
from ssbx.case.records import LayerSpec, default_corner_radius, i0_from_asr
from ssbx.case.schema import (
    CRACK_VOID_KEYS,
    KEYS,
    LAYER_KEYS,
    LAYER_KIND_KEYS,
    VOID_KEYS,
    section_keys,
)
from ssbx.case.validate import (
    ValidationState,
    allowed_text,
    check_key,
    expect_array_of_tables,
    show_given,
    show_um,
    unknown_key_message,
)
from ssbx.io.void_map import PROFILES, void_intervals
from ssbx.meshes.cell3d import void_problems_3d
from ssbx.meshes.crack_geometry import CrackSpec, default_sizes, validate_crack
from ssbx.meshes.estimate import _TRIANGLE, _graded_band, _graded_disk, estimate_cells
from ssbx.meshes.pores import CLEARANCE, cell_voids
from ssbx.meshes.spec import GMSH_SUFFIXES, CellGeometrySpec, MeshSizeSpec, VoidSpec
from ssbx.physics.anode_metals import anode_metal
from ssbx.physics.constants import FARADAY
from ssbx.physics.creep_laws import XU_2017_TEMPERATURES
from ssbx.physics.electrolytes import electrolyte_preset
from ssbx.units import toml_type

#: Smallest ``mechanics.strength_size`` [m]: the continuum range of the size- and
#: rate-dependent Li law (diffusion and flow of a feature of at least ~30 atoms).
STRENGTH_SIZE_MIN = 10.0e-9

# --------------------------------------------------------------------------- cross-key checks


_NO_CURRENT = ('problem = "mechanics" has no current or electrochemistry (problem = "stripping" '
               "couples the current to the mechanics)")
_STEADY = ('problem = "current_distribution" is one steady solve on a rigid cell (problem = '
           '"mechanics" for stack pressure and creep, "stripping" for protocols, contact and '
           "critical currents)")

_ROUGH = 'the rough electrolyte surface is an initial gap of the stripping contact model'
_CUT = ('the voids of this problem kind are always cut into the Li mesh; void_model chooses '
        'between a gap field and holes for problem = "stripping" only')

_CRACK_ONLY = 'only problem = "crack" uses the [crack] section'
_TOUGHNESS = ('the fracture toughness is used by problem = "crack" only (the critical Li '
              'pressure of a crack)')
_CRACK_BODY = ('problem = "crack" models the elastic electrolyte alone (geometry.width, '
               "geometry.h_se and the [mechanics] electrolyte keys); the Li in the crack is the "
               "pressure crack.li_pressure or crack.overpotential")
_CRACK_MESH = "crack.tip_size, crack.face_size and crack.far_size set the crack mesh"
_CRACK_NO_CURRENT = ('problem = "crack" has no current without crack.plating_current: the Li '
                     "pressure in the crack is crack.li_pressure, or crack.overpotential (p = "
                     "F |eta| / Omega)")
_CRACK_STEADY = 'problem = "crack" is one steady elastic solve'
_CRACK_SOLVER = ('the crack problem is one direct (MUMPS) linear solve; solver.degree is its '
                 "only solver key")
_CRACK_METAL = ('problem = "crack" uses only the molar volume of the anode metal '
                "(anode.metal, anode.molar_volume)")
_RESISTIVITY = ('the resistivity of the anode metal is used by problem = "crack" with '
                "crack.plating_current only (the ohmic drop along the Li in the crack)")

_STACK_ONLY = 'only problem = "stack" uses the [stack] section'
_STACK_FIXTURE = ('the load-train compliance, relaxation and spring-guide friction are elements '
                  'of the reduced stack model (problem = "stack") only')
_STACK = 'problem = "stack" is the reduced (0-D) stack-pressure model'
_STACK_CELL = f"{_STACK}: the [[stack.layers]] tables give the cell and its materials"
_STACK_NO_ECHEM = (f"{_STACK}: the current only plates or strips the metal layers and moves the "
                   "state of charge; protocol.steps sets it")
_STACK_METAL = (f"{_STACK}: a metal layer uses the elastic constants, power-law creep and molar "
                "volume of anode.metal (anode.molar_volume overrides the last)")
_STACK_STEPS = (f"{_STACK}, integrated in stack.steps_per_segment equal steps per protocol "
                "step")
_PARTICLE_ONLY = 'only problem = "particle" uses the [particle] section'
_PARTICLE = ('problem = "particle" is one intercalation particle: the [particle] section gives '
             "its geometry, material, kinetics and time steps")
_PARTICLE_SOLVER = ('problem = "particle" is solved by Newton with a direct (MUMPS) solver, '
                    "or an iterative one (particle.linear_solver); particle.degree sets its "
                    "degree")
_EMBEDDED_ONLY = 'only problem = "embedded_particle" uses the [embedded] section'
_EMBEDDED = ('problem = "embedded_particle" is a cathode particle in a solid electrolyte: the '
             "[embedded] section gives its geometry, materials, stack pressure and volume "
             "change")
_STACK_FIXTURE_KEYS = ("fixture.compliance", "fixture.relaxation_fraction",
                       "fixture.relaxation_time", "fixture.friction_threshold")

#: Keys each problem kind does not use (a dotted path, or a section ending in ``.``) -> what the
#: kind uses instead, or why nothing. A case that sets one is refused (it would be ignored).
UNUSED_KEYS: dict[str, dict[str, str]] = {
    "stripping": {
        "embedded.": _EMBEDDED_ONLY,
        "particle.": _PARTICLE_ONLY,
        "operation.current_density": 'protocol.steps sets the load of each step (e.g. "Strip '
                                     'at 1 mA/cm^2 for 1 mAh/cm^2")',
        "operation.mode": 'protocol.steps sets the load of each step ("Strip/Plate at ..." is '
                          'galvanostatic, "Hold at 10 mV for 1 h" potentiostatic)',
        "operation.voltage": 'protocol.steps sets the load of each step (e.g. "Hold at 10 mV '
                             'for 1 h")',
        "mechanics.electrolyte_fracture_toughness": _TOUGHNESS,
        "crack.": _CRACK_ONLY,
        "anode.resistivity": _RESISTIVITY,
        "stack.": _STACK_ONLY,
        **dict.fromkeys(_STACK_FIXTURE_KEYS, _STACK_FIXTURE),
    },
    "mechanics": {
        "embedded.": _EMBEDDED_ONLY,
        "particle.": _PARTICLE_ONLY,
        "geometry.roughness_rq": _ROUGH,
        "geometry.roughness_length": _ROUGH,
        "geometry.roughness_seed": _ROUGH,
        "operation.current_density": _NO_CURRENT,
        "operation.mode": _NO_CURRENT,
        "operation.voltage": _NO_CURRENT,
        "protocol.": _NO_CURRENT,
        "contact.": _NO_CURRENT,
        "ccs.": _NO_CURRENT,
        "vacancy.": _NO_CURRENT,
        "geometry.void_model": _CUT,
        "mechanics.electrolyte_fracture_toughness": _TOUGHNESS,
        "crack.": _CRACK_ONLY,
        "anode.resistivity": _RESISTIVITY,
        "stack.": _STACK_ONLY,
        **dict.fromkeys(_STACK_FIXTURE_KEYS, _STACK_FIXTURE),
    },
    "current_distribution": {
        "embedded.": _EMBEDDED_ONLY,
        "particle.": _PARTICLE_ONLY,
        "geometry.roughness_rq": _ROUGH,
        "geometry.roughness_length": _ROUGH,
        "geometry.roughness_seed": _ROUGH,
        "geometry.void_model": _CUT,
        "mechanics.": _STEADY,
        "fixture.": _STEADY,
        "time.": _STEADY,
        "protocol.": _STEADY,
        "contact.": _STEADY,
        "ccs.": _STEADY,
        "vacancy.": _STEADY,
        "crack.": _CRACK_ONLY,
        "anode.resistivity": _RESISTIVITY,
        "stack.": _STACK_ONLY,
    },
    "crack": {
        "embedded.": _EMBEDDED_ONLY,
        "particle.": _PARTICLE_ONLY,
        "geometry.h_li": _CRACK_BODY,
        "geometry.void_model": _CRACK_BODY,
        "geometry.roughness_rq": _CRACK_BODY,
        "geometry.roughness_length": _CRACK_BODY,
        "geometry.roughness_seed": _CRACK_BODY,
        "mesh.size_fine": _CRACK_MESH,
        "mesh.size_coarse": _CRACK_MESH,
        "mesh.grading_distance": _CRACK_MESH,
        "electrolyte.": _CRACK_NO_CURRENT,
        "interface.": _CRACK_NO_CURRENT,
        "operation.": _CRACK_NO_CURRENT,
        **{f"mechanics.{name}": _CRACK_BODY for name in (
            "li_model", "li_youngs_modulus", "li_poisson_ratio", "creep_prefactor",
            "creep_exponent", "creep_activation_energy", "yield_stress", "strength_size")},
        **{f"anode.{name}": _CRACK_METAL for name in (
            "vacancy_formation_enthalpy", "vacancy_formation_entropy",
            "self_diffusion_activation_energy", "correlation_factor", "burgers_vector")},
        "anode.resistivity": _RESISTIVITY,
        **{f"solver.{name}": _CRACK_SOLVER for name in (
            "linear_solver", "rtol", "atol", "max_iterations", "petsc")},
        "fixture.": ("crack.stack_pressure loads the interface and crack.support holds the "
                     "counter-electrode side"),
        "time.": _CRACK_STEADY,
        "protocol.": _CRACK_STEADY,
        "contact.": _CRACK_STEADY,
        "ccs.": _CRACK_STEADY,
        "vacancy.": _CRACK_STEADY,
        "stack.": _STACK_ONLY,
    },
    "stack": {
        "embedded.": _EMBEDDED_ONLY,
        "particle.": _PARTICLE_ONLY,
        "geometry.": _STACK_CELL,
        "mesh.": f"{_STACK}: it has no mesh",
        "electrolyte.": _STACK_NO_ECHEM,
        "interface.": _STACK_NO_ECHEM,
        **{f"operation.{name}": _STACK_NO_ECHEM for name in (
            "current_density", "mode", "voltage", "counter_electrode")},
        "solver.": f"{_STACK}, solved in numpy (stack.steps_per_segment sets its steps)",
        "mechanics.": _STACK_CELL + "; metal layers use the presets of anode.metal",
        **{f"anode.{name}": _STACK_METAL for name in (
            "vacancy_formation_enthalpy", "vacancy_formation_entropy",
            "self_diffusion_activation_energy", "correlation_factor", "burgers_vector",
            "resistivity")},
        "fixture.loading_time": f"{_STACK}: the fixture holds fixture.pressure from the start",
        "fixture.sides": _STACK_CELL + " (metal layers: their friction key)",
        "time.": _STACK_STEPS,
        "contact.": _STACK,
        "ccs.": _STACK,
        "vacancy.": _STACK,
        "crack.": _CRACK_ONLY,
        **{f"output.{name}": f"{_STACK}: a run writes history.csv and pressure.png (no "
                             "fields, no checkpoints)"
           for name in ("fields", "checkpoint_every", "checkpoint_wall_interval",
                        "checkpoint_keep")},
    },
    "particle": {
        "embedded.": _EMBEDDED_ONLY,
        **{f"{section}.": _PARTICLE for section in (
            "geometry", "mesh", "electrolyte", "interface", "anode", "mechanics", "fixture",
            "time", "contact", "ccs", "vacancy", "crack", "stack")},
        **{f"operation.{name}": (f"{_PARTICLE}; protocol.steps sets the current or the "
                                 "potential of each step")
           for name in ("current_density", "mode", "voltage", "counter_electrode")},
        "solver.": _PARTICLE_SOLVER,
        **{f"output.{name}": (f"{_PARTICLE}; a run takes minutes and writes no checkpoints")
           for name in ("checkpoint_every", "checkpoint_wall_interval", "checkpoint_keep")},
    },
    "embedded_particle": {
        **{f"{section}.": _EMBEDDED for section in (
            "geometry", "mesh", "electrolyte", "interface", "anode", "mechanics", "fixture",
            "time", "contact", "ccs", "vacancy", "crack", "stack", "particle", "protocol",
            "operation", "solver")},
        **{f"output.{name}": f"{_EMBEDDED}; a run takes seconds and writes no checkpoints"
           for name in ("checkpoint_every", "checkpoint_wall_interval", "checkpoint_keep")},
    },
}


_PLATING_CURRENT = ("crack.plating_current sets the mean current density of a crack case "
                    "(the cell around the crack is galvanostatic)")
_PLATING_UNIFORM = ('a varying interface resistance is implemented for problem = "stripping" '
                    "only")
_EXTRUSION_METAL = ('crack.extrusion = "size_dependent" uses this key of the anode metal '
                    "(Nabarro-Herring flow); the other extrusion laws do not")


def _crack_unused(st: ValidationState, unused: dict[str, str]) -> dict[str, str]:
    """The keys a crack case does not use, given its [crack] keys: with
    ``crack.plating_current`` it uses the electrolyte conductivity, the interface kinetics and
    the temperature, and the anode metal's resistivity; with ``crack.extrusion =
    "size_dependent"`` the activation energy of the anode metal's self-diffusion
    (Nabarro-Herring flow)."""
    if st.values.get("crack.plating_current") is None:
        return unused
    unused = {p: why for p, why in unused.items()
              if p not in ("electrolyte.", "interface.", "operation.", "anode.resistivity")}
    unused.update({f"operation.{name}": _PLATING_CURRENT
                   for name in ("current_density", "mode", "voltage", "counter_electrode")})
    unused.update({f"interface.{name}": _PLATING_UNIFORM
                   for name in ("asr_variation", "asr_wavelength")})
    diffusion = "anode.self_diffusion_activation_energy"
    if st.values.get("crack.extrusion") == "size_dependent":
        unused.pop(diffusion, None)
    else:
        unused[diffusion] = f"{unused[diffusion]}; {_EXTRUSION_METAL}"
    return unused


def _is_default(st: ValidationState, path: str) -> bool:
    default = KEYS[path].default
    value = st.values.get(path, default)
    if isinstance(default, list | tuple) and isinstance(value, list | tuple):
        return tuple(value) == tuple(default)
    return value == default


def check_problem_keys(st: ValidationState) -> None:
    """Keys the case's problem kind would ignore are refused, naming what it uses instead.

    A key given with its default value is accepted (it changes nothing, and a resolved case
    written back by :meth:`~ssbx.case.records.Case.to_toml_dict` has every key).
    """
    kind = st.values.get("problem")
    unused = UNUSED_KEYS.get(kind, {})
    if kind == "crack":
        unused = _crack_unused(st, unused)
    for path in sorted(st.given):
        if path not in KEYS or path in st.bad or _is_default(st, path):
            continue
        for pattern, instead in unused.items():
            if path == pattern or (pattern.endswith(".") and path.startswith(pattern)):
                st.problems.append(
                    f"{st.shown(path)}: not used by problem = \"{kind}\"; {instead}; remove "
                    "the key"
                )
                break


#: Longest case name [bytes of UTF-8]: run folders are named after it (plus ``-ccs``, ``-mesh``
#: or a sweep's case index), and file names are limited to 255 bytes on common filesystems.
MAX_NAME_BYTES = 120


def check_name(st: ValidationState) -> None:
    r"""The case name is non-empty, has no ``/`` or ``\`` and is short enough to name run
    folders (:data:`MAX_NAME_BYTES`)."""
    name = st.values.get("name")
    if name is not None and (not name.strip() or "/" in name or "\\" in name):
        st.problems.append(
            f"{st.shown('name')}: expected a non-empty name without / or \\ (used for run folders)"
        )
        del st.values["name"]
    elif name is not None and len(name.encode("utf-8")) > MAX_NAME_BYTES:
        st.problems.append(
            f"name = {show_given(name[:40] + '...')}: {len(name.encode('utf-8'))} bytes; "
            f"expected at most {MAX_NAME_BYTES} (it names the run folder, and file names are "
            "limited to 255 bytes)"
        )
        del st.values["name"]


def check_voids(st: ValidationState) -> None:
    """Void sub-keys that depend on the geometry kind, voids inside the cell, overlaps."""
    kind = st.values.get("geometry.kind")
    width = st.values.get("geometry.width")
    h_li = st.values.get("geometry.h_li")
    for void in st.voids:
        for name in ("width", "height"):
            if name not in void.given:
                key = next(k for k in VOID_KEYS if k.name == name)
                st.problems.append(
                    f"{void.path(name)}: missing; required: {key.doc[0].lower()}"
                    f"{key.doc[1:-1]}, {allowed_text(key)}"
                )
                void.bad.add(name)
        if kind == "planar" and "center" not in void.given:
            st.problems.append(
                f"{void.path('center')}: missing; required in a planar cell: the lateral "
                f'position of the void centre, a length in 0 < x < geometry.width, e.g. "50 um"'
            )
            void.bad.add("center")
        if kind == "axisymmetric" and "center" not in void.given:
            void.values["center"] = 0.0  # the void on the axis (center > 0: a ring)
        w, h = void.values.get("width"), void.values.get("height")
        if h is not None and h_li is not None and h >= h_li:
            st.problems.append(
                f"{void.shown('height')}: must be smaller than {st.shown('geometry.h_li')} "
                "(the void would cut through the Li)"
            )
            void.bad.add("height")
        c = void.values.get("center")
        rim = (kind == "axisymmetric" and c is not None and width is not None
               and math.isclose(c, width, rel_tol=1e-12))  # centred on the outer radius
        if rim and w is not None and w / 2 >= width:
            st.problems.append(
                f"{void.shown('width')}: a void on the outer radius must leave a contact disk: "
                f"width/2 = {show_um(w / 2)} must be smaller than {st.shown('geometry.width')}")
            void.bad.add("width")
        ring = not rim and (kind == "planar" or (c is not None and c != 0.0))  # full profile
        if w is not None and width is not None and ring and c is not None:
            if w >= width:
                st.problems.append(
                    f"{void.shown('width')}: the void is wider than the cell; expected < "
                    f"{st.shown('geometry.width')}"
                )
                void.bad.add("width")
            elif c - w / 2 <= 0 or c + w / 2 >= width:
                st.problems.append(
                    f"{void.path()} (center = {show_um(c)}, width = {show_um(w)}) spans x = "
                    f"{show_um(c - w / 2)} .. {show_um(c + w / 2)}; expected inside 0 < x < "
                    f"{st.shown('geometry.width')}, leaving Li/electrolyte contact on both "
                    "sides (0 < center - width/2 and center + width/2 < geometry.width"
                    + ("; a ring around the axis, or center = 0 for the void on the axis)"
                       if kind == "axisymmetric" else ")")
                )
                void.bad.add("center")
        if (w is not None and width is not None and kind == "axisymmetric" and not ring
                and w / 2 >= width):
            st.problems.append(
                f"{void.shown('width')}: the void radius width/2 = {show_um(w / 2)} must be "
                f"smaller than the cell radius {st.shown('geometry.width')}"
            )
            void.bad.add("width")
        shape = void.values.get("shape", "ellipse" if "shape" not in void.given else None)
        if shape is not None:
            void.values["shape"] = shape
        if shape == "rounded_rectangle" and w is not None and h is not None:
            limit = min(h, w / 2)
            cr = void.values.get("corner_radius")
            if "corner_radius" not in void.given:
                void.values["corner_radius"] = default_corner_radius(w, h)
            elif cr is not None and cr > limit:
                st.problems.append(
                    f"{void.shown('corner_radius')}: must be <= min(height, width/2) = "
                    f"{show_um(limit)}"
                )
                void.bad.add("corner_radius")
        elif shape in ("ellipse", "lens"):
            void.values["corner_radius"] = 0.0  # ignored for ellipses and lenses
        if shape == "lens" and w is not None and h is not None and h > w / 2 * (1 + 1e-12):
            st.problems.append(
                f"{void.shown('height')}: a lens (circular cap) is at most a hemisphere; "
                f"expected <= width/2 = {show_um(w / 2)}"
            )
            void.bad.add("height")
        explicit = (st.values.get("geometry.void_model") == "explicit"
                    and st.values.get("problem") == "stripping")
        if (explicit and shape == "rounded_rectangle" and h is not None
                and void.values.get("corner_radius") is not None
                and void.values["corner_radius"] < h * (1 - 1e-12)):
            st.problems.append(
                f"{void.path('corner_radius')} = {show_um(void.values['corner_radius'])}: an "
                'explicit void (geometry.void_model = "explicit") has no vertical wall; expected '
                f"corner_radius = height = {show_um(h)} (a slit with rounded ends)"
            )
            void.bad.add("corner_radius")
    explicit = (st.values.get("geometry.void_model") == "explicit"
                and st.values.get("problem") == "stripping")
    if kind == "axisymmetric" and explicit:
        for void in st.voids:
            if void.values.get("center", 0.0) != 0.0 and "center" not in void.bad:
                st.problems.append(
                    f"{void.shown('center')}: a ring void (off the axis) or a void on the outer "
                    'radius is not available with geometry.void_model = "explicit"; use the '
                    "gap model or center = 0")
                void.bad.add("center")
    if kind in ("planar", "axisymmetric") and not _is_box(st):  # 3-D pores: check_dimension
        placed = [v for v in st.voids if not v.bad and {"center", "width"} <= v.values.keys()]
        for n, a in enumerate(placed):
            for b in placed[n + 1 :]:
                a0, a1 = (
                    a.values["center"] - a.values["width"] / 2,
                    a.values["center"] + a.values["width"] / 2,
                )
                b0, b1 = (
                    b.values["center"] - b.values["width"] / 2,
                    b.values["center"] + b.values["width"] / 2,
                )
                if a0 <= b1 and b0 <= a1:
                    verb = "touch" if a1 == b0 or b1 == a0 else "overlap"
                    st.problems.append(
                        f"{a.path()} (x = {show_um(a0)} .. {show_um(a1)}) and {b.path()} (x = "
                        f"{show_um(b0)} .. {show_um(b1)}) {verb}; expected voids separated by a "
                        "stretch of Li/electrolyte contact"
                    )
                    a.bad.add("center")
                    b.bad.add("center")
    if any(v.bad for v in st.voids):
        st.voids_ok = False


def _contact_segments(st: ValidationState) -> list[tuple[float, float]] | None:
    """The Li/electrolyte contact segments (x0, x1) [m], or None if the geometry is invalid."""
    if not st.voids_ok or not st.ok("geometry.kind", "geometry.width"):
        return None
    width = st.values["geometry.width"]
    if st.values["geometry.kind"] == "axisymmetric":
        if not st.voids:
            return [(0.0, width)]
        return [(st.voids[0].values["width"] / 2, width)]
    spans = sorted(
        (v.values["center"] - v.values["width"] / 2, v.values["center"] + v.values["width"] / 2)
        for v in st.voids
    )
    edges = [0.0, *(x for span in spans for x in span), width]
    return [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2)]


def check_mesh_file(st: ValidationState) -> None:
    """A user mesh: current-distribution cases only, an existing file Gmsh reads, and none of
    the geometry keys it replaces."""
    path = st.values.get("geometry.mesh_file")
    if not path:
        if "geometry.mesh_unit" in st.given and not _is_default(st, "geometry.mesh_unit"):
            st.problems.append(f"{st.shown('geometry.mesh_unit')}: needs geometry.mesh_file")
        return
    problem = st.values.get("problem")
    if problem != "current_distribution":
        st.problems.append(f"{st.shown('geometry.mesh_file')}: a user mesh is read for problem "
                           f"= \"current_distribution\" only (got {problem!r})")
    file = Path(path)
    if file.suffix.lower() not in GMSH_SUFFIXES:
        st.problems.append(f"{st.shown('geometry.mesh_file')}: not a file Gmsh reads here "
                           f"(allowed: {', '.join(GMSH_SUFFIXES)})")
    elif not file.is_file():
        st.problems.append(f"{st.shown('geometry.mesh_file')}: no such file")
    for key in ("geometry.h_se", "geometry.h_li", "geometry.width", "geometry.voids",
                "geometry.roughness_rq", "mesh.size_fine", "mesh.size_coarse", "geometry.depth",
                "geometry.pore_count"):
        if key in st.given and not _is_default(st, key):
            st.problems.append(f"{st.shown(key)}: not used with geometry.mesh_file (the "
                               "geometry and its mesh come from the file); remove the key")


def check_mesh(st: ValidationState) -> None:
    """Mesh sizes ordered and fine enough for the layers, voids and contact segments (not
    for a crack case: its mesh has sizes of its own, :func:`check_crack`)."""
    if st.values.get("problem") == "crack" or st.values.get("geometry.mesh_file"):
        return
    fine, coarse = st.values.get("mesh.size_fine"), st.values.get("mesh.size_coarse")
    if fine is not None and coarse is not None and fine > coarse:
        st.problems.append(
            f"{st.shown('mesh.size_fine')}: must be <= {st.shown('mesh.size_coarse')}"
        )
    if coarse is not None and st.ok("geometry.h_se", "geometry.h_li"):
        limit = min(st.values["geometry.h_se"], st.values["geometry.h_li"]) / 2
        if coarse > limit:
            st.problems.append(
                f"{st.shown('mesh.size_coarse')}: must be <= min(geometry.h_se, geometry.h_li)/2 "
                f"= {show_um(limit)} (at least two elements across the thinner layer)"
            )
    if fine is None:
        return
    # stripping with the gap model: gaps at a flat interface; otherwise the voids are cut
    cut = (st.values.get("problem") != "stripping"
           or st.values.get("geometry.void_model") == "explicit")
    for void in st.voids:
        h, w = void.values.get("height"), void.values.get("width")
        if cut and h is not None and "height" not in void.bad and fine > h:
            st.problems.append(
                f"{st.shown('mesh.size_fine')}: must be <= {void.path('height')} = {show_um(h)} "
                "(to resolve the void depth)"
            )
        if w is not None and "width" not in void.bad and fine > w / 4:
            st.problems.append(
                f"{st.shown('mesh.size_fine')}: must be <= {void.path('width')}/4 = "
                f"{show_um(w / 4)} (to resolve the "
                + ("void outline)" if cut else "gap along the interface)")
            )
    segments = _contact_segments(st) if cut and not _is_box(st) else None
    if segments:
        x0, x1 = min(segments, key=lambda s: s[1] - s[0])
        if fine > x1 - x0:
            st.problems.append(
                f"{st.shown('mesh.size_fine')}: must be <= the shortest Li/electrolyte contact "
                f"segment, {show_um(x1 - x0)} (x = {show_um(x0)} .. {show_um(x1)})"
            )


#: Rough memory per triangle of a solve with the direct solver [bytes] (P2 unknowns, matrix and
#: LU fill), for the message of :func:`check_mesh_size` only.
BYTES_PER_CELL = 3000


#: Rough memory per tetrahedron of a 3-D P2 current solve with CG + AMG [bytes] (1.4 P2 dofs
#: per tetrahedron, ~27 matrix entries per row, AMG hierarchy), for messages only.
BYTES_PER_TETRAHEDRON = 1500

#: Keys of a 3-D box cell only.
BOX_KEYS = ("geometry.depth", "geometry.pore_count", "geometry.pore_contact_fraction",
            "geometry.pore_aspect", "geometry.pore_shape", "geometry.pore_seed")


def _is_box(st: ValidationState) -> bool:
    """Whether the case is a 3-D box cell (pores of revolution at (center, center_y))."""
    return (st.values.get("geometry.dimension") == 3
            and st.values.get("geometry.kind") == "planar")


def _geometry_spec(st: ValidationState, voids: tuple[VoidSpec, ...]) -> CellGeometrySpec:
    """The checked ``[geometry]`` keys as a :class:`CellGeometrySpec` (as the resolved case
    builds it; keys that failed their check keep the record's defaults)."""
    fields = {name: st.values[f"geometry.{name}"]
              for name, key in section_keys("geometry").items()
              if key.kind != "table_list" and f"geometry.{name}" in st.values}
    return CellGeometrySpec(**fields, voids=voids)


def check_refinements(st: ValidationState) -> None:
    """Uniform refinement is for the Gmsh cells of current-distribution and mechanics cases."""
    if not st.values.get("mesh.refinements") or "mesh.refinements" in st.bad:
        return
    problem = st.values.get("problem")
    if problem not in ("current_distribution", "mechanics"):
        st.problems.append(f"{st.shown('mesh.refinements')}: refines the Gmsh cell of "
                           "problem = \"current_distribution\" and \"mechanics\" only (got "
                           f"{problem!r}); remove the key")
    elif st.values.get("geometry.mesh_file"):
        st.problems.append(f"{st.shown('mesh.refinements')}: not for geometry.mesh_file (refine "
                           "the mesh in Gmsh); remove the key")


def check_dimension(st: ValidationState) -> None:
    """3-D cells: current distribution, mechanics (a box) and stripping (a box,
    :func:`_check_stripping_3d`); box keys only in a box; the pores of a box inside it, apart,
    and (meshed as holes, not stripping's gaps) resolved by ``mesh.size_fine``."""
    v = st.values
    dim = v.get("geometry.dimension")
    box = _is_box(st)
    if not box:
        where = ("a 3-D box (geometry.dimension = 3 with geometry.kind = \"planar\"); the "
                 "3-D cylinder has the 2-D axisymmetric voids" if dim == 3 else
                 "a 3-D box (geometry.dimension = 3)")
        for key in BOX_KEYS:
            if key in st.given and key not in st.bad and not _is_default(st, key):
                st.problems.append(f"{st.shown(key)}: used by {where} only; remove the key")
        for void in st.voids:
            if "center_y" in void.given:
                st.problems.append(f"{void.shown('center_y')}: used by {where} only; remove "
                                   "the key")
                void.bad.add("center_y")
    if dim != 3:
        return
    problem = v.get("problem")
    if problem not in ("current_distribution", "mechanics", "stripping"):
        st.problems.append(
            f"{st.shown('geometry.dimension')}: 3-D cells are solved for problem = "
            f"\"current_distribution\", \"mechanics\" and \"stripping\" only (got "
            f"{problem!r}); cracks, particles' cells and stacks are 2-D (planar or axisymmetric)")
    elif problem == "stripping":
        _check_stripping_3d(st, box)
    elif problem == "mechanics" and not box:
        st.problems.append(
            f"{st.shown('geometry.dimension')} with {st.shown('geometry.kind')}: 3-D mechanics "
            "runs in a box (geometry.kind = \"planar\"), whose flat sides carry the fixture's "
            "rollers; the cylinder's axisymmetric mechanics is solved exactly in 2-D "
            "(geometry.dimension = 2)")
    elif problem == "mechanics" and v.get("geometry.mesh_file"):
        st.problems.append(
            f"{st.shown('geometry.mesh_file')}: 3-D mechanics runs on ssbx's own box cell; a "
            "3-D mesh file is read for problem = \"current_distribution\" only")
    if not box or v.get("geometry.mesh_file"):
        return
    for void in st.voids:
        if "center_y" not in void.given:
            st.problems.append(
                f"{void.path('center_y')}: missing; required in a 3-D box: the y of the pore's "
                f"centre, a length in 0 < y < geometry.depth, e.g. \"20 um\"")
            void.bad.add("center_y")
    if v.get("geometry.pore_shape") == "lens" and v.get("geometry.pore_aspect", 0.0) > 0.5:
        st.problems.append(f"{st.shown('geometry.pore_aspect')}: a lens (spherical cap) is at "
                           "most a hemisphere; expected <= 0.5")
        return
    needed = ("geometry.kind", "geometry.h_se", "geometry.h_li", "geometry.width")
    if not st.ok(*needed) or any(d.bad for d in st.voids) or any(k in st.bad for k in BOX_KEYS):
        return
    try:
        geometry = _geometry_spec(st, tuple(d.spec() for d in st.voids))
        voids = cell_voids(geometry)
    except KeyError:
        return  # a void sub-key is missing (reported already)
    except ValueError as err:
        st.problems.append(f"{st.shown('geometry.pore_count')} with "
                           f"{st.shown('geometry.pore_contact_fraction')}: {err}")
        return
    for problem_text in void_problems_3d(geometry, voids):
        st.problems.append(f"geometry.voids (with the pore array): {problem_text}")
    fine = v.get("mesh.size_fine")
    pores = voids[len(st.voids):]
    if pores and fine is not None and problem != "stripping":  # stripping: gaps, not holes
        gap = CLEARANCE * pores[0].width
        if fine > min(gap, pores[0].height):
            st.problems.append(
                f"{st.shown('mesh.size_fine')}: must be <= the pores' depth "
                f"{show_um(pores[0].height)} and their least clearance {show_um(gap)} "
                "(0.1 diameter) to resolve the array")
        elif pores[0].height >= geometry.h_li:
            st.problems.append(f"{st.shown('geometry.pore_aspect')}: the pores "
                               f"({show_um(pores[0].height)} deep) cut through the Li "
                               f"({st.shown('geometry.h_li')})")


def _check_stripping_3d(st: ValidationState, box: bool) -> None:
    """3-D stripping: a box with its pores as initial gaps on the flat interface (explicit
    pores, rough interfaces and a varying interface resistance are 2-D only)."""
    v = st.values
    if not box:
        st.problems.append(
            f"{st.shown('geometry.dimension')} with {st.shown('geometry.kind')}: 3-D stripping "
            "runs in a box (geometry.kind = \"planar\"); the axisymmetric cell is solved "
            "exactly in 2-D (geometry.dimension = 2)")
    refused = [
        ("geometry.mesh_file", bool(v.get("geometry.mesh_file")),
         "3-D stripping runs on ssbx's own flat box; remove the key"),
        ("geometry.void_model", v.get("geometry.void_model") == "explicit",
         "3-D stripping has its pores as initial gaps on the flat interface; allowed: \"gap\""),
        ("geometry.roughness_rq", bool(v.get("geometry.roughness_rq")),
         "a rough interface is 2-D only; remove the key"),
        ("interface.asr_variation", bool(v.get("interface.asr_variation")),
         "a varying interface resistance is 2-D only; remove the key"),
    ]
    for key, bad, why in refused:
        if bad:
            st.problems.append(f"{st.shown(key)}: {why}")


def check_mesh_size(st: ValidationState) -> None:
    """The mesh the case would build, estimated before meshing, within ``mesh.max_cells`` (a
    crack case: :func:`check_crack`; a user mesh is what it is)."""
    if st.values.get("problem") == "crack" or st.values.get("geometry.mesh_file"):
        return
    needed = ("geometry.kind", "geometry.h_se", "geometry.h_li", "geometry.width",
              "mesh.size_fine", "mesh.size_coarse", "mesh.grading_distance", "mesh.max_cells")
    if not st.ok(*needed) or not st.voids_ok or any(v.bad for v in st.voids):
        return
    v = st.values
    if v["mesh.size_fine"] > v["mesh.size_coarse"]:
        return  # reported by check_mesh
    try:
        voids = tuple(d.spec() for d in st.voids)
    except KeyError:
        return  # a void sub-key is missing (reported already)
    geometry = _geometry_spec(st, voids)
    sizes = MeshSizeSpec(size_fine=v["mesh.size_fine"], size_coarse=v["mesh.size_coarse"],
                         grading_distance=v["mesh.grading_distance"],
                         refinements=v.get("mesh.refinements", 0))
    cells = estimate_cells(geometry, sizes, flat=v.get("problem") == "stripping"
                           and geometry.void_model == "gap")
    limit = v["mesh.max_cells"]
    if cells > limit:
        three_d = geometry.dimension == 3
        memory = cells * (BYTES_PER_TETRAHEDRON if three_d else BYTES_PER_CELL) / 1e9
        st.problems.append(
            f"the mesh would have about {cells:.3g} {'tetrahedra' if three_d else 'triangles'} "
            f"(~{memory:.3g} GB) for a cell "
            f"{show_um(geometry.width)} wide and {show_um(geometry.h_se + geometry.h_li)} high "
            f"with {st.shown('mesh.size_fine')} and {st.shown('mesh.size_coarse')}; expected at "
            f"most {st.shown('mesh.max_cells')}: check the units (a bare number is metres), "
            "coarsen the mesh, or raise mesh.max_cells"
        )


def check_physics(st: ValidationState) -> None:
    """Kinetics/counter-electrode and voltage consistency; derives ``interface.asr`` from a
    given exchange current density."""
    kinetics = st.values.get("interface.kinetics")
    counter = st.values.get("operation.counter_electrode")
    if kinetics == "primary" and counter == "symmetric":
        st.problems.append(
            f"{st.shown('interface.kinetics')} with {st.shown('operation.counter_electrode')}: "
            "a symmetric counter electrode mirrors the interface kinetics and primary has "
            'none; expected counter_electrode = "ideal", or kinetics "linear" or '
            '"butler_volmer"'
        )
    if (
        st.values.get("operation.mode") == "potentiostatic"
        and st.values.get("operation.voltage") == 0.0
    ):
        st.problems.append(
            f"{st.shown('operation.voltage')}: must be nonzero when operation.mode = "
            '"potentiostatic" (positive = stripping), e.g. "10 mV"'
        )
    # i0 given, asr not: Z from i0 (same small-overpotential resistance).
    i0 = st.values.get("interface.exchange_current_density")
    if (
        i0 is not None
        and "interface.asr" not in st.given
        and st.ok("interface.alpha_a", "interface.alpha_c", "electrolyte.reference_temperature")
    ):
        st.values["interface.asr"] = i0_from_asr(
            i0,
            st.values["electrolyte.reference_temperature"],
            st.values["interface.alpha_a"],
            st.values["interface.alpha_c"],
        )


def check_mechanics(st: ValidationState) -> None:
    """Poisson ratios in range and consistent time-step bounds."""
    for path in ("mechanics.li_poisson_ratio", "mechanics.electrolyte_poisson_ratio"):
        nu = st.values.get(path)
        if nu is not None and not -1.0 < nu < 0.5:
            st.problems.append(f"{st.shown(path)}: expected a Poisson ratio -1 < nu < 0.5")
    steps = [st.values.get(f"time.{k}") for k in ("min_step", "initial_step", "max_step")]
    if None not in steps and not steps[0] <= steps[1] <= steps[2]:
        st.problems.append(
            f"{st.shown('time.min_step')}, {st.shown('time.initial_step')}, "
            f"{st.shown('time.max_step')}: expected min_step <= initial_step <= max_step"
        )
    ramp, end = st.values.get("fixture.loading_time"), st.values.get("time.end")
    if ramp is not None and end is not None and ramp >= end:
        st.problems.append(
            f"{st.shown('fixture.loading_time')}: the load ramp must end before "
            f"{st.shown('time.end')}"
        )


def check_stripping(st: ValidationState) -> None:
    """Protocol steps readable, CCS bracket ordered; stripping: voids are small-slope gaps."""
    steps = st.given.get("protocol.steps", KEYS["protocol.steps"].default)
    if isinstance(steps, list | tuple) and not steps:
        st.problems.append(
            f"{st.shown('protocol.steps')}: expected at least one step, e.g. "
            '["Strip at 1 mA/cm^2 for 1 mAh/cm^2"]'
        )
    elif isinstance(steps, list | tuple):  # the strings among them (others reported already)
        index = [i for i, text in enumerate(steps) if isinstance(text, str)]
        try:
            parsed = parse_protocol([steps[i] for i in index])
        except ProtocolError as err:
            for n, text, reason in err.problems:
                st.problems.append(f"protocol.steps[{index[n]}] = {show_given(text)}: {reason}")
        else:
            cycles = st.values.get("protocol.cycles")
            if len(index) == len(steps) and isinstance(cycles, int) and cycles >= 1:
                # resolved here once; the record keeps it (ProtocolSpec.resolved)
                st.values["protocol.resolved"] = tuple(parsed * cycles)
    if (st.values.get("contact.factorization") == "lagged"
            and st.values.get("contact.solver") == "reduced_space"):
        st.problems.append(
            f"{st.shown('contact.factorization')}: a lagged LU needs a matrix of fixed "
            f"sparsity, which {st.shown('contact.solver')} does not keep (a new reduced matrix "
            "per Newton iteration); allowed: contact.solver = \"active_set\", or "
            "contact.factorization = \"fresh\"")
    lower, upper = st.values.get("ccs.lower"), st.values.get("ccs.upper")
    if lower is not None and upper is not None and not lower < upper:
        st.problems.append(
            f"{st.shown('ccs.lower')}, {st.shown('ccs.upper')}: expected lower < upper (the "
            "initial bracket of current densities)"
        )
    cycles = st.values.get("ccs.cycles")
    if cycles is not None and cycles > 1 and st.values.get("ccs.criterion") != "protocol":
        st.problems.append(
            f"{st.shown('ccs.cycles')}: cycles are run by ccs.criterion = \"protocol\" only "
            f"({st.shown('ccs.criterion')}); set the criterion or remove ccs.cycles"
        )
    if st.values.get("ccs.criterion") == "nucleation" and st.values.get("vacancy.enabled") \
            is False:
        st.problems.append(
            f"{st.shown('ccs.criterion')}: needs vacancy transport, but "
            f"{st.shown('vacancy.enabled')} (allowed: ccs.criterion = \"contact\", or remove "
            "vacancy.enabled = false)"
        )
    if (st.values.get("vacancy.grain_size") is None) != (
            st.values.get("vacancy.grain_boundary_diffusion") is None):
        given = "vacancy.grain_size" if st.values.get("vacancy.grain_size") is not None \
            else "vacancy.grain_boundary_diffusion"
        st.problems.append(
            f"{st.shown(given)}: grain-boundary diffusion needs both vacancy.grain_size and "
            "vacancy.grain_boundary_diffusion (allowed: both, or neither)")
    metal = st.values.get("anode.metal", "Li")
    if st.values.get("mechanics.li_model") == "anand" and metal != "Li":
        st.problems.append(
            f"{st.shown('mechanics.li_model')}: the Anand parameters are fitted to pure Li, but "
            f"{st.shown('anode.metal')} (allowed: li_model = \"power_law\" or \"elastic\" for "
            f"{metal}, or anode.metal = \"Li\")"
        )
    size = st.values.get("mechanics.strength_size")
    if size is not None:
        temperature = st.values.get("operation.temperature", 298.15)
        if metal != "Li" or st.values.get("mechanics.li_model", "power_law") != "power_law":
            st.problems.append(
                f"{st.shown('mechanics.strength_size')}: the size- and rate-dependent law "
                f"(Xu et al. 2017 size factor, Nabarro-Herring flow) is for Li with power-law "
                f"creep, but {st.shown('anode.metal')}, {st.shown('mechanics.li_model')} "
                "(allowed: anode.metal = \"Li\" and li_model = \"power_law\", or remove "
                "strength_size)")
        elif st.values.get("mechanics.yield_stress"):
            st.problems.append(
                f"{st.shown('mechanics.strength_size')} and {st.shown('mechanics.yield_stress')}"
                ": the size- and rate-dependent law has no threshold stress (allowed: one of "
                "them)")
        elif size < STRENGTH_SIZE_MIN:
            st.problems.append(
                f"{st.shown('mechanics.strength_size')}: below the continuum range of the law "
                f"(allowed: >= {show_um(STRENGTH_SIZE_MIN)}; the data it is checked against go "
                "down to a 0.22 um indentation contact)")
        elif temperature is not None and not (
                XU_2017_TEMPERATURES[0] <= temperature <= XU_2017_TEMPERATURES[1]):
            st.problems.append(
                f"{st.shown('mechanics.strength_size')}: the size factor is measured at room "
                f"temperature, but {st.shown('operation.temperature')} (allowed: 10-40 °C)")
    h_li = st.values.get("geometry.h_li")
    if st.values.get("problem") != "stripping":
        if st.values.get("interface.asr_variation"):
            st.problems.append(
                f"{st.shown('interface.asr_variation')}: a varying interface resistance is "
                f"implemented for problem = \"stripping\" only, not "
                f"{st.shown('problem')} (allowed here: 0)")
        return
    rq = st.values.get("geometry.roughness_rq")
    if rq and st.ok("geometry.kind", "geometry.width", "geometry.h_li",
                    "geometry.roughness_length"):
        from ssbx.meshes.roughness import roughness_slope_check

        v = st.values
        rough = CellGeometrySpec(kind=v["geometry.kind"], width=v["geometry.width"],
                                 h_li=v["geometry.h_li"], roughness_rq=rq,
                                 roughness_length=v["geometry.roughness_length"],
                                 roughness_seed=v.get("geometry.roughness_seed", 0))
        for message in roughness_slope_check(rough):
            st.problems.append(f"{st.shown('geometry.roughness_rq')}: {message}")
    if st.values.get("geometry.void_model") == "explicit":
        return
    for void in st.voids:
        h, w = void.values.get("height"), void.values.get("width")
        if h is None or "height" in void.bad:
            continue
        for limit, what in ((w, void.path("width")), (h_li, "geometry.h_li")):
            if limit is not None and h > limit / 5 * (1 + 1e-12):
                st.problems.append(
                    f"{void.shown('height')}: must be <= {what}/5 = {show_um(limit / 5)}; the "
                    'contact model of problem = "stripping" measures gaps from the flat '
                    "interface and assumes small slopes (height <= width/5 and <= "
                    "geometry.h_li/5)"
                )
                void.bad.add("height")
                break



# --------------------------------------------------------------------------- cracks

#: Keys of the [crack] section that describe the crack's place (shown when it does not fit).
_CRACK_PLACE = ("crack.kind", "crack.length", "crack.inclination", "crack.position",
                "crack.depth", "crack.fill", "crack.void_map", "crack.void_map_time")

#: What a crack void is, for messages.
_CRACK_VOID = ("a crack void is the interval x_min <= x <= x_max of the interface y = 0, x "
               "measured from the middle of the electrolyte")


def walk_crack_voids(value: Any, st: ValidationState) -> None:
    """Check the ``[[crack.voids]]`` array of tables key by key (types, units, ``x_min <
    x_max``, tables apart from each other): ``st.values["crack.voids"]`` gets the ``(x_min,
    x_max)`` intervals [m] in the order given when every table is right, else the key is bad.

    :func:`ssbx.case.load.resolve_case` calls it for the ``crack.voids`` key besides
    :func:`ssbx.case.validate.walk_keys` (whose array-of-tables walker is the
    ``[[geometry.voids]]`` one).
    """
    path = "crack.voids"
    st.given[path] = value
    if not expect_array_of_tables(value, path, st.problems,
                                  before="the x_min and x_max of each void",
                                  one="[[crack.voids]] table (x_min, x_max) per void"):
        st.bad.add(path)
        return
    item_keys = {k.name: k for k in CRACK_VOID_KEYS}
    intervals: list[tuple[float, float]] = []
    ok = True
    for i, item in enumerate(value):
        where = f"{path}[{i}]"
        if not isinstance(item, dict):
            st.problems.append(
                f"{where} = {show_given(item)}: is {toml_type(item)}; expected a table with "
                "keys x_min and x_max")
            ok = False
            continue
        x: dict[str, float] = {}
        for name, v in item.items():
            if name not in item_keys:
                st.problems.append(_unknown_crack_void_key(f"{where}.{name}", v, name))
                ok = False
                continue
            good, q = check_key(item_keys[name], f"{where}.{name}", v, st.problems)
            if good:
                x[name] = q
            else:
                ok = False
        missing = [name for name in item_keys if name not in item]
        if missing:
            st.problems.append(
                f"{where}: {' and '.join(missing)} missing; {_CRACK_VOID}, both required")
            ok = False
        if len(x) == 2:
            if x["x_min"] < x["x_max"]:
                intervals.append((x["x_min"], x["x_max"]))
            else:
                st.problems.append(
                    f"{where}.x_max = {show_given(item['x_max'])}: must be > {where}.x_min = "
                    f"{show_given(item['x_min'])} ({_CRACK_VOID})")
                ok = False
    if ok:
        order = sorted(range(len(intervals)), key=lambda k: intervals[k])
        for i, j in itertools.pairwise(order):
            if intervals[j][0] <= intervals[i][1]:
                st.problems.append(
                    f"{path}[{i}] ({show_um(intervals[i][0])} .. {show_um(intervals[i][1])}) "
                    f"and {path}[{j}] ({show_um(intervals[j][0])} .. "
                    f"{show_um(intervals[j][1])}) overlap or touch; allowed: voids apart from "
                    "each other (one table for a void that spans both)")
                ok = False
    if ok:
        st.values[path] = tuple(intervals)
    else:
        st.bad.add(path)


def _unknown_crack_void_key(path: str, value: Any, name: str) -> str:
    """Message for an unknown key in a ``[[crack.voids]]`` table."""
    hint = ("a crack void is an interval, not a [[geometry.voids]] shape: x_min = center "
            "- width/2, x_max = center + width/2, x from the middle of the electrolyte"
            if name in ("center", "width") else None)
    return unknown_key_message(path, value, name, [k.name for k in CRACK_VOID_KEYS],
                               "key in a crack void", search_elsewhere=False, hint=hint)


def merge_intervals(intervals: Iterable[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """``intervals`` sorted, those that overlap or touch merged into one."""
    merged: list[tuple[float, float]] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return tuple(merged)


def void_map_path(given: str) -> str:
    """The absolute path of ``crack.void_map`` (``~`` expanded; a relative path is taken from
    the current working directory)."""
    return os.path.abspath(os.path.expanduser(given))


@functools.lru_cache(maxsize=16)
def _read_void_map(folder: str, time: float | None, mtime_ns: int,
                   size: int) -> tuple[tuple[float, float], ...]:
    """:func:`ssbx.io.void_map.void_intervals` of ``folder``, cached by the file's modification
    time and size (the case's rules and its setup read the same map)."""
    return void_intervals(folder, time=time)


def read_void_map(folder: str | Path, time: float | None = None
                  ) -> tuple[tuple[float, float], ...]:
    """The contact-free intervals [m] of the stripping run folder ``folder`` at ``time`` [s]
    (``None``: its last profile), centred on its cell (:func:`ssbx.io.void_map.void_intervals`).
    Raises ``OSError`` (no file), ``ValueError`` (no profile at or before ``time``) and
    ``KeyError`` (a column missing)."""
    path = Path(folder) / PROFILES
    info = path.stat()
    return _read_void_map(str(Path(folder)), time, info.st_mtime_ns, info.st_size)


def is_ring_crack(crack_kind: str | None, geometry_kind: str | None) -> bool:
    """Whether a crack case's crack is a ring crack: an edge crack in an axisymmetric cell (a
    circumferential crack from the interface at radius ``crack.position``)."""
    return crack_kind == "edge" and geometry_kind == "axisymmetric"


def crack_voids(voids: Iterable[tuple[float, float]], void_map: str | None,
                void_map_time: float | None) -> tuple[tuple[float, float], ...]:
    """The voids of a crack case [m]: the ``[[crack.voids]]`` intervals and those of the void
    map (:func:`read_void_map` of ``void_map`` at ``void_map_time``), sorted, overlapping
    ones merged (``ssbx.setup.crack_spec_of``)."""
    mapped = read_void_map(void_map, void_map_time) if void_map is not None else ()
    return merge_intervals((*voids, *mapped))


def _check_crack_voids(st: ValidationState) -> tuple[tuple[float, float], ...] | None:
    """The voids of a crack case (:func:`crack_voids`) for its validation, or ``None`` after
    a problem with them: planar cracks only, ``void_map`` a stripping run folder with its
    interface profiles (read here: its voids are checked with the crack before any mesh),
    ``void_map_time`` only with a void map."""
    v = st.values
    voids = v.get("crack.voids", ())
    folder, time = v.get("crack.void_map"), v.get("crack.void_map_time")
    start = len(st.problems)
    if time is not None and "crack.void_map" not in st.given:
        st.problems.append(
            f"{st.shown('crack.void_map_time')}: the time of the void map's interface profile; "
            "allowed: set crack.void_map (a stripping run folder), or remove the key")
    given = [p for p in ("crack.voids", "crack.void_map") if p in st.given
             and (p in st.bad or p == "crack.void_map" or v.get(p))]
    if v.get("crack.kind") == "penny" and given:
        st.problems.append(
            " and ".join(st.shown(p) for p in given)
            + f" with {st.shown('crack.kind')}: interfacial voids are intervals of the planar "
            'interface; allowed: crack.kind = "edge" or "internal" (geometry.kind = "planar"), '
            "or remove the voids")
        return None
    if "crack.voids" in st.bad or "crack.void_map_time" in st.bad:
        return None
    mapped: tuple[tuple[float, float], ...] = ()
    if folder is not None:
        if not folder.strip():
            st.problems.append(
                f"{st.shown('crack.void_map')}: expected the path of a stripping run folder "
                f"(with {PROFILES})")
            return None
        path = Path(void_map_path(folder))
        v["crack.void_map"] = str(path)
        relative = "" if Path(folder).expanduser().is_absolute() else (
            ", relative to the current working directory")
        if not path.exists():
            st.problems.append(
                f"{st.shown('crack.void_map')}: no such folder ({path}{relative}); expected "
                f'the run folder of a stripping run (problem = "stripping"), with {PROFILES}')
        elif not path.is_dir():
            st.problems.append(
                f"{st.shown('crack.void_map')}: {path} is not a folder; expected the run folder "
                f'of a stripping run (problem = "stripping"), with {PROFILES}')
        elif not (path / PROFILES).is_file():
            st.problems.append(
                f"{st.shown('crack.void_map')}: {path} has no {PROFILES}; expected the run "
                'folder of a stripping run (problem = "stripping" writes its interface '
                "profiles there)")
        else:
            try:
                mapped = read_void_map(path, time)
            except (OSError, ValueError, KeyError) as err:
                when = f" at {st.shown('crack.void_map_time')}" if time is not None else ""
                reason = f"column {err} missing" if isinstance(err, KeyError) else str(err)
                st.problems.append(
                    f"{st.shown('crack.void_map')}: cannot read the void map{when} ({reason})")
    if len(st.problems) > start:
        return None
    return merge_intervals((*voids, *mapped))


def _voids_text(st: ValidationState, voids: tuple[tuple[float, float], ...]) -> str:
    """The voids of a crack case for messages (sorted, numbered as ``validate_crack`` does)."""
    mapped = st.values.get("crack.void_map") is not None
    where = ("crack.voids and crack.void_map, merged" if st.values.get("crack.voids") and mapped
             else "crack.void_map" if mapped else "crack.voids")
    text = ", ".join(f"{k}: {show_um(a)} .. {show_um(b)}" for k, (a, b) in enumerate(voids))
    hint = ("; the void map's cell is centred on x = 0: geometry.width must be at least the "
            "stripping cell's width" if mapped else "")
    return f"; the voids ({where}), x from the middle of the electrolyte: {text}{hint}"


def _crack_place(st: ValidationState) -> str:
    """The keys that place the crack and the electrolyte around it, ``key = value`` each."""
    paths = [p for p in _CRACK_PLACE if p in st.given or p in ("crack.kind", "crack.length")]
    return ", ".join(st.shown(p) for p in (*paths, "geometry.width", "geometry.h_se"))


def crack_cell_estimate(kind: str, length: float, width: float, height: float,
                        sizes: tuple[float, float, float, float, float]) -> int:
    """Triangles of the crack mesh (:func:`ssbx.meshes.cracks.build_crack_mesh`), estimated
    from the area at the far size plus the graded zones about the tips and along the crack
    (``sizes``: tip, face and far sizes [m], tip zone [m] and growth [-] of
    :class:`ssbx.meshes.cracks.CrackMeshSizes`: the size grows linearly with the distance from
    the tip zone and the faces). A guard against meshes orders of magnitude too large (within
    a factor ~1.5 of Gmsh's counts), not a prediction."""
    tip, face, far, zone, growth = sizes
    tips = 2 if kind == "internal" else 1
    crack = 2.0 * length if kind == "internal" else length
    count = width * height / (_TRIANGLE * far * far)
    if far > tip:
        count += tips * math.pi * zone * zone * (1.0 / tip**2 - 1.0 / far**2) / _TRIANGLE
        count += tips * _graded_disk(tip, far, (far - tip) / growth)
    count += _graded_band(face, far, growth, crack)
    return math.ceil(count) if math.isfinite(count) else sys.maxsize


def _check_crack_growth(st: ValidationState) -> None:
    """Crack growth (``crack.growth_steps > 0``): a planar crack, no ``fill`` (the Li follows
    the crack up to ``dry_tip``), an increment that fits the electrolyte, a dry tip shorter
    than the crack; the growth keys only with growth."""
    v = st.values
    steps = v.get("crack.growth_steps")
    kind, length = v.get("crack.kind"), v.get("crack.length")
    increment, dry_tip = v.get("crack.growth_increment"), v.get("crack.dry_tip")
    if not steps:
        for path, given in (("crack.growth_increment", increment is not None),
                            ("crack.dry_tip", bool(dry_tip))):
            if given and path not in st.bad:
                st.problems.append(
                    f"{st.shown(path)}: used only when the crack grows; allowed: set "
                    "crack.growth_steps > 0, or remove the key")
        return
    if kind == "penny" or v.get("geometry.kind") == "axisymmetric":
        what = (st.shown("crack.kind") if kind == "penny"
                else f"{st.shown('geometry.kind')} (a ring crack)")
        st.problems.append(
            f"{st.shown('crack.growth_steps')} with {what}: growth follows "
            "a planar crack's path (the maximum tangential stress at its tips); allowed: "
            'crack.kind = "edge" or "internal" in a planar cell, or growth_steps = 0')
    if v.get("crack.fill") is not None:
        st.problems.append(
            f"{st.shown('crack.growth_steps')} with {st.shown('crack.fill')}: the Li follows "
            "the growing crack up to crack.dry_tip behind its tips; allowed: crack.dry_tip = "
            "length - fill instead of fill")
    width, height = v.get("geometry.width"), v.get("geometry.h_se")
    if increment is not None and width is not None and height is not None:
        limit = min(width, height) / 4
        if increment > limit * (1 + 1e-12):
            st.problems.append(
                f"{st.shown('crack.growth_increment')}: must be <= min(geometry.width, "
                f"geometry.h_se)/4 = {show_um(limit)} (several increments across the "
                "electrolyte)")
    if dry_tip and length is not None and dry_tip >= length:
        st.problems.append(
            f"{st.shown('crack.dry_tip')}: the Li fills part of the crack; allowed: dry_tip < "
            f"{st.shown('crack.length')}")


#: The extrusion laws of ``crack.extrusion`` that are Li's size- and rate-dependent law.
_SIZE_DEPENDENT = ("size_dependent", "size_dependent_dislocation")


def _check_crack_plating(st: ValidationState) -> None:
    """Plating into a crack (``crack.plating_current``): an edge crack (its Li belongs to the
    electrode), no other source of the Li pressure, kinetics with a current law; the
    extrusion law only with a plating current, the size-dependent ones for Li near room
    temperature."""
    v = st.values
    current, extrusion = v.get("crack.plating_current"), v.get("crack.extrusion", "none")
    if current is None:
        if extrusion != "none":
            st.problems.append(
                f"{st.shown('crack.extrusion')}: the law of the Li extruded under a plating "
                "current; allowed: set crack.plating_current, or extrusion = \"none\"")
        return
    kind = v.get("crack.kind")
    if kind is not None and kind != "edge":
        st.problems.append(
            f"{st.shown('crack.plating_current')} with {st.shown('crack.kind')}: Li plates "
            "into a crack connected to the Li electrode; allowed: crack.kind = \"edge\", or "
            "remove plating_current")
    given = [p for p in ("crack.li_pressure", "crack.overpotential") if v.get(p) is not None]
    if given:
        st.problems.append(
            f"{st.shown('crack.plating_current')} and "
            + " and ".join(st.shown(p) for p in given)
            + ": with a plating current the Li pressure is the steady one it builds; allowed: "
            "plating_current alone, or remove it")
    if v.get("interface.kinetics") == "primary":
        st.problems.append(
            f"{st.shown('crack.plating_current')} with {st.shown('interface.kinetics')}: the "
            "crack faces need a current-overpotential law (the Li pressure enters through the "
            'overpotential); allowed: interface.kinetics = "linear" or "butler_volmer"')
    if extrusion in _SIZE_DEPENDENT:
        metal = v.get("anode.metal", "Li")
        temperature = v.get("operation.temperature", 298.15)
        if metal != "Li":
            st.problems.append(
                f"{st.shown('crack.extrusion')} with {st.shown('anode.metal')}: the size- and "
                "rate-dependent law (Xu et al. 2017, Nabarro-Herring flow) is Li's; allowed: "
                'extrusion = "none" or "bulk", or anode.metal = "Li"')
        elif temperature is not None and not (
                XU_2017_TEMPERATURES[0] <= temperature <= XU_2017_TEMPERATURES[1]):
            st.problems.append(
                f"{st.shown('crack.extrusion')}: the size factor is measured at room "
                f"temperature, but {st.shown('operation.temperature')} (allowed: 10-40 °C, or "
                'extrusion = "bulk")')


def check_crack(st: ValidationState) -> None:
    """A crack case: the crack kind fits the geometry kind, one source of the Li pressure,
    the fill within the crack, the crack inside the electrolyte
    (:func:`ssbx.meshes.cracks.validate_crack`), a fracture toughness, mesh sizes ordered
    and the mesh within ``mesh.max_cells``."""
    if st.values.get("problem") != "crack":
        return
    v = st.values
    start = len(st.problems)
    kind, geometry = v.get("crack.kind"), v.get("geometry.kind")
    voids = st.given.get("geometry.voids")
    if voids:
        st.problems.append(
            f"geometry.voids: not used by problem = \"crack\"; {_CRACK_BODY}; remove the "
            "[[geometry.voids]] tables")
    if kind == "penny" and geometry == "planar":
        st.problems.append(
            f"{st.shown('crack.kind')} with {st.shown('geometry.kind')}: a penny crack is "
            'circular about the axis; allowed: geometry.kind = "axisymmetric", or crack.kind = '
            '"edge" or "internal" in a planar cell')
    elif kind == "internal" and geometry == "axisymmetric":
        st.problems.append(
            f"{st.shown('crack.kind')} with {st.shown('geometry.kind')}: an internal crack is a "
            'plane (plane-strain) crack; allowed: geometry.kind = "planar", crack.kind = '
            '"penny" (on the axis) or "edge" (a ring crack at radius crack.position) in an '
            "axisymmetric cell")
    if kind == "penny":
        for path, what in (("crack.inclination", "lies in the plane z = 0"),
                           ("crack.position", "is centred on the axis"),
                           ("crack.in_plane_stress", "is loaded by the Li and the stack "
                            "pressure only")):
            if v.get(path):
                st.problems.append(f"{st.shown(path)}: a penny crack {what}; allowed: 0 (or "
                                   "leave the key out)")
    if kind in ("edge", "penny") and v.get("crack.depth") is not None:
        st.problems.append(
            f"{st.shown('crack.depth')}: only an internal crack has a depth (an edge crack "
            "starts at the interface, a penny crack lies on it); remove the key")
    if v.get("crack.li_pressure") is not None and v.get("crack.overpotential") is not None:
        st.problems.append(
            f"{st.shown('crack.li_pressure')} and {st.shown('crack.overpotential')}: the Li "
            "pressure is given directly or from the plating overpotential (p = F |eta| / "
            "Omega), not both; allowed: one of them (neither: li_pressure = 0)")
    length, fill = v.get("crack.length"), v.get("crack.fill")
    _check_crack_growth(st)
    _check_crack_plating(st)
    voids = _check_crack_voids(st)
    if length is not None and fill is not None and fill > length * (1 + 1e-12):
        st.problems.append(
            f"{st.shown('crack.fill')}: the Li fills at most the whole crack; allowed: "
            f"fill <= {st.shown('crack.length')} (or leave fill out: the whole crack)")
    preset = v.get("mechanics.electrolyte_preset")
    if (v.get("mechanics.electrolyte_fracture_toughness") is None and preset is not None
            and "mechanics.electrolyte_fracture_toughness" not in st.bad
            and electrolyte_preset(preset).fracture_toughness is None):
        st.problems.append(
            f"{st.shown('mechanics.electrolyte_preset')} has no fracture toughness: set "
            "mechanics.electrolyte_fracture_toughness (a fracture toughness, e.g. "
            '"1.25 MPa*m^0.5")')
    needed = ("crack.kind", "crack.length", "crack.inclination", "crack.position",
              "geometry.width", "geometry.h_se")
    if len(st.problems) > start or voids is None or not st.ok(*needed) or any(
            p in st.bad for p in ("crack.depth", "crack.fill", "crack.tip_size",
                                  "crack.face_size", "crack.far_size", "mesh.max_cells")):
        return
    spec = CrackSpec(kind, length, v["geometry.width"], v["geometry.h_se"],
                     inclination=math.radians(v["crack.inclination"]),
                     position=v["crack.position"], depth=v.get("crack.depth"), fill=fill,
                     voids=voids, ring=is_ring_crack(kind, v.get("geometry.kind")))
    try:
        validate_crack(spec)
    except ValueError as err:
        reasons = str(err).removeprefix("invalid crack: ").split("; ")
        shown = _voids_text(st, voids) if voids else ""
        st.problems.append(f"{_crack_place(st)}: the crack does not fit the electrolyte: "
                           + "; ".join(reasons) + shown)
        return
    default = default_sizes(spec)
    sizes = {name: v.get(f"crack.{name}_size") or getattr(default, name)
             for name in ("tip", "face", "far")}
    for small, large in (("tip", "face"), ("face", "far")):
        if sizes[small] > sizes[large] * (1 + 1e-12):
            st.problems.append(
                f"crack.{small}_size = {show_um(sizes[small])}"
                + ("" if f"crack.{small}_size" in st.given else " (default)")
                + f": must be <= crack.{large}_size = {show_um(sizes[large])}"
                + ("" if f"crack.{large}_size" in st.given else " (default)"))
    if sizes["face"] > length / 2 * (1 + 1e-12):
        st.problems.append(
            f"crack.face_size = {show_um(sizes['face'])}: must be <= crack.length/2 = "
            f"{show_um(length / 2)} (at least two elements along the crack)")
    if len(st.problems) > start:
        return
    cells = crack_cell_estimate(kind, length, spec.width, spec.height,
                                (sizes["tip"], sizes["face"], sizes["far"], default.tip_zone,
                                 default.growth))
    limit = v.get("mesh.max_cells")
    if limit is not None and cells > limit:
        memory = cells * BYTES_PER_CELL / 1e9
        st.problems.append(
            f"the crack mesh would have about {cells:.3g} triangles (~{memory:.3g} GB) with "
            f"crack.tip_size = {show_um(sizes['tip'])}, crack.face_size = "
            f"{show_um(sizes['face'])} and crack.far_size = {show_um(sizes['far'])} "
            f"({_crack_place(st)}); expected at most {st.shown('mesh.max_cells')}: check the "
            "units (a bare number is metres), coarsen the mesh, or raise mesh.max_cells")


# --------------------------------------------------------------------------- stack


#: What a layer is, for messages.
_LAYER = ("a layer is a table with kind (elastic | metal | cathode), name and thickness, and "
          "the keys of its kind")

#: The keys each friction mode of a metal layer needs.
_FRICTION_NEEDS: dict[str, tuple[str, ...]] = {
    "frictionless": (),
    "coulomb": ("friction_coefficient", "radius"),
    "bonded": ("radius",),
    "die": ("radius", "clearance", "clearance_length"),
}

_LAYER_NAME = re.compile(r"[A-Za-z0-9_-]+")

#: The electrolyte presets an elastic layer may name (its ``material``).
_LAYER_MATERIALS: tuple[str, ...] = next(k.choices or () for k in LAYER_KEYS
                                         if k.name == "material")


def _check_layer_kind(where: str, kind: str, item: dict[str, Any], x: dict[str, Any],
                      problems: list[str]) -> dict[str, Any] | None:
    """The kind-specific checks and defaults of one layer: the fields of its
    :class:`LayerSpec` besides kind, name and thickness, or ``None`` after a problem (appended
    to ``problems``)."""
    n0 = len(problems)
    allowed = LAYER_KIND_KEYS[kind]
    for name in item:
        if name not in ("kind", "name", "thickness") and name not in allowed:
            problems.append(
                f"{where}.{name} = {show_given(item[name])}: not a key of a {kind} layer; "
                f"allowed: kind, name, thickness, {', '.join(allowed)}")
    out = {name: x[name] for name in allowed if name in x}
    if kind == "elastic":
        has_e, has_nu = "youngs_modulus" in item, "poisson_ratio" in item
        if "material" in item and (has_e or has_nu):
            problems.append(
                f"{where}: material = {show_given(item['material'])} and youngs_modulus/"
                "poisson_ratio both given; an elastic layer takes either an electrolyte preset "
                "(material) or youngs_modulus and poisson_ratio")
        elif "material" not in item and not (has_e and has_nu):
            problems.append(
                f"{where}: an elastic layer needs material (an electrolyte preset: "
                + ", ".join(str(c) for c in _LAYER_MATERIALS)
                + ") or both youngs_modulus and poisson_ratio")
        out.setdefault("confined", True)
    elif kind == "cathode":
        for name in ("youngs_modulus", "poisson_ratio", "state_of_charge", "strain"):
            if name not in item:
                problems.append(f"{where}: {name} missing; a cathode layer needs "
                                "youngs_modulus, poisson_ratio and its eigenstrain table "
                                "state_of_charge, strain")
        out.setdefault("confined", True)
        soc, strain = x.get("state_of_charge"), x.get("strain")
        if soc is not None and strain is not None:
            if len(soc) != len(strain) or len(soc) < 2:
                problems.append(
                    f"{where}.state_of_charge = {show_given(item['state_of_charge'])} and "
                    f"{where}.strain = {show_given(item['strain'])}: expected two tables of the "
                    f"same length, at least 2 (got {len(soc)} and {len(strain)})")
            elif any(b <= a for a, b in itertools.pairwise(soc)) or soc[0] < 0.0 or \
                    soc[-1] > 1.0:
                problems.append(
                    f"{where}.state_of_charge = {show_given(item['state_of_charge'])}: expected "
                    "increasing states of charge in [0, 1]")
            elif min(strain) <= -1.0:
                problems.append(f"{where}.strain = {show_given(item['strain'])}: expected "
                                "eigenstrains > -1")
    else:  # metal
        out.setdefault("side", 1)
        out.setdefault("creep", True)
        friction = out.setdefault("friction", "frictionless")
        if "friction" in item and "friction" not in x:
            return None  # reported by check_key
        needs = _FRICTION_NEEDS[friction]
        for name in needs:
            if name not in item:
                problems.append(
                    f"{where}: {name} missing; friction = {show_given(friction)} needs "
                    f"{' and '.join(needs)}")
        for name in ("friction_coefficient", "radius", "clearance", "clearance_length"):
            if name in item and name not in needs:
                used = [f for f, keys in _FRICTION_NEEDS.items() if name in keys]
                problems.append(
                    f"{where}.{name} = {show_given(item[name])}: not used with friction = "
                    f"{show_given(friction)}; used by friction = "
                    + " | ".join(show_given(f) for f in used))
    return out if len(problems) == n0 else None


def walk_stack_layers(value: Any, st: ValidationState) -> None:
    """Check the ``[[stack.layers]]`` array of tables (types, units, the keys of each kind,
    what each friction mode needs, the cathode's eigenstrain table, unique names):
    ``st.values["stack.layers"]`` gets the :class:`LayerSpec` records, bottom to top, when
    every table is right, else the key is bad. :func:`ssbx.case.load.resolve_case` calls it
    for the ``stack.layers`` key besides :func:`ssbx.case.validate.walk_keys`."""
    path = "stack.layers"
    st.given[path] = value
    if not expect_array_of_tables(value, path, st.problems, before="the keys of each layer",
                                  one=f"[[stack.layers]] table per layer ({_LAYER})"):
        st.bad.add(path)
        return
    item_keys = {k.name: k for k in LAYER_KEYS}
    layers: list[LayerSpec] = []
    ok = True
    for i, item in enumerate(value):
        where = f"{path}[{i}]"
        if not isinstance(item, dict):
            st.problems.append(f"{where} = {show_given(item)}: is {toml_type(item)}; expected a "
                               f"table ({_LAYER})")
            ok = False
            continue
        n0 = len(st.problems)
        x: dict[str, Any] = {}
        for name, v in item.items():
            if name not in item_keys:
                st.problems.append(unknown_key_message(
                    f"{where}.{name}", v, name, list(item_keys), "key in a layer",
                    search_elsewhere=False))
                continue
            good, q = check_key(item_keys[name], f"{where}.{name}", v, st.problems)
            if good:
                x[name] = q
        missing = [name for name in ("kind", "name", "thickness") if name not in item]
        if missing:
            st.problems.append(f"{where}: {' and '.join(missing)} missing; {_LAYER}")
        if "name" in x and not _LAYER_NAME.fullmatch(x["name"]):
            st.problems.append(f"{where}.name = {show_given(item['name'])}: expected letters, "
                               "digits, _ and - only (it names columns and summary scalars)")
        fields = None
        if "kind" in x:
            fields = _check_layer_kind(where, x["kind"], item, x, st.problems)
        if len(st.problems) > n0 or fields is None:
            ok = False
            continue
        layers.append(LayerSpec(kind=x["kind"], name=x["name"], thickness=x["thickness"],
                                **fields))
    if ok:
        names = [layer.name for layer in layers]
        for name in sorted({n for n in names if names.count(n) > 1}):
            index = [k for k, n in enumerate(names) if n == name]
            st.problems.append(
                f"{path}: the name {name!r} is given to layers "
                + ", ".join(str(k) for k in index) + "; expected unique layer names")
            ok = False
    if ok:
        st.values[path] = tuple(layers)
    else:
        st.bad.add(path)


def check_stack(st: ValidationState) -> None:
    """A stack case: at least one layer, the capacity a cathode needs, a fixture of the
    reduced model with only the keys its type uses, no voltage holds in the protocol."""
    if st.values.get("problem") != "stack":
        return
    layers = st.values.get("stack.layers", ())
    if "stack.layers" not in st.bad and not layers:
        st.problems.append(
            f"{st.shown('stack.layers')}: no layers; a stack case needs at least one "
            f"[[stack.layers]] table, bottom to top ({_LAYER})")
    if any(layer.kind == "cathode" for layer in layers) and \
            st.values.get("stack.capacity") is None and "stack.capacity" not in st.bad:
        st.problems.append(
            "stack.capacity missing: a cathode layer follows the state of charge, which needs "
            'the cell\'s areal capacity, e.g. capacity = "4 mAh/cm^2"')
    fixture = st.values.get("fixture.type")
    if fixture is not None:
        uses = {"fixed_gap": ("fixture.compliance", "fixture.relaxation_fraction",
                              "fixture.relaxation_time"),
                "spring": ("fixture.stiffness", "fixture.compliance",
                           "fixture.friction_threshold"),
                "pressure": (), "rigid_plate": ()}[fixture]
        for path in ("fixture.stiffness", *_STACK_FIXTURE_KEYS):
            if path in st.given and path not in st.bad and path not in uses \
                    and not _is_default(st, path):
                users = [t for t, keys in (("fixed_gap", ("fixture.compliance",
                                                          "fixture.relaxation_fraction",
                                                          "fixture.relaxation_time")),
                                           ("spring", ("fixture.stiffness", "fixture.compliance",
                                                       "fixture.friction_threshold")))
                         if path in keys]
                st.problems.append(
                    f"{st.shown(path)}: not used by {st.shown('fixture.type')}; used by "
                    + " and ".join(f'type = "{t}"' for t in users) + "; remove the key")
        if fixture == "fixed_gap":
            g = st.values.get("fixture.relaxation_fraction")
            tau = st.values.get("fixture.relaxation_time")
            comp = st.values.get("fixture.compliance")
            if g is not None and g > 0.0 and tau is None and \
                    "fixture.relaxation_time" not in st.bad:
                st.problems.append(
                    f"{st.shown('fixture.relaxation_fraction')}: needs fixture.relaxation_time "
                    '(the load train\'s relaxation time, e.g. "10 min")')
            if tau is not None and g == 0.0:
                st.problems.append(
                    f"{st.shown('fixture.relaxation_time')}: no relaxation without "
                    "fixture.relaxation_fraction > 0; set it or remove the key")
            if g is not None and g > 0.0 and comp == 0.0:
                st.problems.append(
                    f"{st.shown('fixture.relaxation_fraction')} with "
                    f"{st.shown('fixture.compliance')}: a relaxing load train needs its "
                    'compliance > 0, e.g. compliance = "1 um/MPa"')
    _check_stripped_through(st, layers)
    steps = st.given.get("protocol.steps")
    if isinstance(steps, list):
        for i, text in enumerate(steps):
            if isinstance(text, str) and re.match(r"\s*hold\b", text, re.IGNORECASE):
                st.problems.append(
                    f"protocol.steps[{i}] = {show_given(text)}: a voltage hold is not a step of "
                    'problem = "stack" (no electrochemistry); allowed: "Plate at <current '
                    'density> for <time or capacity>" (charge), "Strip at ..." (discharge), '
                    '"Rest for <time>"')


def _check_stripped_through(st: ValidationState, layers: Iterable[LayerSpec]) -> None:
    """A metal layer that the protocol strips by more than its thickness (Ω q/F, the
    largest charge it loses at any point of the protocol; creep and elasticity thin it
    further, which only the run sees) is refused before the run."""
    resolved = st.values.get("protocol.resolved")
    metal_name = st.values.get("anode.metal")
    if not resolved or metal_name is None:
        return
    omega = st.values.get("anode.molar_volume")
    if omega is None:
        omega = anode_metal(metal_name).molar_volume
    charge, low, high = 0.0, 0.0, 0.0
    for step in resolved:
        if step.kind == "hold":
            return  # refused below
        current = -step.current_density  # the stack's convention: charge (plate) > 0
        duration = step.duration if step.duration is not None else (
            step.capacity / abs(step.current_density))
        charge += current * duration
        low, high = min(low, charge), max(high, charge)
    for k, layer in enumerate(layers):
        if layer.kind != "metal" or not layer.side:
            continue
        lost = -(low if layer.side > 0 else -high)
        stripped = omega * lost / FARADAY
        if stripped >= layer.thickness:
            st.problems.append(
                f"stack.layers[{k}] ({layer.name}, thickness {show_um(layer.thickness)}, side "
                f"{layer.side}): the protocol strips {show_um(stripped)} of {metal_name} from "
                "it (Omega q/F at its lowest point); expected a thicker layer or less "
                "charge the other way")


# --------------------------------------------------------------------------- particle
def check_protocol_kinds(st: ValidationState) -> None:
    """Each problem kind takes the protocol steps of its electrode: ``Charge``/``Discharge``
    for an intercalation particle, ``Strip``/``Plate``/``Ramp`` for a Li-metal electrode;
    a particle case must give its steps (the default is a stripping step)."""
    kind = st.values.get("problem")
    if kind not in ("stripping", "stack", "particle"):
        return
    steps = st.given.get("protocol.steps")
    if kind == "particle" and steps is None and "protocol.steps" not in st.bad:
        st.problems.append(
            'protocol.steps: required by problem = "particle", e.g. steps = ["Charge at 1 '
            'mA/cm^2 for 30 min", "Rest for 10 min"] or ["Hold at 3.985 V for 1 h"]')
        return
    allowed = PARTICLE_KINDS if kind == "particle" else METAL_KINDS
    forms = [f for f in FORMS if f.split(" ", 1)[0].lower() in allowed
             or (f.startswith("Ramp") and kind != "particle")]
    if not isinstance(steps, list):
        return
    for i, text in enumerate(steps):
        if not isinstance(text, str):
            continue
        try:
            parsed = parse_protocol([text])
        except ProtocolError:
            continue  # reported by check_stripping
        if any(step.kind not in allowed for step in parsed):
            st.problems.append(
                f"protocol.steps[{i}] = {show_given(text)}: not a step of problem = "
                f'"{kind}"; allowed: ' + ", ".join(f'"{f}"' for f in forms))


def _check_factor_table(st: ValidationState, name: str) -> None:
    """A property table of a particle: ``particle.<name>_lithiation`` (two or more, strictly
    increasing, within [0, 1]) with as many positive ``particle.<name>_factor``, or neither."""
    x_path, f_path = f"particle.{name}_lithiation", f"particle.{name}_factor"
    if x_path in st.bad or f_path in st.bad:
        return
    xs, fs = st.values.get(x_path) or (), st.values.get(f_path) or ()
    if not xs and not fs:
        return
    if len(xs) < 2 or any(b <= a for a, b in itertools.pairwise(xs)) \
            or not 0.0 <= xs[0] <= xs[-1] <= 1.0:
        st.problems.append(f"{st.shown(x_path)}: expected at least two lithiations, strictly "
                           f"increasing, within [0, 1] (with {f_path})")
    if len(fs) != len(xs) or any(not f > 0.0 for f in fs):
        st.problems.append(f"{st.shown(f_path)}: expected {len(xs)} factors > 0, one per "
                           f"entry of {x_path}")


def _check_lattice_tables(st: ValidationState) -> bool:
    """The lattice-parameter tables: ``particle.lattice_lithiation`` (two or more, strictly
    increasing, within [0, 1]) with as many positive ``lattice_a_table`` and
    ``lattice_c_table`` values, or none of the three. Returns whether they are given."""
    paths = [f"particle.lattice_{k}" for k in ("lithiation", "a_table", "c_table")]
    if any(p in st.bad for p in paths):
        return True
    xs, a_values, c_values = (st.values.get(p) or () for p in paths)
    if not (xs or a_values or c_values):
        return False
    if len(xs) < 2 or any(b <= a for a, b in itertools.pairwise(xs)) \
            or not 0.0 <= xs[0] <= xs[-1] <= 1.0:
        st.problems.append(f"{st.shown(paths[0])}: expected at least two lithiations, strictly "
                           "increasing, within [0, 1] (with particle.lattice_a_table, "
                           "particle.lattice_c_table)")
    for path, values in zip(paths[1:], (a_values, c_values), strict=True):
        if len(values) != len(xs) or any(not v > 0.0 for v in values):
            st.problems.append(f"{st.shown(path)}: expected {len(xs)} lattice parameters > 0, "
                               f"one per entry of {paths[0]}")
    return True


def check_embedded(st: ValidationState) -> None:
    """An embedded-particle case: the volume fraction fits the matrix body, the mesh sizes
    are ordered, at least two steps."""
    if st.values.get("problem") != "embedded_particle":
        return
    matrix = st.values.get("embedded.matrix", "cell")
    phi = st.values.get("embedded.volume_fraction")
    dimension = st.values.get("embedded.dimension", 2)
    largest = (2.0 / 3.0 if dimension == 2 else math.pi / 6.0) if matrix == "cell" else 1.0
    if phi is not None and "embedded.volume_fraction" not in st.bad and not phi < largest:
        st.problems.append(
            f"{st.shown('embedded.volume_fraction')}: expected < {largest:.4g} for embedded."
            f"matrix = \"{matrix}\" (" + ("the cell's radius and half-height must exceed the "
                                          "particle's radius)" if matrix == "cell" else
                                          "the shell must enclose the particle)"))
    radius = st.values.get("embedded.radius")
    size = st.values.get("embedded.mesh_size")
    fine = st.values.get("embedded.interface_mesh_size")
    if radius is not None and size is not None and fine is not None and fine > size:
        st.problems.append(f"{st.shown('embedded.interface_mesh_size')}: expected at most "
                           f"embedded.mesh_size ({size:g} m)")
    steps = st.values.get("embedded.steps")
    if steps is not None and "embedded.steps" not in st.bad and steps < 2:
        st.problems.append(f"{st.shown('embedded.steps')}: expected at least 2 (the start and "
                           "the end of the charge)")
    by = st.values.get("embedded.charge_by", "uniform")
    only = {"uniform": ("embedded.diffusivity", "embedded.c_rate", "embedded.time_steps",
                        "embedded.volume_change_charge", "embedded.volume_change_values"),
            "diffusion": ("embedded.steps",)}.get(by, ())
    # keys of the other choice, where set to other than their defaults (a resolved case
    # file carries every default)
    for path in only:
        if path in st.given and st.values.get(path, KEYS[path].default) != KEYS[path].default:
            st.problems.append(f"{st.shown(path)}: not used with embedded.charge_by = \"{by}\" "
                               "(remove it, or set charge_by to the other choice)")
    if (by == "diffusion" and st.values.get("embedded.interface", "contact") == "contact"
            and st.values.get("embedded.stack_pressure") == 0.0):
        st.warnings.append(f"{st.shown('embedded.stack_pressure')} with a contact interface "
                           "charged by diffusion: the interface carries no pressure at the "
                           "start, so (without adhesion) no node is in contact and the "
                           "particle is isolated from the first step; set a stack pressure, "
                           "or interface = \"bonded\"")
    _check_volume_change_table(st)


def _check_volume_change_table(st: ValidationState) -> None:
    """The embedded particle's volume-change table: both lists or neither, at least two
    points, shares charged strictly increasing within [0, 1], dV/V > -1, and not with a
    ``volume_change`` of its own."""
    xs = st.values.get("embedded.volume_change_charge") or ()
    vs = st.values.get("embedded.volume_change_values") or ()
    if not xs and not vs:
        return
    if len(xs) < 2 or len(xs) != len(vs):
        st.problems.append(f"{st.shown('embedded.volume_change_charge')} and "
                           f"{st.shown('embedded.volume_change_values')}: expected two lists of "
                           "equal length, at least two points each")
        return
    if xs[0] < 0.0 or xs[-1] > 1.0 or any(b <= a for a, b in itertools.pairwise(xs)):
        st.problems.append(f"{st.shown('embedded.volume_change_charge')}: expected strictly "
                           "increasing shares of the window charged within [0, 1]")
    if not all(v > -1.0 for v in vs):
        st.problems.append(f"{st.shown('embedded.volume_change_values')}: expected every "
                           "dV/V > -1")
    if "embedded.volume_change" in st.given and st.values.get(
            "embedded.volume_change") != KEYS["embedded.volume_change"].default:
        st.problems.append(f"{st.shown('embedded.volume_change')}: the table "
                           "embedded.volume_change_charge/values replaces it; remove one")


def check_particle(st: ValidationState) -> None:
    """A particle case: the OCV table (two or more points, lithiations strictly increasing in
    [0, 1], as many potentials), mesh sizes ordered, the Poisson ratio in range, the stress
    coupling with mechanics, the surface mesh size in 2-D only."""
    if st.values.get("problem") != "particle":
        return
    xs = st.values.get("particle.ocv_lithiation") or ()
    us = st.values.get("particle.ocv_potential") or ()
    if not xs and "particle.ocv_lithiation" not in st.bad:
        st.problems.append(
            'particle.ocv_lithiation, particle.ocv_potential: required by problem = "particle" '
            "(the open-circuit potential U(x) as a table), e.g. ocv_lithiation = [0.2, 1.0], "
            "ocv_potential = [4.2, 3.9]")
    elif xs:
        if len(xs) < 2 or any(b <= a for a, b in itertools.pairwise(xs)) \
                or not 0.0 <= xs[0] <= xs[-1] <= 1.0:
            st.problems.append(
                f"{st.shown('particle.ocv_lithiation')}: expected at least two lithiations, "
                "strictly increasing, within [0, 1]")
        if len(us) != len(xs) and "particle.ocv_potential" not in st.bad:
            st.problems.append(
                f"{st.shown('particle.ocv_potential')}: expected {len(xs)} potentials, one per "
                "entry of particle.ocv_lithiation")
    for name in ("diffusivity", "exchange_current"):
        _check_factor_table(st, name)
    nu = st.values.get("particle.poisson_ratio")
    if nu is not None and not -1.0 < nu < 0.5:
        st.problems.append(f"{st.shown('particle.poisson_ratio')}: expected a Poisson ratio "
                           "-1 < nu < 0.5")
    radius = st.values.get("particle.radius")
    size = st.values.get("particle.mesh_size")
    surface = st.values.get("particle.surface_mesh_size")
    if surface is not None and st.values.get("particle.dimension") == 3:
        st.problems.append(f"{st.shown('particle.surface_mesh_size')}: the 3-D sphere is "
                           "meshed uniformly (particle.mesh_size); remove the key")
    if st.given.get("particle.linear_solver") == "iterative" and (
            st.values.get("particle.dimension") != 3 or st.values.get("particle.mechanics") is False
            or st.values.get("particle.stress_coupling") is not False):
        st.problems.append(f"{st.shown('particle.linear_solver')}: the iterative solver "
                           "needs the one-way coupled 3-D particle: particle.dimension = 3, "
                           "particle.mechanics = true, particle.stress_coupling = false")
    if st.given.get("particle.body") == "whole" and st.values.get("particle.dimension") != 3:
        st.problems.append(f"{st.shown('particle.body')}: the whole sphere is a 3-D body; set "
                           "particle.dimension = 3 (in axisymmetry the sphere is whole "
                           "already)")
    if radius is not None and size is not None and size > radius:
        st.problems.append(f"{st.shown('particle.mesh_size')}: expected at most the radius "
                           f"({st.shown('particle.radius')})")
    if size is not None and surface is not None and surface > size:
        st.problems.append(f"{st.shown('particle.surface_mesh_size')}: expected at most "
                           f"{st.shown('particle.mesh_size')}")
    if st.values.get("particle.mechanics") is False \
            and st.given.get("particle.stress_coupling") is True:
        st.problems.append(f"{st.shown('particle.stress_coupling')}: needs the stresses, but "
                           f"{st.shown('particle.mechanics')}; remove one of the keys")
    lattice = [st.values.get(f"particle.lattice_{k}") for k in ("a", "c")]
    tables = _check_lattice_tables(st)
    if (lattice[0] is None) != (lattice[1] is None):
        st.problems.append("particle.lattice_a, particle.lattice_c: give both (the anisotropic "
                           "strain of the a and c lattice parameters) or neither")
    elif lattice[0] is not None and tables:
        st.problems.append(f"{st.shown('particle.lattice_lithiation')}: the lattice strain "
                           "is given twice; keep either the tables or particle.lattice_a, "
                           "particle.lattice_c")
    elif lattice[0] is not None or tables:
        key = "particle.lattice_a" if lattice[0] is not None else "particle.lattice_lithiation"
        if st.values.get("particle.dimension") != 3:
            st.problems.append(f"{st.shown(key)}: grains with an anisotropic "
                               "strain need particle.dimension = 3 (in axisymmetry a grain "
                               "would be a ring)")
        if st.values.get("particle.stress_coupling") is True:
            st.problems.append("particle.stress_coupling = true: the drift of Li towards "
                               "tension is implemented for the isotropic strain only; set "
                               "particle.stress_coupling = false with an anisotropic lattice "
                               "strain")
        if st.values.get("particle.mechanics") is False:
            st.problems.append(f"{st.shown('particle.mechanics')}: the lattice strain needs "
                               "the mechanics")
    else:
        for key in ("grains", "grain_seed", "grain_texture"):
            path = f"particle.{key}"
            if path in st.given and st.values.get(path) != KEYS[path].default:
                st.problems.append(f"{st.shown(path)}: grains are used with an anisotropic "
                                   "lattice strain only (particle.lattice_a, "
                                   "particle.lattice_c, or the lattice tables)")
    first, largest = st.values.get("particle.initial_step"), st.values.get("particle.max_step")
    if first is not None and largest is not None and first > largest:
        st.problems.append(f"{st.shown('particle.initial_step')}: expected at most "
                           f"{st.shown('particle.max_step')}")
