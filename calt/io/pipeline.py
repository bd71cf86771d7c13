"""``IOPipeline``: data files + lexer.yaml → datasets, tokenizer and collator (``io_dict``)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import yaml

from .collator import StandardDataCollator
from .dataset import StandardDataset
from .encoding import SampleEncoder, cache_key, cache_path
from calt.config import ConfigError, DataConfig, LexerConfig, parse_block

from .preprocessor.lexer import UnifiedLexer
from .preprocessor.number_policy import NumberPolicy
from .readers import Samples, detect_format, read_samples
from .token_store import load_stores, save_stores
from .tokenizer import get_tokenizer
from .vocabulary.config import VocabConfig

logger = logging.getLogger(__name__)

CACHE_MIN_SAMPLES = int(os.environ.get("CALT_CACHE_MIN_SAMPLES", 50_000))


def resolve_lexer_path(path: str | Path, base_dir: str | Path | None = None) -> Path:
    """Absolute path of lexer.yaml: as given (relative to the current directory), else under ``base_dir``."""
    candidates = [Path(path)]
    if base_dir is not None and not Path(path).is_absolute():
        candidates.append(Path(base_dir) / path)
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    tried = " or ".join(str(c.resolve()) for c in candidates)
    raise FileNotFoundError(f"lexer config not found: {path} (looked for {tried}); fix data.lexer_config in train.yaml")


def load_lexer_config(path: str | Path) -> dict:
    """Read and check lexer.yaml (unknown keys fail with the closest valid key)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"lexer config not found: {path} (data.lexer_config in train.yaml)")
    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle) or {}
    parse_block(LexerConfig, config, str(path))  # unknown keys, types, the required vocab block
    return config


def build_lexer(config: dict, source: str = "lexer.yaml") -> tuple[VocabConfig, UnifiedLexer]:
    """The vocabulary and lexer a lexer.yaml describes; the lexer adds its number-policy tokens."""
    policy_cfg = dict(config.get("number_policy") or {})
    policy = NumberPolicy(
        sign=bool(policy_cfg.get("attach_sign", policy_cfg.get("sign", True))),  # lexer.yaml default: attach
        digit_group=policy_cfg.get("digit_group", 0),
        allow_float=bool(policy_cfg.get("allow_float", True)),
    )
    vocab_config = VocabConfig().from_config(config["vocab"])
    lexer = UnifiedLexer(
        vocab_config, policy, strict=bool(config.get("strict", True)),
        include_base_vocab=bool(config.get("include_base_vocab", True)),
    )
    return vocab_config, lexer


class IODict(dict):
    """``io_dict``: the four documented keys, plus ``data_config``, the data block that built it (a run saves it)."""

    data_config: dict | None = None


class IOPipeline:
    """Builds ``io_dict = {"train_dataset", "test_dataset", "tokenizer", "data_collator"}``.

    Every sample is lexed and encoded once in ``build()``; large files keep their ids in a
    memory-mapped Arrow cache beside the data, keyed by content and lexer configuration.
    """

    def __init__(
        self,
        train_dataset_path: str | None = None,
        test_dataset_path: str | None = None,
        num_train_samples: int | None = None,
        num_test_samples: int | None = None,
        vocab_config: VocabConfig | dict | str | None = None,
        preprocessor: UnifiedLexer | None = None,
        validate_train_tokens: bool = False,
        validate_test_tokens: bool = False,
        use_jsonl: bool = False,
        use_pickle: bool = False,
        train_dataset_jsonl: str | None = None,
        test_dataset_jsonl: str | None = None,
        train_dataset_pickle: str | None = None,
        test_dataset_pickle: str | None = None,
        dataset_load_preprocessor: Any | None = None,
        display_samples: int | None = None,
        cache_min_samples: int | None = None,
        lexer_config: dict | None = None,
    ) -> None:
        for name, value in (("num_train_samples", num_train_samples), ("num_test_samples", num_test_samples)):
            if value is not None and (not isinstance(value, int) or value == 0 or value < -1):
                raise ValueError(f"data.{name} must be a positive integer or -1 (all samples), got {value!r}")
        self.train_dataset_path, self.test_dataset_path = train_dataset_path, test_dataset_path
        self.num_train_samples, self.num_test_samples = num_train_samples, num_test_samples
        self.vocab_config = vocab_config
        self.preprocessor = preprocessor
        self.validate_train_tokens, self.validate_test_tokens = validate_train_tokens, validate_test_tokens
        self.use_jsonl, self.use_pickle = use_jsonl, use_pickle
        self.train_dataset_jsonl, self.test_dataset_jsonl = train_dataset_jsonl, test_dataset_jsonl
        self.train_dataset_pickle, self.test_dataset_pickle = train_dataset_pickle, test_dataset_pickle
        self.dataset_load_preprocessor = dataset_load_preprocessor
        self.display_samples = display_samples or 0
        self.cache_min_samples = CACHE_MIN_SAMPLES if cache_min_samples is None else cache_min_samples
        self.lexer_config = lexer_config
        self.lexer_config_path: str | None = None
        self.config: Any = None
        self.train_dataset = self.test_dataset = self.tokenizer = self.data_collator = None
        self._raw_samples: dict[str, list] = {}

    @classmethod
    def from_config(cls, config: Any, base_dir: str | Path | None = None) -> "IOPipeline":
        """From the ``data`` block of train.yaml; ``lexer_config`` (path to lexer.yaml) is required.

        A relative ``lexer_config`` is looked up in the current directory, then in ``base_dir``
        (pass the folder of train.yaml). ``self.config`` keeps the data block with that path resolved.
        """
        if config is None:
            raise ConfigError("IOPipeline.from_config needs the data block of train.yaml")
        data = parse_block(DataConfig, config, "data")
        lexer_path = resolve_lexer_path(data.lexer_config, base_dir)
        lexer_config = load_lexer_config(lexer_path)
        vocab_config, lexer = build_lexer(lexer_config, str(lexer_path))
        values = {f: getattr(data, f) for f in data.__dataclass_fields__ if f != "lexer_config"}
        pipeline = cls(vocab_config=vocab_config, preprocessor=lexer, lexer_config=lexer_config, **values)
        saved = {k: v for k, v in values.items() if v is not None and k != "dataset_load_preprocessor"}
        pipeline.config = _as_dictconfig({"lexer_config": str(lexer_path), **saved})
        pipeline.lexer_config_path = str(lexer_path)
        return pipeline

    # --- build --------------------------------------------------------------------------------
    def build(self) -> dict[str, Any]:
        """Read, lex and encode both splits; returns and keeps the io_dict."""
        vocab_config, lexer = self._vocab_and_lexer()
        self.tokenizer = get_tokenizer(vocab_config)
        encoder = SampleEncoder(lexer, self.tokenizer)
        self.train_dataset = self._build_split("train", lexer, encoder)
        self.test_dataset = self._build_split("test", lexer, encoder)
        self.data_collator = StandardDataCollator(self.tokenizer)
        if self.display_samples:
            self._display(self.train_dataset, "train")
        io_dict = IODict(train_dataset=self.train_dataset, test_dataset=self.test_dataset, tokenizer=self.tokenizer,
                         data_collator=self.data_collator)
        if self.config is not None:
            from omegaconf import OmegaConf

            io_dict.data_config = OmegaConf.to_container(self.config, resolve=True)
        return io_dict

    def _vocab_and_lexer(self) -> tuple[VocabConfig, UnifiedLexer]:
        if isinstance(self.preprocessor, UnifiedLexer):
            return self.preprocessor.vocab_config, self.preprocessor
        vocab = self.vocab_config
        if vocab is None:
            raise ValueError("IOPipeline needs vocab_config (or a UnifiedLexer as preprocessor); "
                             "with from_config it comes from data.lexer_config")
        if not isinstance(vocab, VocabConfig):
            vocab = VocabConfig().from_config(vocab)
        lexer = UnifiedLexer(vocab)
        self.preprocessor = lexer
        return vocab, lexer

    def _split_source(self, split: str) -> tuple[str, str]:
        """(path, format) of one split: the pickle path, else the JSONL path, else the text path (as the
        original). Pickle is read only when asked for: ``use_pickle`` or a .pkl/.pickle file name."""
        pickle_path = getattr(self, f"{split}_dataset_pickle")
        jsonl_path = getattr(self, f"{split}_dataset_jsonl")
        text_path = getattr(self, f"{split}_dataset_path")
        if pickle_path:
            if not (self.use_pickle or detect_format(pickle_path) == "pickle"):
                raise ValueError(
                    f"data.{split}_dataset_pickle is {pickle_path!r} but use_pickle is false; loading a pickle runs "
                    "code from the file, so set use_pickle: true only for data you trust"
                )
            return str(pickle_path), "pickle"
        if jsonl_path:
            return str(jsonl_path), "jsonl"
        if not text_path:
            key = "pickle" if self.use_pickle else "jsonl" if self.use_jsonl else "path"
            raise ValueError(f"no {split} data: set data.{split}_dataset_{key} in train.yaml")
        return str(text_path), detect_format(text_path, self.use_jsonl, self.use_pickle)

    def _build_split(self, split: str, lexer: UnifiedLexer, encoder: SampleEncoder) -> StandardDataset:
        path, fmt = self._split_source(split)
        limit = getattr(self, f"num_{split}_samples")
        keep_raw = self.display_samples if split == "train" else 0
        samples = read_samples(path, limit, self.dataset_load_preprocessor, fmt, keep_raw=keep_raw)
        self._raw_samples[split] = samples.raw
        dataset = StandardDataset(samples.problems, samples.answers, preprocessor=lexer)
        validate = getattr(self, f"validate_{split}_tokens")
        dataset.set_token_ids(*self._token_ids(samples, split, fmt, limit, encoder, validate))
        return dataset

    def _token_ids(self, samples: Samples, split: str, fmt: str, limit, encoder: SampleEncoder, validate: bool):
        cacheable = len(samples) >= self.cache_min_samples and self.dataset_load_preprocessor is None
        if not cacheable:
            return encoder.encode_split(samples, split, validate)
        key = cache_key(samples.path, self.lexer_config or {}, encoder.lexer.vocab_config.get_vocab(), limit, fmt)
        location = cache_path(samples.path, key + ("-v" if validate else ""))
        if location.is_file():
            stores = load_stores(location)
            if len(stores["input_ids"]) == len(samples):
                return stores["input_ids"], stores["target_ids"]
        input_ids, target_ids = encoder.encode_split(samples, split, validate)
        try:
            save_stores(location, {"input_ids": input_ids, "target_ids": target_ids})
        except OSError as error:  # a read-only data folder only costs the cache
            logger.warning("could not write the token cache %s: %s", location, error)
        return input_ids, target_ids

    def _display(self, dataset: StandardDataset, split: str) -> None:
        """Print the first samples as read, after the load preprocessor, and as tokens."""
        raw = self._raw_samples.get(split, [])
        count = min(self.display_samples, len(dataset))
        load = type(self.dataset_load_preprocessor).__name__ if self.dataset_load_preprocessor else "default"
        print(f"--- {count} {split} sample(s); load preprocessor: {load} ---")
        for index in range(count):
            item = dataset[index]
            print(f"[{index}] raw:            {raw[index]!r}" if index < len(raw) else f"[{index}]")
            print(f"     problem:        {dataset.input_texts[index]}")
            print(f"     answer:         {dataset.target_texts[index]}")
            print(f"     problem tokens: {item['input']}")
            print(f"     answer tokens:  {item['target']}")


def _as_dictconfig(data: dict) -> Any:
    from omegaconf import OmegaConf

    return OmegaConf.create(data)

