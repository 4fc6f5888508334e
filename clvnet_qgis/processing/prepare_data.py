"""``clvnet:prepare_training_data``: a labelled vector layer over a raster -> training records.

QGIS does what it does well: it reads the label layer (any provider, a selection, a filter)
and writes its polygons with the class field to a temporary GeoPackage, and it knows the raster
file and the bands the user looks at. The records themselves are written by
``python -m training.prepare vector`` in the model's Python (``training_process``), into a
staging folder that becomes OUTPUT only when it finished: grounded captions, the images or
raster windows they describe, previews and a summary.
"""

import json
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureRequest,
    QgsFields,
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterRasterLayer,
    QgsVectorFileWriter,
)

from ..i18n import tr
from ..pixels import file_path
from .raster_input import shown_bands
from .training_algorithm import TrainingCommandAlgorithm
from .training_process import publish, staging_folder


class PrepareTrainingDataAlgorithm(TrainingCommandAlgorithm):
    """Write grounded-caption records for the labelled polygons of a layer over a raster."""

    INPUT = "INPUT"
    LABELS = "LABELS"
    CLASS_FIELD = "CLASS_FIELD"
    EXTENT = "EXTENT"
    OUTPUT = "OUTPUT"
    IMAGES = "IMAGES"
    RECORDS = "RECORDS"
    SKIPPED = "SKIPPED"

    def __init__(self) -> None:
        super().__init__()
        self.raster_path = ""
        self.raster_crs = QgsCoordinateReferenceSystem()
        self.bands = (1, 2, 3)

    def name(self) -> str:
        """Algorithm id inside the provider (public interface: never change)."""
        return "prepare_training_data"

    def displayName(self) -> str:
        return tr("Prepare training data from a labelled layer")

    def tags(self) -> List[str]:
        return tr("clvnet,training,records,labels,captions,fine-tune").split(",")

    def shortHelpString(self) -> str:
        return tr(
            "Turns a polygon layer of labelled objects (building footprints, fields, tree "
            'crowns...) over a raster into training records for "Fine-tune the model": for '
            "windows of the raster it writes grounded captions of the labelled objects (their "
            "class, count, size, colour and relations), the windows as images, a few previews "
            "and a summary of images, objects per class and skipped labels.\n\n"
            "Class field: the field holding each object's class; its values become the nouns "
            "of the captions. Extent: only windows inside it (empty: the whole raster). The "
            "raster must be a file (GeoTIFF or any file GDAL reads) with a CRS; the labels may "
            "be in any CRS. Runs in the model's own Python, with the training package."
        )

    def initAlgorithm(self, config: Optional[Dict[str, Any]] = None) -> None:
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, tr("Raster layer")))
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.LABELS, tr("Labelled polygons"), [QgsProcessing.TypeVectorPolygon]
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.CLASS_FIELD, tr("Class field"), parentLayerParameterName=self.LABELS
            )
        )
        self.addParameter(
            QgsProcessingParameterExtent(self.EXTENT, tr("Extent (empty: all)"), optional=True)
        )
        self.addParameter(
            QgsProcessingParameterFolderDestination(self.OUTPUT, tr("Training records folder"))
        )
        for name, text in (
            (self.IMAGES, tr("Images (raster windows) written")),
            (self.RECORDS, tr("Records written")),
            (self.SKIPPED, tr("Labels or windows skipped")),
        ):
            self.addOutput(QgsProcessingOutputNumber(name, text))

    def prepareAlgorithm(
        self,
        parameters: Dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> bool:
        """Capture the raster's file, CRS and shown bands on the main thread."""
        layer = self.parameterAsRasterLayer(parameters, self.INPUT, context)
        if layer is None:
            raise QgsProcessingException(self.invalidRasterError(parameters, self.INPUT))
        path = file_path(layer)
        if path is None:
            raise QgsProcessingException(
                tr(
                    "The raster layer '{0}' is not a file GDAL reads: export it to a GeoTIFF "
                    "first (Raster > Conversion > Translate)."
                ).format(layer.name())
            )
        if not layer.crs().isValid():
            raise QgsProcessingException(
                tr("The raster layer '{0}' has no CRS: labels cannot be placed on it.").format(
                    layer.name()
                )
            )
        self.raster_path, self.raster_crs = path, layer.crs()
        self.bands = shown_bands(layer) or (1, 2, 3)
        return True

    def processAlgorithm(
        self,
        parameters: Dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> Dict[str, Any]:
        source = self.parameterAsSource(parameters, self.LABELS, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.LABELS))
        class_field = self.parameterAsString(parameters, self.CLASS_FIELD, context)
        if source.fields().lookupField(class_field) < 0:
            raise QgsProcessingException(
                tr("The label layer has no field named '{0}'.").format(class_field)
            )
        out = Path(self.parameterAsString(parameters, self.OUTPUT, context))
        python = self.modelPython(out, "prepare")

        with tempfile.TemporaryDirectory(prefix="clvnet-labels-") as scratch:
            labels = Path(scratch) / "labels.gpkg"
            written = self._writeLabels(source, class_field, labels, context, feedback)
            if not written:
                raise QgsProcessingException(tr("The label layer has no polygons to learn from."))
            feedback.pushInfo(tr("{0} labelled polygons exported.").format(written))
            staging = staging_folder(out)
            args = [self.raster_path, str(labels), "--class-field", class_field]
            args += ["--out", str(staging), "--quiet", "--bands", *map(str, self.bands)]
            extent = self.parameterAsExtent(parameters, self.EXTENT, context, self.raster_crs)
            if not extent.isNull():
                corners = (
                    extent.xMinimum(),
                    extent.yMinimum(),
                    extent.xMaximum(),
                    extent.yMaximum(),
                )
                args += ["--extent", *map(repr, corners)]
            self.runCommand(
                python,
                "prepare",
                ["vector", *args],
                staging,
                Path(scratch),
                feedback,
                cancelled=tr("Preparing was cancelled; nothing was written to '{0}'.").format(out),
                failed=tr("Preparing the records failed: {0}"),
            )
        publish(staging, out)
        return self._results(out, feedback)

    def _writeLabels(
        self,
        source: QgsProcessingFeatureSource,
        class_field: str,
        path: Path,
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> int:
        """The polygons and their class field as a GeoPackage in the layer's CRS; the count."""
        index = source.fields().lookupField(class_field)
        fields = QgsFields()
        fields.append(source.fields().at(index))
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = "GPKG"
        writer = QgsVectorFileWriter.create(
            str(path),
            fields,
            source.wkbType(),
            source.sourceCrs(),
            context.transformContext(),
            options,
        )
        if writer.hasError() != QgsVectorFileWriter.NoError:
            raise QgsProcessingException(
                tr("The labels cannot be exported: {0}").format(writer.errorMessage())
            )
        count = 0
        request = QgsFeatureRequest().setSubsetOfAttributes([index])
        for feature in source.getFeatures(request):
            if feedback.isCanceled():
                break
            if not feature.hasGeometry():
                continue
            out = QgsFeature(fields)
            out.setGeometry(feature.geometry())
            out.setAttribute(0, feature.attribute(index))
            writer.addFeature(out)
            count += 1
        del writer  # closes the file
        return count

    def _results(self, out: Path, feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        """The summary prepare wrote, in the log and as the algorithm's numbers."""
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        table = (out / "summary.md").read_text(encoding="utf-8")
        feedback.pushInfo(table)
        splits = [summary[s] for s in ("train", "validation") if s in summary]
        feedback.pushInfo(tr("Records and previews written to {0}.").format(out))
        return {
            self.OUTPUT: str(out),
            self.IMAGES: sum(s["images"] for s in splits),
            self.RECORDS: sum(s["records"] for s in splits),
            self.SKIPPED: sum(summary.get("skipped", {}).values()),
        }
