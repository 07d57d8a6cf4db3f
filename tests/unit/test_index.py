"""ConceptIndex / ExampleIndex against NumPy brute force, filters, files, errors."""

from __future__ import annotations

import pickle

import faiss
import numpy as np
import pytest
from prefsight.errors import InvalidArgument, NotFound
from prefsight.index import ConceptIndex, ConceptMeta, ExampleHit, ExampleIndex, Hit, IndexConfig, merge_topk

D = 32
EXACT = IndexConfig()
HNSW = IndexConfig(exact_max=0, scan_max=0, ef_search=128)
LSH = IndexConfig(exact_max=0, scan_max=10**9)


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def clustered(rng: np.random.Generator, n: int, n_centres: int = 40) -> np.ndarray:
    centres = rng.standard_normal((n_centres, D))
    return (centres[rng.integers(0, n_centres, n)] + 0.4 * rng.standard_normal((n, D))).astype(np.float32)


def concept_data(n: int, seed: int = 0, vectors: np.ndarray | None = None):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, D)).astype(np.float32) if vectors is None else vectors
    ids = [f"c{i}" for i in range(n)]
    topics = (None, "math", "code")
    meta = [ConceptMeta(i % 3, ("sae", "contrast")[i % 2], topics[(i // 3) % 3]) for i in range(n)]
    return ids, x, meta


def brute_force(x, queries, k, mask=None):
    sims = unit(queries.astype(np.float64)) @ unit(x.astype(np.float64)).T
    if mask is not None:
        sims[:, ~mask] = -np.inf
    order = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(sims, order, axis=1)


def matching(meta, layer=None, kind=None, topic=None):
    return np.array(
        [
            (layer is None or m.layer == layer)
            and (kind is None or m.kind == kind)
            and (topic is None or m.topic == topic)
            for m in meta
        ]
    )


def recall(hits: list[list[Hit]], truth: np.ndarray, ids: list[str]) -> float:
    found = [len({h.id for h in hs} & {ids[j] for j in row}) / len(row) for hs, row in zip(hits, truth)]
    return float(np.mean(found))


def test_exact_search_equals_numpy_brute_force_across_partitions():
    ids, x, meta = concept_data(2000)
    index = ConceptIndex.build(ids, x, meta, EXACT)
    queries = np.random.default_rng(1).standard_normal((25, D))
    order, scores = brute_force(x, queries, 10)
    hits = index.search(queries, 10)
    assert [[h.id for h in hs] for hs in hits] == [[ids[j] for j in row] for row in order]
    np.testing.assert_allclose([[h.score for h in hs] for hs in hits], scores, atol=1e-5)
    assert [h.rank for h in hits[0]] == list(range(10))
    assert hits[0][0].metadata == meta[order[0, 0]]


@pytest.mark.parametrize(
    "filters", [{"layer": 1}, {"kind": "sae"}, {"topic": "math"}, {"layer": 2, "kind": "contrast", "topic": "code"}]
)
@pytest.mark.parametrize(
    "config", [EXACT, IndexConfig(exact_max=50), IndexConfig(exact_max=50, scan_max=0)], ids=["exact", "lsh", "hnsw"]
)
def test_filters_return_exactly_the_filtered_top_k(filters, config):
    ids, x, meta = concept_data(1500, vectors=clustered(np.random.default_rng(2), 1500))
    index = ConceptIndex.build(ids, x, meta, config)
    queries = clustered(np.random.default_rng(3), 20)
    mask = matching(meta, **filters)
    order, _ = brute_force(x, queries, 10, mask)
    hits = index.search(queries, 10, **filters)
    assert all(len(hs) == 10 for hs in hits)
    assert all(mask[ids.index(h.id)] for hs in hits for h in hs)
    assert recall(hits, order, ids) >= (1.0 if config is EXACT else 0.95)


def test_filter_with_fewer_matches_than_k_returns_all_matches():
    ids, x, meta = concept_data(300)
    meta[5] = ConceptMeta(layer=9, kind="named", topic="rare")
    meta[77] = ConceptMeta(layer=9, kind="named", topic="rare")
    index = ConceptIndex.build(ids, x, meta, HNSW)
    hits = index.search(x[5], 10, layer=9)
    assert [h.id for h in hits[0]] == ["c5", "c77"]
    assert index.search(x[5], 10, topic="rare")[0][0].metadata == ConceptMeta(9, "named", "rare")


def test_unknown_filter_values_give_empty_results_not_errors():
    ids, x, meta = concept_data(100)
    index = ConceptIndex.build(ids, x, meta)
    q = np.ones((2, D))
    assert index.search(q, 5, layer=40) == [[], []]
    assert index.search(q, 5, kind="nope") == [[], []]
    assert index.search(q, 5, topic="nope") == [[], []]


def test_hnsw_recall_at_10_on_clustered_vectors():
    rng = np.random.default_rng(4)
    vectors = clustered(rng, 3000)
    ids = [f"c{i}" for i in range(3000)]
    index = ConceptIndex.build(ids, vectors, [ConceptMeta(0, "sae")] * 3000, HNSW)
    assert index._engine.partitions[0].structure == "hnsw"
    queries = clustered(rng, 100)
    order, _ = brute_force(vectors, queries, 10)
    assert recall(index.search(queries, 10), order, ids) >= 0.95


def test_lsh_scan_with_exact_rerank_is_near_exact():
    ids, x, meta = concept_data(2000, seed=5)
    index = ConceptIndex.build(ids, x, meta, LSH)
    assert {p.structure for p in index._engine.partitions.values()} == {"lsh"}
    queries = np.random.default_rng(6).standard_normal((30, D))
    order, scores = brute_force(x, queries, 10)
    hits = index.search(queries, 10)
    assert recall(hits, order, ids) >= 0.99
    np.testing.assert_allclose([hs[0].score for hs in hits], scores[:, 0], atol=1e-5)


@pytest.mark.parametrize("config", [EXACT, HNSW, LSH], ids=["flat", "hnsw", "lsh"])
def test_save_load_and_pickle_round_trip_give_identical_hits(tmp_path, config):
    ids, x, meta = concept_data(600, seed=7)
    index = ConceptIndex.build(ids, x, meta, config)
    queries = np.random.default_rng(8).standard_normal((5, D))
    path = index.save(tmp_path / "concepts.idx")
    assert path == tmp_path / "concepts.idx" and path.is_file()
    for copy in (ConceptIndex.load(path), pickle.loads(pickle.dumps(index))):
        assert len(copy) == len(index) and copy.dim == D
        for filters in ({}, {"layer": 1, "topic": "math"}):
            assert copy.search(queries, 7, **filters) == index.search(queries, 7, **filters)


def test_load_reports_missing_and_foreign_files(tmp_path):
    with pytest.raises(NotFound, match="no index file"):
        ConceptIndex.load(tmp_path / "absent.npz")
    examples = ExampleIndex.build(["p"], ["chosen"], np.ones((1, D)))
    examples.save(tmp_path / "ex.npz")
    with pytest.raises(InvalidArgument, match="ExampleIndex"):
        ConceptIndex.load(tmp_path / "ex.npz")
    (tmp_path / "junk.npz").write_text("not a zip")
    with pytest.raises(InvalidArgument, match="not an index file"):
        ConceptIndex.load(tmp_path / "junk.npz")


def test_bad_queries_raise_invalid_argument_naming_the_problem():
    ids, x, meta = concept_data(50)
    index = ConceptIndex.build(ids, x, meta)
    with pytest.raises(InvalidArgument, match="dimension 31.*32-dimensional"):
        index.search(np.ones((1, 31)), 3)
    nan = np.ones((2, D))
    nan[1, 3] = np.nan
    with pytest.raises(InvalidArgument, match="row 1 has NaN"):
        index.search(nan, 3)
    with pytest.raises(InvalidArgument, match="all zeros"):
        index.search(np.zeros(D), 3)
    for k in (0, -1, 2.5):
        with pytest.raises(InvalidArgument, match="k must be"):
            index.search(np.ones(D), k)


def test_bad_build_input_raises_invalid_argument():
    ids, x, meta = concept_data(10)
    with pytest.raises(InvalidArgument, match="unique"):
        ConceptIndex.build(ids[:9] + ["c0"], x, meta)
    with pytest.raises(InvalidArgument, match="must match"):
        ConceptIndex.build(ids[:9], x, meta)
    with pytest.raises(InvalidArgument, match="zero concepts"):
        ConceptIndex.build([], np.empty((0, D)), [])
    with pytest.raises(InvalidArgument, match="ConceptMeta"):
        ConceptIndex.build(ids, x, [{"layer": 1}] * 10)


def test_k_larger_than_index_returns_everything():
    ids, x, meta = concept_data(12)
    assert len(ConceptIndex.build(ids, x, meta).search(x[0], 100)[0]) == 12


def test_merge_topk_of_shards_equals_search_of_the_union():
    ids, x, meta = concept_data(900, seed=9)
    queries = np.random.default_rng(10).standard_normal((4, D))
    whole = ConceptIndex.build(ids, x, meta).search(queries, 10)
    shards = [ConceptIndex.build(ids[i::3], x[i::3], meta[i::3]) for i in range(3)]
    per_shard = [shard.search(queries, 10) for shard in shards]
    for q in range(4):
        merged = merge_topk([hits[q] for hits in per_shard], 10)
        assert [h.id for h in merged] == [h.id for h in whole[q]]
        assert [h.rank for h in merged] == list(range(10))


def test_merge_topk_keeps_each_key_once_with_its_best_score():
    a = [ExampleHit("p1", "chosen", 0.9, 0), ExampleHit("p2", "chosen", 0.5, 1)]
    b = [ExampleHit("p1", "chosen", 0.7, 0), ExampleHit("p1", "rejected", 0.8, 1)]
    merged = merge_topk([a, b], 3)
    assert [(h.pair_id, h.side, h.score, h.rank) for h in merged] == [
        ("p1", "chosen", 0.9, 0),
        ("p1", "rejected", 0.8, 1),
        ("p2", "chosen", 0.5, 2),
    ]
    with pytest.raises(InvalidArgument):
        merge_topk([a], 0)


def example_data(n_pairs: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    pair_ids = [f"p{i // 2}" for i in range(2 * n_pairs)]
    sides = ["chosen", "rejected"] * n_pairs
    topics = [("math", None, "code")[i % 3] for i in range(2 * n_pairs)]
    return pair_ids, sides, rng.standard_normal((2 * n_pairs, D)), topics


def test_example_index_matches_brute_force_with_side_and_topic_filters(tmp_path):
    pair_ids, sides, x, topics = example_data(400)
    index = ExampleIndex.build(pair_ids, sides, x, topics)
    queries = np.random.default_rng(11).standard_normal((6, D))
    for side, topic in ((None, None), ("rejected", None), ("chosen", "code")):
        mask = np.array([(side is None or s == side) and (topic is None or t == topic) for s, t in zip(sides, topics)])
        order, scores = brute_force(x, queries, 8, mask)
        hits = index.search(queries, 8, side=side, topic=topic)
        assert [[(h.pair_id, h.side) for h in hs] for hs in hits] == [
            [(pair_ids[j], sides[j]) for j in row] for row in order
        ]
        np.testing.assert_allclose([[h.score for h in hs] for hs in hits], scores, atol=1e-5)
    loaded = ExampleIndex.load(index.save(tmp_path / "examples.npz"))
    assert loaded.search(queries, 5, side="chosen") == index.search(queries, 5, side="chosen")
    assert pickle.loads(pickle.dumps(index)).search(queries, 5) == index.search(queries, 5)


def test_example_index_rejects_bad_sides_and_duplicate_keys():
    with pytest.raises(InvalidArgument, match="side 'winner' unknown"):
        ExampleIndex.build(["p1"], ["winner"], np.ones((1, D)))
    with pytest.raises(InvalidArgument, match="unique"):
        ExampleIndex.build(["p1", "p1"], ["chosen", "chosen"], np.ones((2, D)))
    index = ExampleIndex.build(["p1"], ["chosen"], np.ones((1, D)))
    with pytest.raises(InvalidArgument, match="side 'both' unknown"):
        index.search(np.ones(D), 1, side="both")
    assert index.search(np.ones(D), 1, side="rejected") == [[]]


def test_search_restores_the_faiss_thread_count():
    before = faiss.omp_get_max_threads()
    ids, x, meta = concept_data(100)
    ConceptIndex.build(ids, x, meta, IndexConfig(search_threads=1)).search(x[:3], 2)
    assert faiss.omp_get_max_threads() == before


def test_lsh_rerank_grows_with_the_partition_so_recall_holds_at_1m():
    from prefsight.index.engine import refine_factor

    config = IndexConfig()
    assert refine_factor(30_000, config) == config.refine_factor
    assert refine_factor(1 << 20, config) == 4 * config.refine_factor
