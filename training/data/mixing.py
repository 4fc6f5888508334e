"""Training data from several sources mixed with weights: generated scenes and record folders.

A source is ``synthetic`` (scenes generated on the fly, ``seed`` and ``length``),
``unfamiliar`` (surfaces no class has, captioned "an area": :mod:`training.data.unfamiliar`,
also ``seed`` and ``length``) or ``records`` (a folder or JSON file of records, e.g. what
``python -m training.prepare`` writes). With one source the trainer draws its items uniformly,
as before; with several, :class:`WeightedMixSampler` picks the source of every sample with
probability ``weight / sum(weights)`` and walks each source in its own shuffled order, so a small
record folder is cycled while a large synthetic stream keeps giving new scenes.

Sources come from the training config (``"data": [{"synthetic": {"seed": 1, "length": 200000},
"weight": 0.5}, {"records": "/path", "weight": 0.5}]``) and the command line (``--data
synthetic:SEED:LENGTH``, ``--data unfamiliar:SEED:LENGTH`` or a folder, ``--records
DIR[:WEIGHT]``, ``--synthetic-weight W``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Dict, Iterator, List, Optional, Sequence

import torch
from torch.utils.data import ConcatDataset, Dataset, Sampler

from model_core.errors import InputError

#: The synthetic stream added when only ``--synthetic-weight`` asks for synthetic scenes: the
#: bundled model's training seed, long enough never to repeat a scene in a fine-tuning run.
DEFAULT_SYNTHETIC_SEED = 1
DEFAULT_SYNTHETIC_LENGTH = 200_000
#: Sources generated on the fly from a seed and a length (``KIND:SEED:LENGTH``).
GENERATED_KINDS = ("synthetic", "unfamiliar")


@dataclass(frozen=True)
class DataSource:
    """One source of training samples and its share of the mix (``weight``, default 1)."""

    kind: str
    weight: float = 1.0
    seed: int = 0
    length: int = 0
    path: str = ""

    @property
    def spec(self) -> str:
        """The ``--data`` form: ``KIND:SEED:LENGTH`` or the records path."""
        if self.kind in GENERATED_KINDS:
            return f"{self.kind}:{self.seed}:{self.length}"
        return self.path

    def describe(self) -> str:
        """``spec`` with its weight, for logs and model cards."""
        return f"{self.spec} (weight {self.weight:g})"

    def to_config(self) -> Dict[str, Any]:
        """The training-config form of this source (``"data"`` entries)."""
        if self.kind in GENERATED_KINDS:
            return {self.kind: {"seed": self.seed, "length": self.length}, "weight": self.weight}
        return {"records": self.path, "weight": self.weight}


def parse_data_spec(spec: str, weight: float = 1.0) -> DataSource:
    """``synthetic:SEED:LENGTH``, ``unfamiliar:SEED:LENGTH`` or a records path (``--data``)."""
    kind = spec.split(":", 1)[0]
    if kind in GENERATED_KINDS:
        parts = spec.split(":")
        try:
            seed, length = int(parts[1]), int(parts[2])
        except (IndexError, ValueError):
            raise InputError(
                f"'{spec}' is not {kind}:SEED:LENGTH (two integers after '{kind}:')."
            ) from None
        if len(parts) != 3 or length < 1:
            raise InputError(f"'{spec}' is not {kind}:SEED:LENGTH with a LENGTH of 1 or more.")
        return DataSource(kind, weight, seed=seed, length=length)
    if not spec:
        raise InputError("An empty data path was given.")
    return DataSource("records", weight, path=spec)


def parse_records_arg(arg: str) -> DataSource:
    """``DIR[:WEIGHT]`` (the ``--records`` argument); a path may itself contain colons."""
    path, sep, tail = arg.rpartition(":")
    if sep and path:
        try:
            return DataSource("records", _weight(float(tail), arg), path=path)
        except ValueError:
            pass  # the colon belongs to the path (e.g. C:\\data)
    return DataSource("records", path=arg)


def sources_from_config(entries: Any) -> List[DataSource]:
    """The training config's ``"data"`` list as sources."""
    if not isinstance(entries, list):
        raise InputError("The config key 'data' must be a list of sources.")
    sources: List[DataSource] = []
    for entry in entries:
        keys = {*GENERATED_KINDS, "records"}
        if not isinstance(entry, dict) or len(keys & set(entry)) != 1:
            raise InputError(
                f"The data entry {entry!r} must have one 'synthetic', 'unfamiliar' or 'records' "
                "key."
            )
        weight = _weight(entry.get("weight", 1.0), entry)
        if set(entry) - keys - {"weight"}:
            raise InputError(f"The data entry {entry!r} has unknown keys.")
        if "records" in entry:
            if not isinstance(entry["records"], str) or not entry["records"]:
                raise InputError(f"The data entry {entry!r} must name a records path.")
            sources.append(DataSource("records", weight, path=entry["records"]))
            continue
        kind = next(k for k in GENERATED_KINDS if k in entry)
        generated = entry[kind]
        if not isinstance(generated, dict) or not isinstance(generated.get("length"), int):
            raise InputError(
                f"The data entry {entry!r} needs '{kind}': {{'seed': S, 'length': N}}."
            )
        spec = f"{kind}:{int(generated.get('seed', 0))}:{generated['length']}"
        sources.append(parse_data_spec(spec, weight))
    return sources


def combine_sources(
    config_entries: Sequence[Dict[str, Any]],
    data_specs: Sequence[str],
    records_args: Sequence[str],
    synthetic_weight: Optional[float],
) -> List[DataSource]:
    """All sources of a run: the config's, then ``--data``, then ``--records``.

    ``synthetic_weight`` replaces the weight of every synthetic source; when there is none and
    it is above 0, the default synthetic stream is added with that weight.
    """
    sources = sources_from_config(list(config_entries))
    sources += [parse_data_spec(spec) for spec in data_specs]
    sources += [parse_records_arg(arg) for arg in records_args]
    if synthetic_weight is not None:
        weight = _weight(synthetic_weight, "--synthetic-weight")
        if any(s.kind == "synthetic" for s in sources):
            sources = [replace(s, weight=weight) if s.kind == "synthetic" else s for s in sources]
        elif weight > 0:
            spec = f"synthetic:{DEFAULT_SYNTHETIC_SEED}:{DEFAULT_SYNTHETIC_LENGTH}"
            sources.insert(0, parse_data_spec(spec, weight))
    sources = [s for s in sources if s.weight > 0]
    if not sources:
        raise InputError(
            "No training data given: use --data synthetic:SEED:LENGTH, --records DIR[:WEIGHT] "
            "or the config key 'data'."
        )
    return sources


def _weight(value: Any, where: Any) -> float:
    try:
        weight = float(value)
    except (TypeError, ValueError):
        raise InputError(f"The weight of {where} must be a number, not {value!r}.") from None
    if not math.isfinite(weight) or weight < 0:
        raise InputError(f"The weight of {where} must be 0 or more, not {value!r}.")
    return weight


class MixedDataset(ConcatDataset):
    """The sources' datasets end to end; every sample says which source it came from."""

    def __init__(self, parts: Sequence[Dataset]) -> None:
        super().__init__(parts)

    @property
    def sizes(self) -> List[int]:
        return [len(part) for part in self.datasets]

    def set_epoch(self, epoch: int) -> None:
        for part in self.datasets:
            if hasattr(part, "set_epoch"):
                part.set_epoch(epoch)

    def __getitem__(self, index: int) -> Dict[str, Any]:
        sample = super().__getitem__(index)
        source = next(k for k, end in enumerate(self.cumulative_sizes) if index < end)
        return {**sample, "source": source}


class WeightedMixSampler(Sampler):
    """Indices into a :class:`MixedDataset`, the source of each drawn by weight.

    An epoch has as many samples as the sources have items together (at least ``min_samples``
    per process, so a folder smaller than a batch still fills batches), split across ``world``
    processes (rank ``r`` takes positions ``r, r + world, ...``). Everything is drawn from
    ``(seed, epoch)``, so every rank sees the same plan and a run resumes exactly: ``skip``
    starts the epoch part-way, like the trainer's ``ResumableSampler``.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        weights: Sequence[float],
        rank: int,
        world: int,
        seed: int,
        min_samples: int = 1,
    ) -> None:
        if len(sizes) != len(weights) or not sizes or min(sizes) < 1 or sum(weights) <= 0:
            raise ValueError("Every source needs at least one item and the weights a positive sum.")
        self.sizes, self.rank, self.world, self.seed = list(sizes), rank, world, seed
        self.probabilities = torch.tensor(weights, dtype=torch.float64) / float(sum(weights))
        self.num_samples = max(math.ceil(sum(sizes) / world), min_samples)
        self.epoch, self.skip = 0, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def plan(self) -> List[int]:
        """This epoch's indices for every rank, in order (before the rank split)."""
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        total = self.num_samples * self.world
        choice = torch.multinomial(self.probabilities, total, replacement=True, generator=generator)
        indices = torch.empty(total, dtype=torch.int64)
        offset = 0
        for source, size in enumerate(self.sizes):
            positions = torch.nonzero(choice == source).flatten()
            passes = -(-len(positions) // size)  # whole shuffled walks through the source
            if passes:
                keys = torch.rand(passes, size, generator=generator)
                walk = keys.argsort(dim=1).flatten()  # one random permutation per pass
                indices[positions] = offset + walk[: len(positions)]
            offset += size
        return indices.tolist()

    def __iter__(self) -> Iterator[int]:
        mine = self.plan()[self.rank :: self.world]
        return iter(mine[self.skip :])

    def __len__(self) -> int:
        return self.num_samples - self.skip
