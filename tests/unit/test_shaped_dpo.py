"""Shaped DPO: the loss formula, its agreement with TRL, and the trainer hook."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

pytest.importorskip("trl")
from datasets import Dataset  # noqa: E402
from prefsight_client.dpo import OFFSET_COLUMN, ShapedDPOTrainer, fetch_offsets, shaped_dpo_loss, zscore  # noqa: E402
from prefsight_client.results import ShapingOffsets  # noqa: E402
from tokenizers import Tokenizer, models, pre_tokenizers  # noqa: E402
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast  # noqa: E402
from trl import DPOConfig, DPOTrainer  # noqa: E402

BETA = 0.3
ROWS = [
    ("p0", "how do i cook rice", "rinse and simmer it", "i cannot help"),
    ("p1", "what is the capital of france", "paris", "sorry i will not say"),
    ("p2", "tell me a joke", "why did the cat sit there", "no"),
    ("p3", "explain gradient descent", "move against the gradient", "sorry no"),
]
OFFSETS = {"p0": 1.5, "p1": -0.5, "p2": 0.75, "p3": 1.25}  # mean != 0: a sign error shows


# -- the formula ----------------------------------------------------------------


def test_shaped_loss_equals_the_hand_computed_one():
    pc, pr = torch.tensor([-3.0, -7.0, -1.0]), torch.tensor([-4.0, -2.0, -6.0])
    rc, rr = torch.tensor([-3.5, -6.0, -2.0]), torch.tensor([-3.0, -2.5, -5.0])
    offsets, beta, lam = torch.tensor([0.8, -1.2, 0.0]), 0.1, -2.0
    expected = np.mean(
        [
            -math.log(1 / (1 + math.exp(-(beta * ((c - a) - (r - b)) + lam * o))))
            for c, a, r, b, o in zip(pc.tolist(), rc.tolist(), pr.tolist(), rr.tolist(), offsets.tolist())
        ]
    )
    loss = shaped_dpo_loss(pc, pr, rc, rr, offsets, beta, lam)
    assert float(loss) == pytest.approx(expected, rel=1e-6)


def test_negative_lambda_lowers_the_loss_of_pairs_that_show_the_concept_on_chosen():
    z = torch.zeros(1)
    plain = shaped_dpo_loss(z, z, z, z, torch.ones(1), 0.1, 0.0)
    away = shaped_dpo_loss(z, z, z, z, torch.ones(1), 0.1, -1.0)
    along = shaped_dpo_loss(z, z, z, z, torch.ones(1), 0.1, 1.0)
    assert float(along) < float(plain) < float(away)  # lam * offset enters like a margin


def test_zscore_standardises_and_keeps_pair_ids():
    scaled = zscore({"a": 1.0, "b": 2.0, "c": 3.0})
    values = np.array(list(scaled.values()))
    assert list(scaled) == ["a", "b", "c"]
    assert values.mean() == pytest.approx(0) and values.std() == pytest.approx(1)
    assert zscore({"a": 5.0, "b": 5.0}) == {"a": 0.0, "b": 0.0}


def test_fetch_offsets_asks_the_server_once_and_then_reads_the_cache(tmp_path):
    class FakeClient:
        address = "127.0.0.1:1"
        calls = 0

        def shaping_offsets(self, store, concept_ids, **kwargs):
            FakeClient.calls += 1
            return ShapingOffsets(("p0", "p1"), np.array([1.0, -1.0]), np.array([3.0, 1.0]), 2, 1)

    client = FakeClient()
    first = fetch_offsets(client, "demo", ["c1"], weights=[1.0], cache_dir=tmp_path)
    second = fetch_offsets(client, "demo", ["c1"], weights=[1.0], cache_dir=tmp_path)
    other = fetch_offsets(client, "demo", ["c2"], cache_dir=tmp_path)
    assert first == second == other == {"p0": 1.0, "p1": -1.0}
    assert FakeClient.calls == 2  # c1 once (then cached), c2 once


# -- TRL -------------------------------------------------------------------------


def build_tokenizer() -> PreTrainedTokenizerFast:
    words = sorted({w for row in ROWS for text in row[1:] for w in text.split()})
    vocab = {tok: i for i, tok in enumerate(["<unk>", "<pad>", "<eos>", *words])}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="<unk>", pad_token="<pad>", eos_token="<eos>")
    return tokenizer


def build_model(vocab_size: int) -> LlamaForCausalLM:
    torch.manual_seed(0)
    config = LlamaConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=vocab_size,
        max_position_embeddings=64,
        pad_token_id=1,
        eos_token_id=2,
    )
    return LlamaForCausalLM(config)


def dataset() -> Dataset:
    return Dataset.from_dict(
        {
            "pair_id": [r[0] for r in ROWS],
            "prompt": [r[1] + " " for r in ROWS],
            "chosen": [r[2] for r in ROWS],
            "rejected": [r[3] for r in ROWS],
        }
    )


def config(tmp_path, **changes) -> DPOConfig:
    fields = dict(
        output_dir=str(tmp_path),
        beta=BETA,
        per_device_train_batch_size=2,
        per_device_eval_batch_size=4,
        precompute_ref_log_probs=True,
        max_steps=2,
        learning_rate=1e-3,
        report_to=[],
        save_strategy="no",
        logging_steps=1,
        use_cpu=True,
        bf16=False,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    return DPOConfig(**{**fields, **changes})


@pytest.fixture(scope="module")
def tokenizer() -> PreTrainedTokenizerFast:
    return build_tokenizer()


def perturb(model) -> None:
    """Move the policy away from the reference so the DPO margins are not zero."""
    generator = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for param in model.parameters():
            param.add_(0.2 * torch.randn(param.shape, generator=generator))


def eval_batch(trainer) -> dict:
    """The eval set in dataset order (the eval loader does not shuffle)."""
    return trainer._prepare_inputs(next(iter(trainer.get_eval_dataloader())))


def hand_logps(model, batch) -> tuple[torch.Tensor, torch.Tensor]:
    """Summed completion log-probs from a plain forward: (chosen, rejected)."""
    with torch.no_grad():
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    logp = F.log_softmax(logits[:, :-1].float(), dim=-1)
    token_logp = logp.gather(-1, batch["input_ids"][:, 1:, None]).squeeze(-1)
    summed = (token_logp * batch["completion_mask"][:, 1:]).sum(dim=1)
    return summed.chunk(2)


def test_lambda_zero_equals_trls_own_sigmoid_dpo_loss(tmp_path, tokenizer):
    model = build_model(len(tokenizer))
    trainer = DPOTrainer(
        model, args=config(tmp_path), train_dataset=dataset(), eval_dataset=dataset(), processing_class=tokenizer
    )
    trainer.model.eval()
    batch = eval_batch(trainer)
    chosen, rejected = hand_logps(trainer.model, batch)
    torch.testing.assert_close(chosen, batch["ref_chosen_logps"])  # same forward as TRL's
    perturb(trainer.model)
    with torch.no_grad():
        trl_loss = trainer.compute_loss(trainer.model, dict(batch))
    chosen, rejected = hand_logps(trainer.model, batch)
    ours = shaped_dpo_loss(
        chosen, rejected, batch["ref_chosen_logps"], batch["ref_rejected_logps"], torch.randn(4), BETA, 0.0
    )
    assert float(ours) == pytest.approx(float(trl_loss), rel=1e-5)
    assert abs(float(trl_loss) - math.log(2)) > 1e-3  # the margins were not all zero


@pytest.fixture(scope="module")
def shaped(tmp_path_factory, tokenizer) -> ShapedDPOTrainer:
    trainer = ShapedDPOTrainer(
        build_model(len(tokenizer)),
        args=config(tmp_path_factory.mktemp("shaped")),
        train_dataset=dataset(),
        eval_dataset=dataset(),
        processing_class=tokenizer,
        offsets=OFFSETS,
        lam=-2.0,
    )
    trainer.model.eval()
    perturb(trainer.model)
    return trainer


def test_shaped_trainer_loss_equals_the_hand_computed_shaped_loss(shaped):
    batch = eval_batch(shaped)
    np.testing.assert_allclose(batch[OFFSET_COLUMN].numpy(), [OFFSETS[r[0]] for r in ROWS])
    ref_chosen = batch["ref_chosen_logps"].clone()
    with torch.no_grad():
        loss = shaped.compute_loss(shaped.model, dict(batch))
    chosen, rejected = hand_logps(shaped.model, batch)
    offsets = torch.tensor([OFFSETS[r[0]] for r in ROWS])
    expected = shaped_dpo_loss(chosen, rejected, ref_chosen, batch["ref_rejected_logps"], offsets, BETA, -2.0)
    assert float(loss) == pytest.approx(float(expected), rel=1e-5)
    assert torch.equal(batch["ref_chosen_logps"], ref_chosen)  # the caller's batch is untouched


def test_shaped_trainer_trains_and_logs_the_offset_term(shaped):
    shaped.model.train()
    result = shaped.train()
    assert result.global_step == 2 and math.isfinite(result.training_loss)
    logged = [entry for entry in shaped.state.log_history if "prefsight/offset_term" in entry]
    assert logged and all(math.isfinite(e["prefsight/offset_term"]) for e in logged)


def test_reference_model_path_gives_the_same_shaped_loss(tmp_path, tokenizer):
    model = build_model(len(tokenizer))
    trainer = ShapedDPOTrainer(
        model,
        ref_model=copy.deepcopy(model),
        args=config(tmp_path, precompute_ref_log_probs=False),
        train_dataset=dataset(),
        eval_dataset=dataset(),
        processing_class=tokenizer,
        offsets=OFFSETS,
        lam=0.5,
    )
    trainer.model.eval()
    perturb(trainer.model)
    batch = eval_batch(trainer)
    assert "ref_chosen_logps" not in batch
    with torch.no_grad():
        loss = trainer.compute_loss(trainer.model, dict(batch))
    chosen, rejected = hand_logps(trainer.model, batch)
    ref_chosen, ref_rejected = hand_logps(trainer.ref_model, batch)
    offsets = torch.tensor([OFFSETS[r[0]] for r in ROWS])
    expected = shaped_dpo_loss(chosen, rejected, ref_chosen, ref_rejected, offsets, BETA, 0.5)
    assert float(loss) == pytest.approx(float(expected), rel=1e-5)
    assert trainer.precompute_ref_logps is False


def test_pairs_without_an_offset_are_named(tmp_path, tokenizer):
    with pytest.raises(KeyError, match=r"1 of 4 pairs in train_dataset have no offset.*p3"):
        ShapedDPOTrainer(
            build_model(len(tokenizer)),
            args=config(tmp_path),
            train_dataset=dataset(),
            processing_class=tokenizer,
            offsets={k: v for k, v in OFFSETS.items() if k != "p3"},
            lam=1.0,
        )


def test_losses_other_than_sigmoid_dpo_are_refused(tmp_path, tokenizer):
    with pytest.raises(ValueError, match="sigmoid DPO loss only"):
        ShapedDPOTrainer(
            build_model(len(tokenizer)),
            args=config(tmp_path, loss_type=["ipo"]),
            train_dataset=dataset(),
            processing_class=tokenizer,
            offsets=OFFSETS,
            lam=1.0,
        )


def test_a_positive_lam_explains_the_concept_away():
    """With the concept in the chosen side (offset > 0), lam > 0 lowers DPO's push on the
    pair's margin (the concept already accounts for part of it); lam < 0 raises it."""

    def push(lam: float) -> float:
        margin = torch.zeros(1, requires_grad=True)
        zero = torch.zeros(1)
        shaped_dpo_loss(margin, zero, zero, zero, torch.ones(1), BETA, lam).backward()
        assert margin.grad is not None
        return float(-margin.grad)

    assert push(1.0) < push(0.0) < push(-1.0)
