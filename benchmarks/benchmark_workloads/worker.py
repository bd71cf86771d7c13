"""One benchmark workload, run through calt's documented Python API, in a child process of benchmarks/benchmark.py.

Run by the interpreter of the package under test (this repository's calt, or the original calt-x in its own
virtual environment), so the same code drives both:  python worker.py SPEC.json RESULT.json
The spec names the workload and its sizes; the result is a JSON object of timings and counts.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from pathlib import Path

from flops import model_flops_utilisation, training_flops_per_sample
from roofline import generation_roofline
from task_data import model_block, train_block, write_train_yaml

TOKEN = re.compile(r"\d+|,")


def load_config(spec: dict, save_dir: Path, data: dict, train_extra: dict | None = None):
    """Write this run's train.yaml and load it with OmegaConf, as the documented script does."""
    from omegaconf import OmegaConf

    model = model_block(spec["d_model"], spec["layers"], spec["heads"], spec["ffn"], spec["max_sequence_length"])
    model.update(spec.get("model_extra") or {})  # e.g. calt's model.seed, for runs that vary the initial weights
    train = train_block(str(save_dir), spec["epochs"], spec["batch_size"], spec["test_batch_size"], train_extra)
    return OmegaConf.load(write_train_yaml(save_dir / "train.yaml", data, model, train))


def data_block(spec: dict, train_path: str, num_train: int, num_test: int) -> dict:
    """The ``data`` block: text files, all lines unless limited."""
    return {
        "lexer_config": spec["lexer"],
        "train_dataset_path": train_path,
        "test_dataset_path": spec["test"],
        "num_train_samples": num_train,
        "num_test_samples": num_test,
    }


def build_pipeline(cfg):
    """IOPipeline → ModelPipeline → TrainerPipeline, exactly as the documented script."""
    from calt.io import IOPipeline
    from calt.models import ModelPipeline
    from calt.trainer import TrainerPipeline

    io_dict = IOPipeline.from_config(cfg.data).build()
    model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    return TrainerPipeline.from_io_dict(cfg.train, model, io_dict).build(), model


def newest_generation_file(save_dir: Path) -> Path:
    """The results file the last generation wrote: eval_results.json, or eval_results/step_N.json when the
    trainer had a step counter (the original writes step_0.json even before training)."""
    candidates = [save_dir / "eval_results.json", *(save_dir / "eval_results").glob("step_*.json")]
    existing = [path for path in candidates if path.exists()]
    if not existing:
        raise FileNotFoundError(f"evaluate_and_save_generation wrote no eval_results*.json under {save_dir}")
    return max(existing, key=lambda path: path.stat().st_mtime_ns)


def timed_generation(pipeline, save_dir: Path, spec: dict, model) -> dict:
    """Time evaluate_and_save_generation, summarise the eval_results.json it writes, and set the time against
    the machine's matmul speed at the model's shapes (roofline.py)."""
    max_length = spec["max_length"]
    start = time.perf_counter()
    success_rate = pipeline.evaluate_and_save_generation(max_length=max_length)
    seconds = time.perf_counter() - start
    rows = json.loads(newest_generation_file(save_dir).read_text())
    generated = [TOKEN.findall(row["generated"]) for row in rows]  # tokens, however the text spaces them
    reference = [TOKEN.findall(row["reference"]) for row in rows]
    matched = sum(g == r for gen, ref in zip(generated, reference) for g, r in zip(gen, ref))
    sources = [source for source, _ in tokens_per_line(spec["test"])[: len(rows)]]
    steps = [min(len(tokens) + 1, max_length) for tokens in generated]  # + EOS; a row cut at max_length has none
    roofline = generation_roofline(spec["d_model"], spec["layers"], spec["ffn"], model.config.vocab_size, sources,
                                   steps, spec["test_batch_size"], seconds)
    return {
        "seconds": seconds,
        "samples": len(rows),
        "success_rate": success_rate,
        "generated_token_accuracy": matched / max(1, sum(map(len, reference))),
        "mean_generated_tokens": sum(map(len, generated)) / max(1, len(rows)),
        "generated": [" ".join(tokens) for tokens in generated],
        **roofline,
    }


def run_train(spec: dict, save_dir: Path) -> dict:
    """Train for ``epochs`` on ``train_lines`` lines; then greedy generation of the trained model on the test set.
    ``train_extra`` adds train-block keys (precision, compile, seed) to this package's config."""
    cfg = load_config(spec, save_dir, data_block(spec, spec["train"], -1, -1), spec.get("train_extra"))
    start = time.perf_counter()
    pipeline, model = build_pipeline(cfg)
    setup_seconds = time.perf_counter() - start
    start = time.perf_counter()
    pipeline.train()
    train_seconds = time.perf_counter() - start
    samples = spec["train_lines"] * spec["epochs"]
    result = {
        "setup_seconds": setup_seconds,
        "train_seconds": train_seconds,
        "train_samples_per_s": samples / train_seconds,
        "parameters": sum(p.numel() for p in model.parameters()),
        "train_config_extra": spec.get("train_extra") or {},
        "final_train_loss": final_train_loss(pipeline),
        "trained_generation": timed_generation(pipeline, save_dir, spec, model),
    }
    if spec.get("save_trained_model"):  # after every timing, into save_dir as the documented script does
        pipeline.save_model()
    return result


def final_train_loss(pipeline) -> float | None:
    """The last logged training loss (both packages keep HF's ``state.log_history``: ``loss`` in the
    original's rows, ``train/loss`` in calt's), or None."""
    trainer = getattr(pipeline, "trainer", pipeline)
    history = getattr(getattr(trainer, "state", None), "log_history", None) or []
    losses = [row.get("loss", row.get("train/loss")) for row in history if isinstance(row, dict)]
    losses = [loss for loss in losses if loss is not None]
    return float(losses[-1]) if losses else None


def run_decode(spec: dict, save_dir: Path) -> dict:
    """Greedy generation on the test set with the original's trained model (``trained_model``: the save_dir its
    ``save_model`` wrote to), in a fresh process, loaded the documented way: ``TrainerPipeline.resume_from_checkpoint``
    of a copy of that save_dir with this run's train.yaml. Both packages decode the same weights, so they do the
    same work and their answers can be compared one by one (calt reads the folder as a calt-x checkpoint)."""
    from calt.trainer import TrainerPipeline

    shutil.copytree(spec["trained_model"], save_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("eval_results*"))
    load_config(spec, save_dir, data_block(spec, spec["train"], spec["batch_size"], -1), spec.get("train_extra"))
    start = time.perf_counter()
    pipeline = TrainerPipeline.resume_from_checkpoint(str(save_dir)).build()
    load_seconds = time.perf_counter() - start
    model = pipeline.trainer.model
    return {"trained_model": spec["trained_model"], "load_seconds": load_seconds,
            "trained_generation": timed_generation(pipeline, save_dir, spec, model)}


def run_generate(spec: dict, save_dir: Path) -> dict:
    """Greedy generation of an untrained model on ``gen_samples`` test samples, ``max_length`` tokens at most."""
    data = data_block(spec, spec["train"], spec["batch_size"], spec["gen_samples"])
    pipeline, model = build_pipeline(load_config(spec, save_dir, data, spec.get("train_extra")))
    return {
        "untrained_generation": timed_generation(pipeline, save_dir, spec, model),
        "untrained_model_generate_full": timed_model_generate(pipeline, model, spec["max_length"]),
    }


def timed_model_generate(pipeline, model, max_length: int) -> dict:
    """Time ``model.generate`` alone on the whole test set as one batch, every row ``max_length`` tokens long.

    The EOS id passed is one past the vocabulary, an id no argmax can return, so the cost does not depend on when
    an untrained model happens to emit EOS (that varies from one initialisation to the next).
    """
    import torch

    dataset = pipeline.eval_dataset
    batch = pipeline.data_collator([dataset[i] for i in range(len(dataset))])
    model.eval()
    start = time.perf_counter()
    with torch.no_grad():
        generated = model.generate(
            batch["input_ids"], attention_mask=batch["attention_mask"], max_length=max_length,
            eos_token_id=model.config.vocab_size,
        )
    return {"seconds": time.perf_counter() - start, "samples": len(dataset), "output_shape": list(generated.shape)}


def run_data(spec: dict, save_dir: Path) -> dict:
    """IOPipeline.build() over ``data_lines`` lines, then one shuffled epoch of collated batches as training reads it.

    The parent removes on-disk caches before this process starts, so the first build is a cold one.
    """
    import torch
    from calt.io import IOPipeline
    from omegaconf import OmegaConf

    cfg = OmegaConf.create({"data": data_block(spec, spec["data"], -1, -1)})
    import transformers.tokenization_utils_fast  # noqa: F401  both packages need it; a lazy import is not data work

    start = time.perf_counter()
    io_dict = IOPipeline.from_config(cfg.data).build()
    build_seconds = time.perf_counter() - start
    dataset = io_dict["train_dataset"]
    # The engine of this repository reads the ids encoded at build time; the original lexes in __getitem__.
    items = dataset.encoded() if hasattr(dataset, "encoded") else dataset
    loader = torch.utils.data.DataLoader(
        items,
        batch_size=spec["batch_size"],
        shuffle=True,
        collate_fn=io_dict["data_collator"],
        generator=torch.Generator().manual_seed(0),
    )
    start = time.perf_counter()
    batches = tokens = 0
    for batch in loader:
        batches += 1
        tokens += int(batch["attention_mask"].sum()) + int(batch["decoder_attention_mask"].sum())
    epoch_seconds = time.perf_counter() - start
    samples = len(dataset)
    del io_dict, dataset, items, loader
    start = time.perf_counter()  # a second build of the same files: calt may reuse the ids it cached on disk
    IOPipeline.from_config(cfg.data).build()
    return {
        "samples": samples,
        "build_seconds": build_seconds,
        "epoch_seconds": epoch_seconds,
        "total_seconds": build_seconds + epoch_seconds,
        "rebuild_seconds": time.perf_counter() - start,
        "batches": batches,
        "tokens": tokens,
    }


def tokens_per_line(path: str) -> list[tuple[int, int]]:
    """(source, target) token counts of each line, <s> and </s> included (exact for the GF(17) task's lexer)."""
    pairs = []
    for line in Path(path).read_text().splitlines():
        problem, answer = line.split("#", 1)
        pairs.append((len(TOKEN.findall(problem)) + 2, len(TOKEN.findall(answer)) + 2))
    return pairs


def run_gpu(spec: dict, save_dir: Path) -> dict:
    """Train the 6+6/512 model on CUDA: samples/s, tokens/s, peak GPU memory and model-FLOPs utilisation."""
    import torch

    if not torch.cuda.is_available():
        return {"skipped": "CUDA is not available"}
    cfg = load_config(spec, save_dir, data_block(spec, spec["train"], -1, -1), spec.get("train_extra"))
    pipeline, model = build_pipeline(cfg)
    torch.cuda.reset_peak_memory_stats()
    torch.cuda.synchronize()
    start = time.perf_counter()
    pipeline.train()
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    counts = tokens_per_line(spec["train"])
    vocab = model.config.vocab_size
    flops_per_epoch = sum(
        training_flops_per_sample(spec["d_model"], spec["layers"], spec["ffn"], vocab, s, t) for s, t in counts
    )
    # Teacher forcing feeds T-1 decoder tokens; the source is fed whole.
    tokens_per_epoch = sum(s + t - 1 for s, t in counts)
    device_name = torch.cuda.get_device_name()
    flops_per_second = flops_per_epoch * spec["epochs"] / seconds
    return {
        "device": device_name,
        "train_config_extra": spec.get("train_extra") or {},
        "train_seconds": seconds,
        "train_samples_per_s": len(counts) * spec["epochs"] / seconds,
        "train_tokens_per_s": tokens_per_epoch * spec["epochs"] / seconds,
        "peak_gpu_memory_bytes": torch.cuda.max_memory_allocated(),
        "model_tflops_per_s": flops_per_second / 1e12,
        "mfu": model_flops_utilisation(flops_per_second, device_name, spec.get("peak_tflops")),
        "parameters": sum(p.numel() for p in model.parameters()),
    }


WORKLOADS = {"train": run_train, "decode": run_decode, "decode_auto": run_decode, "generate": run_generate,
             "data": run_data, "gpu": run_gpu}


def environment() -> dict:
    """Versions and the location of the calt being measured, so a wrong interpreter shows in the results."""
    import calt
    import torch
    import transformers

    try:
        from importlib.metadata import version

        package_version = version("calt-x")
    except Exception:  # the distribution name may differ; the module attribute is the fallback
        package_version = getattr(calt, "__version__", "unknown")
    return {
        "python": sys.executable,
        "calt_file": calt.__file__,
        "calt_version": package_version,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "torch_threads": torch.get_num_threads(),
    }


def main(spec_path: str, result_path: str) -> None:
    """Run the workload the spec names and write its result."""
    spec = json.loads(Path(spec_path).read_text())
    save_dir = Path(spec["save_dir"])
    save_dir.mkdir(parents=True, exist_ok=True)
    result = {"workload": spec["workload"], "side": spec["side"], **WORKLOADS[spec["workload"]](spec, save_dir)}
    result["environment"] = environment()
    partial = Path(f"{result_path}.partial")  # renamed into place: a killed run leaves no result.json behind
    partial.write_text(json.dumps(result, indent=2))
    partial.replace(result_path)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: worker.py SPEC.json RESULT.json")
    main(sys.argv[1], sys.argv[2])
