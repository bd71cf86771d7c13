"""``IOPipeline``: data files + lexer.yaml → datasets, tokenizer and collator (``io_dict``)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .collator import StandardDataCollator
from .dataset import StandardDataset
from .encoding import SampleEncoder, cache_key, cache_path
from calt.config import ConfigError, DataConfig, LexerConfig, NumberPolicyConfig, parse_block

from .preprocessor.lexer import UnifiedLexer
from .preprocessor.load_preprocessors.identity import UnstableIdentity, preprocessor_fingerprint
from .preprocessor.load_preprocessors.spec import build_load_preprocessor, is_spec
from .preprocessor.number_policy import NumberPolicy
from .pretokenized import check_vocabulary, decode_texts, is_pretokenized_jsonl, read_pretokenized
from .readers import Samples, _records, detect_format, read_samples
from .token_store import load_stores, load_texts, save_stores
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
    try:
        parse_block(LexerConfig, config, "")  # unknown keys, types, the required vocab block
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return config


def build_lexer(config: dict, source: str = "lexer.yaml") -> tuple[VocabConfig, UnifiedLexer]:
    """The vocabulary and lexer a lexer.yaml describes; the lexer adds its number-policy tokens. Keys set to null
    take their defaults (``calt.config.LexerConfig``)."""
    try:
        settings = parse_block(LexerConfig, config, "")
        vocab_config = VocabConfig().from_config(config["vocab"])
    except ValueError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    number_policy = settings.number_policy or NumberPolicyConfig()
    policy = NumberPolicy(sign=number_policy.attach_sign, digit_group=number_policy.digit_group,
                          allow_float=number_policy.allow_float)
    lexer = UnifiedLexer(vocab_config, policy, strict=settings.strict, include_base_vocab=settings.include_base_vocab)
    return vocab_config, lexer


class IODict(dict):
    """``io_dict``: the four documented keys, plus ``data_config``, the data block that built it (a run saves it)."""

    data_config: dict | None = None
    on_the_fly: dict | None = None  # data.on_the_fly: the generator spec and the encoder (no train_dataset)


class IOPipeline:
    """Builds ``io_dict = {"train_dataset", "test_dataset", "tokenizer", "data_collator"}``.

    Every sample is lexed and encoded once in ``build()``; large files keep their ids in a
    memory-mapped cache beside the data, keyed by content, lexer configuration and load
    preprocessor (its class, parameters and source), so a second build skips the preprocessor too.
    ``dataset_load_preprocessor`` is an object with ``process_sample``, or what train.yaml can name
    (an import path, ``{class, kwargs}``, a list of those: see ``load_preprocessors.spec``).
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
        on_the_fly: bool = False,
        generator: str | None = None,
        root_seed: int | None = None,
        backend: str = "sagemath",
    ) -> None:
        for name, value in (("num_train_samples", num_train_samples), ("num_test_samples", num_test_samples)):
            if value is not None and (not isinstance(value, int) or value == 0 or value < -1):
                raise ValueError(f"data.{name} must be a positive integer or -1 (all samples), got {value!r}")
        self.train_dataset_path, self.test_dataset_path = train_dataset_path, test_dataset_path
        self.num_train_samples, self.num_test_samples = num_train_samples, num_test_samples
        self.vocab_config = self.get_vocab_config(vocab_config)
        self.preprocessor = preprocessor
        self.validate_train_tokens, self.validate_test_tokens = validate_train_tokens, validate_test_tokens
        self.use_jsonl, self.use_pickle = use_jsonl, use_pickle
        self.train_dataset_jsonl, self.test_dataset_jsonl = train_dataset_jsonl, test_dataset_jsonl
        self.train_dataset_pickle, self.test_dataset_pickle = train_dataset_pickle, test_dataset_pickle
        self.dataset_load_preprocessor = dataset_load_preprocessor
        self.display_samples = display_samples or 0
        self.cache_min_samples = CACHE_MIN_SAMPLES if cache_min_samples is None else cache_min_samples
        self.lexer_config = lexer_config
        # on_the_fly: no training file; the trainer builds calt.lightning's GeneratedDataset from this spec
        self.on_the_fly = {"generator": generator, "root_seed": root_seed, "num_samples": num_train_samples,
                           "backend": backend, "validate": validate_train_tokens} if on_the_fly else None
        self.lexer_config_path: str | None = None
        self.config: Any = None
        self.train_dataset = self.test_dataset = self.tokenizer = self.data_collator = None
        self.io_dict: IODict | None = None
        self._raw_samples: dict[str, list] = {}
        self._uncacheable = ""  # why the load preprocessor's output is not cached

    @classmethod
    def from_config(cls, config: Any, base_dir: str | Path | None = None) -> "IOPipeline":
        """From the ``data`` block of train.yaml; ``lexer_config`` (path to lexer.yaml) is required.

        A relative ``lexer_config`` is looked up in the current directory, then in ``base_dir``
        (pass the folder of train.yaml). ``self.config`` keeps the data block with that path resolved.
        """
        if config is None:
            raise ConfigError("IOPipeline.from_config needs the data block of train.yaml")
        if _lexer_config_of(config) is None:
            raise ConfigError("lexer_config must be provided: set data.lexer_config in train.yaml to the path "
                              "of lexer.yaml")
        data = parse_block(DataConfig, config, "data")
        lexer_path = resolve_lexer_path(data.lexer_config, base_dir)
        lexer_config = load_lexer_config(lexer_path)
        vocab_config, lexer = build_lexer(lexer_config, str(lexer_path))
        values = {f: getattr(data, f) for f in data.__dataclass_fields__ if f != "lexer_config"}
        spec = values["dataset_load_preprocessor"]
        values["dataset_load_preprocessor"] = build_load_preprocessor(spec)
        pipeline = cls(vocab_config=vocab_config, preprocessor=lexer, lexer_config=lexer_config, **values)
        saved = {k: v for k, v in values.items() if v is not None and k != "dataset_load_preprocessor"}
        if spec is not None and is_spec(spec):  # a YAML spec is saved with the run; an object cannot be
            saved["dataset_load_preprocessor"] = _plain_spec(spec)
        pipeline.config = _as_dictconfig({"lexer_config": str(lexer_path), **saved})
        pipeline.lexer_config_path = str(lexer_path)
        return pipeline

    # --- build --------------------------------------------------------------------------------
    def build(self) -> dict[str, Any]:
        """Read, lex and encode both splits; returns and keeps the io_dict."""
        vocab_config, lexer = self._vocab_and_lexer()
        self.dataset_load_preprocessor = build_load_preprocessor(self.dataset_load_preprocessor)
        self.tokenizer = get_tokenizer(vocab_config)
        encoder = SampleEncoder(lexer, self.tokenizer)
        self.train_dataset = None if self.on_the_fly else self._build_split("train", lexer, encoder)
        self.test_dataset = self._build_split("test", lexer, encoder)
        self.data_collator = StandardDataCollator(self.tokenizer)
        if self.display_samples and self.train_dataset is not None:
            self._display(self.train_dataset, "train")
        io_dict = IODict(train_dataset=self.train_dataset, test_dataset=self.test_dataset, tokenizer=self.tokenizer,
                         data_collator=self.data_collator)
        if self.on_the_fly:
            io_dict.on_the_fly = {**self.on_the_fly, "encoder": encoder}
        if self.config is not None:
            from omegaconf import OmegaConf

            io_dict.data_config = OmegaConf.to_container(self.config, resolve=True)
        self.io_dict = io_dict
        return io_dict

    def get_vocab_config(self, vocab_config: VocabConfig | dict | str | Path | None) -> VocabConfig | None:
        """``vocab_config`` as a ``VocabConfig``: a ``vocab`` block (dict) or a YAML file is read, an
        instance is returned as is, None stays None."""
        if vocab_config is None or isinstance(vocab_config, VocabConfig):
            return vocab_config
        if not isinstance(vocab_config, (dict, str, Path)) and not hasattr(vocab_config, "items"):
            raise TypeError(f"vocab_config must be a VocabConfig, a vocab dict or a YAML path, "
                            f"got {type(vocab_config).__name__}")
        if hasattr(vocab_config, "items") and not isinstance(vocab_config, dict):  # a DictConfig
            from omegaconf import OmegaConf

            vocab_config = OmegaConf.to_container(vocab_config, resolve=True)
        return VocabConfig().from_config(vocab_config)

    def validate_tokens(self, dataset: StandardDataset) -> None:
        """Raise ValueError listing the tokens of ``dataset`` that the lexer's vocabulary lacks."""
        from .validation.vocab_validator import validate_dataset_tokens

        vocab_config, lexer = self._vocab_and_lexer()
        unknown = validate_dataset_tokens(lexer, vocab_config, dataset.input_texts, dataset.target_texts)
        if unknown:
            listed = ", ".join(f"'{token}'" for token in unknown)
            raise ValueError(
                "Vocabulary validation errors in dataset.\n"
                f"Out-of-vocabulary tokens: {listed}\n"
                "Please check your lexer.yaml configuration and dataset generation: add the tokens to "
                "vocab.range / vocab.misc (the warning above names the first sample holding each)."
            )

    def _vocab_and_lexer(self) -> tuple[VocabConfig, UnifiedLexer]:
        if isinstance(self.preprocessor, UnifiedLexer):
            return self.preprocessor.vocab_config, self.preprocessor
        vocab = self.vocab_config
        if vocab is None:
            raise ValueError("vocab_config must be provided to build the tokenizer: pass vocab_config= (a "
                             "VocabConfig, a vocab dict or a lexer.yaml path) or a UnifiedLexer as preprocessor; "
                             "with from_config it comes from data.lexer_config")
        vocab = self.get_vocab_config(vocab)
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
        if fmt == "jsonl" and is_pretokenized_jsonl(path):
            return self._pretokenized_split(split, path, limit, encoder)
        keep_raw = self.display_samples if split == "train" else 0
        validate = getattr(self, f"validate_{split}_tokens")
        location = None
        if self.dataset_load_preprocessor is not None:  # the cache is looked up before the expensive preprocessor
            location = self._cache_location(path, fmt, limit, encoder, validate)
            cached = self._cached_split(location, split, lexer, path, fmt, keep_raw) if location else None
            if cached is not None:
                return cached
        samples = read_samples(path, limit, self.dataset_load_preprocessor, fmt, keep_raw=keep_raw)
        self._raw_samples[split] = samples.raw
        dataset = StandardDataset(samples.problems, samples.answers, preprocessor=lexer)
        dataset.set_token_ids(*self._token_ids(samples, split, fmt, limit, encoder, validate, location))
        dataset.set_source(samples.path, samples.line_numbers)
        return dataset

    def _cache_location(self, path: str, fmt: str, limit, encoder: SampleEncoder, validate: bool) -> Path | None:
        """Where the ids (and, with a load preprocessor, the preprocessed texts) of ``path`` are cached;
        None when the load preprocessor has no stable identity (then nothing is cached)."""
        fingerprint = None
        if self.dataset_load_preprocessor is not None:
            try:
                fingerprint = preprocessor_fingerprint(self.dataset_load_preprocessor)
            except UnstableIdentity as reason:
                self._uncacheable = f"{type(self.dataset_load_preprocessor).__name__}: {reason}"
                return None
        key = cache_key(path, self.lexer_config or {}, encoder.lexer.vocab_config.get_vocab(), limit, fmt, fingerprint)
        return cache_path(path, key + ("-v" if validate else ""))

    def _token_ids(self, samples: Samples, split: str, fmt: str, limit, encoder: SampleEncoder, validate: bool,
                   location: Path | None):
        if len(samples) < self.cache_min_samples:
            return encoder.encode_split(samples, split, validate)
        preprocessed = self.dataset_load_preprocessor is not None
        if not preprocessed:
            location = self._cache_location(samples.path, fmt, limit, encoder, validate)
            if location.is_file():
                stores = load_stores(location)
                if len(stores["input_ids"]) == len(samples):
                    return stores["input_ids"], stores["target_ids"]
        elif location is None:
            logger.warning("%s: %d samples, token cache off (%s)", samples.path, len(samples), self._uncacheable)
        input_ids, target_ids = encoder.encode_split(samples, split, validate)
        if location is None:
            return input_ids, target_ids
        texts = None
        if preprocessed:  # a cache hit must not run the preprocessor to get the texts back
            texts = {"problems": samples.problems, "answers": samples.answers,
                     "line_numbers": np.asarray(samples.line_numbers, dtype=np.int64)}
        try:
            save_stores(location, {"input_ids": input_ids, "target_ids": target_ids}, texts)
        except OSError as error:  # a read-only data folder only costs the cache
            logger.warning("could not write the token cache %s: %s", location, error)
        return input_ids, target_ids

    def _cached_split(self, location: Path, split: str, lexer: UnifiedLexer, path: str, fmt: str, keep_raw: int
                      ) -> StandardDataset | None:
        """The split from a cache written by a previous build with the same load preprocessor, or None."""
        if not location.is_file():
            return None
        texts = load_texts(location, ("problems", "answers", "line_numbers"))
        stores = load_stores(location)
        if texts is None or {len(texts["problems"]), len(stores["input_ids"])} != {len(texts["answers"])}:
            return None
        logger.info("%s: %d preprocessed samples from the token cache %s", path, len(texts["problems"]), location)
        dataset = StandardDataset(texts["problems"], texts["answers"], preprocessor=lexer)
        dataset.set_token_ids(stores["input_ids"], stores["target_ids"])
        dataset.set_source(path, [int(number) for number in texts["line_numbers"]])
        wanted = set(texts["line_numbers"][:keep_raw])
        self._raw_samples[split] = [raw for number, raw in _records(Path(path), fmt) if number in wanted] if wanted else []
        return dataset

    def _pretokenized_split(self, split: str, path: str, limit, encoder: SampleEncoder) -> StandardDataset:
        """A split read as ids (``calt preprocess --pretokenize``): nothing is preprocessed or lexed."""
        if self.dataset_load_preprocessor is not None:
            raise ValueError(
                f"{path} holds token ids (pre-tokenized), so data.dataset_load_preprocessor cannot apply to it; "
                "its effect is already in the ids: set data.dataset_load_preprocessor: null"
            )
        id_to_token = sorted(encoder.vocab, key=encoder.vocab.__getitem__)
        check_vocabulary(Path(path), id_to_token)
        input_ids, target_ids, numbers = read_pretokenized(path, limit, len(encoder.vocab), encoder.bos, encoder.eos)
        self._raw_samples[split] = []
        dataset = StandardDataset(decode_texts(input_ids, id_to_token), decode_texts(target_ids, id_to_token))
        dataset.set_token_ids(input_ids, target_ids)
        dataset.set_source(path, numbers)
        return dataset

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


def _plain_spec(spec: Any) -> Any:
    """A load-preprocessor spec as plain YAML data (it may come as an OmegaConf container)."""
    from omegaconf import DictConfig, ListConfig, OmegaConf

    return OmegaConf.to_container(spec, resolve=True) if isinstance(spec, (DictConfig, ListConfig)) else spec


def _lexer_config_of(config: Any) -> Any:
    """``config.lexer_config`` of a dict, a DictConfig or a ``DataConfig``; None when absent."""
    if hasattr(config, "get"):
        return config.get("lexer_config")
    return getattr(config, "lexer_config", None)


def _as_dictconfig(data: dict) -> Any:
    from omegaconf import OmegaConf

    return OmegaConf.create(data)

