"""Command line and output shared by the peer scripts (standard library only)."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

START = time.perf_counter()


def arguments(description: str) -> argparse.Namespace:
    """``--problem JSON --degree P --h-min H --h-max H``: the problem (SI: width, height,
    void_start, void_end, conductivity, asr, current_density, grading_distance) and the mesh."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--problem", required=True, help="the problem as a JSON object (SI)")
    parser.add_argument("--degree", type=int, required=True)
    parser.add_argument("--h-min", type=float, required=True, help="size at the void edges [m]")
    parser.add_argument("--h-max", type=float, required=True, help="size far from them [m]")
    args = parser.parse_args()
    args.problem = json.loads(args.problem)
    return args


def report(num_dofs: int, cell_voltage: float, phases: dict[str, float], **extra: Any) -> None:
    """Print the result as one JSON line (``time_internal``: since the script started)."""
    print(json.dumps({"num_dofs": int(num_dofs), "cell_voltage": float(cell_voltage),
                      **{f"time_{k}": float(v) for k, v in phases.items()},
                      "time_internal": time.perf_counter() - START, **extra}), flush=True)
