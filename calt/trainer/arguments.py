"""``TrainingArguments``: the ``train`` block of train.yaml, checked, with HF field names.

This is the one place that knows the spelling of train.yaml's keys.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from typing import Any

REQUIRED = ("num_train_epochs", "learning_rate", "batch_size")
ALIASES = {"save_dir": "output_dir", "optim": "optimizer", "dataloader_num_workers": "num_workers",
           "per_device_eval_batch_size": "test_batch_size", "evaluation_strategy": "eval_strategy"}
STRATEGIES = ("steps", "epoch", "no")
WANDB_KEYS = ("project", "group", "name", "tags", "no_wandb", "entity", "notes", "mode")


@dataclass
class TrainingArguments:
    """Every supported ``train`` key; defaults are the documented ones."""

    output_dir: str = "./tmp"
    num_train_epochs: float = 1.0
    learning_rate: float = 5e-5
    batch_size: int = 8
    test_batch_size: int | None = None
    weight_decay: float = 0.0
    warmup_ratio: float = 0.0
    warmup_steps: int = 0
    lr_scheduler_type: str = "linear"
    max_grad_norm: float = 1.0
    optimizer: str = "adamw_torch"
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    adam_epsilon: float = 1e-8
    num_workers: int = 0
    dataloader_pin_memory: bool = True
    eval_strategy: str = "steps"
    eval_steps: int = 1000
    save_strategy: str = "steps"
    save_steps: int = 1000
    save_total_limit: int | None = 1
    save_safetensors: bool = False
    label_names: list[str] = field(default_factory=lambda: ["labels"])
    logging_strategy: str = "steps"
    logging_steps: int = 50
    seed: int = 42
    remove_unused_columns: bool = False
    disable_tqdm: bool = True
    gradient_accumulation_steps: int = 1
    group_by_length: bool = True
    run_name: str | None = None
    report_to: Any = None
    # Lightning-native keys
    accelerator: str = "auto"
    devices: Any = "auto"
    num_nodes: int = 1
    strategy: str | None = None
    precision: str | None = None
    max_steps: int = -1
    compile: bool = False
    generation_max_length: int | None = None
    num_beams: int = 1
    world_size: int = field(default=1, repr=False)

    @property
    def save_dir(self) -> str:
        return self.output_dir

    @property
    def per_device_train_batch_size(self) -> int:
        return self.batch_size // self.world_size

    @property
    def per_device_eval_batch_size(self) -> int:
        return max((self.test_batch_size or self.batch_size) // self.world_size, 1)

    @classmethod
    def from_config(cls, config: Any, world_size: int = 1, require: bool = True) -> "TrainingArguments":
        """Check and convert ``cfg.train``; unknown keys fail with the closest valid key."""
        values = _plain_dict(config)
        values.pop("wandb", None)
        names = [f.name for f in dataclasses.fields(cls) if f.name != "world_size"]
        for key in list(values):
            if key in ALIASES:
                values[ALIASES[key]] = values.pop(key)
            elif key not in names:
                close = difflib.get_close_matches(key, names + list(ALIASES), n=1)
                hint = f"did you mean {close[0]!r}?" if close else "see README 'Configuration keys'"
                raise ValueError(f"train.{key}: unknown key; {hint}")
        if require:
            missing = [k for k in REQUIRED if values.get(k) is None]
            if missing:
                raise ValueError(f"train.{missing[0]} is required (train block of train.yaml); "
                                 f"missing: {', '.join(missing)}")
        args = cls(**values, world_size=world_size)
        args.validate()
        return args

    def validate(self) -> None:
        for key in ("eval_strategy", "save_strategy"):
            if getattr(self, key) not in STRATEGIES:
                raise ValueError(f"train.{key} must be one of {STRATEGIES}, got {getattr(self, key)!r}")
        for key in ("batch_size", "eval_steps", "save_steps", "logging_steps", "gradient_accumulation_steps"):
            value = getattr(self, key)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"train.{key} must be a positive integer, got {value!r}")
        if self.learning_rate <= 0 or self.num_train_epochs <= 0:
            raise ValueError("train.learning_rate and train.num_train_epochs must be positive")
        if self.batch_size % self.world_size:
            raise ValueError(
                f"train.batch_size {self.batch_size} is not divisible by the {self.world_size} devices: each "
                f"device would get {self.batch_size / self.world_size:g} samples; choose a multiple of {self.world_size}"
            )

    @classmethod
    def config_keys(cls) -> tuple[str, ...]:
        """Every key the ``train`` block accepts: the fields, their aliases and the ``wandb`` sub-block."""
        names = [f.name for f in dataclasses.fields(cls) if f.name != "world_size"]
        return (*names, *ALIASES, "wandb")

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out.pop("world_size")
        return out


def _plain_dict(config: Any) -> dict:
    if config is None:
        return {}
    try:
        from omegaconf import DictConfig, OmegaConf

        if isinstance(config, DictConfig):
            return dict(OmegaConf.to_container(config, resolve=True))
    except ImportError:  # pragma: no cover
        pass
    if dataclasses.is_dataclass(config):
        return {k: v for k, v in dataclasses.asdict(config).items() if k != "world_size"}
    return dict(config)
