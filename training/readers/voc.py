"""Pascal VOC XML box labels: ``<filename>``, ``<size>`` and ``<object><name><bndbox>``."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterator, Optional, Sequence

from .objects import AnnotatedImage, Skips, SplitRule, box_object, everything_train, image_size


def read_voc(
    files, skips: Skips, split: SplitRule = everything_train, image_dirs: Sequence[Path] = ()
) -> Iterator[AnnotatedImage]:
    """Images of every VOC XML file in ``files`` (the image is looked up beside the XML, then
    in ``image_dirs``)."""
    for xml in files:
        xml = Path(xml)
        try:
            root = ET.parse(xml).getroot()
        except (ET.ParseError, OSError) as exc:
            skips.add(str(xml), "unreadable label file", str(exc))
            continue
        if root.tag != "annotation":  # e.g. GDAL's .aux.xml beside a raster
            skips.add(str(xml), "not a VOC annotation", f"root <{root.tag}>")
            continue
        image = _image_of(xml, root.findtext("filename"), image_dirs)
        if image is None:
            skips.add(str(xml), "label without image")
            continue
        size = image_size(image)
        objects = []
        for n, node in enumerate(root.iter("object"), start=1):
            where = f"{xml.name} object {n}"
            name = (node.findtext("name") or "").strip()
            bnd = node.find("bndbox")
            if not name or bnd is None:
                skips.add(where, "malformed label", "no name or bndbox")
                continue
            try:
                box = tuple(float(bnd.findtext(k)) for k in ("xmin", "ymin", "xmax", "ymax"))
            except (TypeError, ValueError):
                skips.add(where, "malformed label", "bndbox not numeric")
                continue
            obj = box_object(name, box, size, where, skips)
            if obj is not None:
                objects.append(obj)
        if objects:
            yield AnnotatedImage(xml.stem, image, objects, size, split(image.name))
        else:
            skips.add(str(xml), "empty file")


def _image_of(xml: Path, filename: Optional[str], image_dirs: Sequence[Path]) -> Optional[Path]:
    """The labelled image: ``<filename>`` beside the XML, else the XML's stem with any
    image suffix (the ``<filename>`` often names the original, e.g. a .tif for a .png)."""
    from .objects import find_image

    for folder in (xml.parent, *image_dirs):
        if filename and (Path(folder) / filename.strip()).is_file():
            return Path(folder) / filename.strip()
        found = find_image(Path(folder), xml.stem)
        if found is not None:
            return found
    return None
