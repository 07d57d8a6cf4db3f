"""Pages of a sorted list of names for the List* RPCs (``page_size``, ``page_token``).

Owns the page token: an opaque cursor, the last name of the previous page, so a
page stays right when names are added or removed between calls (a name added
before the cursor is not shown; nothing is shown twice). Clients must treat the
token as opaque; its encoding may change.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Sequence

from prefsight.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def encode_token(last: str) -> str:
    """The token for the page after the name ``last``."""
    return base64.urlsafe_b64encode(json.dumps({"after": last}).encode()).decode()


def decode_token(token: str) -> str:
    """The name a token continues after.

    Raises:
        InvalidArgument: a token this server did not make (field ``page_token``).
    """
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
        after = cursor["after"]
    except (ValueError, binascii.Error, KeyError, TypeError, UnicodeError):
        raise InvalidArgument("page_token is not one this server made", field="page_token") from None
    if not isinstance(after, str):
        raise InvalidArgument("page_token is not one this server made", field="page_token")
    return after


def page(names: Sequence[str], page_size: int, page_token: str) -> tuple[list[str], str]:
    """One page of sorted ``names``.

    Args:
        names: every name, sorted.
        page_size: at most this many (0 = ``DEFAULT_PAGE_SIZE``; capped at ``MAX_PAGE_SIZE``).
        page_token: "" for the first page, else a previous page's next token.

    Returns:
        (the page, the next page's token or "" after the last page).

    Raises:
        InvalidArgument: a negative page_size or a bad token.
    """
    if page_size < 0:
        raise InvalidArgument(f"page_size must be >= 0, got {page_size}", field="page_size")
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    start = bisect.bisect_right(names, decode_token(page_token)) if page_token else 0
    chosen = list(names[start : start + size])
    more = start + size < len(names)
    return chosen, encode_token(chosen[-1]) if more and chosen else ""
