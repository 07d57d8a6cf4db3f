"""prefsight.data: read preference datasets into ``PreferencePair`` and tokenise them."""

from prefsight.data.pairs import FORMATS, PreferencePair, parse_row
from prefsight.data.readers import Dataset, read_pairs
from prefsight.data.tokenize import EncodedPair, encode_pair

__all__ = ["FORMATS", "Dataset", "EncodedPair", "PreferencePair", "encode_pair", "parse_row", "read_pairs"]
