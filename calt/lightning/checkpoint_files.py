"""Finding the checkpoint to resume from, and telling a damaged one (truncated, garbage) from a good one."""

from __future__ import annotations

import logging
from pathlib import Path

from calt.models.loading import zip_damage

log = logging.getLogger(__name__)


def damage_of(path: Path) -> str | None:
    """Why ``path`` cannot be a checkpoint (a checkpoint is a zip archive whose directory sits at its end, so a
    truncated file fails at once; a member that fails its CRC too), or None."""
    return zip_damage(path)


def candidates(output_dir: str | Path) -> list[Path]:
    """Checkpoints of a run, newest first: ``checkpoints/*.ckpt`` (``last.ckpt`` first among equals) and
    SLURM's ``hpc_ckpt_*.ckpt`` in ``output_dir``."""
    root = Path(output_dir)
    found = [*(root / "checkpoints").glob("*.ckpt"), *root.glob("hpc_ckpt_*.ckpt")]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name == "last.ckpt"), reverse=True)


def newest_loadable(output_dir: str | Path) -> Path:
    """The newest checkpoint that is not damaged; each damaged newer one is named in a warning."""
    found = candidates(output_dir)
    for path in found:
        reason = damage_of(path)
        if reason is None:
            return path
        log.warning("checkpoint %s is damaged (%s); trying the one before it", path, reason)
    if found:
        raise ValueError(f"every checkpoint in {Path(output_dir) / 'checkpoints'} is damaged; train afresh")
    raise ValueError(f"no checkpoint found in {Path(output_dir) / 'checkpoints'}; train first or pass a checkpoint path")


def checked(path: str | Path, output_dir: str | Path) -> Path:
    """``path`` when it is a good checkpoint; otherwise a ValueError naming it, and the newest good one."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"checkpoint not found: {path}")
    reason = damage_of(path)
    if reason is None:
        return path
    try:
        offer = f"; the newest good checkpoint is {newest_loadable(output_dir)} (or pass resume_from_checkpoint=True)"
    except ValueError:
        offer = "; no good checkpoint is left to resume from"
    raise ValueError(f"checkpoint {path} is damaged ({reason}){offer}")
