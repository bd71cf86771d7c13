"""Answers for new problems: ``calt predict SAVE_DIR problems.txt`` and its checkpoint twin.

A problems file holds one problem per line, or ``problem # answer`` lines (then every answer is scored).
Problems go through the run's load preprocessor (``problem # answer`` lines only) and lexer, the model
decodes them in batches with its key/value cache (greedy, or beam search with ``num_beams``), exactly as
``evaluate_and_save_generation`` decodes the eval set, and ``predictions.jsonl`` gets one object per line:
``{"line", "problem", "prediction"}`` plus ``"reference"`` and ``"correct"`` when answers were given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from omegaconf import OmegaConf

from calt.atomic import write_text_atomic
from calt.config import ConfigError

from ..io.collator import StandardDataCollator
from ..io.dataset import StandardDataset
from ..io.encoding import SampleEncoder
from ..io.pipeline import build_lexer, load_lexer_config
from ..io.preprocessor.load_preprocessors.spec import build_load_preprocessor
from ..io.readers import Samples, read_samples
from ..lightning.generation import GenerationResult, default_max_length, generate_eval_set


@dataclass
class ProblemSet:
    """The encoded problems of one file; ``scored`` when every line carried an answer."""

    dataset: StandardDataset
    line_numbers: list[int]
    scored: bool


def read_problems(path: str | Path, lexer: Any, tokenizer: Any, load_preprocessor: Any = None) -> ProblemSet:
    """Problems of ``path`` lexed and encoded like the eval set; ConfigError naming the line for a bad file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"problems file not found: {path}")
    lines = [(number, line.strip()) for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1)
             if line.strip()]
    if not lines:
        raise ConfigError(f"{path} holds no problems (one per line, or `problem # answer` lines)")
    with_answer = ["#" in line for _, line in lines]
    if any(with_answer) and not all(with_answer):
        odd = next(number for (number, _), has in zip(lines, with_answer) if has != with_answer[0])
        raise ConfigError(f"{path}:{odd}: mixes lines with and without ' # answer'; give every line an answer "
                          "(then they are scored) or none")
    if all(with_answer):
        samples = read_samples(path, None, load_preprocessor, "text")
    elif load_preprocessor is not None:
        raise ConfigError(f"{path}: the run's data.dataset_load_preprocessor reads `problem # answer` lines, so plain "
                          "problems cannot go through it; write each line as `problem # answer`")
    else:
        samples = Samples(str(path), [line for _, line in lines], [""] * len(lines), [n for n, _ in lines])
    input_ids, target_ids = SampleEncoder(lexer, tokenizer).encode_split(samples, "predict", True)
    dataset = StandardDataset(samples.problems, samples.answers, preprocessor=lexer)
    dataset.set_token_ids(input_ids, target_ids)
    return ProblemSet(dataset, list(samples.line_numbers), all(with_answer))


def run_settings(save_dir: Path) -> tuple[Any, Any, dict]:
    """(lexer, load preprocessor, train block) of the run saved in ``save_dir`` (from its train.yaml)."""
    config_file = save_dir / "train.yaml"
    if not config_file.is_file():
        raise ConfigError(f"{config_file} not found: {save_dir} is not the save_dir of a `calt train` run")
    config = OmegaConf.to_container(OmegaConf.load(config_file), resolve=True)
    data = config.get("data") or {}
    if not data.get("lexer_config"):
        raise ConfigError(f"{config_file} has no data.lexer_config: add the lexer.yaml the run was trained with")
    _, lexer = build_lexer(load_lexer_config(data["lexer_config"]), str(data["lexer_config"]))
    return lexer, build_load_preprocessor(data.get("dataset_load_preprocessor")), config.get("train") or {}


def decode_problems(model: Any, tokenizer: Any, problems: ProblemSet, num_beams: int, max_length: int | None,
                    batch_size: int, device: torch.device | None = None) -> GenerationResult:
    """Batched, cached decoding of every problem (the eval set's ``generate_eval_set``), in file order."""
    length = max_length or (default_max_length(problems.dataset) if problems.scored else model_max_length(model))
    return generate_eval_set(model, problems.dataset, StandardDataCollator(tokenizer), tokenizer, length, num_beams,
                             batch_size, device or next(model.parameters()).device)


def model_max_length(model: Any) -> int:
    """The longest answer the model can decode: its position limit minus the start token."""
    config = model.config
    limit = getattr(config, "max_input_len", None) or getattr(config, "max_position_embeddings", None) or 513
    return max(int(limit) - 1, 1)


def write_predictions(path: Path, problems: ProblemSet, result: GenerationResult) -> dict:
    """``predictions.jsonl`` (one object per problem) and a summary: count, and accuracy when scored."""
    rows = []
    for number, problem, generated, reference in zip(problems.line_numbers, problems.dataset.input_texts,
                                                     result.generated, result.reference):
        row = {"line": number, "problem": problem, "prediction": generated}
        if problems.scored:
            row.update(reference=reference, correct=generated.strip() == reference.strip())
        rows.append(row)
    write_text_atomic(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    summary: dict = {"problems": len(rows), "output": str(path)}
    if problems.scored:
        summary["accuracy"] = result.success_rate
    return summary


def predict_file(save_dir: str | Path, problems_path: str | Path, num_beams: int | None = None,
                 max_length: int | None = None, batch_size: int | None = None, output: str | Path | None = None) -> dict:
    """Answer every problem of ``problems_path`` with the model exported to ``save_dir``; write
    ``predictions.jsonl`` (default: in ``save_dir``). Unset options come from the run's train block."""
    from calt.models.loading import load_model_and_tokenizer

    folder = Path(save_dir)
    if not folder.is_dir():
        raise ConfigError(f"save directory not found: {save_dir} (give the train.save_dir of a finished run)")
    lexer, load_preprocessor, train = run_settings(folder)
    model, tokenizer = load_model_and_tokenizer(folder)
    model.to(torch.device("cuda" if torch.cuda.is_available() else "cpu"))
    problems = read_problems(problems_path, lexer, tokenizer, load_preprocessor)
    beams = num_beams or train.get("num_beams") or 1
    batch = batch_size or train.get("test_batch_size") or train.get("batch_size") or 64
    result = decode_problems(model, tokenizer, problems, beams, max_length or train.get("generation_max_length"), batch)
    return write_predictions(Path(output) if output else folder / "predictions.jsonl", problems, result)
