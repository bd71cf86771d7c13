"""Find or create the virtual environment of the original package (calt-x, HF Trainer based, transformers<5)."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

CHECK = "import calt, transformers, sys; sys.exit(int(transformers.__version__.split('.')[0]) >= 5)"


def venv_python(venv_dir: Path) -> Path:
    """The interpreter inside ``venv_dir``."""
    return venv_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def is_usable(python: Path) -> bool:
    """True when ``python`` imports an installed calt with transformers 4.x (run outside any checkout of ours)."""
    if not python.exists():
        return False
    result = subprocess.run([str(python), "-c", CHECK], cwd="/", capture_output=True)
    return result.returncode == 0


def ensure_original_venv(venv_dir: Path, torch_spec: str, pip_args: list[str], allow_install: bool) -> Path:
    """Return the interpreter of the original's venv, creating it (torch pinned first, then calt-x) when missing."""
    python = venv_python(venv_dir)
    if is_usable(python):
        return python
    if not allow_install:
        raise SystemExit(
            f"{venv_dir} has no working calt-x with transformers<5; drop --no-install to create it, or point "
            "--original-venv at an environment that has one"
        )
    print(f"creating {venv_dir} for the original calt-x (torch first, then calt-x with transformers<5)", flush=True)
    venv.EnvBuilder(with_pip=True).create(venv_dir)  # an existing environment is kept and installed into
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", *pip_args]
    subprocess.run([*pip, torch_spec], check=True)
    subprocess.run([*pip, "calt-x==1.5.0", "transformers<5"], check=True)  # the reference version
    if not is_usable(python):
        raise SystemExit(f"installed calt-x into {venv_dir}, but `{CHECK}` still fails there")
    return python
