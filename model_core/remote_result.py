"""A model server's answer placed on the map: window pixels -> the window's CRS.

The server describes pixels only; its polygons are in the window's pixel grid. The front end
knows where the window lies (``ImageWindow.transform`` and ``crs_wkt``) and turns the answer
into the ``PredictionResult`` every writer and layer builder takes. No torch here.
"""

import time
from typing import Any, Dict

from shapely import wkt as shapely_wkt
from shapely.affinity import affine_transform
from shapely.geometry import Polygon

from .result import DetectedObject, PredictionResult, Relation
from .vectorize import polygon_area_m2
from .window import ImageWindow


def result_from_answer(answer: Dict[str, Any], window: ImageWindow) -> PredictionResult:
    """The answer to one ``describe`` item, georeferenced with ``window``'s transform.

    ``timing_ms`` gains ``area``: the ground areas computed here (in-process pipelines compute
    them inside ``vectorise``).
    """
    t = window.transform
    matrix = [t.a, t.b, t.d, t.e, t.xoff, t.yoff]
    objects = []
    area_s = 0.0
    for obj in answer["objects"]:
        geometry = None
        if obj.get("polygon"):
            geometry = affine_transform(shapely_wkt.loads(obj["polygon"]), matrix)
        started = time.perf_counter()
        area = polygon_area_m2(geometry, window.crs_wkt)
        area_s += time.perf_counter() - started
        detected = DetectedObject(
            phrase=obj["phrase"],
            mask=None,
            score=float(obj["score"]),
            geometry=geometry,
            area_m2=area,
        )
        detected.naming_confidence = obj.get("naming_confidence")
        objects.append(detected)
    relations = answer["relations"]
    x0, y0, x1, y1 = window.box
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return PredictionResult(
        caption=answer["caption"],
        tagged_caption=answer["tagged_caption"],
        objects=objects,
        relations=[Relation(int(s), str(p), int(o), float(v)) for s, p, o, v in relations],
        timing_ms={**(answer.get("timing_ms") or {}), "area": area_s * 1000},
        crs_wkt=window.crs_wkt,
        model=answer.get("model", ""),
        source=window.source,
        box_geometry=Polygon([t * c for c in corners]),
        kind_probabilities=dict(answer.get("kind_probabilities") or {}),
    )
