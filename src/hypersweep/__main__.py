"""``python -m hypersweep`` runs the command line."""

import sys

from hypersweep.cli import main

sys.exit(main())
