from prefsight_client._proto.prefsight.v1 import concepts_pb2 as _concepts_pb2
from prefsight_client._proto.prefsight.v1 import interventions_pb2 as _interventions_pb2
from prefsight_client._proto.prefsight.v1 import store_pb2 as _store_pb2
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor
