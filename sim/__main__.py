"""``python -m sim`` runs the ``bouche`` command."""

import sys

from sim.cli import main

sys.exit(main())
