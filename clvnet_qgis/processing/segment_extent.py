"""``clvnet:segment_describe_extent``: one grounded caption for one extent (handy in scripts)."""

from typing import Any, Dict, Optional

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingParameterExtent,
)

from ..i18n import tr
from .common import ClvnetAlgorithmBase
from .prompts import BoxPrompt, SkipLog

EXTENT_BOX_ID = 1
"""``box_id`` of the single box in every output."""


class SegmentDescribeExtentAlgorithm(ClvnetAlgorithmBase):
    """Segment and describe one EXTENT of the INPUT raster."""

    EXTENT = "EXTENT"

    def name(self) -> str:
        """Algorithm id inside the provider (public interface: never change)."""
        return "segment_describe_extent"

    def displayName(self) -> str:
        """Name in the toolbox."""
        return tr("Segment and describe extent")

    def shortHelpString(self) -> str:
        """Help shown beside the dialog."""
        return tr(
            "Runs CLV-Net on one extent of a raster: writes its grounded caption, one polygon "
            "per grounded phrase and the relations between those objects (box_id 1).\n\n"
            "The extent may be in any CRS (e.g. 'xmin,xmax,ymin,ymax [EPSG:4326]'); without one "
            "it is taken in the project's CRS, or the raster's when there is no project."
        )

    def initAlgorithm(self, config: Optional[Dict[str, Any]] = None) -> None:
        """INPUT, EXTENT, CHECKPOINT, DEVICE, CONTEXT and the three sinks."""
        self.addRasterParameter()
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, tr("Box extent")))
        self.addModelParameters()
        self.addOutputParameters()

    def processAlgorithm(
        self,
        parameters: Dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> Dict[str, Any]:
        """Reproject the extent to the raster CRS and describe it."""
        crs = self.raster.crs
        rect = (
            self.parameterAsExtent(parameters, self.EXTENT, context, crs)
            if crs.isValid()
            else self.parameterAsExtent(parameters, self.EXTENT, context)
        )
        if rect.isEmpty():
            raise QgsProcessingException(tr("The extent has no area."))
        if not rect.intersects(self.raster.extent):
            raise QgsProcessingException(
                tr("The extent does not overlap the raster layer '{0}'.").format(self.raster.name)
            )
        prompts = [BoxPrompt(EXTENT_BOX_ID, rect)]
        return self.describeBoxes(prompts, None, SkipLog(feedback), parameters, context, feedback)
