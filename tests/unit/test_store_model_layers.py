"""``model_layers`` (what ``info`` lists): every stored (model, layer) from one scan, as
``Store.models()`` and ``Store.layers()`` give them one query at a time."""

from __future__ import annotations

import pyarrow.compute as pc
from prefsight.store.info import model_layers
from prefsight.store.tables import Store

from tests.conftest import pooled_rows


def _rows(ids, model: str, layer: int):
    table = pooled_rows(ids)
    table = table.set_column(table.schema.get_field_index("model"), "model", pc.cast([model] * len(table), "string"))
    return table.set_column(
        table.schema.get_field_index("layer"), "layer", pc.cast([layer] * len(table), table.schema.field("layer").type)
    )


def test_model_layers_lists_each_model_with_its_layers(tmp_path):
    store = Store(str(tmp_path / "s"), create=True)
    assert model_layers(store) == {}  # no activations table yet
    for model, layer in (("b/two", 7), ("a/one", 3), ("b/two", 2), ("a/one", 3), ("a/one", 11)):
        store.append_activations(_rows([f"{model}-{layer}-{k}" for k in range(3)], model, layer))

    found = model_layers(store)

    assert found == {"a/one": [3, 11], "b/two": [2, 7]}
    assert found == {model: store.layers(model) for model in store.models()}
    assert list(found) == store.models()  # sorted like models()
