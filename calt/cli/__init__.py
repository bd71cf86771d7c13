"""The ``calt`` command: generate data, train, evaluate, and the Lightning CLI, from the YAML configs.

    calt generate configs/data.yaml [key=value ...]
    calt train configs/train.yaml [key=value ...] [--dryrun] [--print_config]
    calt evaluate results/polynomial_derivative
    calt predict results/polynomial_derivative problems.txt [--num_beams 4]   # answers -> predictions.jsonl
    calt preprocess configs/polynomial_addition/train.yaml [--pretokenize]   # offline JSONL cache
    calt quickstart [key=value ...]             # generate + train + evaluate the default task
    calt compare 'results/d256_seed*' results/d512 [--group]   # runs side by side (one HTML page)
    calt fit --config configs/train.yaml [--trainer.max_steps 100 ...]   # also validate, test

Overrides are OmegaConf dotlists (``train.learning_rate=1e-3``); a key the config does not know is an
error that names the closest valid one. Bad input ends with a one-line message and exit status 2;
``--verbose`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from calt.config import ConfigError, one_line

from .config_files import errors_name_file
from .commands import (
    DEFAULT_CONFIG_DIR,
    print_train_config,
    run_evaluate,
    run_generate,
    run_predict,
    run_preprocess,
    run_compare,
    run_quickstart,
    run_train,
)

LIGHTNING_SUBCOMMANDS = ("fit", "validate", "test")
EXIT_ERROR = 2


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
    train.add_argument("--print_config", action="store_true", help="print the resolved configuration and exit")
    train.add_argument("--no-report", action="store_true", help="skip the evaluation report (train() draws the learning curves)")

    evaluate = sub.add_parser("evaluate", help="evaluate an exported model on its configured test set")
    evaluate.add_argument("save_dir", help="train.save_dir of a finished `calt train` run")
    evaluate.add_argument("overrides", nargs="*", help="key=value overrides of the saved train.yaml")
    evaluate.add_argument("--max-length", type=int, default=None, help="generation length limit")

    predict = sub.add_parser("predict", help="answer the problems of a file with an exported model "
                                             "(`calt predict --config train.yaml --ckpt_path X`: from a checkpoint)")
    predict.add_argument("save_dir", help="train.save_dir of a finished `calt train` run")
    predict.add_argument("problems", help="one problem per line, or `problem # answer` lines (then scored)")
    predict.add_argument("--num_beams", "--num-beams", type=int, default=None, help="beam width (default: train.num_beams)")
    predict.add_argument("--max-length", type=int, default=None, help="longest answer in tokens (default: "
                         "train.generation_max_length, else longest reference + 8, else the model's limit)")
    predict.add_argument("--batch-size", type=int, default=None, help="problems per batch (default: train.test_batch_size)")
    predict.add_argument("--output", default=None, help="where to write predictions.jsonl (default: in save_dir)")

    add_preprocess_parser(sub)

    compare = sub.add_parser("compare", help="compare finished runs on one HTML page and in a table")
    compare.add_argument("runs", nargs="+", help="save_dirs of finished runs; a glob pattern (quoted) is one entry")
    compare.add_argument("--group", action="store_true", help="group all runs by a hash of their configuration "
                                                              "(seed, save_dir and wandb keys left out)")
    compare.add_argument("--output", default="comparison.html", help="the HTML page to write")

    quickstart = sub.add_parser("quickstart", help="generate, train and evaluate the default task")
    quickstart.add_argument("overrides", nargs="*", help="dataset.* (data.yaml) or data/model/train.* overrides")
    quickstart.add_argument("--config-dir", default=DEFAULT_CONFIG_DIR, help="folder with data.yaml and train.yaml")

    for name in LIGHTNING_SUBCOMMANDS:
        sub.add_parser(name, help=f"LightningCLI `{name}` over train.yaml (calt {name} --help)", add_help=False)
    return parser


def add_preprocess_parser(sub) -> None:
    """``calt preprocess``: calt-x's options (``--config`` may also be given as the first argument)."""
    preprocess = sub.add_parser("preprocess", help="run the load preprocessor (and tokenizer) offline into a JSONL cache")
    preprocess.add_argument("config", nargs="?", help="path of train.yaml (its data block names the raw files)")
    preprocess.add_argument("overrides", nargs="*", help="key=value overrides of train.yaml")
    preprocess.add_argument("--config", dest="config_option", help="path of train.yaml (calt-x's spelling)")
    preprocess.add_argument("--data-config", help="data.yaml whose `sampler` block names the ring "
                                                  "(needed by --lexer-format expanded)")
    preprocess.add_argument("--lexer-format", choices=("raw", "expanded"), default="raw",
                            help="raw: train.yaml's data.dataset_load_preprocessor (or none); expanded: TextToSage + "
                                 "ExpandedForm in the data.yaml sampler's ring")
    preprocess.add_argument("--training-order", default="degrevlex", help="label of the cache folder and its hash")
    preprocess.add_argument("--pretokenize", action="store_true", help="also lex and tokenize: store input_ids")
    preprocess.add_argument("--force", action="store_true", help="rebuild even when the cache is up to date")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``calt`` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    verbose = "--verbose" in argv
    argv = [arg for arg in argv if arg != "--verbose"]  # accepted anywhere on the line
    if verbose:  # otherwise warnings reach stderr through logging's last-resort handler, and Lightning logs its own
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
    try:
        if argv and (argv[0] in LIGHTNING_SUBCOMMANDS or is_checkpoint_predict(argv)):
            from .lightning_cli import run_lightning_cli

            run_lightning_cli(argv)
            return 0
        return dispatch(build_parser().parse_args(argv))
    except KeyboardInterrupt:
        print("calt: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if verbose:
            raise
        print(f"calt: error: {one_line(exc)} (add --verbose for the traceback)", file=sys.stderr)
        return EXIT_ERROR


def is_checkpoint_predict(argv: Sequence[str]) -> bool:
    """``calt predict --config ...``: LightningCLI's predict subcommand (``calt predict SAVE_DIR FILE`` is ours)."""
    return argv[0] == "predict" and any(arg == "--config" or arg.startswith("--config=") for arg in argv[1:])


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "generate":
        with errors_name_file(args.config):
            run_generate(args.config, args.overrides)
    elif args.command == "train" and args.print_config:
        print_train_config(args.config, args.overrides)
    elif args.command == "train":
        with errors_name_file(args.config):
            run_train(args.config, args.overrides, dryrun=args.dryrun, report=not args.no_report)
    elif args.command == "evaluate":
        run_evaluate(args.save_dir, args.overrides, max_length=args.max_length)
    elif args.command == "predict":
        run_predict(args.save_dir, args.problems, num_beams=args.num_beams, max_length=args.max_length,
                    batch_size=args.batch_size, output=args.output)
    elif args.command == "preprocess":
        config, overrides = args.config, list(args.overrides)
        if args.config_option:  # `--config FILE key=value`: the first positional is an override
            overrides = [config, *overrides] if config is not None else overrides
            config = args.config_option
        if config is None or "=" in config:
            raise ConfigError("calt preprocess needs a train.yaml: as its first argument or as --config")
        run_preprocess(config, overrides, data_config=args.data_config, lexer_format=args.lexer_format,
                       training_order=args.training_order, pretokenize=args.pretokenize, force=args.force)
    elif args.command == "compare":
        run_compare(args.runs, by_config=args.group, output=args.output)
    elif args.command == "quickstart":
        run_quickstart(args.config_dir, args.overrides)
    return 0
