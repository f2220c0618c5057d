"""``python -m vsg_pyro.cli``: the same as the console script ``vsg``."""

import sys

from vsg_pyro.cli import main

sys.exit(main())
