"""Automatic labels: log-odds enrichment, top contexts and the placeholder rename."""

from __future__ import annotations

import numpy as np
import pytest
from prefsight.audit import labels as lab
from prefsight.concepts.types import Concept


def _corpus() -> tuple[lab.Corpus, Concept]:
    """Responses of filler words; "great question" appears in some chosen ones, and a
    direction fires exactly on "question" after "great"."""
    rng = np.random.default_rng(0)
    filler = [" the", " cat", " sat", " on", " a", " mat", ",", " and"]
    pair_ids, sides, tokens = [], [], []
    for p in range(40):
        for side in ("chosen", "rejected"):
            words = list(rng.choice(filler, 12))
            if side == "chosen" and p % 2 == 0:
                words[5:7] = [" great", " question"]
            pair_ids += [f"p{p}"] * len(words)
            sides += [side] * len(words)
            tokens += words
    d = 4
    vector = np.array([1, 0, 0, 0], np.float32)
    hidden = rng.normal(0, 0.05, (len(tokens), d)).astype(np.float32)
    for i, t in enumerate(tokens):
        if t == " question":
            hidden[i, 0] = 3.0
    corpus = lab.Corpus(np.array(pair_ids, object), np.array(sides, object), tokens, hidden)
    concept = Concept("named:question", "named", 1, "SAE L1 #7", vector=vector)
    return corpus, concept


def test_log_odds_puts_the_overrepresented_word_first() -> None:
    fired = np.array([30, 5, 5, 0])
    rest = np.array([10, 500, 500, 40])
    delta, z = lab.log_odds(fired, rest)
    assert int(np.argmax(z)) == 0 and delta[0] > 0 and z[3] < 0


def test_enriched_ngrams_and_label_name_what_fires() -> None:
    corpus, concept = _corpus()
    found = lab.describe_labels(corpus, [concept], sae=None)[concept.id]
    grams = [t for t, _ in found["enriched"]]
    assert grams[:2] == ["great question", "question"] or grams[:2] == ["question", "great question"]
    assert " the" not in grams and "the" not in grams
    assert found["auto_label"].startswith('fires on: "')
    assert "question" in found["auto_label"]


def test_contexts_come_from_both_sides_with_the_firing_token_marked() -> None:
    corpus, concept = _corpus()
    acts = lab.token_activations(corpus, [concept], None)[:, 0]
    ctx = lab.contexts(corpus, acts, per_side=3, window=2)
    sides = [c["side"] for c in ctx]
    assert sides.count("chosen") == 3 and sides.count("rejected") == 3
    top = ctx[0]
    peak = max(top["tokens"], key=lambda t: t[1])
    assert peak[0] == " question" and len(top["tokens"]) == 5
    assert len({c["pair_id"] for c in ctx if c["side"] == "chosen"}) == 3


def test_only_placeholder_labels_are_replaced_and_ids_kept() -> None:
    _, concept = _corpus()
    renamed = lab.relabel(concept, 'fires on: "question"')
    assert renamed is not None and renamed.id == concept.id
    assert renamed.label == 'fires on: "question"' and "SAE L1 #7" in renamed.description
    named = Concept("named:x", "named", 1, "heavy formatting", vector=concept.vector)
    assert lab.relabel(named, 'fires on: "x"') is None
    assert lab.relabel(concept, "") is None


class _ChatStub:
    """A tiny OpenAI-compatible /v1/chat/completions server on 127.0.0.1:0."""

    def __init__(self, answer: str, status: int = 200) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append({"path": self.path, "body": body})
                reply = json.dumps({"choices": [{"message": {"role": "assistant", "content": answer}}]}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_labeler_names_the_concept_from_its_contexts_and_keeps_the_prompt() -> None:
    corpus, concept = _corpus()
    info = lab.describe_labels(corpus, [concept], sae=None)[concept.id]
    stub = _ChatStub("label: Praise of the question\ndescription: Fires on 'great question'.")
    try:
        named = lab.llm_label(stub.url, info, model="tiny")
    finally:
        stub.close()
    [request] = stub.requests
    assert request["path"] == "/v1/chat/completions" and request["body"]["model"] == "tiny"
    user = request["body"]["messages"][-1]["content"]
    assert "[[ question]]" in user and '"great question"' in user
    assert named["label"] == "Praise of the question"
    assert named["description"] == "Fires on 'great question'."
    assert user in named["prompt"] and named["labeler"] == stub.url
    renamed = lab.relabel(concept, info["auto_label"], named)
    assert renamed is not None and renamed.id == concept.id
    assert renamed.label == "Praise of the question"
    assert renamed.provenance["label_source"] == "labeler"
    assert user in renamed.provenance["label_prompt"]
    # a later audit may replace a label this module wrote, never one a person set
    assert lab.replaceable(renamed)
    assert not lab.replaceable(renamed.renamed(label="my name"))


def test_labeler_errors_say_what_is_wrong() -> None:
    from prefsight.errors import FailedPrecondition, InvalidArgument

    corpus, concept = _corpus()
    info = lab.describe_labels(corpus, [concept], sae=None)[concept.id]
    stub = _ChatStub("I think it is about questions.")
    try:
        with pytest.raises(InvalidArgument, match="without a 'label:' line"):
            lab.llm_label(stub.url + "/v1", info)
    finally:
        stub.close()
    with pytest.raises(FailedPrecondition, match="gave no answer"):
        lab.llm_label(stub.url, info, timeout=2)
