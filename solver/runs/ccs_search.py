"""Search for the critical stripping current density (CCS) by bracketing and geometric bisection.

The CCS is the mean current density above which Li stripping is unstable (voids open and the
contact is lost faster than creep refills it). Each trial is expensive (a full simulation), so the
search is independent of any solver: it calls ``evaluate(current_density)``, which runs one trial
and returns a :class:`Trial` saying whether it stayed stable.

:func:`find_critical_current` assumes monotonicity (stable below the CCS, unstable above it):

1. evaluate ``lower``; while it is unstable, widen downwards (``lower / expansion_factor``, the
   old ``lower`` becoming ``upper``) at most ``max_expansions`` times, else ``"below_range"``;
2. evaluate ``upper``; while it is stable, widen upwards (``upper * expansion_factor``, the old
   ``upper`` becoming ``lower``) at most ``max_expansions`` times, else ``"above_range"``;
3. bisect geometrically (``sqrt(lo * hi)``) until ``hi / lo <= bracket_ratio``.

A bracket of ratio ``R`` narrowed to ratio ``r`` takes ``ceil(log2(ln R / ln r))`` bisection
trials (1000x to 1.2x: 6 trials). No current density is evaluated twice.

Units: current densities are A/m^2 throughout (SI); messages, CSV and plots use mA/cm^2
(1 mA/cm^2 = 10 A/m^2).
"""

from __future__ import annotations

import io
import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ssbx.io.runfolder import atomic_write, csv_text
from ssbx.units import to_mA_per_cm2

STATUSES = ("bracketed", "below_range", "above_range")


@dataclass
class Trial:
    """One stripping trial at a mean current density.

    current_density: mean stripping current density [A/m^2] (> 0).
    stable: whether the interface stayed stable (contact kept) up to the target capacity.
    reason: one line on why, e.g. ``"contact fraction 0.91 -> 0.80 (loss 0.11 > 0.05) at
        0.21 mAh/cm^2"``, ``"stable: ..."`` or ``"solver failed: ..."``.
    metrics: numbers from the trial (min contact fraction, max voltage [V], capacity reached
        [mAh/cm^2], wall time [s], steps, ...); put the unit in the key.
    """

    current_density: float
    stable: bool
    reason: str
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass
class CcsResult:
    """Outcome of :func:`find_critical_current`.

    lower: largest current density found stable [A/m^2] (None: none was).
    upper: smallest current density found unstable [A/m^2] (None: none was).
    status: ``"bracketed"`` (CCS in ``[lower, upper]``), ``"below_range"`` (every trial unstable,
        even after widening down: CCS < ``upper``) or ``"above_range"`` (every trial stable,
        even after widening up: CCS > ``lower``).
    trials: every trial, in the order they were run (prior ``known`` trials first).
    warnings: contradictions of monotonicity and other oddities, one line each.
    """

    lower: float | None
    upper: float | None
    status: str
    trials: list[Trial]
    warnings: list[str] = field(default_factory=list)

    @property
    def estimate(self) -> float | None:
        """Geometric mean of ``lower`` and ``upper`` [A/m^2] when bracketed, else None."""
        if self.status != "bracketed" or self.lower is None or self.upper is None:
            return None
        return math.sqrt(self.lower * self.upper)

    @property
    def bracket_ratio(self) -> float | None:
        """``upper / lower`` [-] when both are known, else None."""
        if self.lower is None or self.upper is None:
            return None
        return self.upper / self.lower

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (plain floats, lists); units in the key names."""

        def mA(value: float | None) -> float | None:
            return None if value is None else to_mA_per_cm2(value)

        return {
            "status": self.status,
            "lower_A_per_m2": self.lower,
            "upper_A_per_m2": self.upper,
            "estimate_A_per_m2": self.estimate,
            "lower_mA_per_cm2": mA(self.lower),
            "upper_mA_per_cm2": mA(self.upper),
            "estimate_mA_per_cm2": mA(self.estimate),
            "bracket_ratio": self.bracket_ratio,
            "n_trials": len(self.trials),
            "warnings": list(self.warnings),
            "trials": [
                {
                    "current_density_A_per_m2": float(t.current_density),
                    "current_density_mA_per_cm2": to_mA_per_cm2(float(t.current_density)),
                    "stable": bool(t.stable),
                    "reason": str(t.reason),
                    "metrics": {str(k): _plain(v) for k, v in t.metrics.items()},
                }
                for t in self.trials
            ],
        }


def _plain(value: Any) -> Any:
    """A metric value as a JSON-ready scalar (numpy scalars -> float; bools kept)."""
    if isinstance(value, bool) or value is None:
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _number(value: Any) -> float | None:
    """``value`` as a finite float, else None (missing, None, NaN, not a number)."""
    if value is None or isinstance(value, str):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _real(name: str, value: Any, allowed: str) -> float:
    """``value`` as a float, or a ValueError naming the argument and what is allowed."""
    number = _number(value)
    if number is None:
        raise ValueError(f"{name} must be a finite number ({allowed}), got {value!r}")
    return number


def _check_arguments(
    lower: Any, upper: Any, bracket_ratio: Any, max_expansions: Any, expansion_factor: Any
) -> tuple[float, float, float, int, float]:
    """The arguments of :func:`find_critical_current` as numbers, or a ValueError."""
    lo = _real("lower", lower, "0 < lower < upper [A/m^2]")
    hi = _real("upper", upper, "0 < lower < upper [A/m^2]")
    if not lo > 0.0:
        raise ValueError(f"lower must be > 0 (0 < lower < upper) [A/m^2], got {lower!r}")
    if not hi > lo:
        raise ValueError(
            f"upper must be > lower (0 < lower < upper) [A/m^2], got upper={upper!r} "
            f"with lower={lower!r}"
        )
    ratio = _real("bracket_ratio", bracket_ratio, "> 1")
    if not ratio > 1.0:
        raise ValueError(f"bracket_ratio must be > 1, got {bracket_ratio!r}")
    factor = _real("expansion_factor", expansion_factor, "> 1")
    if not factor > 1.0:
        raise ValueError(f"expansion_factor must be > 1, got {expansion_factor!r}")
    try:
        if isinstance(max_expansions, bool):
            raise TypeError
        n = operator.index(max_expansions)
    except TypeError:
        raise ValueError(
            f"max_expansions must be an integer >= 0, got {max_expansions!r}"
        ) from None
    if n < 0:
        raise ValueError(f"max_expansions must be >= 0, got {max_expansions!r}")
    return lo, hi, ratio, n, factor


class _Search:
    """The trial cache and bookkeeping of one search (keyed by the requested current density)."""

    def __init__(
        self,
        evaluate: Callable[[float], Trial],
        known: Iterable[Trial],
        progress: Callable[[str], None] | None,
    ) -> None:
        self.evaluate = evaluate
        self.progress = progress
        self.trials: list[Trial] = []
        self.cache: dict[float, bool] = {}
        self.warnings: list[str] = []
        for trial in known:
            if not isinstance(trial, Trial):
                raise TypeError(f"known must hold Trial objects, got {type(trial).__name__}")
            i = float(trial.current_density)
            if i in self.cache:
                if self.cache[i] != bool(trial.stable):
                    self.warnings.append(
                        f"known trials disagree at {to_mA_per_cm2(i):.4g} mA/cm^2; "
                        f"the first ({'stable' if self.cache[i] else 'unstable'}) is used"
                    )
                continue
            self.trials.append(trial)
            self._record(i, bool(trial.stable))

    def _record(self, i: float, stable: bool) -> None:
        """Cache a result; warn when it contradicts monotonicity against earlier ones."""
        if stable:
            below = [j for j, s in self.cache.items() if not s and j < i]
            if below:
                self.warnings.append(
                    f"non-monotone: stable at {to_mA_per_cm2(i):.4g} mA/cm^2 but unstable at "
                    f"{to_mA_per_cm2(min(below)):.4g} mA/cm^2"
                )
        else:
            above = [j for j, s in self.cache.items() if s and j > i]
            if above:
                self.warnings.append(
                    f"non-monotone: unstable at {to_mA_per_cm2(i):.4g} mA/cm^2 but stable at "
                    f"{to_mA_per_cm2(max(above)):.4g} mA/cm^2"
                )
        self.cache[i] = stable

    def stable(self, i: float) -> bool:
        """Whether ``i`` [A/m^2] is stable: from the cache, else by running one trial."""
        if i in self.cache:
            return self.cache[i]
        trial = self.evaluate(i)
        if not isinstance(trial, Trial):
            raise TypeError(f"evaluate({i!r}) returned {type(trial).__name__}, not a Trial")
        if not math.isclose(float(trial.current_density), i, rel_tol=1e-9):
            self.warnings.append(
                f"evaluate({i!r}) returned a trial at current_density={trial.current_density!r}; "
                f"it is filed under the requested {i!r} A/m^2"
            )
        self.trials.append(trial)
        self._record(i, bool(trial.stable))
        if self.progress is not None:
            self.progress(self._summary(i, trial))
        return self.cache[i]

    def bracket(self) -> tuple[float | None, float | None]:
        """(largest stable [A/m^2] below the smallest unstable, smallest unstable [A/m^2])."""
        unstable = [j for j, s in self.cache.items() if not s]
        hi = min(unstable) if unstable else None
        stable = [j for j, s in self.cache.items() if s and (hi is None or j < hi)]
        return (max(stable) if stable else None), hi

    def narrow(self, lo: float, hi: float) -> tuple[float, float]:
        """The tightest consistent bracket inside ``[lo, hi]`` from all cached results.

        The smallest unstable value in ``(lo, hi)`` wins (conservative); then the largest stable
        value below it. Stable values above an unstable one are contradictions (warned about on
        recording) and ignored.
        """
        inside = {j: s for j, s in self.cache.items() if lo < j < hi}
        hi = min([j for j, s in inside.items() if not s], default=hi)
        lo = max([j for j, s in inside.items() if s and j < hi], default=lo)
        return lo, hi

    def _summary(self, i: float, trial: Trial) -> str:
        lo, hi = self.bracket()
        if lo is not None and hi is not None:
            ccs = f"CCS in ({to_mA_per_cm2(lo):.4g}, {to_mA_per_cm2(hi):.4g}] mA/cm^2"
        elif lo is not None:
            ccs = f"CCS > {to_mA_per_cm2(lo):.4g} mA/cm^2"
        else:
            ccs = f"CCS <= {to_mA_per_cm2(hi):.4g} mA/cm^2" if hi is not None else "no bound"
        reason = " ".join(str(trial.reason).split())
        verdict = "stable" if trial.stable else "unstable"
        return (
            f"CCS trial {len(self.trials)}: {to_mA_per_cm2(i):.4g} mA/cm^2 {verdict} ({reason}); "
            f"{ccs}"
        )


def find_critical_current(
    evaluate: Callable[[float], Trial],
    lower: float,
    upper: float,
    *,
    bracket_ratio: float = 1.2,
    max_expansions: int = 4,
    expansion_factor: float = 10.0,
    progress: Callable[[str], None] | None = None,
    known: Iterable[Trial] = (),
) -> CcsResult:
    """Bracket the critical stripping current density and narrow it by geometric bisection.

    evaluate: runs one trial at a mean current density [A/m^2] and returns its :class:`Trial`
        (a failed solve should come back as an unstable trial whose reason says so).
    lower, upper: initial bracket [A/m^2], ``0 < lower < upper``.
    bracket_ratio: stop when ``upper / lower <= bracket_ratio`` (> 1).
    max_expansions: how many times the bracket may be widened, each way (>= 0).
    expansion_factor: widening factor (> 1).
    progress: called after each trial run with a one-line summary in mA/cm^2.
    known: trials already run (e.g. from an interrupted search); they are not run again, count
        in the bracket and lead ``trials``.

    Monotonicity is assumed (stable below the CCS, unstable above). A result that contradicts it
    (stable above a known unstable current density) is kept in ``trials`` and reported in
    ``warnings``; bisection goes on inside the tightest consistent bracket.
    """
    lower, upper, bracket_ratio, max_expansions, expansion_factor = _check_arguments(
        lower, upper, bracket_ratio, max_expansions, expansion_factor
    )
    search = _Search(evaluate, known, progress)

    def result(lo: float | None, hi: float | None, status: str) -> CcsResult:
        return CcsResult(lo, hi, status, search.trials, search.warnings)

    # 1. lower must be stable, widening downwards if not
    lo, hi = lower, upper
    if not search.stable(lo):
        for _ in range(max_expansions):
            hi, lo = lo, lo / expansion_factor
            if search.stable(lo):
                break
        else:
            return result(None, lo, "below_range")
    # 2. upper must be unstable, widening upwards if not (skipped after widening down: there
    #    ``hi`` is the old lower, already found unstable)
    elif search.stable(hi):
        for _ in range(max_expansions):
            lo, hi = hi, hi * expansion_factor
            if not search.stable(hi):
                break
        else:
            return result(hi, None, "above_range")
    # 3. geometric bisection on the tightest consistent bracket
    lo, hi = search.narrow(lo, hi)
    while hi / lo > bracket_ratio:
        mid = math.sqrt(lo * hi)
        if not lo < mid < hi:  # bracket_ratio within rounding of 1
            search.warnings.append(
                f"bracket [{lo!r}, {hi!r}] A/m^2 cannot be split further in floating point"
            )
            break
        if search.stable(mid):
            lo = mid
        else:
            hi = mid
        lo, hi = search.narrow(lo, hi)
    return result(lo, hi, "bracketed")


def trials_csv(result: CcsResult) -> str:
    """CSV of the trials: current_density_mA_per_cm2, stable, reason, then the metrics (sorted).

    One row per trial in the order run; a metric a trial lacks is an empty cell.
    """
    keys = sorted({str(k) for t in result.trials for k in t.metrics})
    header = ["current_density_mA_per_cm2", "stable", "reason", *keys]
    rows = []
    for t in result.trials:
        metrics = {str(k): v for k, v in t.metrics.items()}
        rows.append(
            [
                to_mA_per_cm2(float(t.current_density)),
                bool(t.stable),
                " ".join(str(t.reason).split()),
                *(metrics.get(k, "") for k in keys),
            ]
        )
    return csv_text(header, rows)


def _bound(row: Mapping[str, Any], key: str) -> float | None:
    """A positive finite ``row[key]`` (a CCS bound [mA/cm^2]), else None."""
    value = _number(row.get(key))
    return value if value is not None and value > 0.0 else None


def plot_ccs_map(
    rows: Sequence[Mapping[str, Any]],
    x_key: str,
    path: str | Path,
    *,
    group_key: str | None = None,
    x_label: str,
    reference: Sequence[tuple[float, float, str]] = (),
    x_log: bool = False,
) -> None:
    """Plot the CCS [mA/cm^2, log axis] against ``rows[i][x_key]``, one line per group.

    rows: mappings with ``x_key`` and ``"ccs_lower_mA_per_cm2"`` / ``"ccs_upper_mA_per_cm2"``
        (either may be missing, None or NaN). Both bounds: an error bar between them with a
        marker at their geometric mean (these markers are joined by the group's line). Only
        the lower bound (CCS above it): ``^`` at the lower bound; only the upper bound (CCS
        below it): ``v`` at the upper bound. Rows with neither are skipped.
    x_key: the swept quantity; x_label: its axis label (with unit).
    group_key: rows are split into one line per distinct value of this key (None: one line).
    reference: ``(x, ccs_mA_per_cm2, label)`` points (e.g. measurements), black stars.
    x_log: log x axis.
    path: PNG file, written atomically at 150 dpi.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups: dict[Any, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row.get(group_key) if group_key is not None else None, []).append(row)
    try:
        order = sorted(groups)
    except TypeError:  # mixed types: first appearance
        order = list(groups)

    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    try:
        for n, key in enumerate(order):
            color = f"C{n % 10}"
            label = f"{group_key} = {key}" if group_key is not None else None
            both, above, below = [], [], []
            for row in groups[key]:
                x = _number(row.get(x_key))
                if x is None or (x_log and x <= 0.0):
                    continue
                lo = _bound(row, "ccs_lower_mA_per_cm2")
                hi = _bound(row, "ccs_upper_mA_per_cm2")
                if lo is not None and hi is not None:
                    both.append((x, lo, hi))
                elif lo is not None:
                    above.append((x, lo))
                elif hi is not None:
                    below.append((x, hi))
            both.sort()
            if both:
                xs = [b[0] for b in both]
                mid = [math.sqrt(b[1] * b[2]) for b in both]
                err = [
                    [m - b[1] for m, b in zip(mid, both, strict=True)],
                    [b[2] - m for m, b in zip(mid, both, strict=True)],
                ]
                ax.errorbar(xs, mid, yerr=err, fmt="o-", color=color, capsize=3, label=label)
                label = None
            for points, marker in ((above, "^"), (below, "v")):
                if points:
                    ax.plot(
                        [p[0] for p in points],
                        [p[1] for p in points],
                        linestyle="none",
                        marker=marker,
                        markersize=8,
                        color=color,
                        label=label,
                    )
                    label = None
        for k, (x, y, text) in enumerate(reference):
            ax.plot(
                [x],
                [y],
                linestyle="none",
                marker="*",
                markersize=12,
                color="k",
                label="reference" if k == 0 else None,
            )
            ax.annotate(text, (x, y), textcoords="offset points", xytext=(5, 5), fontsize=8)
        ax.set_yscale("log")
        if x_log:
            ax.set_xscale("log")
        ax.set_xlabel(x_label)
        ax.set_ylabel("critical current density [mA/cm$^2$]")
        ax.grid(True, which="both", alpha=0.3)
        handles, labels = ax.get_legend_handles_labels()
        if labels:  # groups first, then the reference stars
            order = sorted(range(len(labels)), key=lambda k: labels[k] == "reference")
            ax.legend([handles[k] for k in order], [labels[k] for k in order], fontsize=8)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=150)
        atomic_write(Path(path), buf.getvalue())
    finally:
        plt.close(fig)
