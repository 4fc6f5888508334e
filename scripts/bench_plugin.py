"""The plugin path, run by ``bench.py`` in its own headless QGIS process.

    QT_QPA_PLATFORM=offscreen python scripts/bench_plugin.py --checkpoint DIR --raster r.tif

The plugin's ``PredictionWorker`` drives the model server (``python -m model_core serve``) as the
map tool does for a GeoTIFF layer, while the plugin's own ``ResponsivenessProbe`` runs a timer on
the main thread. Measured, in order:

* server start-up: the process started until it answers ``hello``;
* activation: the box tool's warm-up (``PredictionWorker.warm_up``: load and a throw-away box);
* the first box after activating the tool;
* warm boxes, each a new area (so each encodes), through the server and in this process
  (``model_core.pipeline.segment`` on the window read the same way, same torch threads) in
  turn, so the ratio and the overhead in ms compare the same boxes in the same minutes;
* per box through the server, the longest main-thread stall.

torch is imported here only after the first box, for the in-process comparison. Prints one
JSON object, or ``{"unavailable": reason}`` when the plugin's worker cannot be imported.
"""

import argparse
import gc
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
    parser.add_argument("--boxes", type=int, default=5, help="warm boxes (after the first)")
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--interval-ms", type=int, default=20)
    args = parser.parse_args()

    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    try:
        from clvnet_qgis.model_server import shared_client
        from clvnet_qgis.pixels import WindowRequest
        from clvnet_qgis.settings import ClvnetSettings
        from clvnet_qgis.worker import THREADS, PredictionWorker, ResponsivenessProbe
    except ImportError as exc:
        print(json.dumps({"unavailable": f"the plugin's worker cannot be imported: {exc}"}))
        return 0
    from qgis.PyQt.QtCore import QEventLoop, QTimer

    from model_core.raster import RasterSource

    settings = ClvnetSettings(
        checkpoint=args.checkpoint,
        device="cpu",
        precision="fp32",
        max_caption_tokens=args.max_new_tokens,
    )
    with RasterSource(args.raster) as source:
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
            for box in box_areas(source.width, source.height, args.boxes + 1, 128.0)
        ]

    probe = ResponsivenessProbe(args.interval_ms)
    client = shared_client()
    start = time.perf_counter()
    client.start()
    start_ms = (time.perf_counter() - start) * 1000

    worker = PredictionWorker()

    events = []  # (kind, payload) of everything the worker reports, in order
    loop = QEventLoop()

    def event(kind, payload):
        events.append((kind, payload))
        loop.quit()  # wake the waiting loop at once: no polling delay in the figures

    worker.modelStatus.connect(lambda status: event("status", status))
    worker.resultReady.connect(lambda token, result, request: event("ok", result))
    worker.failed.connect(lambda token, sentence: event("failed", sentence))
    worker.cancelled.connect(lambda token: event("cancelled", token))

    def wait(done, action):
        """Run ``action``, then the event loop until ``done()``; (wall ms, longest stall ms)."""
        probe.start()
        began = time.perf_counter()
        action()
        while not done() and time.perf_counter() - began < TIMEOUT_S:
            QTimer.singleShot(1000, loop.quit)
            loop.exec_()
        wall = (time.perf_counter() - began) * 1000
        probe.stop()
        return wall, probe.max_gap_ms

    def settled_after(count):
        """True once an event beyond ``count`` ends a box or a load."""
        return any(
            kind in ("ok", "failed", "cancelled")
            or (kind == "status" and (payload.state == "loaded" or payload.error))
            for kind, payload in events[count:]
        )

    def box(request):
        """One box through the worker and server: (wall ms, stall ms, result or None)."""
        count = len(events)
        wall, stall = wait(lambda: settled_after(count), lambda: worker.submit(request, settings))
        kinds = [(k, v) for k, v in events[count:] if k != "status"]
        return wall, stall, kinds[-1][1] if kinds and kinds[-1][0] == "ok" else kinds

    activation_ms, activation_stall = wait(
        lambda: settled_after(0), lambda: worker.warm_up(settings.model_config())
    )
    if worker.status.state != "loaded":
        worker.shutdown()
        print(json.dumps({"unavailable": f"the warm-up did not load the model: {events}"}))
        return 1

    wall, stall, result = box(requests[0])
    if isinstance(result, list):
        worker.shutdown()
        print(json.dumps({"unavailable": f"the first box failed: {result}"}))
        return 1
    first = {"wall_ms": wall, "stall_ms": stall, "timing_ms": result.timing_ms}

    # Warm boxes, each a new area, through the server and in this process in turn (the order
    # alternates, so neither side always finds the file's pages cached by the other).
    import torch

    from model_core.pipeline import segment
    from model_core.predictor import Predictor

    torch.set_num_threads(THREADS)
    local = Predictor.from_checkpoint(args.checkpoint, device="cpu", precision="fp32")
    local.max_new_tokens = args.max_new_tokens
    segment(local, requests[0].read(local.input_size))  # warm, like the server's warm-up
    # The comparison model's objects belong to this harness, not to the plugin (QGIS never
    # imports torch): freeze them out of the collector, so a full collection over them (about
    # 250 ms here) does not stall the main thread whose stalls are measured.
    gc.collect()
    gc.freeze()

    def in_process(request) -> float:
        began = time.perf_counter()
        segment(local, request.read(local.input_size))
        return (time.perf_counter() - began) * 1000

    pairs = []
    for k, request in enumerate(requests[1:]):
        local_ms = in_process(request) if k % 2 == 0 else None
        wall, stall, result = box(request)
        if isinstance(result, list):
            break
        if local_ms is None:
            local_ms = in_process(request)
        pairs.append(
            {
                "server_ms": wall,
                "in_process_ms": local_ms,
                "stall_ms": stall,
                "timing_ms": result.timing_ms,
            }
        )
    worker.shutdown()
    client.close()
    print(
        json.dumps(
            {
                "interval_ms": args.interval_ms,
                "threads": THREADS,
                "server_start_ms": start_ms,
                "activation_ms": activation_ms,
                "activation_stall_ms": activation_stall,
                "first_box": first,
                "pairs": pairs,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
