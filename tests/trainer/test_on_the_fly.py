"""data.on_the_fly: training samples generated in the DataLoader from the task's instance_generator."""

from pathlib import Path

import lightning as L
import pytest
import torch

from calt.config import ConfigError
from calt.dataset.pipeline import DatasetPipeline
from calt.io import IOPipeline
from calt.lightning.on_the_fly import train_dataset_of
from calt.lightning.sampler import ShardSampler
from calt.models import ModelPipeline
from calt.trainer import Trainer, TrainingArguments

from test_resume import StopAt, _losses

LEXER = str(Path(__file__).parents[2] / "configs" / "gf17_addition" / "lexer.yaml")
GENERATOR = "calt.dataset.tasks.gf17_addition"


def _data_block(task_dir, **extra):
    return {"lexer_config": LEXER, "test_dataset_path": str(task_dir / "test.txt"), "on_the_fly": True,
            "generator": GENERATOR, "root_seed": 7, "num_train_samples": 40, "backend": "sympy", **extra}


def _io_dict(task_dir, **extra):
    return IOPipeline.from_config(_data_block(task_dir, **extra)).build()


def _rows(items):
    return [(item["input_ids"].tolist(), item["target_ids"].tolist()) for item in items]


def test_generated_items_equal_the_files_calt_dataset_writes(task_dir, tmp_path):
    pipeline = DatasetPipeline(__import__(GENERATOR, fromlist=["x"]).instance_generator, None, str(tmp_path / "d"),
                               True, False, 40, 1, 40, 1, 7, False, backend="sympy")
    pipeline.run()
    files = IOPipeline.from_config({"lexer_config": LEXER, "train_dataset_path": str(tmp_path / "d" / "train_raw.txt"),
                                    "test_dataset_path": str(task_dir / "test.txt")}).build()
    generated = train_dataset_of(_io_dict(task_dir))
    assert _rows(generated[i] for i in range(40)) == _rows(files["train_dataset"].encoded()[i] for i in range(40))
    again = train_dataset_of(_io_dict(task_dir))
    assert _rows(again[i] for i in range(40, 80)) == _rows(generated[i] for i in range(40, 80))  # same seed, same


def test_ranks_disjoint_and_each_epoch_fresh():
    seen = {}
    for epoch in (0, 1):
        for rank in (0, 1):
            sampler = ShardSampler(40, seed=3, rank=rank, world_size=2, epoch_stride=40)
            sampler.set_epoch(epoch)
            seen[epoch, rank] = set(sampler)
    assert seen[0, 0].isdisjoint(seen[0, 1]) and seen[0, 0] | seen[0, 1] == set(range(40))
    assert seen[1, 0] | seen[1, 1] == set(range(40, 80))  # epoch 1: global indices 40..79, new seeds


def test_workers_build_the_same_batches(task_dir):
    io_dict = _io_dict(task_dir)
    data = train_dataset_of(io_dict)

    def batches(workers):
        loader = torch.utils.data.DataLoader(data, batch_size=8, sampler=ShardSampler(40, seed=1, epoch_stride=40),
                                             collate_fn=io_dict["data_collator"], num_workers=workers)
        return [batch["input_ids"].tolist() for batch in loader]

    assert batches(2) == batches(0)


def _trainer(task_dir, cfg, out, callbacks=()):
    io_dict = _io_dict(task_dir)
    L.seed_everything(0)
    model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    args = TrainingArguments.from_config({**cfg.train, "save_dir": str(out)})
    return Trainer(model, args, io_dict["data_collator"], train_dataset_of(io_dict), io_dict["test_dataset"],
                   processing_class=io_dict["tokenizer"], callbacks=list(callbacks))


def test_stop_resume_equals_one_straight_run(make_cfg, task_dir, tmp_path):
    # 40 generated samples, batch 4: 10 steps an epoch; stop at 6 (mid-epoch), resume to 14 (fresh epoch 2)
    cfg = make_cfg(num_train_epochs=2, max_steps=14, save_steps=3, eval_strategy="no")
    straight = _trainer(task_dir, cfg, tmp_path / "straight")
    straight.train()
    first = _trainer(task_dir, cfg, tmp_path / "resumed", callbacks=[StopAt(6)])
    first.train()
    second = _trainer(task_dir, cfg, tmp_path / "resumed")
    second.train(resume_from_checkpoint=True)
    assert second.state.global_step == straight.state.global_step == 14
    assert _losses(second) == _losses(straight)
    for (name, a), (_, b) in zip(straight.model.state_dict().items(), second.model.state_dict().items()):
        assert torch.allclose(a, b, atol=1e-6), name


def test_bad_generator_path_names_data_generator(task_dir):
    with pytest.raises(ConfigError, match=r"data\.generator.*calt\.dataset\.tasks\.no_such_task"):
        train_dataset_of(_io_dict(task_dir, generator="calt.dataset.tasks.no_such_task"))


@pytest.mark.parametrize("block, message", [
    ({"on_the_fly": True, "root_seed": 1, "num_train_samples": 8}, r"needs data\.generator"),
    ({"on_the_fly": True, "generator": GENERATOR, "num_train_samples": 8}, r"needs data\.root_seed"),
    ({"on_the_fly": True, "generator": GENERATOR, "root_seed": 1}, r"num_train_samples > 0"),
    ({"generator": GENERATOR}, r"data\.generator is read only with data\.on_the_fly"),
])
def test_incomplete_on_the_fly_blocks_are_errors(task_dir, block, message):
    with pytest.raises(ConfigError, match=message):
        IOPipeline.from_config({"lexer_config": LEXER, "test_dataset_path": str(task_dir / "test.txt"), **block})


def test_datamodule_asks_each_epoch_for_new_global_indices(task_dir):
    from calt.lightning.datamodule import CaltDataModule

    io_dict = _io_dict(task_dir)
    module = CaltDataModule(train_dataset_of(io_dict), io_dict["test_dataset"], io_dict["data_collator"],
                            batch_size=8, group_by_length=True)
    sampler = module.train_dataloader().sampler
    sampler.set_epoch(1)
    assert sorted(sampler) == list(range(40, 80))


def test_a_training_file_beside_on_the_fly_is_an_error(task_dir):
    with pytest.raises(ConfigError, match=r"remove data\.train_dataset_path"):
        _io_dict(task_dir, train_dataset_path=str(task_dir / "train.txt"))
