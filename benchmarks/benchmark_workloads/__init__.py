"""Helpers of benchmarks/benchmark.py: data and configs, the child-process workloads, FLOPs, the report table."""
