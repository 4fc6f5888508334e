"""The boxes an algorithm describes, and the log of those it has to skip."""

from dataclasses import dataclass
from typing import Any

from qgis.core import QgsProcessingFeedback, QgsRectangle

from ..i18n import tr

MAX_SKIP_MESSAGES = 20
"""Skipped boxes reported one by one; the rest only appear in the final count."""


@dataclass
class BoxPrompt:
    """One box to describe: its id, its extent in the raster's CRS, and the carried ID value."""

    box_id: int
    rect: QgsRectangle
    id_value: Any = None


class SkipLog:
    """Counts skipped boxes and reports the first ``MAX_SKIP_MESSAGES`` with their reason."""

    def __init__(self, feedback: QgsProcessingFeedback) -> None:
        self.feedback = feedback
        self.count = 0

    def skip(self, box_id: Any, reason: str) -> None:
        """Record one skipped box (``reason`` is one sentence)."""
        self.count += 1
        if self.count <= MAX_SKIP_MESSAGES:
            self.feedback.pushWarning(tr("Box {0} skipped: {1}").format(box_id, reason))
