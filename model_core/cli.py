"""Command line: ``python -m model_core predict | info | init`` (ARCHITECTURE section 5).

Exit status: 0 success; 2 bad input with a one-line message naming the problem; 1 internal
error. Nothing is written unless the whole run succeeds.
"""

import argparse
import json
import os
import sys
import warnings
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from .errors import InputError
from .result import DEFAULT_MIN_SCORE, keep_confident

MIN_SCORE_HELP = "leave out objects scoring below this, 0 to 1 (default: %(default)s)"

#: Side in pixels of the small window read to check a box before the model loads.
PROBE_SIZE = 64
#: Options whose value may start with a minus sign (``--box -10,5,20,30``).
SIGNED_VALUE_OPTIONS = ("--box",)


def join_signed_values(argv: Sequence[str]) -> List[str]:
    """``--box -10,...`` -> ``--box=-10,...``: argparse takes a value starting with "-" for an
    option, so a box west of 0 or south of the equator would need ``--box=``."""
    joined: List[str] = []
    k = 0
    while k < len(argv):
        item = argv[k]
        value = argv[k + 1] if k + 1 < len(argv) else ""
        if (
            item in SIGNED_VALUE_OPTIONS
            and len(value) > 1
            and value[0] == "-"
            and value[1] in "0123456789."
        ):
            joined.append(f"{item}={value}")
            k += 2
            continue
        joined.append(item)
        k += 1
    return joined


def parse_box(text: str) -> Tuple[float, float, float, float]:
    """``X0,Y0,X1,Y1`` -> four floats."""
    parts = text.replace(" ", "").split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4:
        raise InputError(f"The box '{text}' is not four numbers X0,Y0,X1,Y1.")
    return values  # type: ignore[return-value]


def parse_bands(text: str) -> Tuple[int, int, int]:
    try:
        bands = tuple(int(p) for p in text.split(","))
    except ValueError:
        bands = ()
    if len(bands) != 3 or min(bands) < 1:
        raise InputError(f"The band mapping '{text}' is not three 1-based band numbers R,G,B.")
    return bands  # type: ignore[return-value]


def check_min_score(score: float) -> float:
    """``score`` when it is a usable minimum object score (0 to 1)."""
    if not 0.0 <= score <= 1.0:
        raise InputError(f"The minimum score {score:g} is not between 0 and 1.")
    return score


def check_output_path(path: str) -> None:
    """Refuse an output whose folder is missing or not writable, before any slow work."""
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise InputError(f"The output folder '{folder}' does not exist.")
    if not os.access(folder, os.W_OK):
        raise InputError(f"The output folder '{folder}' is not writable.")
    if Path(path).is_dir():
        raise InputError(f"The output '{path}' is a folder; give a file name.")
    if Path(path).suffix.lower() not in (".gpkg", ".shp", ".geojson", ".json"):
        raise InputError(f"The output '{path}' must end in .gpkg, .shp or .geojson.")


def result_to_json(result) -> dict:
    return {
        "caption": result.caption,
        "tagged_caption": result.tagged_caption,
        "objects": [
            {
                "phrase": o.phrase,
                "score": round(o.score, 4),
                "area_m2": None if o.area_m2 is None else round(o.area_m2, 2),
                "wkt": o.geometry.wkt if o.geometry is not None else None,
            }
            for o in result.objects
        ],
        "relations": [
            {"subject": r.subject, "predicate": r.predicate, "object": r.object, "score": r.score}
            for r in result.relations
        ],
        "timing_ms": {k: round(v, 1) for k, v in result.timing_ms.items()},
    }


def cmd_predict(args: argparse.Namespace) -> int:
    from .pipeline import segment_raster_box
    from .predictor import Predictor
    from .raster import RasterSource
    from .writers import write_results

    box = parse_box(args.box)
    bands = parse_bands(args.bands)
    min_score = check_min_score(args.min_score)
    if args.out:
        check_output_path(args.out)
    box_crs = None if args.box_crs in (None, "") else args.box_crs
    with RasterSource(args.raster) as source:
        # cheap checks before the slow model load: the box, the bands, readable non-nodata pixels
        source.box_to_pixels(box, box_crs)
        source.read_window(box, box_crs, args.context, PROBE_SIZE, source.band_mapping(bands))
        predictor = Predictor.from_checkpoint(args.checkpoint, args.device, args.precision)
        if args.max_tokens:
            predictor.max_new_tokens = args.max_tokens
        result = segment_raster_box(
            predictor,
            source,
            box,
            box_crs,
            context=args.context,
            rgb_bands=bands,
            min_area_px=args.min_area,
            simplify_px=args.simplify,
        )
    result = keep_confident(result, min_score)
    if args.out:
        for warning in write_results(args.out, [result]):
            print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(result_to_json(result)))
    else:
        print(result.caption)
        for k, obj in enumerate(result.objects):
            area = f", {obj.area_m2:.0f} m2" if obj.area_m2 is not None else ""
            print(f"  [{k}] {obj.phrase} (score {obj.score:.2f}{area})")
        for rel in result.relations:
            print(f"  [{rel.subject}] {rel.predicate} [{rel.object}] ({rel.score:.2f})")
        if args.out:
            print(f"written: {args.out}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from .checkpoint import load_checkpoint, parameter_count
    from .pipeline import default_checkpoint_dir

    folder = Path(args.checkpoint) if args.checkpoint else default_checkpoint_dir()
    model, tokenizer = load_checkpoint(folder)
    cfg = model.cfg
    enc = cfg.image_encoder
    print(f"checkpoint: {folder}")
    print(f"name: {cfg.name} (preset {cfg.preset}, format {cfg.format_version})")
    print(f"parameters: {parameter_count(model):,}")
    print(
        f"image encoder: ViT {enc.embed_dim}x{enc.depth} at {enc.img_size} px, "
        f"patch {enc.patch_size}; reasoner: "
        + (cfg.reasoner.pretrained_path or f"{cfg.reasoner.num_layers}-layer scratch LM")
        + f"; vocabulary {tokenizer.vocab_size}"
    )
    card = folder / "MODEL_CARD.md"
    if card.is_file():
        text = card.read_text(encoding="utf-8")
        start = text.find("## Metrics")
        if start >= 0:
            end = text.find("\n## ", start + 3)
            print(text[start : end if end > 0 else None].strip())
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from .checkpoint import init_checkpoint

    out = Path(args.out)
    if out.exists() and any(out.iterdir()) and not args.overwrite:
        raise InputError(
            f"The folder '{out}' exists and is not empty; pass --overwrite to replace."
        )
    if not out.resolve().parent.is_dir():
        raise InputError(f"The output folder '{out.resolve().parent}' does not exist.")
    corpus: Optional[List[str]] = None
    if args.corpus:
        corpus = Path(args.corpus).read_text(encoding="utf-8").splitlines()
    init_checkpoint(args.preset, out, corpus, args.lm, Path(args.sam) if args.sam else None)
    print(f"untrained {args.preset} checkpoint written to {out}")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import run_batch
    from .progress import Progress

    check_output_path(args.out)
    min_score = check_min_score(args.min_score)
    first_rank = int(os.environ.get("RANK", "0")) == 0
    # a bar on a terminal; elsewhere only the summary line below; --quiet: neither
    bar = Progress("boxes", unit="box", quiet=args.quiet or not first_rank, summary=False)
    with bar:
        summary = run_batch(
            args.raster,
            args.boxes,
            args.out,
            checkpoint=args.checkpoint,
            device=args.device,
            context=args.context,
            batch_size=args.batch_size,
            rgb_bands=parse_bands(args.bands),
            resume=args.resume,
            overwrite=args.overwrite,
            layer=args.layer,
            max_new_tokens=args.max_tokens,
            log=lambda line: print(line, file=sys.stderr),
            progress=bar,
            min_score=min_score,
        )
    if first_rank:
        for box_id, reason in list(summary.skipped.items())[:5]:
            print(f"skipped box {box_id}: {reason}", file=sys.stderr)
        for warning in summary.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if not args.quiet:
            print(summary.line())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import main as serve

    return serve()


def build_parser() -> argparse.ArgumentParser:
    invoked = "clvnet" if Path(sys.argv[0]).name == "clvnet" else "python -m model_core"
    parser = argparse.ArgumentParser(prog=invoked, description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("predict", help="caption and segment one box on a raster")
    p.add_argument("--raster", required=True, help="any raster GDAL can open")
    p.add_argument("--box", required=True, help="X0,Y0,X1,Y1 (min x, min y, max x, max y)")
    p.add_argument("--box-crs", default=None, help="EPSG:NNNN or pixel (default: the raster CRS)")
    p.add_argument("--checkpoint", default=None, help="checkpoint folder (default: bundled)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16", "fp16"])
    p.add_argument("--out", default=None, help="output .gpkg, .shp or .geojson")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.add_argument("--context", type=float, default=0.5, help="context margin (box fraction)")
    p.add_argument("--bands", default="1,2,3", help="RGB band numbers for 4+ band rasters")
    p.add_argument("--max-tokens", type=int, default=0, help="maximum caption length")
    p.add_argument("--min-area", type=float, default=4.0, help="minimum polygon area (pixels)")
    p.add_argument("--simplify", type=float, default=0.0, help="simplification (pixels)")
    p.add_argument("--min-score", type=float, default=DEFAULT_MIN_SCORE, help=MIN_SCORE_HELP)
    p.set_defaults(func=cmd_predict)

    b = sub.add_parser("batch", help="many boxes from a vector file (torchrun for many processes)")
    b.add_argument("--raster", required=True)
    b.add_argument("--boxes", required=True, help="vector file; each feature's extent is a box")
    b.add_argument("--layer", default=None, help="layer of the box file (default: the first)")
    b.add_argument("--out", required=True, help="output .gpkg, .shp or .geojson")
    b.add_argument("--checkpoint", default=None)
    b.add_argument("--device", default="auto")
    b.add_argument("--context", type=float, default=0.5)
    b.add_argument("--bands", default="1,2,3")
    b.add_argument("--batch-size", type=int, default=8, help="boxes captioned together")
    b.add_argument("--max-tokens", type=int, default=0)
    b.add_argument("--min-score", type=float, default=DEFAULT_MIN_SCORE, help=MIN_SCORE_HELP)
    b.add_argument("--resume", action="store_true", help="finish an interrupted run")
    b.add_argument("--overwrite", action="store_true", help="discard an interrupted run")
    b.add_argument(
        "--quiet", action="store_true", help="no progress bar or summary line (warnings stay)"
    )
    b.set_defaults(func=cmd_batch)

    i = sub.add_parser("info", help="describe a checkpoint")
    i.add_argument("--checkpoint", default=None)
    i.set_defaults(func=cmd_info)

    n = sub.add_parser("init", help="write an untrained checkpoint of a preset")
    n.add_argument("--preset", required=True, choices=["tiny", "sam-vit-b", "sam-vit-h"])
    n.add_argument("--out", required=True)
    n.add_argument("--corpus", default=None, help="text file of captions for the tokenizer")
    n.add_argument("--lm", default=None, help="local Hugging Face causal LM folder")
    n.add_argument("--sam", default=None, help="official SAM .pth to initialise from")
    n.add_argument("--overwrite", action="store_true")
    n.set_defaults(func=cmd_init)

    s = sub.add_parser("serve", help="model server for front ends (protocol: docs/server.md)")
    s.set_defaults(func=cmd_serve)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(join_signed_values(sys.argv[1:] if argv is None else argv))
    warnings.filterwarnings("ignore")
    try:
        return args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted.", file=sys.stderr)
        return 1
    except Exception as exc:  # an internal error: say so plainly, keep the exit code apart
        if os.environ.get("CLVNET_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
