"""The command-line entry of benchmark processes: the one place in the benchmarks that reads
``sys.argv`` and ``MPI.COMM_WORLD``.

- ``python -m ssbx.benchmarks.entry MODULE --worker ARGS``: one measurement worker of a
  performance benchmark (launched under its own ``mpirun -n N`` by
  :func:`ssbx.benchmarks.workers.launch_worker`); calls ``MODULE.worker_main(COMM_WORLD, ARGS)``.
- ``python -m ssbx.benchmarks.entry MODULE ARGS``: the benchmark's own command line
  (``MODULE.main(ARGS)``), e.g. ``performance.parallel_scaling --ranks 1 2 4 8 16`` on a
  cluster node.

``MODULE`` is a module below ``ssbx.benchmarks`` (``performance.current``).
"""

from __future__ import annotations

import importlib
import sys

from mpi4py import MPI


def main(argv: list[str] | None = None) -> int:
    """Dispatch ``MODULE [--worker] ARGS`` (see the module docstring); returns the exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0].startswith("-"):
        print("usage: python -m ssbx.benchmarks.entry MODULE [--worker] ARGS", file=sys.stderr)
        return 2
    module = importlib.import_module(f"ssbx.benchmarks.{args[0]}")
    rest = args[1:]
    if "--worker" in rest:
        return int(module.worker_main(MPI.COMM_WORLD, rest))
    if not hasattr(module, "main"):
        print(f"ssbx.benchmarks.{args[0]} has no command line of its own (only --worker)",
              file=sys.stderr)
        return 2
    return int(module.main(rest))


if __name__ == "__main__":
    sys.exit(main())
