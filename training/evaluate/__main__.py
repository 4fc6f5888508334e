"""``python -m training.evaluate``: see ``training.evaluate.run``."""

import sys

from .run import main

sys.exit(main())
