"""``clvnet:segment_describe_boxes``: one grounded caption per feature extent of a box layer."""

from typing import Any, Dict, List, Optional

from qgis.core import (
    QgsCoordinateTransform,
    QgsCsException,
    QgsFeatureRequest,
    QgsField,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsProcessingFeedback,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsWkbTypes,
)

from ..i18n import tr
from .common import ClvnetAlgorithmBase
from .prompts import BoxPrompt, SkipLog

DENSIFY_VERTICES = 16
"""Extra vertices per edge before reprojecting a box, so curved edges keep their extent."""


class SegmentDescribeBoxesAlgorithm(ClvnetAlgorithmBase):
    """Segment and describe the extent of every feature of BOXES on the INPUT raster."""

    BOXES = "BOXES"
    ID_FIELD = "ID_FIELD"

    def name(self) -> str:
        """Algorithm id inside the provider (public interface: never change)."""
        return "segment_describe_boxes"

    def displayName(self) -> str:
        """Name in the toolbox."""
        return tr("Segment and describe boxes")

    def shortHelpString(self) -> str:
        """Help shown beside the dialog."""
        return tr(
            "Runs CLV-Net on the extent of every feature of a box layer: for each box it writes "
            "a grounded caption, one polygon per grounded phrase and the relations between "
            "those objects.\n\n"
            "Boxes in another CRS than the raster's are reprojected; boxes outside the raster, "
            "and empty geometries, are skipped and counted in the log. ID field: a field of "
            "the box layer copied to every output, to join results back to the boxes.\n\n"
            "Checkpoint: a CLV-Net checkpoint folder (empty: the bundled model). Device: auto "
            "uses a GPU when one is available. Context margin: how much of the surroundings "
            "the model sees around each box, as a fraction of its longer side."
        )

    def initAlgorithm(self, config: Optional[Dict[str, Any]] = None) -> None:
        """INPUT, BOXES, ID_FIELD, CHECKPOINT, DEVICE, CONTEXT and the three sinks."""
        self.addRasterParameter()
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.BOXES,
                tr("Box layer"),
                [QgsProcessing.TypeVectorAnyGeometry],
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.ID_FIELD,
                tr("ID field to carry to the outputs"),
                parentLayerParameterName=self.BOXES,
                optional=True,
            )
        )
        self.addModelParameters()
        self.addOutputParameters()

    def processAlgorithm(
        self,
        parameters: Dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> Dict[str, Any]:
        """Turn the box layer into prompts in the raster CRS, then describe them."""
        source = self.parameterAsSource(parameters, self.BOXES, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.BOXES))
        id_name = self.parameterAsString(parameters, self.ID_FIELD, context)
        id_index = source.fields().lookupField(id_name) if id_name else -1
        if id_name and id_index < 0:
            raise QgsProcessingException(
                tr("The box layer has no field named '{0}'.").format(id_name)
            )
        id_field = QgsField(source.fields().at(id_index)) if id_index >= 0 else None
        skips = SkipLog(feedback)
        prompts = self._prompts(source, id_index, skips, context, feedback)
        if not prompts and not skips.count:
            raise QgsProcessingException(
                tr("The box layer has no features: there is nothing to describe.")
            )
        return self.describeBoxes(prompts, id_field, skips, parameters, context, feedback)

    def _prompts(
        self,
        source: QgsProcessingFeatureSource,
        id_index: int,
        skips: SkipLog,
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> List[BoxPrompt]:
        """Each feature's extent in the raster CRS; unusable features go to ``skips``."""
        raster_crs = self.raster.crs
        transform = None
        if not source.sourceCrs().isValid() or not raster_crs.isValid():
            if source.sourceCrs().isValid() != raster_crs.isValid():
                feedback.pushWarning(
                    tr(
                        "The box layer or the raster has no CRS: box coordinates are taken as "
                        "raster coordinates."
                    )
                )
        elif source.sourceCrs() != raster_crs:
            transform = QgsCoordinateTransform(
                source.sourceCrs(), raster_crs, context.transformContext()
            )
        request = QgsFeatureRequest()
        if id_index >= 0:
            request.setSubsetOfAttributes([id_index])
        else:
            request.setNoAttributes()
        prompts: List[BoxPrompt] = []
        for feature in source.getFeatures(request):
            if feedback.isCanceled():
                break
            box_id = feature.id()
            geometry = QgsGeometry(feature.geometry())
            if geometry.isNull() or geometry.isEmpty():
                skips.skip(box_id, tr("the feature has no geometry."))
                continue
            if transform is not None:
                if geometry.type() != QgsWkbTypes.PointGeometry:
                    geometry = geometry.densifyByCount(DENSIFY_VERTICES)
                try:
                    geometry.transform(transform)
                except QgsCsException:
                    skips.skip(box_id, tr("it cannot be transformed to the raster's CRS."))
                    continue
            rect = geometry.boundingBox()
            if rect.isEmpty():
                skips.skip(box_id, tr("its extent has no area (a point or a straight line)."))
                continue
            if not rect.intersects(self.raster.extent):
                skips.skip(box_id, tr("it lies outside the raster."))
                continue
            id_value = feature.attribute(id_index) if id_index >= 0 else None
            prompts.append(BoxPrompt(box_id, rect, id_value))
        return prompts
