"""NumPy arrays to and from the wire ``Tensor`` (packed little-endian float32).

The server's ``convert.py`` may reuse these two functions; they only need the
generated ``Tensor`` message class, passed in or defaulting to the client's copy.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from prefsight_client._proto.prefsight.v1 import tensor_pb2

WIRE_DTYPE = np.dtype("<f4")
"""The only element type in v1: little-endian float32."""


def array_to_tensor(array: Any, message_class: type | None = None) -> Any:
    """Pack an array-like into a ``Tensor`` message.

    Args:
        array: anything ``np.asarray`` takes (a torch CPU tensor, a list); cast to float32.
        message_class: the generated ``Tensor`` class; the client's by default.

    Returns:
        A ``Tensor`` with shape, dtype "float32" and C-order little-endian bytes.
        Values are not checked here (NaN travels); the server validates them.
    """
    values = np.ascontiguousarray(np.asarray(array), dtype=WIRE_DTYPE)
    cls = message_class or tensor_pb2.Tensor
    return cls(shape=list(values.shape), dtype="float32", data=values.tobytes())


def tensor_to_array(tensor: Any) -> np.ndarray:
    """Unpack a ``Tensor`` message into a float32 array of its shape.

    Raises:
        ValueError: for a dtype other than float32, a negative dimension, or a byte
            length that does not match the shape.
    """
    if tensor.dtype not in ("", "float32"):
        raise ValueError(f"tensor dtype {tensor.dtype!r} is not supported; v1 carries float32")
    shape = tuple(int(n) for n in tensor.shape)
    if any(n < 0 for n in shape):
        raise ValueError(f"tensor shape {list(shape)} has a negative dimension")
    expected = math.prod(shape) * WIRE_DTYPE.itemsize
    data = tensor.data  # each read of a bytes field copies it: read once
    if len(data) != expected:
        raise ValueError(f"tensor of shape {list(shape)} needs {expected} bytes of float32, got {len(data)}")
    return np.frombuffer(data, dtype=WIRE_DTYPE).reshape(shape).astype(np.float32, copy=True)
