"""The result layers of a project: objects, prompts (boxes) and relations in a "CLV-Net" group.

They are memory layers (ARCHITECTURE section 5 schema) until the user saves or exports them.
Each new box appends its features with the next ``box_id``; ``remove_last`` takes the last box
out again. The objects layer is categorised by phrase: each phrase has a legend entry and a
colour of its own, which the panel reads back (``phrase_colors``) to colour the caption.
"""

from dataclasses import dataclass, field
from typing import Dict, List, NamedTuple, Optional, Tuple

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsField,
    QgsFillSymbol,
    QgsGeometry,
    QgsLayerTreeGroup,
    QgsPalLayerSettings,
    QgsProject,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import QVariant
from qgis.PyQt.QtGui import QColor

from model_core.result import DEFAULT_MIN_SCORE, keep_confident

GROUP_NAME = "CLV-Net"
OBJECTS, PROMPTS, RELATIONS = "clvnet_objects", "clvnet_prompts", "clvnet_relations"
ROLE_PROPERTY = "clvnet/role"

FieldSpec = Tuple[str, QVariant.Type]
OBJECT_FIELDS: Tuple[FieldSpec, ...] = (
    ("box_id", QVariant.Int),
    ("obj_id", QVariant.Int),
    ("phrase", QVariant.String),
    ("caption", QVariant.String),
    ("score", QVariant.Double),
    ("area_m2", QVariant.Double),
    ("model", QVariant.String),
    ("source", QVariant.String),
)
PROMPT_FIELDS: Tuple[FieldSpec, ...] = (
    ("box_id", QVariant.Int),
    ("caption", QVariant.String),
    ("tagged", QVariant.String),
    ("model", QVariant.String),
    ("source", QVariant.String),
)
RELATION_FIELDS: Tuple[FieldSpec, ...] = (
    ("box_id", QVariant.Int),
    ("subj_id", QVariant.Int),
    ("predicate", QVariant.String),
    ("obj_id", QVariant.Int),
    ("score", QVariant.Double),
)
LAYER_SPECS = {
    OBJECTS: ("MultiPolygon", OBJECT_FIELDS),
    PROMPTS: ("Polygon", PROMPT_FIELDS),
    RELATIONS: ("None", RELATION_FIELDS),
}

# Golden-angle hues keep the phrases' colours apart: the n-th legend entry gets hue n * 137.5.
HUE_STEP = 137.508
SATURATION, VALUE, FILL_ALPHA = 80, 95, 100
CATEGORY_FIELD = "phrase"


def category_color(index: int, alpha: int = 255) -> QColor:
    """The colour of the ``index``-th legend entry of the objects layer (``alpha`` 0..255)."""
    hue = round(index * HUE_STEP) % 360
    return QColor.fromHsvF(hue / 360.0, SATURATION / 100.0, VALUE / 100.0, alpha / 255.0)


class ObjectRow(NamedTuple):
    """One object of a box as the panel shows it."""

    phrase: str
    score: float


@dataclass
class AddedResult:
    """What ``add_result`` did: the box id, whether it created the layers, ids per object, and
    how many objects scored below the minimum score and were left out."""

    box_id: int
    created_layers: bool
    object_feature_ids: Dict[int, int] = field(default_factory=dict)
    hidden_objects: int = 0


class ResultLayers:
    """Finds, creates and edits the three result layers of a project."""

    def __init__(self, project: Optional[QgsProject] = None) -> None:
        self.project = project or QgsProject.instance()

    # -- finding and creating ---------------------------------------------------------------

    def layer(self, name: str) -> Optional[QgsVectorLayer]:
        """The project's result layer ``name`` (OBJECTS, PROMPTS or RELATIONS), if any."""
        for layer in self.project.mapLayers().values():
            if layer.customProperty(ROLE_PROPERTY) == name:
                return layer
        return None

    def exist(self) -> bool:
        """True when the project holds result layers with at least one box."""
        prompts = self.layer(PROMPTS)
        return prompts is not None and prompts.featureCount() > 0

    def ensure(self, crs: QgsCoordinateReferenceSystem) -> bool:
        """Create whichever result layers are missing (in ``crs``); True if any was created."""
        created = False
        group = self._group()
        for name, (geometry, specs) in LAYER_SPECS.items():
            if self.layer(name) is not None:
                continue
            uri = geometry if geometry == "None" else f"{geometry}?crs={crs.authid()}"
            layer = QgsVectorLayer(uri, name, "memory")
            if geometry != "None" and crs.isValid() and not crs.authid():
                layer.setCrs(crs)
            layer.dataProvider().addAttributes([QgsField(n, t) for n, t in specs])
            layer.updateFields()
            layer.setCustomProperty(ROLE_PROPERTY, name)
            if name == OBJECTS:
                style_objects(layer)
            elif name == PROMPTS:
                style_prompts(layer)
            self.project.addMapLayer(layer, False)
            group.addLayer(layer)
            created = True
        return created

    def _group(self) -> QgsLayerTreeGroup:
        root = self.project.layerTreeRoot()
        group = root.findGroup(GROUP_NAME)
        return group if group is not None else root.insertGroup(0, GROUP_NAME)

    # -- editing ----------------------------------------------------------------------------

    def next_box_id(self) -> int:
        """One more than the largest ``box_id`` in the prompts layer (1 for the first box)."""
        ids = self.box_ids()
        return max(ids) + 1 if ids else 1

    def box_ids(self) -> List[int]:
        """Every ``box_id`` in the prompts layer, ascending."""
        prompts = self.layer(PROMPTS)
        if prompts is None:
            return []
        return sorted(int(f["box_id"]) for f in prompts.getFeatures())

    def add_result(
        self,
        result,
        source: str,
        fallback_crs: QgsCoordinateReferenceSystem,
        output_crs: Optional[QgsCoordinateReferenceSystem] = None,
        min_score: float = DEFAULT_MIN_SCORE,
    ) -> AddedResult:
        """Append a ``PredictionResult``'s objects, box and relations as a new box.

        Args:
            result: a georeferenced ``model_core.result.PredictionResult`` (geometries in
                ``result.crs_wkt``; objects without geometry are skipped).
            source: what the ``source`` fields say (the raster's path or public source).
            fallback_crs: CRS of the geometries when the result carries none.
            output_crs: CRS of newly created layers; None for the result's CRS.
            min_score: objects scoring below it are left out (``keep_confident``).
        """
        shown = keep_confident(result, min_score)
        hidden = len(result.objects) - len(shown.objects)
        result = shown
        result_crs = (
            QgsCoordinateReferenceSystem.fromWkt(result.crs_wkt) if result.crs_wkt else None
        )
        if result_crs is None or not result_crs.isValid():
            result_crs = fallback_crs
        created = self.ensure(output_crs if output_crs is not None else result_crs)
        objects, prompts, relations = (self.layer(n) for n in (OBJECTS, PROMPTS, RELATIONS))
        box_id = self.next_box_id()
        to_layer = self._transform(result_crs, objects.crs())

        object_features, object_ids = [], []
        for obj_id, obj in enumerate(result.objects):
            if obj.geometry is None:
                continue
            feature = QgsFeature(objects.fields())
            feature.setGeometry(_to_qgs(obj.geometry, to_layer, multi=True))
            feature.setAttributes(
                [
                    box_id,
                    obj_id,
                    obj.phrase,
                    result.caption,
                    float(obj.score),
                    None if obj.area_m2 is None else float(obj.area_m2),
                    result.model,
                    source,
                ]
            )
            object_features.append(feature)
            object_ids.append(obj_id)
        ok, added = objects.dataProvider().addFeatures(object_features)
        feature_ids = {oid: f.id() for oid, f in zip(object_ids, added)} if ok else {}

        prompt = QgsFeature(prompts.fields())
        box_geometry = getattr(result, "box_geometry", None)
        if box_geometry is not None:
            prompt.setGeometry(_to_qgs(box_geometry, self._transform(result_crs, prompts.crs())))
        prompt.setAttributes([box_id, result.caption, result.tagged_caption, result.model, source])
        prompts.dataProvider().addFeatures([prompt])

        rows = []
        for rel in result.relations:
            row = QgsFeature(relations.fields())
            row.setAttributes([box_id, rel.subject, rel.predicate, rel.object, float(rel.score)])
            rows.append(row)
        relations.dataProvider().addFeatures(rows)

        update_object_legend(objects)
        for layer in (objects, prompts, relations):
            layer.updateExtents()
            layer.triggerRepaint()
        return AddedResult(box_id, created, feature_ids, hidden)

    def remove_last(self) -> Optional[int]:
        """Delete every feature of the last box; returns its ``box_id`` (None when empty)."""
        ids = self.box_ids()
        if not ids:
            return None
        box_id = ids[-1]
        for name in (OBJECTS, PROMPTS, RELATIONS):
            layer = self.layer(name)
            if layer is None:
                continue
            fids = self.feature_ids(name, box_id)
            layer.dataProvider().deleteFeatures(fids)
            if name == OBJECTS:
                update_object_legend(layer)
            layer.updateExtents()
            layer.triggerRepaint()
        return box_id

    def feature_ids(self, name: str, box_id: int, obj_id: Optional[int] = None) -> List[int]:
        """Feature ids in layer ``name`` of one box (and one object of it)."""
        layer = self.layer(name)
        if layer is None:
            return []
        expression = f'"box_id" = {int(box_id)}'
        if obj_id is not None:
            expression += f' AND "obj_id" = {int(obj_id)}'
        request = QgsFeatureRequest().setFilterExpression(expression)
        request.setFlags(QgsFeatureRequest.NoGeometry)
        return [f.id() for f in layer.getFeatures(request)]

    def _transform(
        self, source: QgsCoordinateReferenceSystem, target: QgsCoordinateReferenceSystem
    ) -> Optional[QgsCoordinateTransform]:
        if not source.isValid() or not target.isValid() or source == target:
            return None
        return QgsCoordinateTransform(source, target, self.project)


def _to_qgs(
    geometry, transform: Optional[QgsCoordinateTransform], multi: bool = False
) -> QgsGeometry:
    """A shapely geometry as a QgsGeometry, transformed to the layer CRS when needed."""
    qgs = QgsGeometry()
    qgs.fromWkb(geometry.wkb)
    if multi:
        qgs.convertToMultiType()
    if transform is not None:
        qgs.transform(transform)
    return qgs


def phrase_symbol(index: int) -> QgsFillSymbol:
    """Semi-transparent fill and solid outline in the ``index``-th legend entry's colour."""
    symbol = QgsFillSymbol.createSimple({"outline_width": "0.6"})
    symbol.symbolLayer(0).setFillColor(category_color(index, FILL_ALPHA))
    symbol.symbolLayer(0).setStrokeColor(category_color(index))
    return symbol


def update_object_legend(layer: QgsVectorLayer) -> None:
    """One legend entry per phrase in the objects layer: new phrases get the next colour,
    phrases no feature has any more lose their entry, the others keep theirs.

    The layer gets a new renderer, so the layer tree redraws its legend.
    """
    request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry)
    request.setSubsetOfAttributes([CATEGORY_FIELD], layer.fields())
    present: List[str] = []
    for feature in layer.getFeatures(request):
        if feature[CATEGORY_FIELD] not in present:
            present.append(feature[CATEGORY_FIELD])
    old = layer.renderer()
    kept = [
        QgsRendererCategory(c)
        for c in (old.categories() if isinstance(old, QgsCategorizedSymbolRenderer) else [])
        if c.value() in present
    ]
    for phrase in present:
        if phrase in [category.value() for category in kept]:
            continue
        taken = {c.symbol().symbolLayer(0).strokeColor().name() for c in kept}
        free = (i for i in range(len(taken) + 1) if category_color(i).name() not in taken)
        index = next(free, len(taken))
        kept.append(QgsRendererCategory(phrase, phrase_symbol(index), str(phrase)))
    layer.setRenderer(QgsCategorizedSymbolRenderer(CATEGORY_FIELD, kept))


def phrase_colors(layer: Optional[QgsVectorLayer]) -> Dict[str, QColor]:
    """phrase -> the outline colour its legend entry gives it on the map."""
    renderer = layer.renderer() if layer is not None else None
    if not isinstance(renderer, QgsCategorizedSymbolRenderer):
        return {}
    return {c.value(): c.symbol().symbolLayer(0).strokeColor() for c in renderer.categories()}


def style_objects(layer: QgsVectorLayer) -> None:
    """A legend entry per phrase (its own colour, see ``update_object_legend``) and labels."""
    update_object_legend(layer)
    labels = QgsPalLayerSettings()
    labels.fieldName = "phrase"
    labels.placement = QgsPalLayerSettings.OverPoint
    text = QgsTextFormat()
    text.setSize(9)
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(1.0)
    buffer.setColor(QColor("white"))
    text.setBuffer(buffer)
    labels.setFormat(text)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(labels))
    layer.setLabelsEnabled(True)


def style_prompts(layer: QgsVectorLayer) -> None:
    """The drawn boxes: dashed outline, no fill."""
    symbol = QgsFillSymbol.createSimple(
        {
            "style": "no",
            "outline_color": "255,255,0",
            "outline_width": "0.5",
            "outline_style": "dash",
        }
    )
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))


def history_rows(layers: ResultLayers) -> List[Tuple[int, str, str]]:
    """(box_id, caption, tagged caption) of every box in the prompts layer, by box id."""
    prompts = layers.layer(PROMPTS)
    if prompts is None:
        return []
    rows = [(int(f["box_id"]), f["caption"], f["tagged"]) for f in prompts.getFeatures()]
    return sorted(rows)


def relation_rows(layers: ResultLayers, box_id: int) -> List[Tuple[int, str, int, float]]:
    """(subj_id, predicate, obj_id, score) of one box's relations."""
    relations = layers.layer(RELATIONS)
    if relations is None:
        return []
    request = QgsFeatureRequest().setFilterExpression(f'"box_id" = {int(box_id)}')
    return [
        (int(f["subj_id"]), f["predicate"], int(f["obj_id"]), float(f["score"]))
        for f in relations.getFeatures(request)
    ]


def object_rows(layers: ResultLayers, box_id: int) -> Dict[int, ObjectRow]:
    """obj_id -> (phrase, score) of one box's objects that have a polygon."""
    objects = layers.layer(OBJECTS)
    if objects is None:
        return {}
    request = QgsFeatureRequest().setFilterExpression(f'"box_id" = {int(box_id)}')
    request.setFlags(QgsFeatureRequest.NoGeometry)
    return {
        int(f["obj_id"]): ObjectRow(f["phrase"], float(f["score"]))
        for f in objects.getFeatures(request)
    }
