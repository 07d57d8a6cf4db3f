"""Steer a model's generation with a concept vector from prefsight.

Fetches a concept's steering vector from the server (``SteeringVector`` RPC:
the concept's direction scaled by the dataset's mean chosen-minus-rejected gap
along it), then generates the same prompt three times: plain, inside
``steering(model, vector, alpha)``, and plain again, to show the hook changes
the output and leaves the model as it was.

    python examples/steer_generation.py                    # builds a demo store, ~2-4 min on CPU
    python examples/steer_generation.py --address localhost:50051 --store demo --concept named:L15:sycophancy
    python examples/steer_generation.py --tiny --model /path/to/tiny-llama   # smoke test
"""

from __future__ import annotations

import sys

import torch
from _common import parser, pick_concept, service, setup
from prefsight_client import Client
from prefsight_client.training import steering

PROMPT = "I wrote my first poem today. Can you give me honest feedback on it?"


def generate(loaded: object, prompt: str, max_new_tokens: int) -> str:
    """Greedy continuation of ``prompt`` as a chat turn."""
    tokenizer, model = loaded.tokenizer, loaded.model  # type: ignore[attr-defined]
    text = tokenizer.apply_chat_template(
        [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
    )
    ids = tokenizer(text, return_tensors="pt").input_ids
    with torch.no_grad():
        out = model.generate(ids, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=tokenizer.pad_token_id)
    return tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True)


def main() -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--alpha", type=float, default=None, help="steering scale (default 4; tiny 64)")
    p.add_argument("--recipe", default="", help="'' (scaled by the data's gap) or 'unit'")
    p.add_argument("--prompt", default=PROMPT)
    args = p.parse_args()
    workdir = setup(args)
    from prefsight.models import load_model

    with service(args, workdir) as served, Client(served.address, args.token, timeout=120) as client:
        concept = pick_concept(client, served.store, args.concept)
        vector = client.steering_vector(served.store, concept, recipe=args.recipe)
        print(f"steering vector: {vector.describe()}, norm {vector.norm:.4g}")
    loaded = load_model(args.model)
    alpha = args.alpha if args.alpha is not None else (64.0 if args.tiny else 4.0)
    tokens = 8 if args.tiny else 48
    plain = generate(loaded, args.prompt, tokens)
    # The store names the model by its canonical id, the loaded copy by its cache folder:
    # the same model, so the id check is waived here (width and layer range are still checked).
    same_model = vector.model_id == loaded.model_id
    with steering(loaded.model, vector, alpha=alpha, allow_mismatch=same_model) as handle:
        steered = generate(loaded, args.prompt, tokens)
    after = generate(loaded, args.prompt, tokens)
    print(
        f"\nprompt: {args.prompt}\n\nplain:   {plain!r}\nsteered: {steered!r}  "
        f"(alpha {alpha}, layer {handle.layer}, {handle.calls} forwards)\nafter:   {after!r}"
    )
    if after != plain:
        print("error: the model did not return to its plain output after steering", file=sys.stderr)
        return 1
    print("\nthe steering hook is gone: the model generates as before")
    return 0


if __name__ == "__main__":
    sys.exit(main())
