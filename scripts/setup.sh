#!/usr/bin/env bash
# Create .venv and install calt into it: torch pinned first (a CPU build), then the project.
#   bash scripts/setup.sh          -> .[dev]
#   bash scripts/setup.sh --sage   -> .[dev,sage]: SageMath from PyPI (passagemath, about 1.3 GB)
# Idempotent: a second run only reinstalls when pyproject.toml, the torch pin or the extras changed.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="dev"
for arg in "$@"; do
  case "$arg" in
    --sage) extras="dev,sage" ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (the only option is --sage)" >&2; exit 2 ;;
  esac
done
PYTHON=${PYTHON:-python3}
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.setup-stamp"
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $TORCH_SPEC [$extras]"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check "$TORCH_SPEC"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$extras]"
echo "$want" > "$stamp.tmp" && mv "$stamp.tmp" "$stamp"
