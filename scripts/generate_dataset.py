"""Generate the dataset of a task: the documented calt.dataset script.

    python scripts/generate_dataset.py [configs/data.yaml]

data.yaml names its task with `dataset.generator` (an import path such as
calt.dataset.tasks.polynomial_derivative); the train and test files land in
`dataset.save_dir`.
"""

import sys

from omegaconf import OmegaConf

from calt.dataset import DatasetPipeline

config_path = sys.argv[1] if len(sys.argv) > 1 else "configs/data.yaml"
cfg = OmegaConf.load(config_path)

pipeline = DatasetPipeline.from_config(cfg.dataset)  # resolves dataset.generator
statistics = pipeline.run()

for split, stats in statistics.items():
    print(f"{split}: {stats['num_samples']} samples")
print(f"Dataset written to {cfg.dataset.save_dir}")
