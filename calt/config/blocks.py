"""The schemas of calt's YAML blocks: ``data``, ``train``, ``wandb`` (train.yaml), ``dataset`` (data.yaml)
and lexer.yaml. Each key is written here once, with its type, default, choices and meaning; the model
block's schema lives next to each model type (``calt.models.<type>.config_mapping``)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

from packaging.version import Version

from .fields import key

STRATEGIES = ("steps", "epoch", "no")
SCHEDULERS = ("linear", "constant", "constant_with_warmup", "cosine", "cosine_with_restarts", "polynomial",
              "inverse_sqrt")
OPTIMIZERS = ("adamw_torch", "adamw_torch_fused", "adamw", "adam", "sgd", "adafactor")
DEFAULT_OPTIMIZER = "adamw_torch_fused" if Version(version("torch")).release >= (2, 8) else "adamw_torch"
"""HF ``TrainingArguments``' default ``optim``, which calt-x 1.5.0 trains with when train.yaml names none."""
REPORTERS = ("wandb", "csv", "tensorboard", "none")
PRECISIONS = ("auto", "64-true", "32-true", "16-true", "bf16-true", "16-mixed", "bf16-mixed", "transformer-engine",
              "transformer-engine-float16", "64", "32", "16", "bf16")


@dataclass
class DataConfig:
    """``data`` block of train.yaml, read by ``IOPipeline.from_config``."""

    lexer_config: str | None = key(None, "path of lexer.yaml", required=True, path=True)
    train_dataset_path: str | None = key(None, "`problem # answer` text file of the training split", path=True)
    test_dataset_path: str | None = key(None, "`problem # answer` text file of the test split", path=True)
    num_train_samples: int = key(-1, "training samples read (-1: all)")
    num_test_samples: int = key(-1, "test samples read (-1: all)")
    validate_train_tokens: bool = key(False, "fail on training tokens outside the vocabulary")
    validate_test_tokens: bool = key(True, "fail on test tokens outside the vocabulary")
    display_samples: int = key(0, "print this many samples as read, preprocessed and tokenized", bounds="[0, inf)")
    use_jsonl: bool = key(False, "read JSONL files (`problem`/`answer` objects) instead of text")
    use_pickle: bool = key(False, "read pickle files (runs code from the file: trusted data only)")
    train_dataset_jsonl: str | None = key(None, "JSONL file of the training split", path=True)
    test_dataset_jsonl: str | None = key(None, "JSONL file of the test split", path=True)
    train_dataset_pickle: str | None = key(None, "pickle file of the training split", path=True)
    test_dataset_pickle: str | None = key(None, "pickle file of the test split", path=True)
    dataset_load_preprocessor: Any = key(None, "turns each record into (problem, answer) text at load time: an import "
                                               "path, {class: import.path, kwargs: {...}}, a list of those (run in "
                                               "order), or an object (Python API)")
    cache_min_samples: int | None = key(None, "splits this large keep their token ids in a memory-mapped cache "
                                              "(default 50000, or CALT_CACHE_MIN_SAMPLES)", bounds="[0, inf)")
    on_the_fly: bool = key(False, "make training samples with data.generator in the DataLoader workers (nothing on "
                                  "disk; num_train_samples per epoch, fresh each epoch; the test set stays a file)")
    generator: str | None = key(None, "on_the_fly: import path of the task module (with instance_generator(seed))")
    root_seed: int | None = key(None, "on_the_fly: seed of the per-sample seeds (dataset.root_seed's derivation)")
    backend: str = key("sagemath", "on_the_fly: how the generator's scalars become text", choices=("sagemath", "sympy"))

    def __post_init__(self) -> None:
        from .fields import ConfigError

        for name in ("num_train_samples", "num_test_samples"):
            value = getattr(self, name)
            if value == 0 or value < -1:
                raise ConfigError(f"data.{name} must be a positive integer or -1 (all samples); got {value!r}")
        self._check_on_the_fly(ConfigError)

    def _check_on_the_fly(self, error: type) -> None:
        """on_the_fly needs generator, root_seed and a sample count; without it those keys would be ignored."""
        if not self.on_the_fly:
            for name in ("generator", "root_seed"):
                if getattr(self, name) is not None:
                    raise error(f"data.{name} is read only with data.on_the_fly: true; set it or remove data.{name}")
            return
        for name, hint in (("generator", "e.g. calt.dataset.tasks.gf17_addition"), ("root_seed", "an integer")):
            if getattr(self, name) is None:
                raise error(f"data.on_the_fly: true needs data.{name} ({hint})")
        if self.num_train_samples < 1:
            raise error("data.on_the_fly: true needs data.num_train_samples > 0 (the samples of one epoch)")
        if self.dataset_load_preprocessor is not None:
            raise error("data.on_the_fly: true does not run data.dataset_load_preprocessor; remove it")
        for name in ("train_dataset_path", "train_dataset_jsonl", "train_dataset_pickle"):
            if getattr(self, name) is not None:
                raise error(f"data.on_the_fly: true generates the training set; remove data.{name}")


@dataclass
class WandbConfig:
    """``wandb`` block (top level of train.yaml, or ``train.wandb``)."""

    project: str = key("calt", "W&B project")
    group: str | None = key(None, "run group (e.g. the task)")
    name: str | None = key(None, "run name (default: train.run_name)")
    tags: list[str] | None = key(None, "run tags")
    no_wandb: bool = key(False, "turn Weights & Biases off")
    entity: str | None = key(None, "W&B entity (user or team)")
    notes: str | None = key(None, "run notes")
    mode: str | None = key(None, "`offline` to never sync (also the default without a W&B login)",
                           choices=("online", "offline", "disabled"))


@dataclass
class TrainConfig:
    """``train`` block of train.yaml: HF ``TrainingArguments`` names, plus Lightning's device keys."""

    output_dir: str = key("./tmp", "folder that receives everything the run writes", aliases=("save_dir",), path=True)
    num_train_epochs: float = key(1.0, "epochs (a fraction needs the training-set size)", required=True,
                                  bounds="(0, inf)")
    learning_rate: float = key(5e-5, "peak learning rate", required=True, bounds="[0, inf)")
    batch_size: int = key(8, "training samples per optimizer step, split over devices", required=True,
                     bounds="[1, inf)")
    test_batch_size: int | None = key(None, "evaluation batch size (default: batch_size)",
                                      aliases=("per_device_eval_batch_size",), bounds="[1, inf)")
    weight_decay: float = key(0.0, "AdamW weight decay (not on biases and norms)", bounds="[0, inf)")
    warmup_ratio: float = key(0.0, "share of the steps with a linear warmup", bounds="[0, 1]")
    warmup_steps: int = key(0, "warmup steps (wins over warmup_ratio when > 0)", bounds="[0, inf)")
    lr_scheduler_type: str = key("linear", "learning-rate schedule after warmup", choices=SCHEDULERS)
    max_grad_norm: float = key(1.0, "gradient clipping norm (0: off)", bounds="[0, inf)")
    optimizer: str = key(DEFAULT_OPTIMIZER, "optimizer (default: HF's, as in the original: adamw_torch_fused from "
                         "torch 2.8, adamw_torch before)", choices=OPTIMIZERS, aliases=("optim",))
    adam_beta1: float = key(0.9, "Adam beta1", bounds="[0, 1)")
    adam_beta2: float = key(0.999, "Adam beta2", bounds="[0, 1)")
    adam_epsilon: float = key(1e-8, "Adam epsilon (0 divides by zero where a gradient is 0)", bounds="(0, inf)")
    num_workers: int = key(0, "DataLoader worker processes", aliases=("dataloader_num_workers",),
                           bounds="[0, inf)")
    dataloader_pin_memory: bool = key(True, "pin batches in memory (on GPUs)")
    eval_strategy: str = key("steps", "when to evaluate (loss, token accuracy, generation)", choices=STRATEGIES,
                             aliases=("evaluation_strategy",))
    eval_steps: int = key(1000, "optimizer steps between evaluations (eval_strategy: steps)", bounds="[1, inf)")
    save_strategy: str = key("steps", "when to write a checkpoint", choices=STRATEGIES)
    save_steps: int = key(1000, "optimizer steps between checkpoints (save_strategy: steps)", bounds="[1, inf)")
    save_total_limit: int | None = key(1, "newest checkpoints kept besides last.ckpt (null: all)",
                                      bounds="[0, inf)")
    save_safetensors: bool = key(False, "export weights as model.safetensors instead of pytorch_model.bin")
    label_names: list[str] = key(None, "batch keys holding the targets: only [labels] (calt's collator)",
                                 factory=lambda: ["labels"])
    remove_unused_columns: bool = key(False, "only false: calt's collator yields exactly the model's inputs")
    logging_strategy: str = key("steps", "when to log training metrics", choices=STRATEGIES)
    logging_steps: int = key(50, "optimizer steps between training-metric logs (logging_strategy: steps)",
                            bounds="[1, inf)")
    report_to: str | list[str] | None = key(None, "loggers: wandb, csv, tensorboard, none "
                                                  "(default: csv, plus wandb when a wandb block asks)")
    run_name: str | None = key(None, "run name for W&B and TensorBoard (wandb.name wins)")
    seed: int = key(42, "seed of initialisation, shuffling and dropout", bounds="[0, 4294967295]")
    disable_tqdm: bool = key(True, "no progress bars")
    gradient_accumulation_steps: int = key(1, "batches accumulated per optimizer step", bounds="[1, inf)")
    group_by_length: bool = key(True, "batch training samples of similar length together (false: uniform random "
                                      "batches)")
    accelerator: str = key("auto", "Lightning accelerator: cpu, gpu, auto, ...")
    devices: int | str | list[int] = key("auto", "number of devices, a list of ids, or auto")
    num_nodes: int = key(1, "machines", bounds="[1, 100000]")
    strategy: str | None = key(None, "Lightning strategy: ddp, fsdp, ... (default: ddp when devices > 1)")
    precision: str | None = key(None, "Lightning precision; unset or auto: bf16-mixed on GPUs and on CPUs with "
                                      "AVX512-BF16 or AMX, else 32-true (16-mixed on GPUs without bf16); printed "
                                      "at start", choices=PRECISIONS)
    max_steps: int = key(-1, "stop after this many optimizer steps (-1: the epochs decide)",
                        bounds="[-1, inf)")
    compile: bool = key(False, "torch.compile the model")
    generation_max_length: int | None = key(None, "generation length during evaluation (default: longest test "
                                                  "target + 8)", bounds="[1, inf)")
    num_beams: int = key(1, "beam width during evaluation", bounds="[1, inf)")
    wandb: WandbConfig | None = key(None, "W&B settings (or a top-level wandb block)")

    def __post_init__(self) -> None:
        check_devices(self.devices)


MAX_DEVICES = 65536
"""More devices than any one run has: a larger ``train.devices`` count is a typo."""


def check_devices(devices: int | str | list[int]) -> None:
    """ConfigError unless ``train.devices`` is what Lightning reads: auto, -1 (all), a count, or device ids."""
    import re

    from .fields import ConfigError

    if isinstance(devices, str):
        ok = devices.strip() == "auto" or re.fullmatch(r"\s*-?\d+\s*|\s*\d+(\s*,\s*\d+)*\s*,?\s*", devices)
    elif isinstance(devices, list):
        ok = bool(devices) and all(device >= 0 for device in devices)
    else:
        ok = devices == -1 or 1 <= devices <= MAX_DEVICES
    if not ok:
        raise ConfigError(f"train.devices must be auto, -1 (every device), a device count up to {MAX_DEVICES}, or a "
                          f"list of device ids such as [0, 1]; got {devices!r}")


@dataclass
class DatasetConfig:
    """``dataset`` block of data.yaml, read by ``DatasetPipeline.from_config``."""

    save_dir: str | None = key(None, "folder that receives train_raw.txt, test_raw.txt, *_data.jsonl, statistics",
                               required=True, path=True)
    num_train_samples: int | None = key(None, "training samples", required=True, bounds="[0, inf)")
    num_test_samples: int | None = key(None, "test samples", required=True, bounds="[0, inf)")
    batch_size: int | None = key(None, "samples per unit of parallel work", required=True, bounds="[1, inf)")
    n_jobs: int | None = key(None, "worker processes (-1: all cores)", required=True, bounds="[-1, 1024]")
    root_seed: int | None = key(None, "seed of the per-sample seeds: same seed, same files", required=True)
    generator: str | None = key(None, "import path of the task module (with instance_generator(seed))", path=True)
    backend: str = key("sagemath", "sympy or sagemath", choices=("sagemath", "sympy"))
    save_text: bool = key(True, "write {split}_raw.txt")
    save_json: bool = key(True, "write {split}_data.jsonl")
    verbose: bool = key(True, "progress output")
    skip_failed_samples: bool = key(False, "skip (and count) samples whose generator raises")
    start_method: str | None = key(None, "multiprocessing start method", choices=("fork", "spawn", "forkserver"))

    def __post_init__(self) -> None:
        from .fields import ConfigError

        if self.n_jobs == 0:
            raise ConfigError("dataset.n_jobs must be -1 (one worker per CPU core) or a positive integer; got 0")


@dataclass
class NumberPolicyConfig:
    """``number_policy`` block of lexer.yaml."""

    attach_sign: bool = key(True, "the sign is part of the number token", aliases=("sign",))
    digit_group: int = key(0, "split numbers into tokens of this many digits (0: whole numbers; d adds the 10 + … + 10^d "
                                         "zero-padded groups to the vocabulary)", bounds="[0, 5]")
    allow_float: bool = key(True, "lex decimal numbers")


@dataclass
class VocabBlock:
    """``vocab`` block of lexer.yaml."""

    range: dict | None = key(None, "name: [prefix, min, max] -> tokens prefix+str(i), min..max")
    misc: list[str] | None = key(None, "other tokens")
    special_tokens: dict | None = key(None, "special-token names -> tokens")
    flags: dict | None = key(None, "include_base_vocab, include_base_special_tokens")
    include_base_vocab: bool | None = key(None, "add the built-in tokens")
    include_base_special_tokens: bool | None = key(None, "add the built-in special tokens")


@dataclass
class LexerConfig:
    """lexer.yaml."""

    vocab: VocabBlock | None = key(None, "the vocabulary", required=True)
    number_policy: NumberPolicyConfig | None = key(None, "how numbers become tokens")
    strict: bool = key(True, "unknown characters are errors (false: the unknown token)")
    include_base_vocab: bool = key(True, "add the built-in tokens to the lexer's reserved set")
