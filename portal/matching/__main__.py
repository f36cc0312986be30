"""`python -m portal.matching solve INSTANCE.json` (see portal.matching.cli)."""

import sys

from portal.matching.cli import main

sys.exit(main())
