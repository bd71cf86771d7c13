"""Benchmark of the generic Transformer on CPU: cached generation and training-step throughput.

  (a) 100 samples, untrained d_model 256, 3+3 layers, 4 heads, ffn 1024, max_length=128
  (b) 10 samples, untrained d_model 512, 6+6 layers, 8 heads, ffn 2048, max_length=512
  (c) forward+backward samples/s of model (a) at batch 64

Inputs look like GF(17) polynomial-sum problems (~20 tokens). Untrained models never emit EOS, so
every row decodes the full max_length (the script also passes an EOS id no row can emit, so the length
is the same whatever the weights). Usage: python benchmarks/bench_generation.py [--only a,b,c] [--threads N]
On a shared machine use --threads 1: with other jobs running, two intra-op threads mostly wait on each other.
"""

from __future__ import annotations

import argparse
import random
import time

import torch
from omegaconf import OmegaConf

from calt.io.tokenizer import get_tokenizer
from calt.io.vocabulary.config import VocabConfig
from calt.models import ModelPipeline

NEVER_EMITTED = -1  # EOS id no row can produce: every row decodes the full max_length, as an untrained model would


def gf17_tokenizer():
    """Tokenizer for coefficient/exponent tokens of polynomials over GF(17) in two variables."""
    vocab = {"range": {"coefficients": ["C", 0, 16], "exponents": ["E", 0, 10]}, "misc": ["+", "|"]}
    return get_tokenizer(VocabConfig().from_config(vocab))


def gf17_sum_problems(count: int, seed: int = 0) -> list[str]:
    """``count`` problems "f | g" with two or three terms each, ~20 tokens after lexing."""
    rng = random.Random(seed)

    def poly() -> str:
        terms = [f"C{rng.randint(1, 16)} E{rng.randint(0, 5)} E{rng.randint(0, 5)}" for _ in range(rng.randint(2, 3))]
        return " + ".join(terms)

    return [f"{poly()} | {poly()}" for _ in range(count)]


def build_model(tokenizer, d_model, layers, heads, ffn, max_sequence_length):
    block = OmegaConf.create(dict(
        model_type="generic", d_model=d_model, num_encoder_layers=layers, num_decoder_layers=layers,
        num_encoder_heads=heads, num_decoder_heads=heads, encoder_ffn_dim=ffn, decoder_ffn_dim=ffn,
        max_sequence_length=max_sequence_length,
    ))
    return ModelPipeline(block, tokenizer).build()


def time_generation(model, tokenizer, texts, max_length, batch_size):
    """Seconds to generate for all ``texts`` in batches, and the number of generated tokens."""
    model.eval()
    start, generated = time.perf_counter(), 0
    for i in range(0, len(texts), batch_size):
        batch = tokenizer(texts[i : i + batch_size], padding=True, return_tensors="pt")
        out = model.generate(batch["input_ids"], attention_mask=batch["attention_mask"], max_length=max_length,
                              eos_token_id=NEVER_EMITTED)
        generated += out[:, 1:].numel()
    return time.perf_counter() - start, generated


def time_training_steps(model, tokenizer, batch_size=64, steps=5):
    """Samples per second of forward+backward+AdamW step at ``batch_size`` (after one warm-up step)."""
    texts = gf17_sum_problems(batch_size, seed=1)
    enc = tokenizer(texts, padding=True, return_tensors="pt")
    dec = tokenizer(gf17_sum_problems(batch_size, seed=2), padding=True, return_tensors="pt")
    labels = dec["input_ids"][:, 1:].masked_fill(dec["attention_mask"][:, 1:] == 0, -100)
    batch = dict(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                 decoder_input_ids=dec["input_ids"][:, :-1], decoder_attention_mask=dec["attention_mask"][:, :-1],
                 labels=labels)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def step():
        optimizer.zero_grad(set_to_none=True)
        model(**batch).loss.backward()
        optimizer.step()

    step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps * batch_size / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="a,b,c", help="comma-separated subset of a,b,c")
    parser.add_argument("--threads", type=int, default=None, help="torch threads for this process")
    parser.add_argument("--batch-size", type=int, default=100, help="generation batch size")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    parts = set(args.only.split(","))
    tokenizer = gf17_tokenizer()
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, device cpu")
    if "a" in parts or "c" in parts:
        small = build_model(tokenizer, 256, 3, 4, 1024, 256)
    if "a" in parts:
        texts = gf17_sum_problems(100)
        seconds, tokens = time_generation(small, tokenizer, texts, 128, args.batch_size)
        print(f"(a) 100 samples, d_model 256, 3+3 layers, max_length 128: {seconds:.2f} s ({tokens / seconds:.0f} tokens/s)")
    if "b" in parts:
        large = build_model(tokenizer, 512, 6, 8, 2048, 1024)
        seconds, tokens = time_generation(large, tokenizer, gf17_sum_problems(10), 512, args.batch_size)
        print(f"(b) 10 samples, d_model 512, 6+6 layers, max_length 512: {seconds:.2f} s ({tokens / seconds:.0f} tokens/s)")
    if "c" in parts:
        print(f"(c) training step (forward+backward+AdamW), d_model 256, batch 64: "
              f"{time_training_steps(small, tokenizer):.0f} samples/s")


if __name__ == "__main__":
    main()
