"""The ``ssbx`` command line (:mod:`ssbx.cli.commands`): the only layer that reads
``sys.argv`` and ``MPI.COMM_WORLD`` (besides the benchmark worker entry,
:mod:`ssbx.benchmarks.entry`)."""
