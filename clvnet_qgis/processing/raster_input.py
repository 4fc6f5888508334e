"""The INPUT raster of a Processing run: captured on the main thread, read on the run's thread.

Pixels come through ``clvnet_qgis.pixels`` exactly as for the map tool (a windowed GDAL read of
a file, or QGIS's own rendering of any other layer), so a box gives the same window in the
toolbox as when it is drawn. A file shown with a renderer that is neither RGB nor grey
(paletted, pseudocolour) is rendered too, so the model sees the colours the user sees.
"""

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Optional, Tuple

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsMultiBandColorRenderer,
    QgsProcessingContext,
    QgsRasterLayer,
    QgsRectangle,
    QgsSingleBandGrayRenderer,
)

from ..pixels import WindowRequest, prepare_window, rect_box

if TYPE_CHECKING:
    from model_core.window import ImageWindow


def shown_bands(layer: QgsRasterLayer) -> Optional[Tuple[int, int, int]]:
    """The (red, green, blue) bands the layer's renderer shows, or None for other renderers."""
    renderer = layer.renderer()
    if isinstance(renderer, QgsMultiBandColorRenderer):
        bands = (renderer.redBand(), renderer.greenBand(), renderer.blueBand())
    elif isinstance(renderer, QgsSingleBandGrayRenderer):
        bands = (renderer.grayBand(),) * 3
    else:
        return None
    return bands if all(b >= 1 for b in bands) else None


@dataclass
class RasterInput:
    """What a run needs from its raster layer, safe to use off the main thread.

    Attributes:
        crs: the layer's CRS (invalid for a raster without georeference).
        extent: the layer's extent in ``crs`` (QGIS shows an ungeoreferenced raster at
            x in [0, width], y in [-height, 0]).
        name: the layer's name, for messages.
        request: how to read pixels, with the box and margin filled in per box.
    """

    crs: QgsCoordinateReferenceSystem
    extent: QgsRectangle
    name: str
    request: WindowRequest

    @classmethod
    def from_layer(cls, layer: QgsRasterLayer, context: QgsProcessingContext) -> "RasterInput":
        """Capture the layer; call on the main thread (``prepareAlgorithm``), it clones layers."""
        bands = shown_bands(layer)
        request = prepare_window(
            layer, layer.extent(), rgb_bands=bands or (1, 2, 3), project=context.project()
        )
        if request.path is not None and bands is None:
            request = replace(request, path=None, render_layer=layer.clone())
        ellipsoid = context.ellipsoid()
        request = replace(
            request,
            transform_context=context.transformContext(),
            ellipsoid="" if ellipsoid in ("", "NONE") else ellipsoid,
        )
        return cls(layer.crs(), QgsRectangle(layer.extent()), layer.name(), request)

    @property
    def source(self) -> str:
        """The layer's source as outputs record it (a path, or the source without password)."""
        return self.request.source

    def read_window(self, box: QgsRectangle, context: float, size: int) -> "ImageWindow":
        """The ``size`` x ``size`` window of ``box`` (in ``crs``) plus ``context`` margin.

        Raises ``model_core.errors.InputError`` when the box shows nothing of the raster.
        """
        return replace(self.request, box=rect_box(box), context=context).read(size)
