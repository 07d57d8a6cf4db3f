"""The server under hostile or unlucky use: confined paths, verified sources, safe templates,
thread-safe forwards, work that stops when its caller leaves, clear errors for bad input.

Each test is a probe from issue 10 that failed on the server before the fix. The
server runs in-process on 127.0.0.1:0 over the audited demo store (conftest); tests
that change a store work on a copy.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from prefsight.server.app import build_server
from prefsight.server.paths import PathPolicy
from prefsight.server.servicer import PrefsightServicer, ServicerConfig
from prefsight.session import StoreSession
from prefsight_client._proto.prefsight.v1 import concepts_pb2, interventions_pb2, prefsight_pb2_grpc, store_pb2

from tests.conftest import write_jsonl

NAMED = "named:L2:sycophancy"
LONG_TEXT = " ".join(f"word{i}" for i in range(1500))  # far over 512 tokens
OK, INVALID, NOT_FOUND, PRECONDITION = (
    grpc.StatusCode.OK,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION,
)


def call(rpc, request, timeout: float = 120) -> tuple[grpc.StatusCode, str, object]:
    """(status, details, response or None) of a unary call, or of a stream read to its end."""
    try:
        response = rpc(request, timeout=timeout)
        if not hasattr(response, "DESCRIPTOR"):
            response = list(response)
        return OK, "", response
    except grpc.RpcError as error:
        return error.code(), error.details() or "", None


@pytest.fixture(scope="module")
def stub(served):
    with grpc.insecure_channel(served.address) as channel:
        yield prefsight_pb2_grpc.PrefsightStub(channel)


def selection(**rule) -> interventions_pb2.PairSelection:
    return interventions_pb2.PairSelection(concept_ids=[NAMED], **rule)


def filter_request(**fields) -> interventions_pb2.FilterRequest:
    return interventions_pb2.FilterRequest(store="demo", selection=selection(top_fraction=0.1), **fields)


# -- 2. paths confined ------------------------------------------------------------


def test_ingest_reads_only_under_the_data_roots_and_says_nothing_about_other_paths(stub, served, tmp_path):
    root = served.store.data.parent
    (root / "escape.jsonl").symlink_to(tmp_path / "outside.jsonl")
    (tmp_path / "outside.jsonl").write_text('{"secret_field": 1}\n')
    answers = {}
    for path in [
        "/etc/passwd",
        "/etc/no-such-file",
        "../outside.jsonl",
        "../../../../../../etc/passwd",
        "escape.jsonl",
        str(tmp_path / "outside.jsonl"),
    ]:
        code, details, _ = call(stub.Ingest, store_pb2.IngestRequest(store="scratch", dataset=path))
        assert code == INVALID, (path, code, details)
        answers[path] = details.replace(path, "<path>")
    assert len(set(answers.values())) == 1  # whether the path exists is not told
    assert "outside the server's data roots" in answers["/etc/passwd"]


def test_files_in_a_data_root_that_are_not_datasets_are_refused_without_their_contents(stub, served):
    root = served.store.data.parent
    (root / "settings.json").write_text('{"api_key": "s3cr3t", "other_field": 1}')
    code, details, _ = call(stub.Ingest, store_pb2.IngestRequest(store="scratch", dataset="settings.json"))
    assert code == INVALID and "not a dataset file" in details
    assert "api_key" not in details and "other_field" not in details
    code, details, _ = call(stub.Ingest, store_pb2.IngestRequest(store="scratch", dataset="demo"))
    assert code == INVALID, details  # the store's own folder is no dataset


def test_exports_stay_in_the_stores_export_folder(stub, served):
    folder = served.exports.resolve() / "demo"
    folder.mkdir(exist_ok=True)
    (folder / "into-store").symlink_to(served.store.uri, target_is_directory=True)
    for output in [
        "../escape.jsonl",
        "/tmp/x.jsonl",
        "/proc/self/x.jsonl",
        str(served.store.uri / "x.jsonl"),
        "into-store/x.jsonl",
        "../empty/x.jsonl",  # another store's export folder
    ]:
        code, details, _ = call(stub.Filter, filter_request(output_path=output))
        assert code == INVALID and "outside the export folder" in details, (output, details)
    assert not (served.store.uri / "x.jsonl").exists()
    code, details, _ = call(stub.Filter, filter_request(output_path="no/such/x.jsonl"))
    assert code == NOT_FOUND and "folder does not exist" in details


def test_an_existing_export_is_replaced_only_when_asked(stub, served):
    code, _, first = call(stub.Filter, filter_request(output_path="once.jsonl"))
    assert code == OK and first.output_path == str(served.exports.resolve() / "demo/once.jsonl")
    before = Path(first.output_path).read_bytes()
    code, details, _ = call(stub.Filter, filter_request(output_path="once.jsonl"))
    assert code == PRECONDITION and "set overwrite" in details
    assert Path(first.output_path).read_bytes() == before
    code, _, again = call(stub.Filter, filter_request(output_path="once.jsonl", overwrite=True))
    assert code == OK and again.n_removed == 6


def test_without_roots_dataset_and_export_rpcs_are_refused(served):
    servicer = PrefsightServicer([served.store.uri])
    server = build_server(servicer).start()
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = prefsight_pb2_grpc.PrefsightStub(channel)
            code, details, _ = call(stub.Ingest, store_pb2.IngestRequest(store="demo", dataset=str(served.store.data)))
            assert code == PRECONDITION and "--data-root" in details
            code, details, _ = call(stub.Filter, filter_request())
            assert code == PRECONDITION and "--export-root" in details
            code, _, dry = call(stub.Filter, filter_request(dry_run=True))
            assert code == OK and dry.n_removed == 6
    finally:
        server.stop(grace=0)


def test_path_policy_refuses_roots_that_overlap_a_store(tmp_path):
    from prefsight.errors import InvalidArgument

    store = tmp_path / "exports" / "demo"
    store.mkdir(parents=True)
    with pytest.raises(InvalidArgument, match="overlaps store"):
        PathPolicy.build([], tmp_path / "exports", [store])
    (store / "sub").mkdir()
    with pytest.raises(InvalidArgument, match="overlaps store"):
        PathPolicy.build([], store / "sub", [store])


# -- 3. explicit, verified sources; 12: the input's own format ----------------------


@pytest.fixture(scope="module")
def grown(audited_store, tmp_path_factory):
    """A copy of the demo store after a 1-row ingest (a pair it holds, at layer 1), served
    with the demo data's folder and a folder of other files as data roots."""
    root = tmp_path_factory.mktemp("grown")
    uri = root / "stores" / "demo"
    shutil.copytree(audited_store.uri, uri)
    data = root / "data"
    data.mkdir()
    rows = [json.loads(line) for line in open(audited_store.data)]
    one = write_jsonl(data / "one.jsonl", rows[:1])
    edited = [{**rows[0], "chosen": rows[0]["chosen"] + " (edited)"}, *rows[1:]]
    write_jsonl(data / "edited.jsonl", edited)
    exports = root / "exports"
    exports.mkdir()
    config = ServicerConfig(data_roots=(str(audited_store.data.parent), str(data)), export_root=str(exports))
    server = build_server(PrefsightServicer([uri], config)).start()
    with grpc.insecure_channel(server.address) as channel:
        stub = prefsight_pb2_grpc.PrefsightStub(channel)
        request = store_pb2.IngestRequest(store="demo", dataset="one.jsonl", layers=[1])
        code, details, _ = call(stub.Ingest, request, timeout=300)
        assert code == OK, details
        assert StoreSession(str(uri)).store.runs()[-1]["dataset"].endswith("one.jsonl")
        yield stub, uri, one, exports
    server.stop(grace=0)


def test_a_source_without_the_stores_pairs_is_an_error_not_a_short_export(grown, audited_store):
    stub, uri, one, exports = grown
    code, details, _ = call(stub.Filter, filter_request(source_dataset="one.jsonl"))
    assert code == INVALID and "59 of 60 analysed pairs missing" in details
    code, details, _ = call(stub.Filter, filter_request(source_dataset="edited.jsonl"))
    assert code == INVALID and "0 of 60 analysed pairs missing, 1 with other content" in details
    code, _, done = call(stub.Filter, filter_request())  # the newest recorded file is skipped
    assert code == OK and done.source_dataset == str(audited_store.data.resolve())
    assert (done.n_removed, sum(1 for _ in open(done.output_path))) == (6, 54)


def test_without_a_matching_recorded_file_the_stores_own_pairs_are_exported(grown):
    _, uri, one, exports = grown
    config = ServicerConfig(data_roots=(str(one.parent),), export_root=str(exports))
    server = build_server(PrefsightServicer([uri], config)).start()
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = prefsight_pb2_grpc.PrefsightStub(channel)
            code, details, done = call(stub.Filter, filter_request())
    finally:
        server.stop(grace=0)
    assert code == OK, details
    rows = [json.loads(line) for line in open(done.output_path)]
    assert done.source_dataset == "" and len(rows) == 54
    assert not list((exports / "demo").glob(".pairs-*"))  # the temporary copy is gone


def test_the_cli_refuses_a_source_without_the_stores_pairs(grown, tmp_path, monkeypatch, capsys):
    import prefsight.cli.concepts_cmd  # noqa: F401 - registers the commands
    from prefsight.cli.app import main

    _, uri, one, _ = grown
    out = tmp_path / "out.jsonl"
    argv = ["prefsight", "filter", "--store", str(uri), "--concept", NAMED, "--top", "0.1"]
    monkeypatch.setattr("sys.argv", [*argv, "--data", str(one), "--out", str(out)])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2 and "does not hold the store's pairs" in capsys.readouterr().err
    assert not out.exists()


def test_the_recorded_dataset_is_used_when_it_holds_the_stores_pairs(stub, served):
    code, _, done = call(stub.Filter, filter_request())
    assert code == OK and done.source_dataset == str(served.store.data.resolve())
    assert sum(1 for _ in open(done.output_path)) == 54


def test_parquet_sources_export_parquet_with_their_schema(stub, served):
    rows = [json.loads(line) for line in open(served.store.data)]
    source = served.store.data.parent / "demo.parquet"
    pq.write_table(pa.Table.from_pylist(rows), source)
    code, _, done = call(stub.Filter, filter_request(source_dataset="demo.parquet"))
    assert code == OK and done.output_path.endswith(".parquet")
    table = pq.read_table(done.output_path)
    assert table.num_rows == 54 and table.schema == pq.read_schema(source)
    code, details, _ = call(stub.Filter, filter_request(source_dataset="demo.parquet", output_path="x.jsonl"))
    assert code == INVALID and "must end in .parquet" in details


# -- 8. templates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{label}{label:>2000000}", "no format spec"),
        ("{label!r}", "no format spec"),
        ("{label.__class__}", "unknown template field"),
        ("{label[0]}", "unknown template field"),
        ("{0}", "unknown template field"),
        ("{}", "unknown template field"),
        ("{label", "bad inoculation template"),
        ("no fields at all", "must contain"),
        ("{label}" + "x" * 3000, "at most 2000"),
    ],
)
def test_bad_templates_are_invalid_argument_and_write_nothing(stub, served, template, message):
    before = sorted((served.exports / "demo").glob("*")) if (served.exports / "demo").exists() else []
    request = interventions_pb2.InoculateRequest(
        store="demo", selection=selection(threshold=0.0), system_prompt_template=template
    )
    code, details, _ = call(stub.Inoculate, request)
    assert code == INVALID and message in details, details
    after = sorted((served.exports / "demo").glob("*")) if (served.exports / "demo").exists() else []
    assert after == before


def test_templates_name_the_label_and_the_description(stub, served):
    request = interventions_pb2.InoculateRequest(
        store="demo",
        selection=selection(threshold=0.0),
        system_prompt_template="{{Trait}}: {label} ({description})",
        output_path="described.jsonl",
    )
    code, details, done = call(stub.Inoculate, request)
    assert code == OK, details
    manifest = json.loads(Path(done.manifest_path).read_text())
    assert manifest["system_prompt"].startswith("{Trait}: sycophancy (")
    assert "{description}" not in manifest["system_prompt"]


def test_the_cli_exits_2_on_a_bad_template(served, tmp_path, monkeypatch, capsys):
    import prefsight.cli.concepts_cmd  # noqa: F401
    from prefsight.cli.app import main

    out = tmp_path / "x.jsonl"
    argv = ["prefsight", "inoculate", "--store", str(served.store.uri), "--concept", NAMED]
    argv += ["--threshold", "0", "--data", str(served.store.data), "--out", str(out)]
    monkeypatch.setattr("sys.argv", [*argv, "--template", "{label:>9999999}"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2 and "format spec" in capsys.readouterr().err
    assert not out.exists()


# -- 9/10. bad input is a clear status ----------------------------------------------


def test_bad_input_probes_are_clear_statuses_never_internal(stub):
    nan = interventions_pb2.FilterRequest(store="demo", selection=selection(threshold=float("nan")), dry_run=True)
    probes = [
        (stub.Info, store_pb2.InfoRequest(store="de\x00mo"), NOT_FOUND, "not served"),
        (stub.Info, store_pb2.InfoRequest(store="x" * 100_000), NOT_FOUND, "not served"),
        (stub.Filter, nan, INVALID, "finite"),
        (stub.Filter, filter_request(output_path="/proc/self/x.jsonl"), INVALID, "outside"),
        (
            stub.ScoreConcepts,
            interventions_pb2.ScoreConceptsRequest(
                store="demo", concept_ids=[NAMED], texts=interventions_pb2.TextBatch(texts=["fine", LONG_TEXT])
            ),
            INVALID,
            "over max_length",
        ),
        (
            stub.DefineConcept,
            concepts_pb2.DefineConceptRequest(
                store="demo", name="long", positive_texts=[LONG_TEXT, "a"], negative_texts=["b", "c"]
            ),
            INVALID,
            "over max_length",
        ),
        (
            stub.NearestFeatures,
            concepts_pb2.NearestFeaturesRequest(store="demo", text=LONG_TEXT, k=3),
            INVALID,
            "over max_length",
        ),
    ]
    for rpc, request, code, message in probes:
        got, details, _ = call(rpc, request)
        assert (got, message in details) == (code, True), (request, got, details[:300])
        assert len(details) < 400  # a 100 kB name is not echoed back


def test_define_concept_without_texts_refuses_before_loading_the_model(served):
    servicer = PrefsightServicer([served.store.uri])
    server = build_server(servicer).start()
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = prefsight_pb2_grpc.PrefsightStub(channel)
            request = concepts_pb2.DefineConceptRequest(store="demo", name="nothing")
            code, details, _ = call(stub.DefineConcept, request)
            assert code == INVALID and "at least 2 positive" in details
            request.positive_texts[:] = ["a", " "]
            request.negative_texts[:] = ["b", "c"]
            code, details, _ = call(stub.DefineConcept, request)
            assert code == INVALID and "text 1 is empty" in details
        assert servicer.stores.session("demo")._loaded is None
    finally:
        server.stop(grace=0)


# -- 6. thread-safe text forwards ------------------------------------------------------


def texts_of(i: int) -> list[str]:
    return [f"Thread {i} says you are right {j} times." * (1 + j % 3) for j in range(5)]


def test_six_threads_scoring_texts_at_once_get_their_own_answers(served):
    session = StoreSession(str(served.store.uri))
    ids = [NAMED, "text:url_count"]
    expected = {i: session.score_concepts(ids, texts=texts_of(i)) for i in range(6)}
    errors, wrong = [], []

    def work(i: int) -> None:
        for _ in range(6):
            try:
                got = session.score_concepts(ids, texts=texts_of(i))
            except Exception as error:  # noqa: BLE001 - counted below
                errors.append(repr(error))
                continue
            if not np.allclose(got, expected[i], atol=1e-5):
                wrong.append(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert errors == [] and wrong == []
    assert not session.loaded().model.model.layers[2]._forward_hooks  # all unhooked


def test_a_burst_of_200_text_calls_gets_only_ok_or_resource_exhausted(served, stub):
    def request(i: int):
        if i % 2:
            return stub.NearestFeatures.future(
                concepts_pb2.NearestFeaturesRequest(store="demo", text=f"You are right {i}.", k=3), timeout=300
            )
        texts = interventions_pb2.TextBatch(texts=texts_of(i % 7))
        return stub.ScoreConcepts.future(
            interventions_pb2.ScoreConceptsRequest(store="demo", concept_ids=[NAMED], texts=texts), timeout=300
        )

    futures = [request(i) for i in range(200)]
    codes = []
    for future in futures:
        try:
            future.result()
            codes.append(OK)
        except grpc.RpcError as error:
            codes.append(error.code())
    assert set(codes) <= {OK, grpc.StatusCode.RESOURCE_EXHAUSTED}
    assert codes.count(OK) >= 40


# -- 7. cancellation stops work ------------------------------------------------------


def test_expired_text_calls_stop_and_the_cpu_returns_to_idle(served):
    """Each call would run 10 batches of 1 s of CPU; with 2 s deadlines all 30 must stop."""
    servicer = PrefsightServicer([served.store.uri])
    loaded = servicer.stores.session("demo").loaded()
    forward = loaded.model.forward

    def slow_forward(*args, **kwargs):
        end = time.monotonic() + 1.0
        while time.monotonic() < end:  # a busy batch
            pass
        return forward(*args, **kwargs)

    loaded.model.forward = slow_forward
    server = build_server(servicer).start()
    texts = interventions_pb2.TextBatch(texts=[f"text number {i}" for i in range(320)])
    request = interventions_pb2.ScoreConceptsRequest(store="demo", concept_ids=[NAMED], texts=texts)
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = prefsight_pb2_grpc.PrefsightStub(channel)
            with ThreadPoolExecutor(30) as pool:
                codes = list(pool.map(lambda _: call(stub.ScoreConcepts, request, 2.0)[0], range(30)))
            assert set(codes) == {grpc.StatusCode.DEADLINE_EXCEEDED}
            time.sleep(3.0)
            cpu = time.process_time()
            time.sleep(2.0)
            busy = time.process_time() - cpu
            assert busy < 0.5, f"{busy:.2f} s of CPU in 2 s after every caller left"
    finally:
        server.stop(grace=0)
        loaded.model.forward = forward


# -- 1. Ray belongs to the server process --------------------------------------------

SERVE = "from prefsight.cli.app import main; import prefsight.cli.serve_cmd; main()"


def test_serve_starts_ray_once_and_survives_ingests_one_of_them_cancelled(audited_store, tmp_path):
    """No Ray running: `prefsight serve` starts its own on its main thread; three Ingest
    calls (the second cancelled) leave it healthy and answering."""
    import os
    import signal
    import socket
    import subprocess
    import sys

    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from prefsight_client import Client

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data, exports = tmp_path / "data", tmp_path / "exports"
    data.mkdir()
    exports.mkdir()
    shutil.copy(audited_store.data, data / "demo.jsonl")
    command = [sys.executable, "-c", SERVE, "serve", "--store", str(tmp_path / "stores/fresh")]
    command += ["--data-root", str(data), "--export-root", str(exports), "--port", str(port)]
    command += ["--model", str(audited_store.model), "--quiet"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_ADDRESS")}
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 - closed with the process below
    process = subprocess.Popen(command, stderr=log, env=env)
    try:
        with Client(f"127.0.0.1:{port}", retries=60, timeout=300) as client:
            first = list(client.ingest("fresh", "demo.jsonl", limit=6, layers=[1]))
            assert first[-1].stage == "done" and first[-1].pairs_done == 6
            stream = client.ingest("fresh", "demo.jsonl", layers=[1], token_budget=1024)
            for event in stream:
                if event.stage == "write":
                    break
            stream.cancel()
            list(stream)
            for _ in range(600):  # the cancelled run ends after its batch in flight
                if all(r.status != "running" for r in client.info("fresh").runs):
                    break
                time.sleep(0.1)
            third = list(client.ingest("fresh", "demo.jsonl", limit=12, layers=[1]))
            assert third[-1].stage == "done"
            time.sleep(5)
            info = client.info("fresh")
            assert info.pairs >= 12 and [r.status for r in info.runs].count("cancelled") == 1
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=30)
            assert health.status == health_pb2.HealthCheckResponse.SERVING
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0
    finally:
        process.kill()
        log.close()


def test_the_session_refuses_an_output_inside_the_store_and_a_nan_threshold(audited_store):
    from prefsight.errors import InvalidArgument

    session = StoreSession(str(audited_store.uri))
    inside = audited_store.uri / "filtered.jsonl"
    with pytest.raises(InvalidArgument, match="inside the store"):
        session.intervene("filter", [NAMED], data=str(audited_store.data), output=str(inside), top_fraction=0.1)
    assert not inside.exists()
    with pytest.raises(InvalidArgument, match="finite"):
        session.intervene("filter", [NAMED], data=None, output=None, threshold=float("nan"))
