"""Labels that say what fires: top contexts, enriched n-grams and an automatic label.

Owns: for each concept of an analysis, its top-activating token windows over the
whole dataset (from both sides, firing tokens carry their activation), the words
and word pairs most enriched where it fires against everywhere else (log-odds
with an informative Dirichlet prior, Monroe, Colaresi & Quinn 2008), and the short
label built from them (``fires on: "great question", "absolutely"``).

Cheap path: it reads the per-token activations ingest stored (no model forward);
SAE latents are encoded once for all wanted latents, directions are one matrix
product. Concepts whose label is the dictionary's placeholder (``SAE L15 #1772``)
are renamed in the concepts table, ids unchanged, so every path shows the label.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from prefsight.concepts.types import Concept

log = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"^SAE L\d+ (#\d+|cluster of \d+ .*)$")
"""Labels the dictionary gives SAE concepts before anything is known about them."""
LABEL_TOP = 200
"""Concepts (in rank order) that get contexts and labels, besides every named one."""
WINDOW = 8
N_CONTEXTS = 2
"""Contexts per side (chosen, rejected)."""
PRIOR = 500.0
"""Size α0 of the informative Dirichlet prior (spread over n-grams by corpus frequency)."""
MIN_COUNT = 2
Z_MIN = 1.96
ENCODE_CHUNK = 4096


@dataclass
class Corpus:
    """Every stored response token of one layer, in reading order."""

    pair_id: np.ndarray
    side: np.ndarray
    tokens: list[str]
    hidden: np.ndarray
    """(n_tokens, d_model) stored activations."""
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    """(n_tokens,) index of the first token of each token's response."""
    ends: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    unigram: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    bigram: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    grams: list[str] = field(default_factory=list)
    """n-gram id -> text; ids -1 mean "no n-gram here" (punctuation, response start)."""
    responses: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    """(pair id, side) -> token range [start, end)."""

    def __post_init__(self) -> None:
        n = len(self.tokens)
        new = np.ones(n, bool)
        new[1:] = (self.pair_id[1:] != self.pair_id[:-1]) | (self.side[1:] != self.side[:-1])
        first = np.flatnonzero(new)
        lengths = np.diff(np.append(first, n))
        self.starts = np.repeat(first, lengths)
        self.ends = np.repeat(first + lengths, lengths)
        self.responses = {
            (str(self.pair_id[f]), str(self.side[f])): (int(f), int(f + m)) for f, m in zip(first, lengths, strict=True)
        }
        ids: dict[str, int] = {}

        def gram(text: str) -> int:
            text = " ".join(text.lower().split())
            if not any(ch.isalnum() for ch in text):
                return -1
            return ids.setdefault(text, len(ids))

        words = [gram(t) for t in self.tokens]
        pairs = [
            gram(self.tokens[i - 1] + self.tokens[i]) if i and not new[i] and words[i] >= 0 else -1 for i in range(n)
        ]
        self.unigram, self.bigram = np.array(words, int), np.array(pairs, int)
        self.grams = list(ids)


def load_corpus(store: Any, model: str, layer: int, tokenizer: Any) -> Corpus | None:
    """The stored per-token activations of ``layer`` in reading order, or None if none."""
    try:
        meta, hidden = store.read_token_samples(model=model, layer=layer)
    except Exception as exc:  # labels are best effort: the analysis stands without them
        log.warning("no stored token activations for labels at layer %s: %s", layer, exc)
        return None
    if not meta.num_rows:
        return None
    pair_id = np.asarray(meta.column("pair_id").to_pylist(), object)
    side = np.asarray(meta.column("side").to_pylist(), object)
    position = np.asarray(meta.column("position").to_numpy(), int)
    order = np.lexsort((position, side, pair_id))
    token_ids = np.asarray(meta.column("token_id").to_numpy(), int)[order]
    vocab = {int(t): tokenizer.decode([int(t)]) for t in np.unique(token_ids)}
    return Corpus(pair_id[order], side[order], [vocab[int(t)] for t in token_ids], hidden[order])


def token_activations(corpus: Corpus, concepts: list[Concept], sae: Any) -> np.ndarray:
    """(n_tokens, len(concepts)) per-token activation of each concept (NaN: none)."""
    from prefsight.concepts import kinds
    from prefsight.concepts.kinds.sae_latent import encode_tokens

    out = np.full((len(corpus.tokens), len(concepts)), np.nan, np.float32)
    latents = {
        j: [int(c.provenance["latent"])] for j, c in enumerate(concepts) if c.kind == "sae" and "latent" in c.provenance
    }
    latents.update(
        {
            j: [int(m) for m in c.provenance["members"]]
            for j, c in enumerate(concepts)
            if c.kind == "sae" and c.provenance.get("members")
        }
    )
    if latents and sae is not None:
        wanted = sorted({m for ms in latents.values() for m in ms})
        column = {m: k for k, m in enumerate(wanted)}
        for start in range(0, len(corpus.tokens), ENCODE_CHUNK):
            acts = encode_tokens(sae, corpus.hidden[start : start + ENCODE_CHUNK])[:, wanted]
            for j, members in latents.items():
                out[start : start + len(acts), j] = acts[:, [column[m] for m in members]].sum(1)
    for j, concept in enumerate(concepts):
        if j in latents or concept.vector is None or concept.kind == "text":
            continue
        scores = kinds.kind_of(concept).token_scores(concept, corpus.hidden, sae)
        if scores is not None:
            out[:, j] = scores
    return out


def firing(acts: np.ndarray, concept: Concept) -> np.ndarray:
    """Where a concept fires: any activation for an SAE latent (they are sparse), two
    standard deviations above the mean projection for a direction."""
    if concept.kind == "sae":
        return acts > 0
    return acts > acts.mean() + 2 * acts.std()


def log_odds(fired: np.ndarray, rest: np.ndarray, prior: float = PRIOR) -> tuple[np.ndarray, np.ndarray]:
    """Monroe et al. (2008) log-odds ratio with an informative Dirichlet prior, and its z.

    Args:
        fired: counts of each n-gram where the concept fires.
        rest: counts everywhere else.
        prior: α0; each n-gram's α is α0 times its share of the whole corpus.

    Returns:
        (δ, z): the log-odds ratio of each n-gram and δ over its standard deviation.
    """
    fired, rest = np.asarray(fired, float), np.asarray(rest, float)
    total = fired + rest
    alpha = prior * total / max(total.sum(), 1.0)
    n_i, n_j = fired.sum(), rest.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((fired + alpha) / (n_i + prior - fired - alpha)) - np.log(
            (rest + alpha) / (n_j + prior - rest - alpha)
        )
        z = delta / np.sqrt(1.0 / (fired + alpha) + 1.0 / (rest + alpha))
    return np.nan_to_num(delta), np.nan_to_num(z)


def enriched(corpus: Corpus, fires: np.ndarray, k: int = 8) -> list[tuple[str, float]]:
    """The n-grams (words and word pairs ending on a firing token) most enriched where
    the concept fires, as (text, z), best first; only z ≥ 1.96 and at least 2 hits."""
    n = len(corpus.grams)
    if not n or not fires.any():
        return []
    ids = np.concatenate([corpus.unigram, corpus.bigram])
    hit = np.concatenate([fires, fires])
    ok = ids >= 0
    fired = np.bincount(ids[ok & hit], minlength=n)
    rest = np.bincount(ids[ok & ~hit], minlength=n)
    _, z = log_odds(fired, rest)
    order = np.argsort(-z, kind="stable")
    out = [(corpus.grams[g], float(z[g])) for g in order[: 4 * k] if z[g] >= Z_MIN and fired[g] >= MIN_COUNT]
    return out[:k]


def contexts(
    corpus: Corpus, acts: np.ndarray, per_side: int = N_CONTEXTS, window: int = WINDOW
) -> list[dict[str, Any]]:
    """Top-activating token windows, at most one per response, ``per_side`` from each side."""
    finite = np.where(np.isfinite(acts), acts, -np.inf)
    out: list[dict[str, Any]] = []
    for side in ("chosen", "rejected"):
        seen: set[int] = set()
        on_side = np.flatnonzero(corpus.side == side)
        order = on_side[np.argsort(-finite[on_side], kind="stable")]
        for i in order:
            if len([c for c in out if c["side"] == side]) >= per_side or finite[i] <= 0:
                break
            if corpus.side[i] != side or int(corpus.starts[i]) in seen:
                continue
            seen.add(int(corpus.starts[i]))
            lo, hi = (max(int(corpus.starts[i]), i - window), min(int(corpus.ends[i]), i + window + 1))
            out.append(
                {
                    "pair_id": str(corpus.pair_id[i]),
                    "side": side,
                    "activation": float(acts[i]),
                    "tokens": [[corpus.tokens[t], float(acts[t])] for t in range(lo, hi)],
                }
            )
    return out


EXAMPLE_WINDOW = 16
"""Tokens either side of a response's peak kept in a clipped example pair."""


def clipped_example(
    corpus: Corpus, acts: np.ndarray, pair: dict[str, Any], chosen: float, rejected: float, window: int = EXAMPLE_WINDOW
) -> dict[str, Any]:
    """An example pair built from the stored tokens (no model forward), each response
    clipped to ``window`` tokens either side of the concept's peak on it (the report's
    pages stay small with example pairs for every listed concept)."""
    example: dict[str, Any] = {
        "pair_id": pair["pair_id"],
        "prompt": "\n\n".join(m["content"] for m in pair["prompt"]),
        "chosen_score": chosen,
        "rejected_score": rejected,
        "delta": chosen - rejected,
    }
    for side in ("chosen", "rejected"):
        span = corpus.responses.get((str(pair["pair_id"]), side))
        where = np.arange(*span) if span else np.zeros(0, int)
        if not len(where):
            example[side], example[f"{side}_tokens"] = pair[side], []
            continue
        values = np.where(np.isfinite(acts[where]), acts[where], -np.inf)
        peak = int(np.argmax(values))
        lo, hi = max(0, peak - window), min(len(where), peak + window + 1)
        tokens = [[corpus.tokens[t], float(acts[t])] for t in where[lo:hi]]
        if lo > 0:
            tokens.insert(0, ["… ", 0.0])
        if hi < len(where):
            tokens.append([" …", 0.0])
        example[side] = "".join(t for t, _ in tokens)
        example[f"{side}_tokens"] = tokens
    return example


def auto_label(grams: list[tuple[str, float]], ctx: list[dict[str, Any]]) -> str:
    """``fires on: "a", "b", "c"`` from the enriched n-grams (or the top contexts' tokens)."""
    picked: list[str] = []
    for text, _ in grams:
        if any(text in p or p in text for p in picked):
            continue
        picked.append(text)
        if len(picked) == 3:
            break
    if not picked:
        peaks = []
        for c in ctx:
            best = max(c["tokens"], key=lambda t: t[1])[0].strip()
            if best and best not in peaks:
                peaks.append(best)
        picked = peaks[:3]
    return "fires on: " + ", ".join(f'"{p}"' for p in picked) if picked else ""


def describe_labels(
    corpus: Corpus, concepts: list[Concept], sae: Any, *, acts: np.ndarray | None = None
) -> dict[str, dict[str, Any]]:
    """id -> ``contexts``, ``enriched`` and ``auto_label`` for each concept."""
    acts = token_activations(corpus, concepts, sae) if acts is None else acts
    out: dict[str, dict[str, Any]] = {}
    for j, concept in enumerate(concepts):
        column = acts[:, j]
        if not np.isfinite(column).any():
            continue
        grams = enriched(corpus, firing(column, concept))
        ctx = contexts(corpus, column)
        out[concept.id] = {
            "contexts": ctx,
            "enriched": [[t, round(z, 2)] for t, z in grams],
            "auto_label": auto_label(grams, ctx),
        }
    return out


def replaceable(concept: Concept) -> bool:
    """True while the concept's label is the dictionary's placeholder or one this module
    wrote; a label a person set (``concepts label``) is never replaced."""
    return bool(PLACEHOLDER.match(concept.label)) or (concept.provenance.get("written_label") == concept.label)


def relabel(concept: Concept, auto: str, labeled: dict[str, str] | None = None) -> Concept | None:
    """The concept with its new label (the labeler's when given, else the automatic one),
    or None if its label is not ``replaceable``. Provenance records where the label came
    from (and the labeler's prompt)."""
    if not (auto or labeled) or not replaceable(concept):
        return None
    original = concept.provenance.get("placeholder_label", concept.label)
    provenance = {**concept.provenance, "placeholder_label": original}
    if labeled:
        provenance.update(
            label_source="labeler", labeler=labeled["labeler"], label_prompt=labeled["prompt"], auto_label=auto
        )
        label, description = labeled["label"], f"{labeled['description']} ({original}; {auto})"
    else:
        provenance.update(label_source="auto")
        for key in ("labeler", "label_prompt", "auto_label"):
            provenance.pop(key, None)
        label = auto
        description = f"{original}; automatic label from the n-grams enriched where it fires"
    provenance["written_label"] = label
    return replace(concept.renamed(label=label, description=description), provenance=provenance)


LABELER_SYSTEM = (
    "You name features of a language model's activations for a data person. You see the "
    "text windows where one feature fires most (firing tokens in [[double brackets]]) and "
    "the words most enriched where it fires. Answer with exactly two lines:\n"
    "label: <a name of at most 6 words>\ndescription: <one sentence on what it fires on>"
)


def labeler_prompt(info: dict[str, Any], max_contexts: int = 6) -> str:
    """The user message sent to the labeler: the top contexts and the enriched n-grams."""
    lines = []
    for c in info.get("contexts", [])[:max_contexts]:
        peak = max((a for _, a in c["tokens"]), default=0.0)
        text = "".join(f"[[{t}]]" if peak > 0 and a >= 0.5 * peak else t for t, a in c["tokens"])
        lines.append(f"- ({c['side']}) {' '.join(text.split())}")
    grams = ", ".join(f'"{t}"' for t, _ in info.get("enriched", [])[:8]) or "(none)"
    return "Top contexts:\n" + "\n".join(lines) + f"\nEnriched where it fires: {grams}"


def _endpoint(url: str) -> str:
    url = url.rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    return url + ("/chat/completions" if url.endswith("/v1") else "/v1/chat/completions")


def llm_label(url: str, info: dict[str, Any], *, model: str = "default", timeout: float = 60.0) -> dict[str, str]:
    """A label and a description from an OpenAI-compatible chat endpoint (llama.cpp, vLLM, …).

    Args:
        url: the server (``http://127.0.0.1:8080``, ``…/v1`` or ``…/v1/chat/completions``).
        info: one concept's ``contexts`` and ``enriched`` (from ``describe_labels``).

    Returns:
        ``label``, ``description``, and ``prompt`` / ``labeler`` for provenance.

    Raises:
        FailedPrecondition: the server cannot be reached or answers with an error.
        InvalidArgument: the answer has no ``label:`` line.
    """
    import json
    import urllib.error
    import urllib.request

    from prefsight.errors import FailedPrecondition, InvalidArgument

    prompt = labeler_prompt(info)
    body = {
        "model": model,
        "temperature": 0,
        "max_tokens": 120,
        "messages": [{"role": "system", "content": LABELER_SYSTEM}, {"role": "user", "content": prompt}],
    }
    request = urllib.request.Request(
        _endpoint(url), data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            answer = json.loads(response.read())
        text = answer["choices"][0]["message"]["content"]
    except (urllib.error.URLError, OSError, KeyError, IndexError, ValueError) as exc:
        raise FailedPrecondition(f"labeler {_endpoint(url)} gave no answer: {exc}") from exc
    fields = {}
    for line in str(text).splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() in ("label", "description") and value.strip():
            fields[key.strip().lower()] = value.strip().strip('"')
    if "label" not in fields:
        raise InvalidArgument(f"labeler {_endpoint(url)} answered without a 'label:' line: {text!r}")
    return {
        "label": fields["label"][:80],
        "description": fields.get("description", ""),
        "prompt": f"{LABELER_SYSTEM}\n\n{prompt}",
        "labeler": url,
    }
