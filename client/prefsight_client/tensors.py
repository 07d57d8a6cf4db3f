"""NumPy arrays to and from the wire ``Tensor`` (packed little-endian float32).

The server's ``convert.py`` may reuse these functions; they only need the
generated ``Tensor`` message class, passed in or defaulting to the client's copy.
``serialize_with_tensors`` writes a request's Tensor fields straight from the
arrays, for the calls a trainer makes every step.
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


def serialize_with_tensors(message: Any, **arrays: Any) -> bytes:
    """``message``'s wire bytes with its ``Tensor`` fields ``arrays`` set, each array's
    bytes copied once.

    The bytes parse as ``message`` with ``field=array_to_tensor(array)`` for each field
    (a serialised message followed by more fields parses as their merge). Building the
    ``Tensor`` messages instead copies each payload three times (``tobytes``, into the
    message, out of it in ``SerializeToString``); a 64 x 576 batch is 147 kB, ~40-50 us
    a copy on the 2-core dev CPU.

    Raises:
        ValueError: an unknown field, one that is not a ``Tensor``, or one already set
            (or a member of its ``oneof`` set: the parser would keep only the last).
    """
    parts: list[Any] = [message.SerializeToString()]
    for name, array in arrays.items():
        field = message.DESCRIPTOR.fields_by_name.get(name)
        if field is None or field.message_type is None or field.message_type.name != "Tensor":
            raise ValueError(f"{message.DESCRIPTOR.name} has no Tensor field {name!r}")
        if message.HasField(name):
            raise ValueError(f"{message.DESCRIPTOR.name}.{name} is already set")
        oneof = field.containing_oneof
        if oneof is not None and message.WhichOneof(oneof.name) is not None:
            raise ValueError(
                f"{message.DESCRIPTOR.name}.{oneof.name} already holds {message.WhichOneof(oneof.name)!r}; "
                f"{name} would replace it"
            )
        values = np.ascontiguousarray(np.asarray(array), dtype=WIRE_DTYPE)
        head = tensor_pb2.Tensor(shape=list(values.shape), dtype="float32").SerializeToString()
        data = memoryview(values.reshape(-1)).cast("B")  # type: ignore[arg-type]
        data_head = _TENSOR_DATA_TAG + _varint(data.nbytes)
        parts += [_varint(field.number << 3 | _LENGTH_DELIMITED), _varint(len(head) + len(data_head) + data.nbytes)]
        parts += [head, data_head, data]
    return b"".join(parts)


_LENGTH_DELIMITED = 2
"""Protobuf wire type of bytes, strings and messages."""


def _varint(value: int) -> bytes:
    """``value`` (>= 0) as a protobuf base-128 varint."""
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


_TENSOR_DATA_TAG = _varint(tensor_pb2.Tensor.DESCRIPTOR.fields_by_name["data"].number << 3 | _LENGTH_DELIMITED)


def tensor_to_array(tensor: Any, *, writable: bool = True) -> np.ndarray:
    """Unpack a ``Tensor`` message into a float32 array of its shape.

    Args:
        tensor: the message.
        writable: copy into an array of its own (the default). False returns a
            read-only view of the bytes the field gives (reading a protobuf bytes
            field already makes one copy), one copy of the payload fewer
            (a 64 x 576 batch: ~40 us of a ScoreConcepts call on the dev CPU); for
            callers that only read it. A write into the view raises ``ValueError``.

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
    view = np.frombuffer(data, dtype=WIRE_DTYPE).reshape(shape)
    return view.astype(np.float32, copy=True) if writable else view
