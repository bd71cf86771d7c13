"""Each task's lexer.yaml covers every token its generator emits, and samples fit the model."""

import pytest
import yaml

from calt.dataset.tasks import TASKS

from dataset_test_helpers import REPO_ROOT, task_config


def build_lexer(task):
    """Build the task's lexer the way the IO pipeline reads lexer.yaml."""
    # imported here so that, while calt.io is missing, only these tests fail, not the whole folder
    from calt.io.preprocessor import NumberPolicy, UnifiedLexer
    from calt.io.vocabulary.config import VocabConfig

    config = yaml.safe_load((REPO_ROOT / "configs" / task / "lexer.yaml").read_text())
    vocab = VocabConfig([], {}).from_config(config["vocab"])
    policy = config.get("number_policy", {})
    lexer = UnifiedLexer(
        vocab,
        number_policy=NumberPolicy(
            sign=policy.get("attach_sign", True),
            digit_group=policy.get("digit_group", 0),
            allow_float=policy.get("allow_float", True),
        ),
        strict=config.get("strict", True),
        include_base_vocab=config.get("include_base_vocab", True),
    )
    return lexer, set(vocab.get_vocab())


@pytest.mark.parametrize("task", TASKS)
def test_lexer_covers_generated_tokens_and_model_length(task_texts, task):
    lexer, vocabulary = build_lexer(task)
    max_length = task_config(task, "train").model.max_sequence_length
    for problem, answer in task_texts[task]:
        for text in (problem, answer):
            tokens = lexer.tokenize(text)
            unknown = sorted(set(tokens) - vocabulary)
            assert not unknown, f"{task}: tokens {unknown} of {text!r} are missing from configs/{task}/lexer.yaml"
            assert len(tokens) + 2 <= max_length, f"{task}: {text!r} has {len(tokens)} tokens > max_sequence_length"
