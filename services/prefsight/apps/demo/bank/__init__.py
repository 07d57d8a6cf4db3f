"""The demo's content bank: prompts and plain, sensible base answers by domain.

Owns reading the topics the demo generator writes pairs about. They are package
data: ``domains.jsonl`` lists each domain (``name``, the research ``field`` its
citations name, the ``file`` of its topics) in order, and each domain file holds one
``Topic`` a line (``title``, ``keyword``, ``prompts``, ``slot``, ``cores``,
``details``, optional ``specific`` as ``[[slot value, [sentences]], ...]``).
``DOMAINS`` gathers them. Turning a topic into responses and planting traits is left
to ``prefsight.apps.demo.generate``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from prefsight.apps.demo.bank.types import DomainBank, Topic
from prefsight.concepts.resources import read_jsonl

TOPIC_KEYS = ("title", "keyword", "prompts", "slot", "cores", "details")


def bank_path(name: str) -> Path:
    """Path of the bank data file ``name``."""
    return Path(str(resources.files(__name__).joinpath(name)))


def _topic(record: dict[str, Any], where: str) -> Topic:
    missing = [k for k in TOPIC_KEYS if k not in record]
    unknown = sorted(set(record) - {*TOPIC_KEYS, "specific"})
    if missing or unknown:
        raise ValueError(f"{where}: missing keys {missing}, unknown keys {unknown}")
    lists = {k: tuple(record[k]) for k in TOPIC_KEYS[2:]}
    if not all(isinstance(t, str) for v in lists.values() for t in v):
        raise ValueError(f"{where}: prompts, slot, cores and details must be lists of strings")
    try:
        specific = tuple((str(v), tuple(ds)) for v, ds in record.get("specific", ()))
        return Topic(title=record["title"], keyword=record["keyword"], specific=specific, **lists)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from exc


def load_domains() -> dict[str, DomainBank]:
    """Every domain's bank, in ``domains.jsonl`` order.

    Raises:
        ValueError: ``file:line`` of a malformed domain or topic record.
    """
    index = bank_path("domains.jsonl")
    domains: dict[str, DomainBank] = {}
    for number, record in read_jsonl(index, ("name", "field", "file")):
        path = bank_path(record["file"])
        topics = tuple(_topic(r, f"{path}:{n}") for n, r in read_jsonl(path, ()))
        try:
            domains[record["name"]] = DomainBank(record["name"], record["field"], topics)
        except ValueError as exc:
            raise ValueError(f"{index}:{number}: {exc}") from exc
    return domains


DOMAINS: dict[str, DomainBank] = load_domains()

__all__ = ["DOMAINS", "DomainBank", "Topic", "load_domains"]
