"""The ``calt`` subcommands: generate, train, evaluate, quickstart (the documented scripts, with checks)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import yaml
from omegaconf import DictConfig, OmegaConf

from calt.atomic import write_text_atomic
from calt.config import ConfigError, apply_dryrun_settings, load_config, one_line

from .config_files import load_data_file, load_train_file, resolved_train_config

DEFAULT_CONFIG_DIR = "configs"


def run_generate(config_path: str, overrides: Sequence[str] = ()) -> Path:
    """Generate the dataset ``data.yaml`` describes; return its folder."""
    from calt.dataset import DatasetPipeline

    config = load_data_file(config_path, overrides)
    try:
        pipeline = DatasetPipeline.from_config(config.dataset)
    except ImportError as exc:  # the generator module exists but one of its imports failed
        raise ConfigError(
            f"{config_path}: cannot import dataset.generator {config.dataset.generator!r} ({one_line(exc)}); "
            "give the import path of a module with instance_generator(seed)"
        ) from exc
    started = time.perf_counter()
    statistics = pipeline.run()
    counts = ", ".join(f"{split} {stats['num_samples']}" for split, stats in statistics.items())
    print(f"Generated {counts} samples in {time.perf_counter() - started:.1f}s -> {pipeline.save_dir}")
    return Path(pipeline.save_dir)


def print_train_config(config_path: str, overrides: Sequence[str] = ()) -> None:
    """Print the resolved train.yaml (every key, defaults filled in) and run nothing."""
    print(yaml.safe_dump(resolved_train_config(load_train_file(config_path, overrides)), sort_keys=False), end="")


def run_train(config_path: str, overrides: Sequence[str] = (), dryrun: bool = False, report: bool = True) -> float:
    """The documented training script: IO → model → trainer → train → save → generation evaluation."""
    from calt.io import IOPipeline
    from calt.lightning.loggers import finish_wandb_run
    from calt.models import ModelPipeline
    from calt.trainer import TrainerPipeline

    config = load_train_file(config_path, overrides)
    if dryrun:
        apply_dryrun_settings(config)
    resolved_train_config(config)  # every block checked before anything heavy runs
    check_data_files(config, config_path)
    io_dict = IOPipeline.from_config(config.data).build()
    model = ModelPipeline.from_io_dict(config.model, io_dict).build()
    pipeline = TrainerPipeline.from_io_dict(config.train, model, io_dict, wandb_config=config.get("wandb")).build()
    try:
        pipeline.train()
        pipeline.save_model()
        rate = pipeline.evaluate_and_save_generation()
    finally:
        finish_wandb_run()  # the run's W&B files are complete when `calt train` (or calt.cli.main) returns
    if pipeline.trainer.is_world_process_zero():  # under DDP every rank runs this; one reports
        print(f"Success rate: {100 * rate:.1f}%")
        if report:
            write_reports(Path(pipeline.trainer.args.output_dir), draw_curves=False)
    return rate


def run_evaluate(save_dir: str, overrides: Sequence[str] = (), max_length: int | None = None) -> float:
    """Reload the model and tokenizer exported to ``save_dir``; evaluate on the configured test set."""
    from calt.trainer import TrainerPipeline

    config_file = Path(save_dir) / "train.yaml"
    if not Path(save_dir).is_dir():
        raise ConfigError(f"save directory not found: {save_dir} (give the train.save_dir of a finished run)")
    if not config_file.is_file():
        raise ConfigError(f"{config_file} not found: {save_dir} is not the save_dir of a `calt train` run")
    config = load_train_file(config_file, overrides)
    check_data_files(config, str(config_file))
    if overrides:
        write_text_atomic(config_file, OmegaConf.to_yaml(config))
    pipeline = TrainerPipeline.resume_from_checkpoint(save_dir=str(save_dir), resume_from_checkpoint=True)
    pipeline.build()
    rate = pipeline.evaluate_and_save_generation(max_length=max_length)
    print(f"Success rate: {100 * rate:.1f}%")
    write_reports(Path(save_dir))
    return rate


def run_predict(save_dir: str, problems: str, num_beams: int | None = None, max_length: int | None = None,
                batch_size: int | None = None, output: str | None = None) -> dict:
    """``calt predict``: answers for the problems of a file from the model exported to ``save_dir``."""
    from calt.trainer.prediction import predict_file

    for name, value in (("--num_beams", num_beams), ("--max-length", max_length), ("--batch-size", batch_size)):
        if value is not None and value < 1:
            raise ConfigError(f"calt predict {name} must be a positive integer; got {value}")
    summary = predict_file(save_dir, problems, num_beams, max_length, batch_size, output)
    scored = f", {100 * summary['accuracy']:.1f}% correct" if "accuracy" in summary else ""
    print(f"Predicted {summary['problems']} problems{scored} -> {summary['output']}")
    return summary


def run_preprocess(config_path: str, overrides: Sequence[str] = (), data_config: str | None = None,
                   lexer_format: str = "raw", training_order: str = "degrevlex", pretokenize: bool = False,
                   force: bool = False) -> Path:
    """``calt preprocess``: the load preprocessor (and, with ``pretokenize``, the lexer and tokenizer) run once
    over the raw files of train.yaml's data block, into a JSONL cache beside them; return its folder."""
    from calt.io.preprocess import expanded_load_preprocessor, preprocess_to_ids
    from calt.io.preprocess import run_preprocess as write_strings
    from calt.io.preprocessor.load_preprocessors.spec import build_load_preprocessor

    config = load_train_file(config_path, overrides)
    resolved_train_config(config)
    for name in ("lexer_config", "train_dataset_path", "test_dataset_path"):
        value = config.data.get(name)
        if not value or not Path(str(value)).is_file():
            hint = "" if name == "lexer_config" else " (calt preprocess reads the raw text files; run `calt generate` first)"
            raise ConfigError(f"{config_path}: data.{name} = {value} is not a file{hint}")
    data_cfg = load_config(data_config) if data_config else None  # only its `sampler` block is read
    spec = config.data.get("dataset_load_preprocessor")
    if lexer_format == "expanded":
        if spec is not None:
            raise ConfigError(f"{config_path} sets data.dataset_load_preprocessor and --lexer-format expanded builds "
                              "its own (TextToSage + ExpandedForm): drop one of them")
        try:
            load_preprocessor = expanded_load_preprocessor(data_cfg)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    else:
        load_preprocessor = build_load_preprocessor(spec)
    write = preprocess_to_ids if pretokenize else write_strings
    cache_dir = write(config, data_cfg, training_order, lexer_format, load_preprocessor, force=force)
    kind = "ids" if pretokenize else "processed"
    train_with = [f"data.train_dataset_jsonl={cache_dir / f'train_{kind}.jsonl'}",
                  f"data.test_dataset_jsonl={cache_dir / f'test_{kind}.jsonl'}"]
    if spec is not None:
        train_with.append("data.dataset_load_preprocessor=null")
    print(f"[calt preprocess] cache ready at: {cache_dir}")
    print(f"[calt preprocess] train on it: calt train {config_path} {' '.join(train_with)}")
    return cache_dir


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


def run_compare(runs: Sequence[str], by_config: bool = False, output: str = "comparison.html") -> Path:
    """``calt compare``: runs (or groups of seeds) side by side; print the table, write the HTML page."""
    import glob

    from calt.io.visualization.run_comparison import group_runs, print_comparison, write_comparison

    if len(runs) < 2 and not glob.has_magic(runs[0]):
        raise ConfigError("calt compare needs two or more runs (or a quoted glob pattern that matches several)")
    try:
        groups = group_runs(list(runs), by_config=by_config)
    except FileNotFoundError as exc:
        raise ConfigError(str(exc)) from None
    print_comparison(groups)
    page = write_comparison(groups, output)
    print(f"Comparison of {sum(len(group.runs) for group in groups)} runs: {page}")
    return page


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
    for path in [*exported_model_files(save_dir), *outputs]:
        print(f"  {path}")


def exported_model_files(save_dir: Path) -> list[str]:
    names = ("train.yaml", "config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json")
    return [str(save_dir / name) for name in names if (save_dir / name).is_file()]


def check_data_files(config: DictConfig, config_path: str) -> None:
    """ConfigError for a lexer config or data file named in ``data`` that does not exist."""
    data = config.get("data") or {}
    keys = ["lexer_config"]
    for split in ("train", "test"):  # the file IOPipeline reads: a pickle path, else a JSONL path, else the text path
        kinds = [kind for kind in ("pickle", "jsonl") if data.get(f"{split}_dataset_{kind}") is not None]
        keys.append(f"{split}_dataset_{kinds[0] if kinds else 'path'}")
    for name in keys:
        value = data.get(name)
        if value is not None and not Path(str(value)).is_file():
            hint = " (run `calt generate` with the matching data.yaml first)" if "dataset" in name else ""
            what = "is a folder, not a file" if Path(str(value)).is_dir() else "does not exist"
            raise ConfigError(f"{config_path}: data.{name} = {value} {what}{hint}")
