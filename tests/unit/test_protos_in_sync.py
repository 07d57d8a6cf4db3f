"""The committed stubs are what scripts/gen_protos.py makes from protos/ today."""

from __future__ import annotations

import pytest

from tests.scripts import REPO, script_module


@pytest.fixture(scope="module")
def gen_protos():
    with script_module("gen_protos") as module:
        yield module


@pytest.fixture(scope="module")
def expected(gen_protos):
    return gen_protos.expected_files()


def test_committed_stubs_match_freshly_generated_ones(gen_protos, expected):
    drift = gen_protos.find_drift(expected)
    assert drift == [], "run `python scripts/gen_protos.py`:\n" + "\n".join(drift)


def test_drift_check_reports_a_second_copy_left_behind(gen_protos, expected, tmp_path):
    retired = gen_protos.RETIRED[0]
    stale = retired / "prefsight" / "v1" / "store_pb2.py"
    stale.parent.mkdir(parents=True)
    try:
        stale.write_text("# a second copy\n")
        assert gen_protos.find_drift(expected) == [f"stale: {stale.relative_to(REPO)}"]
    finally:
        import shutil

        shutil.rmtree(retired)


def test_drift_check_reports_a_changed_stub(gen_protos, expected):
    path = next(p for p in expected if p.name == "prefsight_pb2.py")
    changed = {**expected, path: expected[path] + "# edited by hand\n"}
    assert gen_protos.find_drift(changed) == [f"differs: {path.relative_to(REPO)}"]


def test_every_proto_yields_stubs_in_the_one_package(gen_protos, expected):
    protos = [p.stem for p in gen_protos.proto_files()]
    for target in gen_protos.TARGETS:
        names = {p.name for p in expected if p.parent == target.root / "prefsight" / "v1"}
        for stem in protos:
            assert {f"{stem}_pb2.py", f"{stem}_pb2.pyi", f"{stem}_pb2_grpc.py"} <= names


def test_client_stubs_import_only_the_client_copy(expected):
    client_root = REPO / "client" / "prefsight_client"
    for path, text in expected.items():
        if client_root in path.parents:
            assert "from prefsight." not in text and "import prefsight." not in text, path
            assert "from prefsight.v1" not in text, path


def test_one_copy_of_the_stubs_shared_by_server_and_client(gen_protos):
    from prefsight.server import app, servicer
    from prefsight.server.convert import concepts as convert
    from prefsight.server.rpcs import stores as store_rpcs
    from prefsight_client._proto.prefsight.v1 import prefsight_pb2 as client_pb2

    assert [t.module for t in gen_protos.TARGETS] == ["prefsight_client._proto"]
    assert not (REPO / "services" / "prefsight" / "_proto").exists()
    assert app.prefsight_pb2 is client_pb2
    assert convert.concepts_pb2.__name__ == "prefsight_client._proto.prefsight.v1.concepts_pb2"
    assert store_rpcs.store_pb2.__name__ == "prefsight_client._proto.prefsight.v1.store_pb2"
    assert servicer.prefsight_pb2_grpc.__name__ == "prefsight_client._proto.prefsight.v1.prefsight_pb2_grpc"
    service = client_pb2.DESCRIPTOR.services_by_name["Prefsight"]
    assert service.full_name == "prefsight.v1.Prefsight"
    assert {m.name for m in service.methods} == {
        "ListStores",
        "Info",
        "Ingest",
        "Contrast",
        "Scores",
        "NearestFeatures",
        "NearestExamples",
        "DefineConcept",
        "SteeringVector",
        "ScoreConcepts",
        "ShapingOffsets",
        "Filter",
        "Inoculate",
    }
