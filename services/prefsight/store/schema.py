"""Every Arrow schema and column name of the activation store.

Owns: table names, column names and the schemas built from them. Vectors are
fixed-size float32 lists so LanceDB and FAISS read them without copies; their
width (``d_model``) is fixed per store.
"""

from __future__ import annotations

import pyarrow as pa

PAIRS = "pairs"
ACTIVATIONS = "activations"
TOKEN_SAMPLES = "token_samples"
RUNS = "runs"
CONCEPTS = "concepts"
FEATURE_STATS = "feature_stats"

SIDES = ("chosen", "rejected", "prompt")
POOLINGS = ("mean", "max", "last")
RESPONSE_SIDES = ("chosen", "rejected")


def vector_type(d_model: int) -> pa.DataType:
    return pa.list_(pa.float32(), d_model)


PAIRS_SCHEMA = pa.schema(
    [
        ("pair_id", pa.string()),
        ("prompt", pa.string()),  # JSON list of chat messages
        ("chosen", pa.string()),
        ("rejected", pa.string()),
        ("metadata", pa.string()),  # JSON object of the row's other columns
        ("dataset", pa.string()),
        ("fingerprint", pa.string()),
        ("source_line", pa.int64()),
    ]
)


def activations_schema(d_model: int) -> pa.Schema:
    return pa.schema(
        [
            ("pair_id", pa.string()),
            ("side", pa.string()),
            ("layer", pa.int32()),
            ("pooling", pa.string()),
            ("model", pa.string()),
            ("n_tokens", pa.int32()),
            ("vector", vector_type(d_model)),
        ]
    )


def token_samples_schema(d_model: int) -> pa.Schema:
    return pa.schema(
        [
            ("pair_id", pa.string()),
            ("side", pa.string()),
            ("layer", pa.int32()),
            ("model", pa.string()),
            ("position", pa.int32()),  # index inside the response span
            ("token_id", pa.int32()),
            ("vector", vector_type(d_model)),
        ]
    )


RUNS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("kind", pa.string()),  # ingest, sae, ...
        ("model", pa.string()),
        ("layers", pa.list_(pa.int32())),
        ("dataset", pa.string()),
        ("fingerprint", pa.string()),
        ("prefsight_version", pa.string()),
        ("started", pa.string()),  # ISO 8601, UTC
        ("finished", pa.string()),
        ("pairs", pa.int64()),
        ("tokens", pa.int64()),
        ("details", pa.string()),  # JSON
    ]
)
