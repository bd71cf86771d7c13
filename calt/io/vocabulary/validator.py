"""Out-of-vocabulary detection: which tokens the vocabulary lacks, and the first sample of each."""

from __future__ import annotations


class UnknownTokens:
    """Collects tokens missing from the vocabulary with the first (file, line) where each occurs."""

    def __init__(self) -> None:
        self.first_seen: dict[str, tuple[str, int]] = {}
        self.samples = 0

    def add(self, tokens: list[str], where: tuple[str, int]) -> None:
        self.samples += 1
        for token in tokens:
            self.first_seen.setdefault(token, where)

    def __bool__(self) -> bool:
        return bool(self.first_seen)

    def describe(self, limit: int = 20) -> str:
        items = list(self.first_seen.items())[:limit]
        lines = [f"  {tok!r} first in {path}:{line}" for tok, (path, line) in items]
        more = len(self.first_seen) - len(items)
        if more > 0:
            lines.append(f"  … and {more} more")
        return "\n".join(lines)

    def error(self, split: str, unused_entries: list[str] = (), hints: list[str] = ()) -> ValueError:
        """The error for these tokens; ``unused_entries`` (lexer.yaml entries no sample uses) are named as the
        likely wrong ones, and ``hints`` (what a ``vocab.range`` entry lacks) follow."""
        one = len(unused_entries) == 1
        suspects = (f"{', '.join(unused_entries)} of lexer.yaml match{'es' if one else ''} no token of this data: "
                    f"check {'its' if one else 'their'} prefix and bounds. ") if unused_entries else ""
        return ValueError(
            f"{split} data has {len(self.first_seen)} token(s) outside the vocabulary "
            f"(in {self.samples} sample(s)):\n{self.describe()}\n{suspects}{''.join(h + '. ' for h in hints)}"
            "Add them to vocab.range / vocab.misc in lexer.yaml, or set "
            f"validate_{split}_tokens: false to map them to the unk token."
        )
