"""Procedural training data: top-down aerial scenes with grounded captions and relations.

``generate_scene(seed)`` lays out and draws one scene (residential, industrial, harbour,
airport, sports or rural) at about 0.5 m per pixel; ``make_records(scene, seed)`` turns it into
records of the extended GeoPixelD format (ARCHITECTURE section 3): a box around a target, a
caption ``<p> phrase </p> [SEG] ...`` whose phrases are grounded by one polygon list each, and
the relations between them. ``write_dataset`` / ``python -m training.synth`` write a dataset:
one image per scene and one annotation JSON per record (see :mod:`.dataset`).
"""

from training.grammar.relations import (
    DIRECTION_SWAPS_HFLIP,
    DIRECTION_SWAPS_VFLIP,
    PREDICATES,
    flip_caption,
    flip_predicate,
)

from .dataset import scene_seed, write_dataset
from .objects import Scene, SceneObject
from .records import GENERATOR_VERSION, generate_records, make_records
from .scene import SCENE_TYPES, generate_scene

__all__ = [
    "DIRECTION_SWAPS_HFLIP",
    "DIRECTION_SWAPS_VFLIP",
    "GENERATOR_VERSION",
    "PREDICATES",
    "SCENE_TYPES",
    "Scene",
    "SceneObject",
    "flip_caption",
    "flip_predicate",
    "generate_records",
    "generate_scene",
    "make_records",
    "scene_seed",
    "write_dataset",
]
