"""The training sampler: every sample once per epoch, rank shards that fit together, length grouping."""

import numpy as np
import pytest

from calt.lightning.sampler import ShardSampler


def batches(indices, batch_size):
    return [indices[i : i + batch_size] for i in range(0, len(indices), batch_size)]


def padded_cost(indices, lengths, batch_size):
    """Tokens a model computes when every batch is padded to its longest sample."""
    return sum(len(b) * lengths[b].max() for b in map(np.asarray, batches(indices, batch_size)))


@pytest.fixture
def lengths():
    return np.random.default_rng(0).integers(3, 40, size=1003)


def test_grouping_visits_every_sample_once_and_cuts_padding(lengths):
    plain = list(ShardSampler(len(lengths), seed=1))
    grouped = list(ShardSampler(len(lengths), seed=1, lengths=lengths, batch_size=8))
    assert sorted(grouped) == sorted(plain) == list(range(len(lengths)))
    assert padded_cost(grouped, lengths, 8) < 0.75 * padded_cost(plain, lengths, 8)
    first = np.asarray(grouped[:8])
    assert lengths[first].max() == lengths.max()  # the longest batch first: an out-of-memory shows at once


def test_grouping_is_seeded_per_epoch(lengths):
    sampler = ShardSampler(len(lengths), seed=1, lengths=lengths, batch_size=8)
    epoch0 = list(sampler)
    assert list(sampler) == epoch0
    sampler.set_epoch(1)
    assert list(sampler) != epoch0


def test_ranks_share_each_global_batch(lengths):
    """In DDP the k-th batches of all ranks together form one length-grouped global batch."""
    world, per_rank = 2, 8
    shards = [list(ShardSampler(len(lengths), seed=3, rank=r, world_size=world, lengths=lengths,
                                batch_size=per_rank)) for r in range(world)]
    assert len(shards[0]) == len(shards[1]) == (len(lengths) + 1) // world
    assert set(shards[0]) | set(shards[1]) == set(range(len(lengths)))
    global_batches = [np.asarray(a + b) for a, b in zip(batches(shards[0], per_rank), batches(shards[1], per_rank))]
    grouped_cost = sum(len(b) * lengths[b].max() for b in global_batches)
    plain = list(ShardSampler(len(lengths), seed=3))
    assert grouped_cost < 0.75 * padded_cost(plain, lengths, per_rank * world)
    for a, b in zip(batches(shards[0], per_rank), batches(shards[1], per_rank)):
        # cut round robin from one sorted run: the two halves cover the same lengths
        assert abs(int(lengths[a].max()) - int(lengths[b].max())) <= 1 or len(a) < per_rank


def test_resume_skips_the_batches_already_trained(lengths):
    sampler = ShardSampler(len(lengths), seed=5, lengths=lengths, batch_size=8)
    full = list(sampler)
    sampler.skip, sampler.skip_epoch = 24, 0
    assert list(sampler) == full[24:]
    assert list(sampler) == full  # only the resumed epoch is shortened


def test_lengths_must_match_the_dataset():
    with pytest.raises(ValueError, match="lengths has 3 entries for a dataset of 4 samples"):
        ShardSampler(4, lengths=np.ones(3))
