"""Writing the three outputs of the CLV-Net algorithms (schemas: ARCHITECTURE section 5).

The schemas are the plugin's own result layers' (``clvnet_qgis.layers``), which match
``model_core.writers``: a Processing output, a layer drawn with the map tool and a command-line
output of the same box have the same columns. The box layer's ID field, when one is chosen,
comes last in every output.
"""

from typing import TYPE_CHECKING, Any, Optional, Sequence, Tuple

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
)
from qgis.PyQt.QtCore import QVariant

from ..layers import OBJECT_FIELDS, PROMPT_FIELDS, RELATION_FIELDS

if TYPE_CHECKING:
    from model_core.result import PredictionResult

    from .prompts import BoxPrompt

SHAPEFILE_TEXT_BYTES = 254
"""Longest text a Shapefile (dBase) field holds."""


def make_fields(
    specs: Sequence[Tuple[str, QVariant.Type]], id_field: Optional[QgsField]
) -> QgsFields:
    """Fields of an output: the fixed schema, then the carried ID field if any."""
    fields = QgsFields()
    for name, kind in specs:
        fields.append(QgsField(name, kind))
    if id_field is not None:
        fields.append(QgsField(id_field))
    return fields


def carried_field(field: QgsField) -> QgsField:
    """The box layer's ID field as it appears in the outputs.

    Named as in the box layer, unless that clashes (case-insensitively, as GeoPackage and
    Shapefile compare names) with a schema field; then it gets an ``in_`` prefix.
    """
    taken = {name.lower() for name, _ in (*OBJECT_FIELDS, *RELATION_FIELDS, *PROMPT_FIELDS)}
    out = QgsField(field)
    if field.name().lower() in taken:
        out.setName("in_" + field.name())
    return out


def shapefile_text(text: str) -> str:
    """``text`` cut to what a Shapefile field holds (254 bytes of UTF-8, whole characters)."""
    data = text.encode("utf-8")
    if len(data) <= SHAPEFILE_TEXT_BYTES:
        return text
    return data[:SHAPEFILE_TEXT_BYTES].decode("utf-8", errors="ignore")


class OutputSinks:
    """The objects, relations and prompts sinks of one run (the last two may be None).

    Attributes:
        objects_id, relations_id, prompts_id: destination ids returned by Processing.
        object_count: polygons written so far.
        truncated: True once a text was cut for a Shapefile.
    """

    def __init__(
        self,
        objects: QgsFeatureSink,
        objects_id: str,
        relations: Optional[QgsFeatureSink],
        relations_id: str,
        prompts: Optional[QgsFeatureSink],
        prompts_id: str,
        source: str,
        carry: bool,
        shapefile: bool,
    ) -> None:
        self.objects, self.objects_id = objects, objects_id
        self.relations, self.relations_id = relations, relations_id
        self.prompts, self.prompts_id = prompts, prompts_id
        self.source = source
        self.carry = carry
        self.shapefile = shapefile
        self.object_count = 0
        self.truncated = False

    def _text(self, text: str) -> str:
        """Text as the output format can hold it; notes any truncation."""
        if not self.shapefile:
            return text
        cut = shapefile_text(text)
        self.truncated = self.truncated or cut != text
        return cut

    def write(self, prompt: "BoxPrompt", result: "PredictionResult", model: str) -> None:
        """Write one box's objects (those with a polygon), relations and prompt feature.

        ``obj_id`` is the object's index in the caption, so relations refer to it even when
        an object's mask vectorised to nothing and has no feature.
        """
        carried = [prompt.id_value] if self.carry else []
        caption = self._text(result.caption)
        source = self._text(self.source)
        model = result.model or model
        for obj_id, obj in enumerate(result.objects):
            if obj.geometry is None or obj.geometry.is_empty:
                continue
            geometry = QgsGeometry()
            geometry.fromWkb(obj.geometry.wkb)
            geometry.convertToMultiType()
            self._add(
                self.objects,
                geometry,
                [
                    prompt.box_id,
                    obj_id,
                    self._text(obj.phrase),
                    caption,
                    float(obj.score),
                    obj.area_m2,
                    model,
                    source,
                    *carried,
                ],
            )
            self.object_count += 1
        if self.relations is not None:
            for rel in result.relations:
                self._add(
                    self.relations,
                    None,
                    [
                        prompt.box_id,
                        rel.subject,
                        rel.predicate,
                        rel.object,
                        float(rel.score),
                        *carried,
                    ],
                )
        if self.prompts is not None:
            self._add(
                self.prompts,
                QgsGeometry.fromRect(prompt.rect),
                [
                    prompt.box_id,
                    caption,
                    self._text(result.tagged_caption),
                    model,
                    source,
                    *carried,
                ],
            )

    @staticmethod
    def _add(sink: QgsFeatureSink, geometry: Optional[QgsGeometry], values: Sequence[Any]) -> None:
        """Append one feature."""
        feature = QgsFeature()
        if geometry is not None:
            feature.setGeometry(geometry)
        feature.setAttributes(list(values))
        sink.addFeature(feature, QgsFeatureSink.FastInsert)
