"""TopK SAE: training on a planted dictionary, AuxK, SAELens files, span statistics."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from prefsight.errors import InvalidArgument, NotFound
from prefsight.sae import SAEConfig, TopKSAE, latent_top_tokens, load_sae, save_sae, span_stats, train_sae
from prefsight.sae import kernels as sae_kernels
from prefsight.sae import train as sae_mod
from safetensors.numpy import load_file, save_file

D, N_TRUE = 48, 64


def planted(n: int = 4096, active: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Tokens that are sums of `active` of N_TRUE unit directions, plus an offset."""
    rng = np.random.default_rng(seed)
    dirs = rng.standard_normal((N_TRUE, D))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    which = np.argsort(rng.random((n, N_TRUE)), axis=1)[:, :active]
    mags = rng.uniform(0.5, 2.0, (n, active))
    x = np.einsum("na,nad->nd", mags, dirs[which]) + 0.3
    return (5.0 * x).astype(np.float32), dirs


def random_sae(d_in: int = 16, d_sae: int = 40, k: int = 4, seed: int = 0) -> TopKSAE:
    torch.manual_seed(seed)
    sae = TopKSAE(d_in, d_sae, k, input_scale=0.7)
    with torch.no_grad():
        for p in sae.parameters():
            p.copy_(torch.randn_like(p) * 0.5)
    sae.normalise_decoder()
    return sae.eval()


@pytest.fixture(scope="module")
def trained() -> tuple[TopKSAE, sae_mod.SAEReport, np.ndarray]:
    x, dirs = planted()
    config = SAEConfig(d_in=D, n_latents=N_TRUE, k=3, lr=4e-3, epochs=40, batch_size=256, dead_steps=10, threads=1)
    sae, report = train_sae(x, config)
    return sae, report, dirs


def test_training_on_a_planted_dictionary_explains_variance_and_recovers_it(trained):
    sae, report, dirs = trained
    assert report.variance_explained_train > 0.9
    assert report.variance_explained_heldout > 0.9
    assert report.dead_fraction_train < 0.05
    assert (report.n_train, report.n_heldout, report.steps) == (3686, 410, 576)
    rows = sae.W_dec.detach().numpy()
    best = (dirs @ (rows / np.linalg.norm(rows, axis=1, keepdims=True)).T).max(axis=1)
    assert np.mean(best > 0.9) >= 0.8
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)


def test_input_scale_makes_mean_squared_norm_equal_d_in(trained):
    sae, _, _ = trained
    x, _ = planted()
    scaled = x * float(sae.input_scale)
    assert np.mean(np.sum(scaled.astype(np.float64) ** 2, axis=1)) == pytest.approx(D, rel=0.02)


def test_auxk_revives_latents_that_never_win_the_top_k():
    x, _ = planted(seed=1)
    xt = torch.from_numpy(x)
    dead_after = {}
    for aux_coef in (1 / 32, 0.0):
        config = SAEConfig(d_in=D, n_latents=N_TRUE, k=3, lr=4e-3, epochs=15, batch_size=256,
                           dead_steps=5, aux_coef=aux_coef)  # fmt: skip
        gen = torch.Generator().manual_seed(0)
        sae = sae_mod._init_sae(xt, config, gen)
        with torch.no_grad():  # half the latents start too weak ever to be in the top k
            sae.W_enc[:, : N_TRUE // 2] *= 0.03
        assert sae_mod._evaluate(sae, xt)[1] == 0.5
        with sae_mod._torch_threads(1):
            sae_mod._run_training(sae, xt, config, gen, None)
        dead_after[aux_coef] = sae_mod._evaluate(sae, xt)[1]
    assert dead_after[0.0] == 0.5  # without AuxK they get no gradient at all
    assert dead_after[1 / 32] < 0.1


def test_sparse_backward_matches_dense_autograd():
    sae = random_sae(d_in=12, d_sae=30, k=5).train()
    x = torch.randn(64, 12) / float(sae.input_scale)
    xb = x * sae.input_scale
    dead = torch.zeros(30, dtype=torch.bool)
    dead[::3] = True

    def dense_loss() -> torch.Tensor:
        pre = (xb - sae.b_dec) @ sae.W_enc + sae.b_enc
        top = pre.topk(5, dim=-1)
        z = torch.zeros_like(pre).scatter(1, top.indices, torch.relu(top.values))
        recon = z @ sae.W_dec + sae.b_dec
        aux_top = pre.masked_fill(~dead, -torch.inf).topk(6, dim=-1)
        z_aux = torch.zeros_like(pre).scatter(1, aux_top.indices, torch.relu(aux_top.values))
        residual = (xb - recon).detach()
        res_var = ((residual - residual.mean(0)) ** 2).sum(-1).mean()
        aux = ((z_aux @ sae.W_dec - residual) ** 2).sum(-1).mean() / res_var
        return ((recon - xb) ** 2).sum(-1).mean() + aux / 32

    def sparse_loss() -> torch.Tensor:
        x_in = xb - sae.b_dec
        with torch.no_grad():
            pre = x_in @ sae.W_enc + sae.b_enc
            top = pre.topk(5, dim=-1)
        values = torch.relu(sae_kernels.SampledEncode.apply(x_in, sae.W_enc, sae.b_enc, pre, top.indices))
        recon = sae.decode_sparse(values, top.indices)
        aux_config = SAEConfig(d_in=12, n_latents=30, k=5, aux_k=6)
        aux = sae_mod._aux_loss(sae, x_in, pre, (xb - recon).detach(), dead, aux_config)
        return ((recon - xb) ** 2).sum(-1).mean() + aux / 32

    grads = []
    for loss_fn in (dense_loss, sparse_loss):
        sae.zero_grad()
        loss_fn().backward()
        grads.append([p.grad.clone() for p in (sae.W_enc, sae.b_enc, sae.W_dec, sae.b_dec)])
    for dense, sparse in zip(*grads):
        torch.testing.assert_close(sparse, dense, rtol=1e-4, atol=1e-5)


def test_encode_decode_forward_agree_with_a_plain_reference():
    sae = random_sae()
    x = torch.randn(20, 16)
    s = float(sae.input_scale)
    pre = (x * s - sae.b_dec) @ sae.W_enc + sae.b_enc
    top = pre.topk(4, dim=-1)
    z = torch.zeros_like(pre).scatter(1, top.indices, torch.relu(top.values))
    with torch.no_grad():
        values, indices = sae.encode(x)
        torch.testing.assert_close(values, torch.relu(top.values))
        torch.testing.assert_close(sae.encode_dense(x), z)
        torch.testing.assert_close(sae.decode(z), (z @ sae.W_dec + sae.b_dec) / s)
        torch.testing.assert_close(sae(x), sae.decode(z), rtol=1e-5, atol=1e-5)


def test_pickle_round_trip_keeps_weights_scale_and_metadata():
    sae = random_sae()
    sae.hook_layer, sae.model_name = 15, "SmolLM2-135M-Instruct"
    copy = pickle.loads(pickle.dumps(sae))
    x = torch.randn(8, 16)
    with torch.no_grad():
        torch.testing.assert_close(copy.encode_dense(x), sae.encode_dense(x))
    assert (copy.k, copy.hook_layer, copy.model_name) == (4, 15, "SmolLM2-135M-Instruct")
    assert float(copy.input_scale) == pytest.approx(0.7)


def test_saelens_folder_round_trip_and_raw_files_compute_the_same_function(tmp_path):
    sae = random_sae()
    save_sae(sae, tmp_path / "sae", hook_layer=15, model_name="smol")
    cfg = json.loads((tmp_path / "sae" / "cfg.json").read_text())
    assert (cfg["architecture"], cfg["k"], cfg["activation_fn_kwargs"]) == ("topk", 4, {"k": 4})
    assert (cfg["d_in"], cfg["d_sae"], cfg["hook_layer"], cfg["model_name"]) == (16, 40, 15, "smol")
    assert cfg["normalize_activations"] == "none"
    w = load_file(str(tmp_path / "sae" / "sae_weights.safetensors"))
    assert {k: v.shape for k, v in w.items()} == {
        "W_enc": (16, 40), "b_enc": (40,), "W_dec": (40, 16), "b_dec": (16,)
    }  # fmt: skip
    x = np.random.default_rng(0).standard_normal((10, 16)).astype(np.float32)
    pre = (x - w["b_dec"]) @ w["W_enc"] + w["b_enc"]  # SAELens TopK, no normalisation
    keep = np.argsort(-pre, axis=1)[:, :4]
    z = np.zeros_like(pre)
    np.put_along_axis(z, keep, np.maximum(np.take_along_axis(pre, keep, 1), 0), 1)
    loaded = load_sae(tmp_path / "sae")
    with torch.no_grad():
        np.testing.assert_allclose(loaded.encode_dense(torch.from_numpy(x)).numpy(), z, atol=1e-4)
        np.testing.assert_allclose(sae.encode_dense(torch.from_numpy(x)).numpy(), z, atol=1e-4)
        np.testing.assert_allclose(loaded.decode(torch.from_numpy(z)).numpy(), z @ w["W_dec"] + w["b_dec"], atol=1e-4)
    assert (loaded.hook_layer, loaded.model_name, loaded.k) == (15, "smol", 4)
    torch.testing.assert_close(loaded.W_dec, sae.W_dec)  # unit rows come back unfolded


def write_folder(path, cfg: dict, weights: dict[str, np.ndarray]) -> None:
    path.mkdir()
    (path / "cfg.json").write_text(json.dumps(cfg))
    save_file({k: np.ascontiguousarray(v) for k, v in weights.items()}, str(path / "sae_weights.safetensors"))


def standard_weights(d_in: int = 8, d_sae: int = 20, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "W_enc": rng.standard_normal((d_in, d_sae)).astype(np.float32),
        "b_enc": rng.standard_normal(d_sae).astype(np.float32) - 0.5,
        "W_dec": rng.standard_normal((d_sae, d_in)).astype(np.float32),
        "b_dec": rng.standard_normal(d_in).astype(np.float32),
    }


@pytest.mark.parametrize("apply_b_dec", [True, False])
def test_loads_a_hand_written_standard_relu_saelens_folder(tmp_path, apply_b_dec):
    w = standard_weights()
    cfg = {"architecture": "standard", "d_in": 8, "d_sae": 20, "dtype": "float32",
           "apply_b_dec_to_input": apply_b_dec, "normalize_activations": "none",
           "hook_name": "blocks.3.hook_resid_post", "hook_layer": 3, "model_name": "gpt2"}  # fmt: skip
    write_folder(tmp_path / "std", cfg, w)
    sae = load_sae(tmp_path / "std")
    assert (sae.activation, sae.k, sae.hook_layer) == ("relu", None, 3)
    x = np.random.default_rng(1).standard_normal((30, 8)).astype(np.float32)
    z = np.maximum((x - w["b_dec"] * apply_b_dec) @ w["W_enc"] + w["b_enc"], 0)
    with torch.no_grad():
        np.testing.assert_allclose(sae.encode_dense(torch.from_numpy(x)).numpy(), z, atol=1e-4)
        values, _ = sae.encode(torch.from_numpy(x))
        assert values.shape[1] == (z > 0).sum(axis=1).max()
        np.testing.assert_allclose(sae.decode(torch.from_numpy(z)).numpy(), z @ w["W_dec"] + w["b_dec"], atol=1e-4)


def test_loads_old_style_topk_config_and_bf16_weights(tmp_path):
    w = {k: torch.from_numpy(v).to(torch.bfloat16) for k, v in standard_weights().items()}
    cfg = {"architecture": "standard", "activation_fn_str": "topk", "activation_fn_kwargs": {"k": 3},
           "d_in": 8, "d_sae": 20, "hook_point_layer": 6}  # fmt: skip
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "cfg.json").write_text(json.dumps(cfg))
    from safetensors.torch import save_file as save_torch

    save_torch(w, str(tmp_path / "old" / "sae_weights.safetensors"))
    sae = load_sae(tmp_path / "old")
    assert (sae.activation, sae.k, sae.hook_layer, sae.W_enc.dtype) == ("topk", 3, 6, torch.float32)


def test_unsupported_or_broken_folders_raise_clear_errors(tmp_path):
    with pytest.raises(NotFound, match="cfg.json not found"):
        load_sae(tmp_path / "absent")
    w = standard_weights()
    write_folder(tmp_path / "jump", {"architecture": "jumprelu", "d_in": 8, "d_sae": 20}, w)
    with pytest.raises(InvalidArgument, match="'jumprelu'.*supported: 'topk', and 'standard'"):
        load_sae(tmp_path / "jump")
    write_folder(tmp_path / "norm", {"architecture": "standard", "normalize_activations": "layer_norm"}, w)
    with pytest.raises(InvalidArgument, match="normalize_activations='layer_norm'"):
        load_sae(tmp_path / "norm")
    write_folder(tmp_path / "part", {"architecture": "standard"}, {k: w[k] for k in ("W_enc", "b_enc")})
    with pytest.raises(InvalidArgument, match=r"missing \['W_dec', 'b_dec'\]"):
        load_sae(tmp_path / "part")
    write_folder(tmp_path / "shape", {"architecture": "standard"}, {**w, "b_dec": np.zeros(7, np.float32)})
    with pytest.raises(InvalidArgument, match="b_dec has shape"):
        load_sae(tmp_path / "shape")
    write_folder(tmp_path / "nok", {"architecture": "topk"}, w)
    with pytest.raises(InvalidArgument, match="without an integer k"):
        load_sae(tmp_path / "nok")


def loop_span_stats(sae: TopKSAE, acts: np.ndarray, offsets: np.ndarray):
    with torch.no_grad():
        z = sae.encode_dense(torch.from_numpy(acts)).numpy()
    n_spans = len(offsets) - 1
    max_act = np.zeros((n_spans, sae.d_sae), np.float32)
    freq = np.zeros((n_spans, sae.d_sae), np.float32)
    for i in range(n_spans):
        span = z[offsets[i] : offsets[i + 1]]
        if len(span):
            max_act[i] = span.max(axis=0)
            freq[i] = (span > 0).mean(axis=0)
    return max_act, freq


@pytest.mark.parametrize("sae", [random_sae(), None], ids=["topk", "relu"])
def test_span_stats_equal_a_plain_numpy_loop(sae):
    if sae is None:
        sae = TopKSAE(16, 40, None, activation="relu")
        with torch.no_grad():
            for p in sae.parameters():
                p.copy_(torch.randn_like(p))
    rng = np.random.default_rng(2)
    lengths = np.array([5, 0, 17, 1, 30, 0, 9, 44, 3])
    offsets = np.r_[0, np.cumsum(lengths)]
    acts = rng.standard_normal((offsets[-1], 16)).astype(np.float32)
    max_act, freq = span_stats(sae, acts, offsets, batch_tokens=20)  # spans cross chunks
    ref_max, ref_freq = loop_span_stats(sae, acts, offsets)
    assert sp.isspmatrix_csr(max_act) and max_act.shape == (9, 40)
    np.testing.assert_allclose(max_act.toarray(), ref_max, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(freq.toarray(), ref_freq, rtol=1e-6)
    assert freq[1].nnz == 0 and freq[5].nnz == 0


def test_span_stats_reject_bad_offsets():
    sae = random_sae()
    acts = np.zeros((10, 16), np.float32)
    for offsets in ([0, 5, 9], [1, 10], [0, 6, 4, 10], [[0, 10]]):
        with pytest.raises(InvalidArgument, match="offsets"):
            span_stats(sae, acts, np.array(offsets))
    with pytest.raises(InvalidArgument, match=r"shape \(n_tokens, 16\)"):
        span_stats(sae, np.zeros((10, 15), np.float32), np.array([0, 10]))


def test_latent_top_tokens_equal_numpy_argsort():
    sae = random_sae()
    unembedding = np.random.default_rng(3).standard_normal((300, 16)).astype(np.float32)
    top = latent_top_tokens(sae, unembedding, k=5)
    logits = sae.W_dec.detach().numpy() @ unembedding.T
    np.testing.assert_array_equal(top, np.argsort(-logits, axis=1)[:, :5])
    with pytest.raises(InvalidArgument, match="unembedding"):
        latent_top_tokens(sae, unembedding[:, :10])


def test_train_sae_rejects_bad_tokens_and_reports_progress():
    config = SAEConfig(d_in=8, n_latents=16, k=2, steps=3, batch_size=16, threads=1)
    with pytest.raises(InvalidArgument, match=r"shape \(n_tokens, 8\)"):
        train_sae(np.zeros((50, 7), np.float32), config)
    bad = np.ones((50, 8), np.float32)
    bad[7, 2] = np.nan
    with pytest.raises(InvalidArgument, match="row 7"):
        train_sae(bad, config)
    calls = []
    _, report = train_sae(np.random.default_rng(0).standard_normal((50, 8)), config,
                          progress=lambda step, total, loss: calls.append((step, total)))  # fmt: skip
    assert calls == [(1, 3), (2, 3), (3, 3)] and report.steps == 3
    _, report = train_sae(np.random.default_rng(0).standard_normal((50, 8)), config, heldout_fraction=0)
    assert report.n_heldout == 0 and np.isnan(report.variance_explained_heldout)


def test_config_validates_its_fields():
    with pytest.raises(ValueError, match="k must be"):
        SAEConfig(d_in=8, n_latents=4, k=5)
    with pytest.raises(ValueError, match="steps"):
        SAEConfig(d_in=8, steps=0)
