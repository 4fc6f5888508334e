"""Model-ready pixels of a raster layer around a box, for the map tool's worker.

Two ways, chosen on the main thread by ``prepare_window``:

* a GDAL-readable file is read through ``model_core.raster.RasterSource`` on its path:
  a windowed read of the box plus its context, never the whole raster;
* any other raster layer (WMS, XYZ tiles, virtual rasters, GeoPackage rasters) is rendered
  by QGIS's own renderer over the same square window at the model's input size, from a clone
  of the layer made on the main thread, so the user sees what the model sees.

``WindowRequest.read`` then runs on any thread (the worker's, or the main thread through
``read_window``) and returns a ``model_core.window.ImageWindow`` whose transform maps image
pixels to the layer's map coordinates.
"""

import os
from dataclasses import dataclass
from typing import Optional, Tuple

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransformContext,
    QgsDistanceArea,
    QgsGeometry,
    QgsMapLayer,
    QgsMapRendererCustomPainterJob,
    QgsMapSettings,
    QgsProject,
    QgsProviderRegistry,
    QgsRasterLayer,
    QgsRectangle,
    QgsUnitTypes,
)
from qgis.PyQt.QtCore import QSize, Qt
from qgis.PyQt.QtGui import QColor, QImage, QPainter

from .i18n import tr

Box = Tuple[float, float, float, float]
# Affine coefficients (a, b, c, d, e, f): x = a*col + b*row + c, y = d*col + e*row + f.
Coefficients = Tuple[float, float, float, float, float, float]


def file_path(layer: QgsMapLayer) -> Optional[str]:
    """The file GDAL reads for ``layer``, or None when the layer must be rendered."""
    if not isinstance(layer, QgsRasterLayer) or layer.providerType() != "gdal":
        return None
    parts = QgsProviderRegistry.instance().decodeUri("gdal", layer.source())
    path = parts.get("path") or ""
    if parts.get("layerName") or not os.path.isfile(path):
        return None
    return path


def rect_box(rect: QgsRectangle) -> Box:
    """(xmin, ymin, xmax, ymax) of a rectangle."""
    return (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum())


@dataclass
class WindowRequest:
    """Everything needed to get one window's pixels, safe to use on any thread.

    Attributes:
        box: the user's box in the layer's map coordinates (xmin, ymin, xmax, ymax).
        context: margin around the box as a fraction of its longer side.
        rgb_bands: bands shown as red, green, blue (file layers with 3+ bands).
        layer_id, layer_name: the layer the box was drawn on (for messages and checks).
        source: what the result's ``source`` field says (path or public source).
        crs_wkt: WKT of the layer's CRS, or None when it has none.
        path: the GDAL file for the file route, else None.
        layer_transform: raster pixel -> layer map coordinates (used without georeference).
        render_layer: a clone of the layer for the rendering route, else None.
        transform_context: the project's datum transformations (rendering route).
        ellipsoid: the project's ellipsoid, for pixel areas on a geographic CRS.
    """

    box: Box
    context: float
    rgb_bands: Tuple[int, int, int]
    layer_id: str
    layer_name: str
    source: str
    crs_wkt: Optional[str]
    path: Optional[str] = None
    layer_transform: Optional[Coefficients] = None
    render_layer: Optional[QgsRasterLayer] = None
    transform_context: Optional[QgsCoordinateTransformContext] = None
    ellipsoid: str = ""

    def read(self, size: int):
        """The ``size`` x ``size`` ``ImageWindow`` of the box plus its context.

        Raises ``model_core.errors.InputError`` when the pixels cannot be had.
        """
        if self.path is not None:
            return self._read_file(size)
        return self._render(size)

    def _read_file(self, size: int):
        from affine import Affine

        from model_core.raster import RasterSource

        with RasterSource(self.path) as source:
            if source.is_georeferenced:
                return source.read_window(
                    self.box, None, context=self.context, size=size, rgb_bands=self.rgb_bands
                )
            # No georeference: read in raster pixels, then map them the way QGIS shows them.
            to_pixels = ~Affine(*self.layer_transform)
            x0, y0, x1, y1 = self.box
            cols, rows = zip(to_pixels * (x0, y1), to_pixels * (x1, y0))
            pixel_box = (min(cols), min(rows), max(cols), max(rows))
            window = source.read_window(
                pixel_box, "pixel", context=self.context, size=size, rgb_bands=self.rgb_bands
            )
        window.transform = Affine(*self.layer_transform) * window.transform
        window.crs_wkt = self.crs_wkt
        return window

    def _render(self, size: int):
        """Render the layer clone over the square context window (any thread)."""
        import numpy as np
        from affine import Affine

        from model_core.errors import InputError
        from model_core.window import ImageWindow, context_window

        x0, y0, x1, y1 = context_window(self.box, self.context)
        crs = _crs(self.crs_wkt)
        settings = QgsMapSettings()
        settings.setLayers([self.render_layer])
        if crs is not None:
            settings.setDestinationCrs(crs)
        if self.transform_context is not None:
            settings.setTransformContext(self.transform_context)
        settings.setOutputSize(QSize(size, size))
        settings.setExtent(QgsRectangle(x0, y0, x1, y1))
        settings.setBackgroundColor(QColor(0, 0, 0, 0))
        settings.setFlag(QgsMapSettings.DrawLabeling, False)
        image = QImage(size, size, QImage.Format_ARGB32_Premultiplied)
        image.fill(Qt.transparent)
        painter = QPainter(image)
        job = QgsMapRendererCustomPainterJob(settings, painter)
        job.renderSynchronously()
        painter.end()
        errors = job.errors()
        if errors:
            raise InputError(
                tr("QGIS could not draw the layer '{name}': {reason}").format(
                    name=self.layer_name, reason=errors[0].message
                )
            )

        visible = settings.visibleExtent()
        res_x, res_y = visible.width() / size, visible.height() / size
        bits = image.constBits()
        bits.setsize(image.sizeInBytes())
        bgra = np.frombuffer(bits, np.uint8).reshape(size, image.bytesPerLine())[:, : size * 4]
        bgra = bgra.reshape(size, size, 4)
        # Premultiplied colour is already composited over black, as nodata should be.
        rgb = np.ascontiguousarray(bgra[..., [2, 1, 0]])
        valid = bgra[..., 3] > 0
        if not valid.any():
            raise InputError(
                tr("The layer '{name}' shows nothing in this box.").format(name=self.layer_name)
            )
        bx0, by0, bx1, by1 = self.box
        return ImageWindow(
            image=rgb,
            transform=Affine(res_x, 0.0, visible.xMinimum(), 0.0, -res_y, visible.yMaximum()),
            crs_wkt=self.crs_wkt,
            box=(
                (bx0 - visible.xMinimum()) / res_x,
                (visible.yMaximum() - by1) / res_y,
                (bx1 - visible.xMinimum()) / res_x,
                (visible.yMaximum() - by0) / res_y,
            ),
            source=f"{self.layer_id}@{res_x:.9g}x{res_y:.9g}",
            window=(
                round(visible.xMinimum() / res_x),
                round(-visible.yMaximum() / res_y),
                size,
                size,
            ),
            pixel_area_m2=self._pixel_area_m2(crs, visible, size),
            valid=valid,
        )

    def _pixel_area_m2(
        self, crs: Optional[QgsCoordinateReferenceSystem], visible: QgsRectangle, size: int
    ) -> Optional[float]:
        """Ground (ellipsoidal) area of one rendered pixel in m^2, as model_core measures it.

        A planar area would be wrong in e.g. Web Mercator (1/cos^2 latitude too large).
        """
        if crs is None:
            return None
        area = QgsDistanceArea()
        area.setSourceCrs(crs, self.transform_context or QgsCoordinateTransformContext())
        area.setEllipsoid(self.ellipsoid or crs.ellipsoidAcronym() or "EPSG:7030")
        total = area.measureArea(QgsGeometry.fromRect(visible))
        total = area.convertAreaMeasurement(total, QgsUnitTypes.AreaSquareMeters)
        return total / float(size * size)


def prepare_window(
    layer: QgsRasterLayer,
    box: QgsRectangle,
    context: float = 0.5,
    rgb_bands: Tuple[int, int, int] = (1, 2, 3),
    project: Optional[QgsProject] = None,
) -> WindowRequest:
    """Capture what reading ``box`` (in the layer's CRS) needs; call on the main thread."""
    project = project or QgsProject.instance()
    crs = layer.crs()
    path = file_path(layer)
    request = WindowRequest(
        box=rect_box(box),
        context=context,
        rgb_bands=rgb_bands,
        layer_id=layer.id(),
        layer_name=layer.name(),
        source=path or layer.publicSource(),
        crs_wkt=crs.toWkt() if crs.isValid() else None,
        transform_context=project.transformContext(),
        ellipsoid=project.ellipsoid() if project.ellipsoid() != "NONE" else "",
    )
    if path is not None:
        extent = layer.extent()
        request.path = path
        request.layer_transform = (
            extent.width() / layer.width(),
            0.0,
            extent.xMinimum(),
            0.0,
            -extent.height() / layer.height(),
            extent.yMaximum(),
        )
    else:
        request.render_layer = layer.clone()
    return request


def read_window(
    layer: QgsRasterLayer,
    box: QgsRectangle,
    size: int,
    context: float = 0.5,
    rgb_bands: Tuple[int, int, int] = (1, 2, 3),
):
    """``prepare_window(...).read(size)`` on the calling thread (scripts, tests)."""
    return prepare_window(layer, box, context, rgb_bands).read(size)


def _crs(wkt: Optional[str]) -> Optional[QgsCoordinateReferenceSystem]:
    """A CRS from WKT, or None."""
    if not wkt:
        return None
    crs = QgsCoordinateReferenceSystem.fromWkt(wkt)
    return crs if crs.isValid() else None
