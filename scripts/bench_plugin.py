"""Plugin responsiveness, run by ``bench.py`` in its own headless QGIS process.

    QT_QPA_PLATFORM=offscreen python scripts/bench_plugin.py --checkpoint DIR --raster r.tif

Submits boxes to the plugin's ``PredictionWorker`` one after the other (the file route, as the
map tool does for a GeoTIFF layer) while the plugin's own ``ResponsivenessProbe`` runs a timer
on the main thread; prints one JSON object with, per box, the longest main-thread stall and the
time until the result arrived. The first box includes loading the model on the worker thread.
Prints ``{"unavailable": reason}`` when the plugin's worker or probe cannot be imported.
"""

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TIMEOUT_S = 300.0


def box_areas(width: int, height: int, count: int, side: float):
    """``count`` pixel boxes of ``side`` px on a diagonal, so each one is a new area."""
    step = (min(width, height) - 2 * side) / max(count, 1)
    return [
        (side + k * step, side + k * step, 2 * side + k * step, 2 * side + k * step)
        for k in range(count)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--raster", required=True)
    parser.add_argument("--boxes", type=int, default=5)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--interval-ms", type=int, default=20)
    args = parser.parse_args()

    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    try:
        from clvnet_qgis.pixels import WindowRequest
        from clvnet_qgis.settings import ClvnetSettings
        from clvnet_qgis.worker import PredictionWorker, ResponsivenessProbe
    except ImportError as exc:
        print(json.dumps({"unavailable": f"the plugin's worker hook cannot be imported: {exc}"}))
        return 0
    from qgis.PyQt.QtCore import QEventLoop, QTimer

    from model_core.raster import RasterSource

    settings = ClvnetSettings(
        checkpoint=args.checkpoint,
        device="cpu",
        precision="fp32",
        max_caption_tokens=args.max_new_tokens,
    )
    worker = PredictionWorker()
    worker.configure(settings.model_config())
    probe = ResponsivenessProbe(args.interval_ms)
    runs = []
    with RasterSource(args.raster) as source:
        pixel_boxes = box_areas(source.width, source.height, args.boxes, 128.0)
        requests = [
            WindowRequest(
                box=source.pixel_box_to_crs(box),
                context=settings.context,
                rgb_bands=settings.rgb_bands,
                layer_id="bench",
                layer_name="bench",
                source=source.path,
                crs_wkt=source.crs_wkt,
                path=source.path,
            )
            for box in pixel_boxes
        ]
    for request in requests:
        loop = QEventLoop()
        outcome = {}

        def finish(kind, *payload, outcome=outcome, loop=loop):
            outcome.setdefault("kind", kind)
            outcome.setdefault("detail", str(payload[1]) if len(payload) > 1 else "")
            loop.quit()

        handlers = [
            (worker.resultReady, lambda token, result, req: finish("ok")),
            (worker.failed, lambda token, sentence: finish("failed", token, sentence)),
            (worker.cancelled, lambda token: finish("cancelled")),
        ]
        for signal, handler in handlers:
            signal.connect(handler)
        QTimer.singleShot(int(TIMEOUT_S * 1000), lambda loop=loop: finish("timeout"))
        probe.start()
        start = time.perf_counter()
        worker.submit(request, settings)
        loop.exec_()
        wall_ms = (time.perf_counter() - start) * 1000
        probe.stop()
        for signal, handler in handlers:
            signal.disconnect(handler)
        if outcome["kind"] != "ok":
            worker.shutdown()
            print(json.dumps({"unavailable": f"a box {outcome['kind']}: {outcome['detail']}"}))
            return 1
        runs.append({"stall_ms": probe.max_gap_ms, "wall_ms": wall_ms, "ticks": probe.ticks})
    worker.shutdown()
    print(json.dumps({"interval_ms": args.interval_ms, "runs": runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
