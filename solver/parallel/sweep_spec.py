"""Sweep files: a base case and swept keys, expanded into validated cases.

A sweep file is TOML::

    [sweep]
    name = "ccs-vs-pressure"        # default: the file stem
    base = "ccs.toml"               # case file, relative to the sweep file; or an inline [base]
    command = "ccs"                 # "run" (default) or "ccs" (critical stripping current)
    mode = "product"                # "product" (default), "zip" or "latin_hypercube"
    samples = 16                    # latin_hypercube: number of cases
    seed = 1                        # latin_hypercube: random seed (default 0)

    [sweep.parameters]              # dotted case keys -> values as in a case file (units allowed)
    "fixture.pressure" = ["1 MPa", "3 MPa", "5 MPa"]
    "operation.temperature" = ["25 degC", "40 degC"]
    # latin_hypercube: "fixture.pressure" = { min = "1 MPa", max = "10 MPa", scale = "log" }

``product``: every combination, the first key varying slowest (``itertools.product`` order).
``zip``: the i-th case takes the i-th value of every key (lists of equal length).
``latin_hypercube``: ``samples`` cases; each key's range is cut into ``samples`` equal strata
(equal in log for ``scale = "log"``) and every stratum is used once, at a uniformly random point
inside it, strata paired at random across keys (McKay, Beckman & Conover 1979); seeded, so the
same file always gives the same cases.

:func:`load_sweep` validates the whole sweep before anything runs: the sweep table itself, then
every generated case through :func:`ssbx.case.with_overrides` (the same checks as a case file);
all problems are reported at once, each naming the case and its swept values. Case ``i`` is named
``<sweep name>-<iiii>``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ssbx.case import Case, with_overrides
from ssbx.case.load import InputFileError, read_input_text
from ssbx.errors import CaseError
from ssbx.units import show_value, toml_type, ureg

COMMANDS = ("run", "ccs")
MODES = ("product", "zip", "latin_hypercube")
SCALES = ("linear", "log")
SWEEP_KEYS = ("name", "base", "command", "mode", "samples", "seed", "parameters", "description")
MAX_CASES = 100_000
_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


class SweepError(ValueError):
    """An invalid sweep: ``problems`` lists every problem found (key, value, what is allowed)."""

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"invalid sweep file {self.source}" if self.source else "invalid sweep"
        return head + ":\n" + "\n".join(f"  - {p}" for p in self.problems)


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One swept key. ``values``: the values as written (lists), or ``None`` for a range
    (``low``/``high`` as written, ``scale``) sampled by the Latin hypercube."""

    key: str
    values: tuple[Any, ...] | None = None
    low: Any = None
    high: Any = None
    scale: str = "linear"


@dataclasses.dataclass(frozen=True)
class SweepCase:
    """One generated case: ``index`` (0-based), its swept ``values`` (key → value as passed to
    :func:`~ssbx.case.with_overrides`), the validated ``case`` and its ``digest`` (sha256 of the
    resolved case, which identifies it when a sweep is resumed)."""

    index: int
    values: dict[str, Any]
    case: Case

    @property
    def name(self) -> str:
        """The case's name."""
        return self.case.name

    @property
    def digest(self) -> str:
        """sha256 of the resolved case (:func:`case_digest`)."""
        return case_digest(self.case)


@dataclasses.dataclass(frozen=True)
class Sweep:
    """A validated sweep: its ``name``, ``command``, ``mode``, ``parameters``, the ``cases``, the
    ``source`` file and its text (copied into the sweep folder)."""

    name: str
    command: str
    mode: str
    parameters: tuple[Parameter, ...]
    cases: tuple[SweepCase, ...]
    source: str | None = None
    text: str = ""
    description: str = ""

    @property
    def keys(self) -> list[str]:
        """The swept keys, in order."""
        return [p.key for p in self.parameters]

    def manifest(self) -> dict[str, Any]:
        """What identifies the sweep's cases: name, command and each case's digest."""
        return {
            "sweep": self.name,
            "command": self.command,
            "mode": self.mode,
            "keys": self.keys,
            "cases": [{"index": c.index, "name": c.name, "values": c.values, "digest": c.digest}
                      for c in self.cases],
        }


def case_digest(case: Case) -> str:
    """sha256 of the resolved case (every key, SI units): equal digests, equal computations."""
    text = json.dumps(case.to_toml_dict(), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def si_value(case: Case, key: str) -> tuple[Any, str]:
    """The resolved (SI) value of the dotted ``key`` in ``case`` and its SI unit (``""`` for
    numbers, flags and words)."""
    node: Any = case.to_toml_dict()
    for part in key.split("."):
        if isinstance(node, list):
            node = node[int(part)] if part.isdigit() and int(part) < len(node) else None
        elif isinstance(node, Mapping):
            node = node.get(part)
        else:
            node = None
        if node is None:
            return None, ""
    if isinstance(node, str):
        m = _NUMBER_UNIT.match(node)
        if m and m.group(2):
            return float(m.group(1)), m.group(2)
    return node, ""


# ------------------------------------------------------------------------------- loading


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file and every case it generates (raises :class:`SweepError`)."""
    p = Path(path)
    try:
        text = read_input_text(p, "sweep file")
    except InputFileError as err:
        raise SweepError([str(err)], source=str(p)) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SweepError([f"{p}: TOML syntax error: {err}"], source=str(p)) from None
    try:
        return sweep_from_dict(raw, name_default=p.stem, base_dir=p.parent, text=text,
                               source=str(p))
    except SweepError as err:
        raise SweepError(err.problems, source=str(p)) from None


def sweep_from_dict(raw: Mapping[str, Any], *, name_default: str = "sweep",
                    base_dir: Path | None = None, text: str = "",
                    source: str | None = None) -> Sweep:
    """Validate a parsed sweep file (see the module docstring) and expand it into cases."""
    problems: list[str] = []
    for key in raw:
        if key not in ("sweep", "base"):
            problems.append(f"unknown top-level key {key!r}; allowed: [sweep] and [base]")
    table = raw.get("sweep")
    if not isinstance(table, Mapping):
        problems.append("missing the [sweep] table (name, base, command, mode, parameters)")
        raise SweepError(problems)
    for key in table:
        if key not in SWEEP_KEYS:
            problems.append(f"sweep.{key}: unknown key; allowed: {', '.join(SWEEP_KEYS)}")

    name = table.get("name", name_default)
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        problems.append(f"sweep.name = {show_value(name)}: must be a word of letters, digits, "
                        "'.', '_' or '-' (it names the sweep folder and its cases)")
        name = "sweep"
    description = table.get("description", "")
    if not isinstance(description, str):
        problems.append(f"sweep.description = {show_value(description)}: must be a string")
        description = ""
    command = table.get("command", "run")
    if command not in COMMANDS:
        problems.append(f"sweep.command = {show_value(command)}: allowed: "
                        + ", ".join(repr(c) for c in COMMANDS))
    mode = table.get("mode", "product")
    if mode not in MODES:
        problems.append(f"sweep.mode = {show_value(mode)}: allowed: "
                        + ", ".join(repr(m) for m in MODES))

    base_raw = _base_case(raw, table, base_dir, problems)
    parameters = _parameters(table.get("parameters"), mode, problems)
    samples, seed = _sampling(table, mode, problems)
    if problems:
        raise SweepError(problems)

    rows = _expand(parameters, mode, samples, seed, problems)
    if problems:
        raise SweepError(problems)
    cases: list[SweepCase] = []
    for index, values in enumerate(rows):
        case_name = f"{name}-{index:04d}"
        try:
            case = with_overrides(base_raw, {**values, "name": case_name}, name_default=case_name)
        except CaseError as err:
            shown = ", ".join(f"{k} = {show_value(v)}" for k, v in values.items())
            problems.extend(f"case {index} ({shown}): {p}" for p in err.problems)
            continue
        if command == "ccs" and case.problem != "stripping":
            problems.append(f'sweep.command = "ccs" needs stripping cases; case {index} has '
                            f'problem = "{case.problem}"')
            break
        cases.append(SweepCase(index, values, case))
    if problems:
        raise SweepError(problems)
    return Sweep(name=name, command=command, mode=mode, parameters=tuple(parameters),
                 cases=tuple(cases), source=source, text=text, description=description)


def _base_case(raw: Mapping[str, Any], table: Mapping[str, Any], base_dir: Path | None,
               problems: list[str]) -> dict[str, Any]:
    inline = raw.get("base")
    path = table.get("base")
    if inline is not None and path is not None:
        problems.append("give the base case either as sweep.base (a case file) or as an inline "
                        "[base] table, not both")
        return {}
    if inline is not None:
        if not isinstance(inline, Mapping):
            problems.append(f"[base] is {toml_type(inline)}; expected a table holding a case")
            return {}
        return dict(inline)
    if path is None:
        problems.append("no base case: set sweep.base = \"case.toml\" (relative to the sweep "
                        "file) or write the case in a [base] table")
        return {}
    if not isinstance(path, str):
        problems.append(f"sweep.base = {show_value(path)}: must be a path to a case file")
        return {}
    file = Path(path) if Path(path).is_absolute() or base_dir is None else base_dir / path
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"sweep.base = {path!r}: no such case file ({file})")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        problems.append(f"sweep.base = {path!r}: cannot read the case file {file} ({err})")
    return {}


def _parameters(table: Any, mode: str, problems: list[str]) -> list[Parameter]:
    if not isinstance(table, Mapping) or not table:
        problems.append("sweep.parameters: give at least one swept key, e.g. "
                        '"fixture.pressure" = ["1 MPa", "3 MPa"]')
        return []
    out: list[Parameter] = []
    for key, spec in table.items():
        where = f"sweep.parameters.{key!r}" if "." in key else f"sweep.parameters.{key}"
        if key == "name" or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*", key):
            problems.append(f"{where}: not a dotted case key such as \"fixture.pressure\" or "
                            "\"geometry.voids.0.width\" (and not the case name)")
            continue
        if mode == "latin_hypercube":
            if not isinstance(spec, Mapping):
                problems.append(f"{where} = {show_value(spec)}: latin_hypercube needs a range "
                                '{ min = ..., max = ..., scale = "linear" | "log" }')
                continue
            unknown = set(spec) - {"min", "max", "scale"}
            if unknown:
                problems.append(f"{where}: unknown range keys {sorted(unknown)}; allowed: min, "
                                "max, scale")
            scale = spec.get("scale", "linear")
            if scale not in SCALES:
                problems.append(f"{where}.scale = {show_value(scale)}: allowed: 'linear', 'log'")
                continue
            if "min" not in spec or "max" not in spec:
                problems.append(f"{where}: a range needs both min and max")
                continue
            out.append(Parameter(key, None, spec["min"], spec["max"], scale))
        else:
            if not isinstance(spec, list) or not spec:
                problems.append(f"{where} = {show_value(spec)}: {mode} needs a non-empty list "
                                'of values, e.g. ["1 MPa", "3 MPa"]')
                continue
            out.append(Parameter(key, tuple(spec)))
    return out


def _sampling(table: Mapping[str, Any], mode: str, problems: list[str]) -> tuple[int, int]:
    samples, seed = table.get("samples"), table.get("seed", 0)
    if mode != "latin_hypercube":
        for key in ("samples", "seed"):
            if key in table:
                problems.append(f"sweep.{key}: only for mode = \"latin_hypercube\" (mode is "
                                f"{mode!r})")
        return 0, 0
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_CASES:
        problems.append(f"sweep.samples = {show_value(samples)}: latin_hypercube needs an "
                        f"integer number of cases between 1 and {MAX_CASES}")
        samples = 0
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(f"sweep.seed = {show_value(seed)}: must be an integer >= 0")
        seed = 0
    return samples, seed


def _expand(parameters: list[Parameter], mode: str, samples: int, seed: int,
            problems: list[str]) -> list[dict[str, Any]]:
    if mode == "product":
        count = math.prod(len(p.values or ()) for p in parameters)
        if count > MAX_CASES:
            problems.append(f"the product of the swept lists has {count} cases; at most "
                            f"{MAX_CASES}")
            return []
        return [dict(zip([p.key for p in parameters], combo, strict=True))
                for combo in itertools.product(*(p.values or () for p in parameters))]
    if mode == "zip":
        lengths = {p.key: len(p.values or ()) for p in parameters}
        if len(set(lengths.values())) > 1:
            problems.append("mode = \"zip\" needs lists of equal length; got "
                            + ", ".join(f"{k}: {n}" for k, n in lengths.items()))
            return []
        return [dict(zip([p.key for p in parameters], combo, strict=True))
                for combo in zip(*(p.values or () for p in parameters), strict=True)]
    return _latin_hypercube(parameters, samples, seed, problems)


def _range(p: Parameter, problems: list[str]) -> tuple[float, float, str] | None:
    """(low, high, unit) with both ends in the unit of ``min`` (``""``: plain numbers)."""
    where = f"sweep.parameters.{p.key}"
    ends = []
    for label, value in (("min", p.low), ("max", p.high)):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            problems.append(f"{where}.{label} = {show_value(value)}: must be a number or a "
                            'quantity such as "1 MPa"')
            return None
        ends.append(value)
    try:
        q_low = ureg.Quantity(ends[0]) if isinstance(ends[0], str) else ureg.Quantity(ends[0], "")
        q_high = (ureg.Quantity(ends[1]) if isinstance(ends[1], str)
                  else ureg.Quantity(ends[1], ""))
        high = q_high.to(q_low.units).magnitude
    except Exception as err:
        problems.append(f"{where}: min = {show_value(p.low)} and max = {show_value(p.high)} "
                        f"must be quantities of the same kind ({err})")
        return None
    low = float(q_low.magnitude)
    high = float(high)
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        problems.append(f"{where}: needs min < max (got min = {show_value(p.low)}, max = "
                        f"{show_value(p.high)})")
        return None
    if p.scale == "log" and low <= 0.0:
        problems.append(f"{where}: scale = \"log\" needs min > 0 (got {show_value(p.low)})")
        return None
    m = _NUMBER_UNIT.match(ends[0]) if isinstance(ends[0], str) else None
    unit = m.group(2) if m else ""  # as written in min: "MPa", "ohm cm^2", "degC"
    return low, high, unit


def _latin_hypercube(parameters: list[Parameter], samples: int, seed: int,
                     problems: list[str]) -> list[dict[str, Any]]:
    ranges = [_range(p, problems) for p in parameters]
    if problems or samples < 1:
        return []
    rng = np.random.default_rng(seed)
    columns: list[list[Any]] = []
    for p, r in zip(parameters, ranges, strict=True):
        assert r is not None
        low, high, unit = r
        strata = (rng.permutation(samples) + rng.random(samples)) / samples  # one per stratum
        if p.scale == "log":
            x = np.exp(np.log(low) + strata * (np.log(high) - np.log(low)))
        else:
            x = low + strata * (high - low)
        # 6 significant digits: readable in tables and logs (moves a sample by < 1e-6 relative)
        columns.append([f"{v:.6g} {unit}" if unit else float(f"{v:.6g}") for v in x])
    keys = [p.key for p in parameters]
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


__all__ = ["COMMANDS", "MODES", "Parameter", "Sweep", "SweepCase", "SweepError", "case_digest",
           "load_sweep", "si_value", "sweep_from_dict"]
