"""steering(): adds alpha * v to one decoder layer's output inside the block, nowhere else."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from prefsight_client.errors import SteeringMismatchError
from prefsight_client.steering import steering
from prefsight_client.vectors import SteeringVector
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

D_MODEL = 64


@pytest.fixture(scope="module")
def model() -> LlamaForCausalLM:
    torch.manual_seed(0)
    config = LlamaConfig(
        hidden_size=D_MODEL,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=100,
        max_position_embeddings=64,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=2,
    )
    return LlamaForCausalLM(config).eval()


@pytest.fixture(scope="module")
def ids() -> torch.Tensor:
    return torch.tensor([[5, 17, 42, 8, 99, 23], [5, 17, 42, 8, 99, 23]])


@pytest.fixture(scope="module")
def direction() -> torch.Tensor:
    v = torch.randn(D_MODEL, generator=torch.Generator().manual_seed(1))
    return v / v.norm()


def logits(model, ids) -> torch.Tensor:
    with torch.no_grad():
        return model(ids).logits


def layer_output(model, ids, layer: int) -> torch.Tensor:
    """The decoder block's output as the rest of the model sees it (hooks applied)."""
    seen = {}

    def capture(_module, _args, output):
        seen["h"] = (output[0] if isinstance(output, tuple) else output).detach().clone()

    handle = model.model.layers[layer].register_forward_hook(capture)
    try:
        logits(model, ids)
    finally:
        handle.remove()
    return seen["h"]


def test_steering_changes_output_inside_and_restores_it_after(model, ids, direction):
    before = logits(model, ids)
    with steering(model, direction, layer=1, alpha=8.0) as handle:
        inside = logits(model, ids)
    after = logits(model, ids)
    assert not torch.allclose(inside, before, atol=1e-3)
    assert torch.equal(after, before)
    assert handle.calls == 1
    assert not model.model.layers[1]._forward_hooks


def test_steering_adds_alpha_v_at_every_position_of_the_layer_output(model, ids, direction):
    plain = layer_output(model, ids, 0)
    with steering(model, direction, layer=0, alpha=3.0):
        steered = layer_output(model, ids, 0)
    torch.testing.assert_close(steered, plain + 3.0 * direction, rtol=0, atol=1e-5)


def test_hook_is_removed_when_the_block_raises(model, ids, direction):
    before = logits(model, ids)
    with pytest.raises(RuntimeError, match="inside"), steering(model, direction, layer=1, alpha=8.0):
        raise RuntimeError("inside")
    assert not model.model.layers[1]._forward_hooks
    assert torch.equal(logits(model, ids), before)


def test_gradients_flow_through_steering_and_into_a_trainable_vector(model, ids, direction):
    def grads(steer: bool, vector: torch.Tensor) -> torch.Tensor:
        model.zero_grad()
        if steer:
            with steering(model, vector, layer=0, alpha=4.0):
                model(ids).logits.square().mean().backward()
        else:
            model(ids).logits.square().mean().backward()
        return model.model.layers[1].mlp.down_proj.weight.grad.clone()

    trainable = direction.clone().requires_grad_(True)
    steered, plain = grads(True, trainable), grads(False, direction)
    assert torch.isfinite(steered).all() and steered.abs().sum() > 0
    assert not torch.allclose(steered, plain)
    assert trainable.grad is not None and trainable.grad.abs().sum() > 0
    model.zero_grad()


def test_generation_works_inside_the_block_and_is_steered(model, direction):
    prompt = torch.tensor([[5, 17, 42]])
    kwargs = dict(max_new_tokens=4, do_sample=False, output_scores=True, return_dict_in_generate=True)
    with torch.no_grad():
        plain = model.generate(prompt, **kwargs)
        with steering(model, direction, layer=1, alpha=20.0) as handle:
            steered = model.generate(prompt, **kwargs)
    assert steered.sequences.shape == (1, 7)
    assert handle.calls == 4  # one forward per new token, cache on
    assert not torch.allclose(steered.scores[0], plain.scores[0])


def test_mask_steers_only_the_selected_rows(model, ids, direction):
    before = logits(model, ids)
    with steering(model, direction, layer=1, alpha=8.0, mask=torch.tensor([False, True])):
        inside = logits(model, ids)
    assert torch.equal(inside[0], before[0])
    assert not torch.allclose(inside[1], before[1], atol=1e-3)


def test_rejected_side_steers_the_second_half_of_a_dpo_batch(model, direction):
    batch = torch.tensor([[5, 6, 7]] * 4)  # [chosen, chosen, rejected, rejected]
    before = logits(model, batch)
    with steering(model, direction, layer=1, alpha=8.0, sides="rejected"):
        inside = logits(model, batch)
    assert torch.equal(inside[:2], before[:2])
    assert not torch.allclose(inside[2:], before[2:], atol=1e-3)
    with pytest.raises(ValueError, match="even size"), steering(model, direction, layer=1, sides="rejected"):
        logits(model, batch[:3])


def test_position_mask_leaves_earlier_positions_alone(model, ids, direction):
    mask = torch.zeros(ids.shape, dtype=torch.bool)
    mask[:, -1] = True
    before = logits(model, ids)
    with steering(model, direction, layer=0, alpha=8.0, mask=mask):
        inside = logits(model, ids)
    assert torch.allclose(inside[:, :-1], before[:, :-1], atol=1e-6)  # causal: only the last moves
    assert not torch.allclose(inside[:, -1], before[:, -1], atol=1e-3)


def test_gpt2_layout_with_tuple_outputs_is_steered_and_restored(direction):
    torch.manual_seed(0)
    gpt2 = GPT2LMHeadModel(GPT2Config(n_embd=D_MODEL, n_layer=2, n_head=4, vocab_size=100)).eval()
    ids = torch.tensor([[1, 2, 3, 4]])
    before = logits(gpt2, ids)
    with steering(gpt2, direction, layer=0, alpha=8.0):
        inside = logits(gpt2, ids)
    assert not torch.allclose(inside, before, atol=1e-3)
    assert torch.equal(logits(gpt2, ids), before)


# -- the vector's provenance check --------------------------------------------


def vector_for(model, **changes) -> SteeringVector:
    fields = dict(
        vector=np.ones(D_MODEL, np.float32),
        layer=1,
        model_id="org/tiny-llama",
        concept_id="c1",
        recipe="diff_means",
        n_layers=2,
    )
    return SteeringVector(**{**fields, **changes})


@pytest.fixture
def named_model(model):
    model.config._name_or_path = "/cache/models/tiny-llama"
    yield model
    model.config._name_or_path = ""


def test_a_matching_vector_applies_at_its_own_layer(named_model, ids):
    with steering(named_model, vector_for(named_model), alpha=2.0) as handle:
        logits(named_model, ids)
    assert handle.layer == 1 and handle.calls == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(model_id="org/other-model"), "applied to model /cache/models/tiny-llama"),
        (dict(n_layers=30), "30-layer model, this one has 2"),
    ],
)
def test_provenance_mismatch_is_refused_unless_allowed(named_model, ids, changes, message):
    vector = vector_for(named_model, **changes)
    with pytest.raises(SteeringMismatchError, match=message), steering(named_model, vector):
        pass
    with steering(named_model, vector, allow_mismatch=True):
        logits(named_model, ids)


def test_applying_at_another_layer_needs_allow_mismatch(named_model):
    vector = vector_for(named_model)
    with pytest.raises(SteeringMismatchError, match="applied at layer 0"), steering(named_model, vector, layer=0):
        pass
    with steering(named_model, vector, layer=0, allow_mismatch=True) as handle:
        assert handle.layer == 0


def test_width_and_layer_range_are_always_checked(named_model):
    wide = vector_for(named_model, vector=np.ones(D_MODEL * 2, np.float32))
    with pytest.raises(SteeringMismatchError, match="hidden size 64"), steering(named_model, wide, allow_mismatch=True):
        pass
    deep = vector_for(named_model, layer=5)
    with pytest.raises(SteeringMismatchError, match=r"layer 5 not in model \(layers 0..1\)"):
        with steering(named_model, deep, allow_mismatch=True):
            pass


def test_bare_array_needs_a_layer(model):
    with pytest.raises(ValueError, match="pass layer="), steering(model, np.ones(D_MODEL)):
        pass


def test_steering_vector_survives_pickling():
    vector = SteeringVector(np.arange(4, dtype=np.float32), layer=2, model_id="m", recipe="r")
    back = pickle.loads(pickle.dumps(vector))
    np.testing.assert_array_equal(back.vector, vector.vector)
    assert (back.layer, back.model_id, back.recipe, back.d_model) == (2, "m", "r", 4)


def test_steering_vector_rejects_nan_and_wrong_width():
    with pytest.raises(ValueError, match="NaN"):
        SteeringVector(np.array([1.0, np.nan], np.float32), layer=0)
    with pytest.raises(ValueError, match="d_model is 3"):
        SteeringVector(np.ones(2, np.float32), layer=0, d_model=3)
