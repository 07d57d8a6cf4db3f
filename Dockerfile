# prefsight image: `prefsight serve`, `prefsight ingest` drivers and Ray workers.
#
#   CPU (default):  docker build -t prefsight .
#   GPU:            docker build -t prefsight:cuda \
#                     --build-arg BASE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 \
#                     --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu128 .
#
# The install is scripts/setup.sh, the README's own set-up, with the image's
# choices: no dev extras, no browser, torch from TORCH_INDEX (CPU by default).
# Runs as the unprivileged user `prefsight` (uid 10001).
ARG BASE=python:3.11-slim
FROM ${BASE}

ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ENV DEBIAN_FRONTEND=noninteractive \
    PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 \
    PREFSIGHT_CACHE=/home/prefsight/.cache/prefsight \
    VENV=/app/.venv \
    PATH=/app/.venv/bin:$PATH

# The CUDA bases have no Python; python:3.11-slim has it (then this installs nothing).
# hadolint ignore=DL3008
RUN if ! command -v python3 >/dev/null 2>&1 || ! python3 -m venv --help >/dev/null 2>&1; then \
        apt-get update && apt-get install -y --no-install-recommends python3 python3-venv python3-pip \
        && rm -rf /var/lib/apt/lists/*; \
    fi \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin prefsight \
    && mkdir -p /app /data && chown prefsight:prefsight /app /data

WORKDIR /app
COPY --chown=prefsight:prefsight pyproject.toml README.md ./
COPY --chown=prefsight:prefsight scripts ./scripts
COPY --chown=prefsight:prefsight protos ./protos
COPY --chown=prefsight:prefsight client ./client
COPY --chown=prefsight:prefsight services ./services

USER 10001:10001
RUN EXTRAS="" SKIP_BROWSER=1 TORCH_INDEX="${TORCH_INDEX}" ./scripts/setup.sh

EXPOSE 50051
# The standard gRPC health service of `prefsight serve` (open without a token).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/app/scripts/health_probe.py", "127.0.0.1:50051"]

# Serve a store (a folder mounted at /data/store, or an s3:// URI); add --token-file for auth.
ENTRYPOINT ["prefsight"]
CMD ["serve", "--store", "/data/store", "--host", "0.0.0.0", "--port", "50051"]
