"""Training samples made by the task's ``instance_generator`` inside DataLoader workers (``data.on_the_fly``).

Item ``j`` is built from ``sample_seed(root_seed, "train", j)``, the seed ``calt dataset`` gives the
training sample of global index ``j``; the sampler asks epoch ``e`` for ``e*N .. e*N+N-1``, so every epoch
is fresh data, ranks and workers never share a seed, and a resumed run rebuilds the same batches.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

import numpy as np
from torch.utils.data import Dataset

from calt.config import ConfigError
from calt.dataset.backends import get_generator_class
from calt.dataset.generation import GenerationJob, generate_range
from calt.dataset.pipeline import load_generator
from calt.dataset.utils.dataset_writer import DatasetWriter

join_structure = partial(DatasetWriter.join, DatasetWriter)  # train_raw.txt's joining; it reads class constants only


class GeneratedDataset(Dataset):
    """``{"input_ids", "target_ids"}`` of generated sample ``index`` (any index ≥ 0; ``len`` is one epoch)."""

    def __init__(self, instance_generator: Callable[[int], Any], format_scalar: Callable, root_seed: int,
                 num_samples: int, encoder: Any, validate: bool = False) -> None:
        self.job = GenerationJob(instance_generator, None, format_scalar, root_seed)
        self.num_samples, self.encoder, self.validate = num_samples, encoder, validate
        self.samples_per_epoch = num_samples  # ShardSampler shifts epoch e to indices e*N .. e*N+N-1

    def __len__(self) -> int:
        return self.num_samples

    def texts(self, index: int) -> tuple[str, str]:
        """(problem, answer) text of sample ``index``, as ``train_raw.txt`` would hold and the reader strip it."""
        result = generate_range(self.job, "train", index, index + 1)
        if result.failures:
            failure = result.failures[0]
            raise RuntimeError(f"data.on_the_fly: instance_generator raised for train sample {index} "
                               f"(seed {failure.seed}): {failure.error}")
        problem, answer = result.samples[0]
        return join_structure(problem).strip(), join_structure(answer).strip()

    def __getitem__(self, index: int) -> dict[str, np.ndarray]:
        problem, answer = self.texts(index)
        ids = {}
        for name, text in (("input_ids", problem), ("target_ids", answer)):
            token_ids, unknown = self.encoder.encode(text)
            if unknown and self.validate:
                raise ValueError(f"data.validate_train_tokens: generated train sample {index} has tokens outside "
                                 f"the vocabulary {sorted(set(unknown))} in {text!r}; extend lexer.yaml's vocab")
            ids[name] = np.asarray(token_ids, dtype=np.int32)
        return ids


def generated_train_dataset(spec: dict) -> GeneratedDataset:
    """The on-the-fly training set of ``IODict.on_the_fly``; a generator that cannot be loaded is an error naming
    data.generator."""
    try:
        instance_generator, _ = load_generator(spec["generator"])
    except (ImportError, ValueError) as exc:
        raise ConfigError(f"data.generator: cannot load {spec['generator']!r} ({exc}); give the import path of a "
                          "task module with instance_generator(seed), e.g. calt.dataset.tasks.gf17_addition") from exc
    try:
        format_scalar = get_generator_class(spec["backend"]).format_scalar
    except (ImportError, ValueError) as exc:
        raise ConfigError(f"data.backend: {exc}") from exc
    return GeneratedDataset(instance_generator, format_scalar, spec["root_seed"], spec["num_samples"],
                            spec["encoder"], spec["validate"])


def train_dataset_of(io_dict: dict) -> Any:
    """``io_dict["train_dataset"]``, or with ``data.on_the_fly`` the generated set (calt.io cannot build it: layering)."""
    spec = getattr(io_dict, "on_the_fly", None)
    return generated_train_dataset(spec) if spec else io_dict.get("train_dataset")
