#!/usr/bin/env bash
# GPU figures: ingest, SAE training and ScoreConcepts on a CUDA device against naive
# baselines in the same run (see bench/gpu.py). Needs a CUDA build of torch and a GPU.
#   bench/gpu.sh [--dtype bfloat16] [--pairs 512] ...    (arguments go to bench/gpu.py)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
if ! "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
  echo "bench/gpu.sh: no CUDA device visible to torch ($("$PY" -c 'import torch; print("torch", torch.__version__)' 2>/dev/null || echo 'torch missing'))." >&2
  echo "Run it on a GPU machine with a CUDA torch (e.g. the image built with --build-arg BASE=nvidia/cuda:...);" >&2
  echo "for a CPU smoke run of the same code: python bench/gpu.py --device cpu --dtype float32 --pairs 8" >&2
  exit 3
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
exec "$PY" bench/gpu.py --device cuda "$@"
