"""Generation time against this machine's matrix-multiply speed at the model's own shapes (needs torch).

The roofline time of an evaluation is its model FLOPs (flops.generation_flops) divided by the FLOP/s that
``torch.nn.functional.linear`` reaches on the layer shapes of one encoder pass and of one decoding step at the
evaluation's batch size; generation seconds / roofline seconds is how far the decoder is from that limit.
"""

from __future__ import annotations

import time

from flops import generation_flops


def linear_shapes(d_model: int, layers: int, ffn: int, vocab: int, encoder: bool) -> list[tuple[int, int]]:
    """(in, out) of every linear layer one token passes through (encoder, or one decoder step with the cache)."""
    if encoder:
        per_layer = [(d_model, 3 * d_model), (d_model, d_model), (d_model, ffn), (ffn, d_model),
                     (d_model, 2 * d_model)]  # the last: cross-attention keys/values of the memory
        return per_layer * layers
    per_layer = [(d_model, 3 * d_model), (d_model, d_model), (d_model, d_model), (d_model, d_model),
                 (d_model, ffn), (ffn, d_model)]
    return per_layer * layers + [(d_model, vocab)]


def linear_flops_per_second(rows: int, shapes: list[tuple[int, int]], dtype=None, repeats: int = 30) -> float:
    """FLOP/s of running ``shapes`` one after another on ``rows`` rows: the best of ``repeats`` timings of each
    distinct shape, summed (short single calls rarely lose the core, so a loaded machine spoils few of them)."""
    import torch

    dtype = dtype or torch.float32
    best: dict[tuple[int, int], float] = {}
    with torch.no_grad():
        for width, out in sorted(set(shapes)):
            inputs, weight = torch.randn(rows, width, dtype=dtype), torch.randn(out, width, dtype=dtype)
            torch.nn.functional.linear(inputs, weight)  # warm-up
            timings = []
            for _ in range(repeats):
                start = time.perf_counter()
                torch.nn.functional.linear(inputs, weight)
                timings.append(time.perf_counter() - start)
            best[(width, out)] = min(timings)
    flops = sum(2 * rows * width * out for width, out in shapes)
    return flops / sum(best[shape] for shape in shapes)


def generation_roofline(d_model: int, layers: int, ffn: int, vocab: int, source_lengths: list[int],
                        decode_steps: list[int], batch_size: int, seconds: float) -> dict:
    """Model FLOPs of an evaluation, the matmul FLOP/s at its shapes, and ``seconds`` as a fraction of the limit."""
    parts = [generation_flops(d_model, layers, ffn, vocab, s, t) for s, t in zip(source_lengths, decode_steps)]
    encoder, decoder = sum(p["encoder"] for p in parts), sum(p["decoder"] for p in parts)
    mean_source = max(1, round(sum(source_lengths) / max(1, len(source_lengths))))
    encoder_rate = linear_flops_per_second(batch_size * mean_source, linear_shapes(d_model, layers, ffn, vocab, True))
    decoder_rate = linear_flops_per_second(batch_size, linear_shapes(d_model, layers, ffn, vocab, False))
    limit = encoder / encoder_rate + decoder / decoder_rate
    return {
        "model_gflop": (encoder + decoder) / 1e9,
        "encoder_gflop": encoder / 1e9,
        "decoder_gflop": decoder / 1e9,
        "matmul_gflops_encoder_shapes": encoder_rate / 1e9,
        "matmul_gflops_decoder_shapes": decoder_rate / 1e9,
        "roofline_seconds": limit,
        "fraction_of_roofline": limit / seconds if seconds > 0 else None,
    }
