"""The "CLV-Net" Processing provider registered by the plugin's ``initProcessing()``."""

from pathlib import Path

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..i18n import tr
from .prepare_data import PrepareTrainingDataAlgorithm
from .segment_boxes import SegmentDescribeBoxesAlgorithm
from .segment_extent import SegmentDescribeExtentAlgorithm
from .train_model import TrainModelAlgorithm

ICON_PATH = Path(__file__).resolve().parents[2] / "icon.png"


class ClvnetProvider(QgsProcessingProvider):
    """Provider ``clvnet``: box-prompted grounded captions, masks and relations for rasters."""

    def id(self) -> str:
        """Stable provider id: algorithm ids are ``clvnet:<name>``."""
        return "clvnet"

    def name(self) -> str:
        """Name shown in the toolbox."""
        return "CLV-Net"

    def longName(self) -> str:
        """Name shown in tooltips and the Processing options."""
        return tr("CLV-Net grounded captions and segmentation")

    def icon(self) -> QIcon:
        """The plugin icon."""
        return QIcon(str(ICON_PATH))

    def svgIconPath(self) -> str:
        """The plugin icon (a PNG; Processing accepts any image QIcon reads)."""
        return str(ICON_PATH)

    def loadAlgorithms(self) -> None:
        """Add one instance of each algorithm (Processing clones them per run)."""
        self.addAlgorithm(SegmentDescribeBoxesAlgorithm())
        self.addAlgorithm(SegmentDescribeExtentAlgorithm())
        self.addAlgorithm(PrepareTrainingDataAlgorithm())
        self.addAlgorithm(TrainModelAlgorithm())
