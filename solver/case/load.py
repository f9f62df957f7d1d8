"""Case files (TOML) → validated, resolved, typed :class:`~ssbx.case.records.Case`.

``load_case(path)`` reads a case file and ``resolve_case(raw)`` a parsed TOML dict: every key
is checked against the schema (:mod:`ssbx.case.validate`), then the cross-key rules
(:mod:`ssbx.case.rules`). All problems are collected and raised together as one
:class:`~ssbx.errors.CaseError`. Missing keys take the schema defaults.
:func:`with_overrides` changes keys by dotted path (``"geometry.voids.0.width"``) for sweeps.
"""

from __future__ import annotations

import copy
import re
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ssbx.case.records import (
    AnodeSpec,
    Case,
    CcsSpec,
    ContactSpec,
    CrackSpec,
    ElectrolyteSpec,
    EmbeddedSpec,
    FixtureSpec,
    InterfaceSpec,
    MechanicsSpec,
    OperationSpec,
    OutputSpec,
    ParticleSpec,
    ProtocolSpec,
    SolverSpec,
    StackSpec,
    TimeSpec,
    VacancySpec,
)
from ssbx.case.rules import (
    check_crack,
    check_dimension,
    check_embedded,
    check_mechanics,
    check_mesh,
    check_mesh_file,
    check_mesh_size,
    check_name,
    check_particle,
    check_physics,
    check_problem_keys,
    check_protocol_kinds,
    check_refinements,
    check_stack,
    check_stripping,
    check_voids,
    walk_crack_voids,
    walk_stack_layers,
)
from ssbx.case.schema import section_keys
from ssbx.case.validate import ValidationState, fill_defaults, show_given, walk_keys
from ssbx.errors import CaseError
from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec
from ssbx.units import (
    toml_type,
)


def build_case(st: ValidationState) -> Case:
    """The :class:`Case` record of a validated state (checked SI values, defaults filled)."""
    v = st.values

    def section(table: str) -> dict[str, Any]:
        return {
            name: v.get(f"{table}.{name}")
            for name, key in section_keys(table).items()
            if key.kind != "table_list"
        }

    voids = tuple(d.spec() for d in st.voids)
    return Case(
        name=v["name"],
        description=v["description"],
        problem=v["problem"],
        geometry=CellGeometrySpec(**section("geometry"), voids=voids),
        mesh=MeshSizeSpec(**section("mesh")),
        electrolyte=ElectrolyteSpec(**section("electrolyte")),
        interface=InterfaceSpec(
            **section("interface"), reference_temperature=v["electrolyte.reference_temperature"]
        ),
        operation=OperationSpec(**section("operation")),
        solver=SolverSpec(**section("solver")),
        anode=AnodeSpec(**section("anode")),
        mechanics=MechanicsSpec(**section("mechanics")),
        fixture=FixtureSpec(**section("fixture")),
        time=TimeSpec(**section("time")),
        protocol=ProtocolSpec(**section("protocol"), resolved=v.get("protocol.resolved", ())),
        contact=ContactSpec(**section("contact")),
        ccs=CcsSpec(**section("ccs")),
        vacancy=VacancySpec(**section("vacancy")),
        crack=CrackSpec(**section("crack"), voids=v.get("crack.voids", ())),
        stack=StackSpec(**section("stack")),
        particle=ParticleSpec(**section("particle")),
        embedded=EmbeddedSpec(**section("embedded")),
        output=OutputSpec(**section("output")),
        warnings=tuple(st.warnings),
    )


#: Marks a key that is not in the case.
_ABSENT = object()


def _without(raw: Mapping[str, Any], table: str, key: str) -> tuple[Mapping[str, Any], Any]:
    """``raw`` without the key ``table.key`` (not modified: a shallow copy when the key is
    there) and the value of that key (``_ABSENT`` when there is none): the ``[[crack.voids]]``
    tables are checked by :func:`ssbx.case.rules.walk_crack_voids`, the ``[[stack.layers]]``
    by :func:`ssbx.case.rules.walk_stack_layers`, the other keys by
    :func:`ssbx.case.validate.walk_keys`."""
    section = raw.get(table)
    if not isinstance(section, Mapping) or key not in section:
        return raw, _ABSENT
    rest = {name: value for name, value in section.items() if name != key}
    return {**raw, table: rest}, section[key]


# --------------------------------------------------------------------------- public API


def resolve_case(raw: Mapping[str, Any], name_default: str = "case") -> Case:
    """Validate a parsed case (TOML dict) and resolve it into a :class:`Case` (SI units).

    name_default: the case name when ``name`` is not given (the file stem for case files).
    Raises :class:`CaseError` listing every problem found.
    """
    if not isinstance(raw, Mapping):
        raise CaseError([f"the case is {toml_type(raw)}; expected a table of keys"])
    st = ValidationState()
    raw, crack_voids = _without(raw, "crack", "voids")
    raw, stack_layers = _without(raw, "stack", "layers")
    walk_keys(raw, st)
    if crack_voids is not _ABSENT:
        walk_crack_voids(crack_voids, st)
    if stack_layers is not _ABSENT:
        walk_stack_layers(stack_layers, st)
    fill_defaults(st, name_default)
    check_name(st)
    check_voids(st)
    check_dimension(st)
    check_refinements(st)
    check_mesh_file(st)
    check_mesh(st)
    check_mesh_size(st)
    check_physics(st)
    check_mechanics(st)
    check_stripping(st)
    check_crack(st)
    check_stack(st)
    check_particle(st)
    check_embedded(st)
    check_protocol_kinds(st)
    check_problem_keys(st)
    if st.problems:
        # the warnings often explain the errors (h_se = 50 is 50 m, hence a huge mesh)
        raise CaseError(st.problems + [f"note: {w}" for w in st.warnings])
    return build_case(st)


_LINE = re.compile(r"at line (\d+)")

#: The UTF-8 byte-order mark some editors write at the start of a file.
BOM = "\ufeff"


class InputFileError(ValueError):
    """An input file that cannot be read as text; the message names it and why."""


def read_input_text(path: Path, what: str = "case file") -> str:
    """The text of a UTF-8 input file (case or sweep), a leading byte-order mark removed.

    Raises :class:`InputFileError` for a missing file, anything that is not a regular file
    (a folder, a named pipe or a device: reading a pipe would wait for a writer forever) and
    unreadable or non-UTF-8 content.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such {what}") from None
    except OSError as err:
        raise InputFileError(f"{path}: cannot read the {what} ({err.strerror or err})") from None
    if not stat.S_ISREG(mode):
        kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode)
                else "a device or socket")
        raise InputFileError(f"{path}: is {kind}, not a {what} (expected a regular TOML file)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise InputFileError(f"{path}: cannot read the {what} ({reason})") from None
    return text.removeprefix(BOM)


def relative_to_case_file(raw: Any, folder: Path) -> Any:
    """``raw`` with a relative ``geometry.mesh_file`` made absolute against ``folder``, the
    case file's (the key names a file next to the case, wherever ssbx runs from)."""
    geometry = raw.get("geometry") if isinstance(raw, Mapping) else None
    value = geometry.get("mesh_file") if isinstance(geometry, Mapping) else None
    if not isinstance(value, str) or not value or Path(value).is_absolute():
        return raw
    return {**raw, "geometry": {**geometry, "mesh_file": str((folder / value).resolve())}}


def load_case(path: str | Path) -> Case:
    """Read, validate and resolve a case file; the name defaults to the file stem.

    Raises :class:`CaseError` (with ``source`` = the path) for a missing or unreadable file,
    TOML syntax errors (naming the line) and every problem of the case.
    """
    p = Path(path)
    try:
        text = read_input_text(p, "case file")
    except InputFileError as err:
        raise CaseError([str(err)], source=str(p)) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = f"{p}: TOML syntax error: {err}"
        match = _LINE.search(str(err))
        if match:
            n = int(match.group(1))
            lines = text.splitlines()
            if 1 <= n <= len(lines):
                msg = f"{p}:{n}: TOML syntax error: {err}: {lines[n - 1].strip()!r}"
        raise CaseError([msg], source=str(p)) from None
    raw = relative_to_case_file(raw, p.parent)
    try:
        return resolve_case(raw, name_default=p.stem)
    except CaseError as err:
        raise CaseError(err.problems, source=str(p)) from None


def with_overrides(
    case_or_raw: Case | Mapping[str, Any],
    overrides: Mapping[str, Any],
    name_default: str = "case",
) -> Case:
    """A case with some keys changed, for sweeps and benchmarks.

    case_or_raw: a :class:`Case` (its :meth:`Case.to_toml_dict` is used) or a raw TOML dict
        (not modified).
    overrides: dotted path → value as in a case file, e.g. ``{"geometry.voids.0.width":
        "30 um", "interface.asr": "2 ohm cm^2"}``; an integer part indexes an array (one past
        the end appends a new void); ``None`` removes the key (back to its default).
    Raises :class:`CaseError` for paths that do not fit the case and for an invalid result.
    """
    raw: dict[str, Any] = (
        case_or_raw.to_toml_dict()
        if isinstance(case_or_raw, Case)
        else copy.deepcopy(dict(case_or_raw))
    )
    problems: list[str] = []
    for path, value in overrides.items():
        parts = path.split(".")
        node: Any = raw
        try:
            for n, part in enumerate(parts[:-1]):
                nxt_is_index = parts[n + 1].isdigit()
                if isinstance(node, list):
                    idx = int(part)
                    if idx == len(node):
                        node.append({})
                    node = node[idx]
                else:
                    if part not in node or node[part] is None:
                        node[part] = [] if nxt_is_index else {}
                    node = node[part]
            last = parts[-1]
            if isinstance(node, list):
                idx = int(last)
                if value is None:
                    del node[idx]
                elif idx == len(node):
                    node.append(value)
                else:
                    node[idx] = value
            elif isinstance(node, dict):
                if value is None:
                    node.pop(last, None)
                else:
                    node[last] = value
            else:
                raise TypeError(f"{toml_type(node)} has no keys")
        except (ValueError, IndexError, TypeError) as err:
            problems.append(f"override {path} = {show_given(value)}: does not fit the case ({err})")
    if problems:
        raise CaseError(problems)
    return resolve_case(raw, name_default=name_default)
