"""``TrainingArguments``: the checked ``train`` block (``calt.config.TrainConfig``) plus the device count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calt.config import ConfigError, TrainConfig, WandbConfig, parse_block


@dataclass
class TrainingArguments(TrainConfig):
    """Every ``train`` key (see ``TrainConfig``) with HF names; ``world_size`` is set once devices are known."""

    def __post_init__(self) -> None:
        self.world_size = 1
        if isinstance(self.wandb, dict):
            self.wandb = parse_block(WandbConfig, self.wandb, "train.wandb")

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
        """Check and convert ``cfg.train`` (a dict, DictConfig or TrainConfig); ConfigError names a bad key."""
        args = parse_block(cls, config, "train", require=require and not isinstance(config, TrainConfig))
        args.world_size = world_size
        args.validate()
        return args

    def validate(self) -> None:
        """Values that are of the right type but cannot run; each error names its key."""
        for name in ("batch_size", "eval_steps", "save_steps", "logging_steps", "gradient_accumulation_steps",
                     "num_beams", "num_nodes"):
            if getattr(self, name) < 1:
                raise ConfigError(f"train.{name} must be a positive integer; got {getattr(self, name)!r}")
        for name in ("test_batch_size", "generation_max_length"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ConfigError(f"train.{name} must be a positive integer or null; got {value!r}")
        for name in ("learning_rate", "num_train_epochs"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"train.{name} must be positive; got {getattr(self, name)!r}")
        for name in ("weight_decay", "max_grad_norm", "warmup_steps", "num_workers"):
            if getattr(self, name) < 0:
                raise ConfigError(f"train.{name} must not be negative; got {getattr(self, name)!r}")
        if not 0.0 <= self.warmup_ratio <= 1.0:
            raise ConfigError(f"train.warmup_ratio must be between 0 and 1; got {self.warmup_ratio!r}")
        if self.save_total_limit is not None and self.save_total_limit < 0:
            raise ConfigError(f"train.save_total_limit must be 0 or more (null: keep all); got {self.save_total_limit!r}")
        if list(self.label_names) != ["labels"]:
            raise ConfigError(f"train.label_names must be [labels] (got {self.label_names!r}): calt's collator puts the "
                              "targets under 'labels' and nothing else; remove the key")
        if self.remove_unused_columns:
            raise ConfigError("train.remove_unused_columns must be false: calt's collator already yields exactly the "
                              "model's inputs, so there is nothing to remove; remove the key")
        report_targets(self.report_to)
        if self.batch_size % self.world_size:
            raise ConfigError(
                f"train.batch_size {self.batch_size} is not divisible by the {self.world_size} devices: each "
                f"device would get {self.batch_size / self.world_size:g} samples; choose a multiple of {self.world_size}"
            )

    def to_dict(self) -> dict:
        from dataclasses import asdict

        return asdict(self)


def report_targets(report_to: str | list[str] | None) -> tuple[str, ...] | None:
    """``report_to`` as a tuple of logger names (None: calt's default choice); ConfigError for unknown names."""
    from calt.config.blocks import REPORTERS

    if report_to is None:
        return None
    names = (report_to,) if isinstance(report_to, str) else tuple(report_to)
    for name in names:
        if name not in REPORTERS:
            raise ConfigError(f"train.report_to: unknown logger {name!r}; choose from {', '.join(REPORTERS)}")
    if "none" in names and len(names) > 1:
        raise ConfigError(f"train.report_to: 'none' cannot be combined with other loggers; got {list(names)}")
    return names
