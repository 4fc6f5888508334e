"""Training data: grounded-caption records, samples in the model's window, augmentation, batches.

``RecordDataset`` reads GeoPixelD-style records (per-image JSON, record lists, the conversation
format) from files; ``SyntheticDataset`` generates ``training.synth`` scenes on the fly. Both
return the sample described in :mod:`training.data.dataset`; :func:`collate` batches them.
"""

from .augment import Augmentation, Dihedral, colour_jitter, sample_augmentation
from .collate import collate
from .dataset import (
    PREDICATE_PRIORITY,
    RecordDataset,
    SyntheticDataset,
    encode_caption,
    make_sample,
    record_window,
    relation_matrix,
)
from .mixing import DataSource, MixedDataset, WeightedMixSampler, combine_sources
from .records import Record, RecordError, load_image, load_records, parse_record, whole_image_box

__all__ = [
    "PREDICATE_PRIORITY",
    "Augmentation",
    "DataSource",
    "Dihedral",
    "MixedDataset",
    "Record",
    "RecordDataset",
    "RecordError",
    "SyntheticDataset",
    "WeightedMixSampler",
    "collate",
    "combine_sources",
    "colour_jitter",
    "encode_caption",
    "load_image",
    "load_records",
    "make_sample",
    "parse_record",
    "record_window",
    "relation_matrix",
    "sample_augmentation",
    "whole_image_box",
]
