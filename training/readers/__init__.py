"""Readers of annotated imagery: one module per label format, one object type out.

Every reader yields :class:`~.objects.AnnotatedImage` (an image or a raster window, its
:class:`~.objects.LabelledObject` list, a split) and records bad input in a
:class:`~.objects.Skips` (or raises :class:`~.objects.ReaderError` in strict mode):

- :func:`.yolo.read_yolo` - YOLO boxes or oriented quads with a names file;
- :func:`.voc.read_voc` - Pascal VOC XML; :func:`.csv_boxes.read_csv_boxes` - CSV boxes;
- :func:`.coco.read_coco` - COCO instances (polygons, RLE, iscrowd);
- :func:`.dota.read_dota` - DOTA labelTxt;
- :func:`.masks.read_masks` - semantic (RGB or index) and binary masks;
- :func:`.vector.read_vector` - vector labels over a georeferenced raster;
- :func:`.geopixeld.read_geopixeld` - GeoPixelD / project records.
"""

from .objects import AnnotatedImage, LabelledObject, ReaderError, Skips

__all__ = ["AnnotatedImage", "LabelledObject", "ReaderError", "Skips"]
