"""``python -m model_core``: see ``model_core.cli``."""

import sys

from .cli import main

sys.exit(main())
