"""Render a CLV-Net result GeoPackage over its raster to a PNG with QGIS's own renderer.

The objects get the plugin's style (a distinct translucent colour per object, phrase labels),
the boxes a dashed outline with their name; under the map, each box's caption is printed.
Needs a running ``QgsApplication`` with a GUI (``QT_QPA_PLATFORM=offscreen`` is enough).
"""

from pathlib import Path
from typing import List, Tuple

from qgis.core import (
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsPalLayerSettings,
    QgsRasterLayer,
    QgsRectangle,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import QRectF, QSize, Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter

from clvnet_qgis.layers import style_objects, style_prompts

MAP_WIDTH = 1400
MARGIN = 16
LINE_SPACING = 1.35


def label_boxes(layer: QgsVectorLayer, field: str) -> None:
    """Name each box in yellow on a dark halo, above its outline."""
    settings = QgsPalLayerSettings()
    settings.fieldName = field
    settings.placement = QgsPalLayerSettings.Horizontal
    text = QgsTextFormat()
    text.setSize(11)
    text.setColor(QColor(255, 235, 59))
    halo = QgsTextBufferSettings()
    halo.setEnabled(True)
    halo.setSize(1.2)
    halo.setColor(QColor(30, 30, 30))
    text.setBuffer(halo)
    settings.setFormat(text)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


def view_extent(raster: QgsRasterLayer, boxes: QgsVectorLayer, context: float) -> QgsRectangle:
    """The boxes with the context the model saw around each, plus a 5 % margin, in the raster."""
    extent = QgsRectangle()
    for feature in boxes.getFeatures():
        rect = feature.geometry().boundingBox()
        side = max(rect.width(), rect.height()) * (1 + 2 * context)
        centre = rect.center()
        extent.combineExtentWith(
            QgsRectangle(
                centre.x() - side / 2,
                centre.y() - side / 2,
                centre.x() + side / 2,
                centre.y() + side / 2,
            )
        )
    extent.scale(1.05)
    clipped = extent.intersect(raster.extent())
    return clipped if not clipped.isEmpty() else raster.extent()


def render_map(
    raster_path: Path,
    gpkg: Path,
    png: Path,
    box_label_field: str = "name",
    context: float = 0.5,
) -> Path:
    """Draw raster, objects and boxes from ``gpkg`` (``clvnet_*`` layers) into ``png``."""
    raster = QgsRasterLayer(str(raster_path), "raster")
    objects = QgsVectorLayer(f"{gpkg}|layername=clvnet_objects", "objects")
    prompts = QgsVectorLayer(f"{gpkg}|layername=clvnet_prompts", "boxes")
    for layer in (raster, objects, prompts):
        if not layer.isValid():
            raise SystemExit(f"Cannot open {layer.source()} for the demo map.")
    style_objects(objects)
    style_prompts(prompts)
    if box_label_field in prompts.fields().names():
        label_boxes(prompts, box_label_field)

    extent = view_extent(raster, prompts, context)
    height = max(1, round(MAP_WIDTH * extent.height() / extent.width()))
    settings = QgsMapSettings()
    settings.setLayers([prompts, objects, raster])
    settings.setDestinationCrs(raster.crs())
    settings.setExtent(extent)
    settings.setOutputSize(QSize(MAP_WIDTH, height))
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setFlag(QgsMapSettings.Antialiasing, True)
    settings.setFlag(QgsMapSettings.DrawLabeling, True)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    captions = [
        (
            f"{f[box_label_field]}"
            if box_label_field in f.fields().names()
            else f"box {f['box_id']}",
            f["caption"],
        )
        for f in sorted(prompts.getFeatures(), key=lambda f: f["box_id"])
    ]
    image = with_captions(job.renderedImage(), captions)
    png.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(png), "PNG"):
        raise SystemExit(f"Cannot write {png}.")
    return png


def with_captions(map_image: QImage, captions: List[Tuple[str, str]]) -> QImage:
    """The map with a white band under it listing ``name: caption``, wrapped to its width."""
    font = QFont()
    font.setPixelSize(18)
    metrics = QFontMetrics(font)
    width = map_image.width()
    flags = Qt.TextWordWrap | Qt.AlignLeft | Qt.AlignTop
    blocks = []
    for name, caption in captions:
        text = f"{name}: {caption or '(no caption)'}"
        rect = metrics.boundingRect(0, 0, width - 2 * MARGIN, 10_000, flags, text)
        blocks.append((text, rect.height() * LINE_SPACING))
    band = int(sum(h for _, h in blocks) + 2 * MARGIN)
    image = QImage(width, map_image.height() + band, QImage.Format_ARGB32)
    image.fill(QColor(255, 255, 255))
    painter = QPainter(image)
    painter.drawImage(0, 0, map_image)
    painter.setFont(font)
    painter.setPen(QColor(20, 20, 20))
    y = map_image.height() + MARGIN
    for text, height in blocks:
        painter.drawText(QRectF(MARGIN, y, width - 2 * MARGIN, height), flags, text)
        y += height
    painter.end()
    return image
