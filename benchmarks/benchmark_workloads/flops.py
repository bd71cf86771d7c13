"""Model-FLOPs estimate for the generic encoder-decoder and the peak dense bf16 throughput of known GPUs.

Standard library only (imported by the child processes of both packages).
"""

from __future__ import annotations

# Dense bf16 tensor-core peaks in TFLOP/s (no sparsity), from the vendors' data sheets.
PEAK_BF16_TFLOPS = {
    "H100 PCIe": 756.0,
    "H100 NVL": 835.0,
    "H100": 989.0,  # SXM
    "H200": 989.0,
    "GH200": 989.0,
    "A100": 312.0,
    "L40S": 362.0,
    "L4": 121.0,
    "A10G": 70.0,
}


def peak_tflops(device_name: str) -> float | None:
    """The peak of the first known GPU whose name appears in ``device_name`` (most specific first), else None."""
    for name in sorted(PEAK_BF16_TFLOPS, key=len, reverse=True):
        if name.lower() in device_name.lower():
            return PEAK_BF16_TFLOPS[name]
    return None


def training_flops_per_sample(
    d_model: int, layers: int, ffn: int, vocab: int, source_tokens: float, target_tokens: float
) -> float:
    """FLOPs of one forward+backward pass of one sample of the generic encoder-decoder.

    Formula (the usual 6N-per-token rule, with N the weights a token is multiplied by, plus attention):
      encoder, per source token:  6 * L * (4 d^2 + 2 d f)        + 12 * L * d * S    (self-attention scores and sum)
      decoder, per target token:  6 * (L * (8 d^2 + 2 d f) + d V) + 12 * L * d * (T + S)  (self and cross attention)
    where L layers, d d_model, f ffn width, V vocabulary (the LM head), S source and T target tokens of the sample.
    Forward is 2 FLOPs per multiply-add, backward twice the forward; the embedding lookup costs nothing; causal
    masking is not discounted (as in nanoGPT / PaLM). Tokens are the real ones, so padding counts as waste.
    """
    encoder = source_tokens * (6 * layers * (4 * d_model**2 + 2 * d_model * ffn) + 12 * layers * d_model * source_tokens)
    decoder_weights = layers * (8 * d_model**2 + 2 * d_model * ffn) + d_model * vocab
    decoder = target_tokens * (6 * decoder_weights + 12 * layers * d_model * (target_tokens + source_tokens))
    return encoder + decoder


def model_flops_utilisation(flops_per_second: float, device_name: str, peak_override: float | None = None) -> float | None:
    """Achieved model FLOP/s as a fraction of the device's bf16 peak; None when the peak is unknown."""
    peak = peak_override or peak_tflops(device_name)
    return None if peak is None else flops_per_second / (peak * 1e12)


def generation_flops(d_model: int, layers: int, ffn: int, vocab: int, source_tokens: int, decode_steps: int) -> dict:
    """FLOPs of greedy incremental decoding of one sample (the work any cached decoder must do), by part.

      encoder, per source token:     2 * L * (4 d^2 + 2 d f) + 4 * L * d * S
      memory keys/values, per token: 2 * L * 2 d^2            (cross-attention projections, once per generate)
      decoder step t (1..steps):     2 * (L * (6 d^2 + 2 d f) + d V) + 4 * L * d * (t + S)
    ``decode_steps`` is the tokens generated including EOS; the weights count 2 FLOPs per multiply-add.
    """
    encoder = source_tokens * (2 * layers * (4 * d_model**2 + 2 * d_model * ffn) + 4 * layers * d_model * source_tokens)
    memory = source_tokens * 2 * layers * 2 * d_model**2
    weights = 2 * (layers * (6 * d_model**2 + 2 * d_model * ffn) + d_model * vocab)
    attention = sum(4 * layers * d_model * (step + source_tokens) for step in range(1, decode_steps + 1))
    return {"encoder": encoder + memory, "decoder": decode_steps * weights + attention}
