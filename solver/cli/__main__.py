"""``python -m ssbx.cli ARGS``: the same as the ``ssbx`` command."""

import sys

from ssbx.cli.commands import main

sys.exit(main())
