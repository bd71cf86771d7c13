"""The ``calt`` command: generate data, train, evaluate, and the Lightning CLI, from the YAML configs.

    calt generate configs/data.yaml [key=value ...]
    calt train configs/train.yaml [key=value ...] [--dryrun]
    calt evaluate results/polynomial_derivative
    calt quickstart [key=value ...]             # generate + train + evaluate the default task
    calt fit --config configs/train.yaml [--trainer.max_steps 100 ...]   # also validate, test

Overrides are OmegaConf dotlists (``train.learning_rate=1e-3``); a key the config does
not know is an error that names the closest valid one. Bad input ends with a one-line
message and a non-zero exit status; ``--verbose`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

logger = logging.getLogger("calt.cli")

LIGHTNING_SUBCOMMANDS = ("fit", "validate", "test")
DEFAULT_CONFIG_DIR = "configs"
EXIT_ERROR = 2


class CLIError(Exception):
    """Bad input on the command line: reported as one line, exit status non-zero."""


# --------------------------------------------------------------------------- configs and overrides


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> DictConfig:
    """``OmegaConf.load(path)`` with dotlist ``overrides`` applied; unknown keys are a CLIError."""
    path = Path(path)
    if not path.is_file():
        raise CLIError(f"config file not found: {path} (give the path of a YAML file, e.g. configs/train.yaml)")
    try:
        config = OmegaConf.load(path)
    except Exception as exc:  # YAML syntax errors carry line and column
        raise CLIError(f"cannot read {path}: {_one_line(exc)}") from exc
    if not isinstance(config, DictConfig):
        raise CLIError(f"{path}: the top level must be a mapping of blocks (data, model, train, ...)")
    return apply_overrides(config, overrides, source=str(path))


def apply_overrides(config: DictConfig, overrides: Sequence[str], source: str = "config") -> DictConfig:
    """Merge ``key=value`` dotlist items into ``config`` after checking every key is one it accepts."""
    if not overrides:
        return config
    for item in overrides:
        key, sep, _ = item.partition("=")
        if not sep or not key:
            raise CLIError(f"override {item!r} is not of the form key=value (e.g. train.learning_rate=1e-3)")
        check_override_key(config, key.strip(), source)
    try:
        return OmegaConf.merge(config, OmegaConf.from_dotlist(list(overrides)))
    except Exception as exc:
        raise CLIError(f"cannot apply overrides {list(overrides)}: {_one_line(exc)}") from exc


def check_override_key(config: DictConfig, key: str, source: str = "config") -> None:
    """CLIError naming the closest valid key when ``key`` is neither in ``config`` nor documented."""
    valid = known_keys(config)
    if key in valid or any(key.startswith(prefix + ".") for prefix in _open_mappings(config)):
        return
    close = difflib.get_close_matches(key, sorted(valid), n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}?" if close else f"valid top-level keys: {sorted(config.keys())}"
    raise CLIError(f"unknown key {key!r} in overrides of {source}; {hint}")


def known_keys(config: DictConfig) -> set[str]:
    """Dotted paths of every key in ``config`` plus the documented keys of the blocks it has."""
    keys = set(_dotted_paths(config))
    for block, names in _documented_keys().items():
        if block in config:
            keys.update(f"{block}.{name}" for name in names)
    if "train" in config:
        keys.update(f"train.wandb.{name}" for name in _documented_keys()["wandb"])
    return keys


def _documented_keys() -> dict[str, Iterable[str]]:
    from calt.dataset.pipeline import GENERATOR_KEY, OPTIONAL_KEYS, REQUIRED_KEYS
    from calt.io.pipeline import DATA_KEYS
    from calt.models.bart.config_mapping import MODEL_KEYS as BART_KEYS
    from calt.models.generic.config_mapping import MODEL_KEYS as GENERIC_KEYS
    from calt.trainer.arguments import WANDB_KEYS, TrainingArguments

    return {"data": DATA_KEYS, "model": ("model_type", *GENERIC_KEYS, *BART_KEYS),
            "train": TrainingArguments.config_keys(), "wandb": WANDB_KEYS,
            "dataset": (*REQUIRED_KEYS, *OPTIONAL_KEYS, GENERATOR_KEY)}


def _dotted_paths(node, prefix: str = "") -> Iterable[str]:
    if isinstance(node, DictConfig):
        for key in node.keys():
            path = f"{prefix}{key}"
            yield path
            yield from _dotted_paths(node._get_node(key), path + ".")


def _open_mappings(config: DictConfig) -> list[str]:
    """Blocks whose content is free-form (special tokens, vocab ranges): any key below them is accepted."""
    return [path for path in ("vocab.special_tokens", "vocab.range") if OmegaConf.select(config, path) is not None]


# --------------------------------------------------------------------------- subcommands


def run_generate(config_path: str, overrides: Sequence[str] = ()) -> Path:
    """Generate the dataset ``data.yaml`` describes; return its folder."""
    config = load_config(config_path, overrides)
    if "dataset" not in config:
        raise CLIError(f"{config_path}: no `dataset` block (is this a data.yaml?)")
    if "generator" not in config.dataset:
        raise CLIError(f"{config_path}: set dataset.generator to a module path, e.g. calt.dataset.tasks.polynomial_derivative")
    pipeline = _build_dataset_pipeline(config, config_path)
    started = time.perf_counter()
    statistics = pipeline.run()
    counts = ", ".join(f"{split} {stats['num_samples']}" for split, stats in statistics.items())
    print(f"Generated {counts} samples in {time.perf_counter() - started:.1f}s -> {pipeline.save_dir}")
    return Path(pipeline.save_dir)


def _build_dataset_pipeline(config: DictConfig, config_path: str):
    from calt.dataset import DatasetPipeline

    try:
        return DatasetPipeline.from_config(config.dataset)
    except ImportError as exc:  # the generator module exists but one of its imports failed
        raise CLIError(
            f"{config_path}: cannot import dataset.generator {config.dataset.generator!r} ({_one_line(exc)}); "
            "give the import path of a module with instance_generator(seed)"
        ) from exc
    except ValueError as exc:
        raise CLIError(f"{config_path}: {_one_line(exc)}") from exc


def run_train(config_path: str, overrides: Sequence[str] = (), dryrun: bool = False, report: bool = True) -> float:
    """The documented training script: IO → model → trainer → train → save → generation evaluation."""
    config = load_config(config_path, overrides)
    missing = [block for block in ("data", "model", "train") if block not in config]
    if missing:
        raise CLIError(f"{config_path}: missing block(s) {missing}; train.yaml needs data, model and train")
    if dryrun:
        from calt.trainer.utils import apply_dryrun_settings

        apply_dryrun_settings(config)
    _check_data_files(config, config_path)

    from calt.io import IOPipeline
    from calt.models import ModelPipeline
    from calt.trainer import TrainerPipeline

    io_dict = IOPipeline.from_config(config.data).build()
    model = ModelPipeline.from_io_dict(config.model, io_dict).build()
    wandb_config = config.get("wandb")
    pipeline = TrainerPipeline.from_io_dict(config.train, model, io_dict, wandb_config=wandb_config).build()
    pipeline.train()
    pipeline.save_model()
    rate = pipeline.evaluate_and_save_generation()
    if pipeline.trainer.is_world_process_zero():  # under DDP every rank runs this; one reports
        print(f"Success rate: {100 * rate:.1f}%")
        if report:
            write_reports(_save_dir(config), draw_curves=False)
    return rate


def run_evaluate(save_dir: str, overrides: Sequence[str] = (), max_length: int | None = None) -> float:
    """Reload the model and tokenizer exported to ``save_dir``; evaluate on the configured test set."""
    from calt.trainer import TrainerPipeline

    config_file = Path(save_dir) / "train.yaml"
    if not Path(save_dir).is_dir():
        raise CLIError(f"save directory not found: {save_dir} (give the train.save_dir of a finished run)")
    if not config_file.is_file():
        raise CLIError(f"{config_file} not found: {save_dir} is not the save_dir of a `calt train` run")
    config = load_config(config_file, overrides)
    _check_data_files(config, str(config_file))
    if overrides:
        OmegaConf.save(config, config_file)
    pipeline = TrainerPipeline.resume_from_checkpoint(save_dir=str(save_dir), resume_from_checkpoint=True)
    pipeline.build()
    rate = pipeline.evaluate_and_save_generation(max_length=max_length)
    print(f"Success rate: {100 * rate:.1f}%")
    write_reports(Path(save_dir))
    return rate


def run_quickstart(config_dir: str = DEFAULT_CONFIG_DIR, overrides: Sequence[str] = ()) -> float:
    """Generate, train and evaluate the default task (``configs/{data,train}.yaml``).

    Overrides of ``dataset.*`` go to data.yaml, the rest to train.yaml; the training data
    paths follow ``dataset.save_dir``.
    """
    data_path, train_path = Path(config_dir) / "data.yaml", Path(config_dir) / "train.yaml"
    data_overrides = [item for item in overrides if item.startswith("dataset.")]
    train_overrides = [item for item in overrides if not item.startswith("dataset.")]
    started = time.perf_counter()
    dataset_dir = run_generate(str(data_path), data_overrides)
    train_overrides = [
        f"data.train_dataset_path={dataset_dir / 'train_raw.txt'}",
        f"data.test_dataset_path={dataset_dir / 'test_raw.txt'}",
        *train_overrides,
    ]
    rate = run_train(str(train_path), train_overrides)
    print(f"Quickstart finished in {time.perf_counter() - started:.0f}s")
    return rate


def write_reports(save_dir: Path, draw_curves: bool = True) -> None:
    """Learning-curve PNGs, the HTML evaluation report and a terminal summary for the run in ``save_dir``;
    ``draw_curves=False`` lists the curves ``Trainer.train()`` has already drawn instead of redrawing them."""
    from calt.io.visualization.eval_report import load_eval_samples, print_summary, write_html_report
    from calt.io.visualization.learning_curves import plot_learning_curves

    curves = plot_learning_curves(save_dir) if draw_curves else sorted(save_dir.glob("learning_curve_*.png"))
    outputs = [str(path) for path in curves]
    eval_results = save_dir / "eval_results.json"
    if eval_results.is_file():
        print_summary(load_eval_samples(eval_results), max_errors=5)
        outputs += [str(eval_results), str(write_html_report(eval_results))]
    print(f"Results in {save_dir}:")
    for path in [*_exported_model_files(save_dir), *outputs]:
        print(f"  {path}")


def _exported_model_files(save_dir: Path) -> list[str]:
    names = ("train.yaml", "config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json")
    return [str(save_dir / name) for name in names if (save_dir / name).is_file()]


def _check_data_files(config: DictConfig, config_path: str) -> None:
    """CLIError for a lexer config or text data file named in ``data`` that does not exist."""
    data = config.get("data") or {}
    keys = ["lexer_config"]
    if data.get("use_jsonl"):
        keys += ["train_dataset_jsonl", "test_dataset_jsonl"]
    elif data.get("use_pickle"):
        keys += ["train_dataset_pickle", "test_dataset_pickle"]
    else:
        keys += ["train_dataset_path", "test_dataset_path"]
    for key in keys:
        value = data.get(key)
        if value and not Path(str(value)).exists():
            hint = " (run `calt generate` with the matching data.yaml first)" if "dataset" in key else ""
            raise CLIError(f"{config_path}: data.{key} = {value} does not exist{hint}")


def _save_dir(config: DictConfig) -> Path:
    train = config.train
    return Path(str(train.get("save_dir") or train.get("output_dir") or "./tmp"))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


# --------------------------------------------------------------------------- argument parsing


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree of the ``calt`` command (the Lightning subcommands are parsed by LightningCLI)."""
    parser = argparse.ArgumentParser(prog="calt", description="Train Transformers on symbolic computation.")
    parser.add_argument("--verbose", action="store_true", help="show tracebacks and debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    generate = sub.add_parser("generate", help="generate a dataset from data.yaml")
    generate.add_argument("config", help="path of data.yaml")
    generate.add_argument("overrides", nargs="*", help="key=value overrides, e.g. dataset.num_train_samples=1000")

    train = sub.add_parser("train", help="train, export and evaluate a model from train.yaml")
    train.add_argument("config", help="path of train.yaml")
    train.add_argument("overrides", nargs="*", help="key=value overrides, e.g. train.num_train_epochs=2")
    train.add_argument("--dryrun", action="store_true", help="tiny run: 1 epoch, small batches, 1000/100 samples")
    train.add_argument("--no-report", action="store_true", help="skip the evaluation report (train() draws the learning curves)")

    evaluate = sub.add_parser("evaluate", help="evaluate an exported model on its configured test set")
    evaluate.add_argument("save_dir", help="train.save_dir of a finished `calt train` run")
    evaluate.add_argument("overrides", nargs="*", help="key=value overrides of the saved train.yaml")
    evaluate.add_argument("--max-length", type=int, default=None, help="generation length limit")

    quickstart = sub.add_parser("quickstart", help="generate, train and evaluate the default task")
    quickstart.add_argument("overrides", nargs="*", help="dataset.* (data.yaml) or data/model/train.* overrides")
    quickstart.add_argument("--config-dir", default=DEFAULT_CONFIG_DIR, help="folder with data.yaml and train.yaml")

    for name in LIGHTNING_SUBCOMMANDS:
        sub.add_parser(name, help=f"LightningCLI `{name}` over train.yaml (calt {name} --help)", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``calt`` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    verbose = "--verbose" in argv
    argv = [arg for arg in argv if arg != "--verbose"]  # accepted anywhere on the line
    if verbose:  # otherwise warnings reach stderr through logging's last-resort handler, and Lightning logs its own
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
    try:
        if argv and argv[0] in LIGHTNING_SUBCOMMANDS:
            from calt.lightning.cli import run_lightning_cli

            run_lightning_cli(argv)
            return 0
        args = build_parser().parse_args(argv)
        return _dispatch(args)
    except KeyboardInterrupt:
        print("calt: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if verbose:
            raise
        print(f"calt: error: {_one_line(exc)} (add --verbose for the traceback)", file=sys.stderr)
        return EXIT_ERROR


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "generate":
        run_generate(args.config, args.overrides)
    elif args.command == "train":
        run_train(args.config, args.overrides, dryrun=args.dryrun, report=not args.no_report)
    elif args.command == "evaluate":
        run_evaluate(args.save_dir, args.overrides, max_length=args.max_length)
    elif args.command == "quickstart":
        run_quickstart(args.config_dir, args.overrides)
    return 0


if __name__ == "__main__":
    sys.exit(main())
