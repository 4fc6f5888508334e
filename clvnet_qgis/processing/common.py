"""What both CLV-Net algorithms share: parameters and the per-box loop.

Subclasses add their box parameters and turn them into ``BoxPrompt``s in the raster's CRS;
``ClvnetAlgorithmBase.describeBoxes`` then reads each box's window, has the model server
describe it (the server of this QGIS process, shared with the map tool; it keeps the model
loaded across runs) and writes the three sinks.
"""

from typing import Any, Dict, List, Optional, Tuple

from qgis.core import (
    QgsField,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsWkbTypes,
)

from model_core.result import DEFAULT_MIN_SCORE, keep_confident

from ..i18n import plural, tr
from ..layers import (
    OBJECT_FIELDS,
    OBJECTS,
    PROMPT_FIELDS,
    PROMPTS,
    RELATION_FIELDS,
    RELATIONS,
)
from ..settings import CONTEXT_RANGE
from .inference import describe
from .outputs import OutputSinks, carried_field, make_fields
from .prompts import BoxPrompt, SkipLog
from .raster_input import RasterInput
from .styling import style_loaded_output

DEVICES = ["auto", "cpu", "cuda"]
"""Values of the DEVICE parameter (static strings, so scripts pass ``DEVICE=cpu``)."""


def checkpoint_parameter(name: str, description: str) -> QgsProcessingParameterFile:
    """An optional checkpoint folder (empty: the bundled model)."""
    return QgsProcessingParameterFile(
        name, description, behavior=QgsProcessingParameterFile.Folder, optional=True
    )


def device_parameter(name: str) -> QgsProcessingParameterEnum:
    """The device to run the model on: one of :data:`DEVICES`, ``auto`` by default."""
    return QgsProcessingParameterEnum(
        name, tr("Device"), options=DEVICES, defaultValue=DEVICES[0], usesStaticStrings=True
    )


class ClvnetAlgorithmBase(QgsProcessingAlgorithm):
    """Shared parameters and the box loop of ``clvnet:segment_describe_*``."""

    INPUT = "INPUT"
    CHECKPOINT = "CHECKPOINT"
    DEVICE = "DEVICE"
    CONTEXT = "CONTEXT"
    MIN_SCORE = "MIN_SCORE"
    OUTPUT = "OUTPUT"
    OUTPUT_RELATIONS = "OUTPUT_RELATIONS"
    OUTPUT_PROMPTS = "OUTPUT_PROMPTS"
    PROCESSED_COUNT = "PROCESSED_COUNT"
    SKIPPED_COUNT = "SKIPPED_COUNT"
    OBJECT_COUNT = "OBJECT_COUNT"

    LAYER_NAMES = {OUTPUT: OBJECTS, OUTPUT_RELATIONS: RELATIONS, OUTPUT_PROMPTS: PROMPTS}

    def __init__(self) -> None:
        super().__init__()
        self.raster: Optional[RasterInput] = None

    def createInstance(self) -> "ClvnetAlgorithmBase":
        """A fresh instance per run (Processing runs clones, possibly in parallel)."""
        return type(self)()

    def tags(self) -> List[str]:
        """Search words for the toolbox."""
        return tr(
            "clvnet,segmentation,caption,grounded,describe,relations,ai,deep learning,sam"
        ).split(",")

    def addRasterParameter(self) -> None:
        """INPUT: the raster layer to describe."""
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, tr("Raster layer")))

    def addModelParameters(self) -> None:
        """CHECKPOINT, DEVICE, CONTEXT and MIN_SCORE (all with defaults)."""
        self.addParameter(
            checkpoint_parameter(
                self.CHECKPOINT, tr("Checkpoint folder (empty: the bundled model)")
            )
        )
        self.addParameter(device_parameter(self.DEVICE))
        context = QgsProcessingParameterNumber(
            self.CONTEXT,
            tr("Context margin (fraction of the box's longer side)"),
            type=QgsProcessingParameterNumber.Double,
            defaultValue=0.5,
            minValue=CONTEXT_RANGE[0],
            maxValue=CONTEXT_RANGE[1],
        )
        self.addParameter(context)
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MIN_SCORE,
                tr("Minimum object score (objects scoring lower are left out)"),
                type=QgsProcessingParameterNumber.Double,
                defaultValue=DEFAULT_MIN_SCORE,
                optional=True,  # models and scripts saved before it keep working
                minValue=0.0,
                maxValue=1.0,
            )
        )

    def addOutputParameters(self) -> None:
        """OUTPUT (objects), OUTPUT_RELATIONS (table), OUTPUT_PROMPTS (boxes) and counts."""
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT,
                tr("Objects"),
                QgsProcessing.TypeVectorPolygon,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_RELATIONS,
                tr("Relations"),
                QgsProcessing.TypeVector,
                optional=True,
                createByDefault=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_PROMPTS,
                tr("Boxes with captions"),
                QgsProcessing.TypeVectorPolygon,
                optional=True,
                createByDefault=True,
            )
        )
        for name, text in (
            (self.PROCESSED_COUNT, tr("Boxes described")),
            (self.SKIPPED_COUNT, tr("Boxes skipped")),
            (self.OBJECT_COUNT, tr("Objects found")),
        ):
            self.addOutput(QgsProcessingOutputNumber(name, text))

    def prepareAlgorithm(
        self,
        parameters: Dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> bool:
        """Capture the raster layer on the main thread (layers are not thread-safe)."""
        layer = self.parameterAsRasterLayer(parameters, self.INPUT, context)
        if layer is None:
            raise QgsProcessingException(self.invalidRasterError(parameters, self.INPUT))
        self.raster = RasterInput.from_layer(layer, context)
        return True

    def describeBoxes(
        self,
        prompts: List[BoxPrompt],
        id_field: Optional[QgsField],
        skips: SkipLog,
        parameters: Dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> Dict[str, Any]:
        """Run the model on every prompt and write the sinks; returns the algorithm's results."""
        from model_core.errors import InputError
        from model_core.server_client import RequestCancelled, ServerDied, ServerError

        out_field = carried_field(id_field) if id_field is not None else None
        client, model = self._loadModel(parameters, context, feedback)
        sinks = self._openSinks(parameters, context, out_field)
        margin = self.parameterAsDouble(parameters, self.CONTEXT, context)
        min_score = self.parameterAsDouble(parameters, self.MIN_SCORE, context)
        done, skipped_before, hidden = 0, skips.count, 0
        try:
            for index, result in describe(
                self.raster, prompts, client, model, margin, skips, feedback.isCanceled
            ):
                if feedback.isCanceled():
                    break
                prompt = prompts[index]
                shown = keep_confident(result, min_score)
                hidden += len(result.objects) - len(shown.objects)
                result = shown
                sinks.write(prompt, result, model["model"])
                done += 1
                self._reportBox(feedback, prompt.box_id, result)
                handled = done + skips.count - skipped_before
                feedback.setProgress(100.0 * handled / len(prompts))
        except RequestCancelled:
            pass
        except ServerDied as died:
            raise QgsProcessingException(
                plural(
                    done,
                    tr(
                        "The model process stopped unexpectedly ({0}) after 1 box; "
                        "run the algorithm again."
                    ),
                    tr(
                        "The model process stopped unexpectedly ({0}) after {1} boxes; "
                        "run the algorithm again."
                    ),
                ).format(died.how, done)
            ) from died
        except (InputError, ServerError) as err:
            raise QgsProcessingException(str(err)) from err

        if sinks.truncated:
            feedback.pushWarning(
                tr(
                    "Shapefile output: texts longer than 254 bytes were truncated; "
                    "use a GeoPackage to keep them whole."
                )
            )
        described = plural(done, tr("1 box described"), tr("{0} boxes described"))
        found = plural(sinks.object_count, tr("1 object found"), tr("{0} objects found"))
        feedback.pushInfo(
            tr("{0}, {1} skipped, {2}.").format(
                described.format(done), skips.count, found.format(sinks.object_count)
            )
        )
        if hidden:
            text = plural(
                hidden,
                tr("1 object scored below the minimum score {1:.2f} and was left out."),
                tr("{0} objects scored below the minimum score {1:.2f} and were left out."),
            )
            feedback.pushInfo(text.format(hidden, min_score))
        if done == 0 and skips.count and not feedback.isCanceled():
            text = plural(
                skips.count,
                tr(
                    "The box could not be described on the raster layer '{1}'; "
                    "check that it overlaps it (and the box layer's CRS)."
                ),
                tr(
                    "None of the {0} boxes could be described on the raster layer '{1}'; "
                    "check that they overlap it (and the box layer's CRS)."
                ),
            )
            raise QgsProcessingException(text.format(skips.count, self.raster.name))
        return {
            self.OUTPUT: sinks.objects_id,
            self.OUTPUT_RELATIONS: sinks.relations_id or None,
            self.OUTPUT_PROMPTS: sinks.prompts_id or None,
            self.PROCESSED_COUNT: done,
            self.SKIPPED_COUNT: skips.count,
            self.OBJECT_COUNT: sinks.object_count,
        }

    def _openSinks(
        self,
        parameters: Dict[str, Any],
        context: QgsProcessingContext,
        out_field: Optional[QgsField],
    ) -> "OutputSinks":
        """Create the three sinks in the raster's CRS (the optional two may be skipped)."""
        crs = self.raster.crs
        objects, objects_id = self.parameterAsSink(
            parameters,
            self.OUTPUT,
            context,
            make_fields(OBJECT_FIELDS, out_field),
            QgsWkbTypes.MultiPolygon,
            crs,
        )
        if objects is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        relations, relations_id = self.parameterAsSink(
            parameters,
            self.OUTPUT_RELATIONS,
            context,
            make_fields(RELATION_FIELDS, out_field),
            QgsWkbTypes.NoGeometry,
        )
        prompts, prompts_id = self.parameterAsSink(
            parameters,
            self.OUTPUT_PROMPTS,
            context,
            make_fields(PROMPT_FIELDS, out_field),
            QgsWkbTypes.Polygon,
            crs,
        )
        for output, dest in (
            (self.OUTPUT, objects_id),
            (self.OUTPUT_RELATIONS, relations_id),
            (self.OUTPUT_PROMPTS, prompts_id),
        ):
            if dest and context.willLoadLayerOnCompletion(dest):
                role = self.LAYER_NAMES[output]
                name = tr("{layer} ({algorithm})").format(layer=role, algorithm=self.displayName())
                style_loaded_output(context, dest, role, name)
        shapefile = any(
            str(dest).lower().endswith(".shp") for dest in (objects_id, prompts_id) if dest
        )
        return OutputSinks(
            objects,
            objects_id,
            relations,
            relations_id or "",
            prompts,
            prompts_id or "",
            source=self.raster.source,
            carry=out_field is not None,
            shapefile=shapefile,
        )

    def _loadModel(
        self,
        parameters: Dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> Tuple[Any, dict]:
        """The shared server client and its ``load`` answer for CHECKPOINT and DEVICE.

        CUDA asked for on a machine without it falls back to the CPU with a warning.
        """
        from model_core.server_client import ServerError

        from ..model_env import ModelEnvironmentMissing
        from ..model_server import shared_client

        checkpoint = self.parameterAsFile(parameters, self.CHECKPOINT, context) or None
        device = self.parameterAsEnumString(parameters, self.DEVICE, context) or DEVICES[0]
        feedback.setProgressText(tr("Loading the CLV-Net model…"))
        try:
            client = shared_client()
            try:
                model = client.load(checkpoint, device, cancel=feedback.isCanceled)
            except ServerError as err:
                if err.kind != "no_cuda":
                    raise
                feedback.pushWarning(tr("CUDA is not available here; running on the CPU."))
                model = client.load(checkpoint, "cpu", cancel=feedback.isCanceled)
        except ModelEnvironmentMissing as err:
            raise QgsProcessingException(str(err)) from err
        except ServerError as err:
            raise QgsProcessingException(str(err)) from err
        feedback.pushInfo(
            tr("Model {0} ({1}) on {2}, in the model process {3}.").format(
                model["model"], model["checkpoint"], model["device"], client.pid
            )
        )
        feedback.setProgressText(tr("Describing boxes…"))
        return client, model

    @staticmethod
    def _reportBox(feedback: QgsProcessingFeedback, box_id: Any, result: Any) -> None:
        """Log a box's caption and objects (the log is what qgis_process users read)."""
        feedback.pushInfo(tr("Box {0}: {1}").format(box_id, result.caption))
        for obj_id, obj in enumerate(result.objects):
            feedback.pushInfo(f"  [{obj_id}] {obj.phrase} ({obj.score:.2f})")
