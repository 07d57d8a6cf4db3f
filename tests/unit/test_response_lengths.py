"""Per-pair response lengths read for a model whose name needs quoting in a LanceDB filter
(a local path may hold an apostrophe); before, the filter was built with bare quotes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from prefsight.audit.scoring import _length_delta, response_lengths
from prefsight.store.tables import Store

from tests.conftest import pooled_rows

MODEL = "/models/bob's llama"


def test_lengths_of_a_model_whose_name_has_a_quote(tmp_path):
    store = Store(str(tmp_path / "s"), create=True)
    table = pooled_rows(["p0", "p1"])
    table = table.set_column(table.schema.get_field_index("model"), "model", pa.array([MODEL] * len(table)))
    chosen = pc.equal(table.column("side"), "chosen").to_numpy(zero_copy_only=False)
    lengths = np.where(chosen, [7, 7, 5, 5], [2, 2, 9, 9])[: len(table)]  # rows: p0 c, p0 r, p1 c, p1 r
    table = table.set_column(table.schema.get_field_index("n_tokens"), "n_tokens", pa.array(lengths, pa.int32()))
    store.append_activations(table)

    assert len(response_lengths(store, MODEL, 1)) == 4
    assert len(response_lengths(store, "m", 1)) == 0  # another model: nothing, and no parse error
    np.testing.assert_array_equal(_length_delta(store, MODEL, 1, ["p0", "p1"]), [7 - 2, 5 - 9])
