"""aws-lambda-power-tuning's contract, checked on the figures its own unit tests publish
(test/unit/test-utils.js, test/unit/test-lambda.js) and on its documented sample inputs
(README.md, README-EXECUTE.md, scripts/sample-execution-input.json)."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from gpukit.modules.powertuning.functions.analyzer import analyze
from gpukit.modules.powertuning.functions.executor import (
    invoker,
    processor_invoker,
    with_s3_payload,
)
from gpukit.modules.powertuning.inputs import PRICES_ENV, TuningInputError, is_weighted, parse_input
from gpukit.modules.powertuning.logs import parse_report
from gpukit.modules.powertuning.measure import ProcessorFailed, measure
from gpukit.modules.powertuning.payloads import body_of, payload_list
from gpukit.modules.powertuning.plan import alias_name
from tests.powertuning.conftest import FUNCTION_ARN, PRICES, REQUEST, X86_GB_SECOND, raw_input

# The peer's SnapStart log lines (test-utils.js textLogSnapStart / jsonLogSnapStart).
SNAPSTART_TEXT = (
    "REPORT RequestId: 55bc566d-1e2c-11e7-93e6-6705ceb4c1cc\tDuration: 469.40 ms\t"
    "Billed Duration: 500 ms\tMemory Size: 1024 MB\tMax Memory Used: 21 MB\t"
    "Restore Duration: 474.16 ms\tBilled Restore Duration: 75 ms"
)
SNAPSTART_JSON = json.dumps(
    {
        "time": "2024-02-09T08:42:44.080Z",
        "type": "platform.report",
        "record": {
            "requestId": "d661f7cf-9208-46b9-85b0-213b04a91065",
            "status": "success",
            "metrics": {
                "durationMs": 147.156,
                "billedDurationMs": 201,
                "memorySizeMB": 512,
                "maxMemoryUsedMB": 91,
                "restoreDurationMs": 500.795,
                "billedRestoreDurationMs": 53,
            },
        },
    }
)
PROCESSOR_ARN = "arn:aws:lambda:us-east-1:123456789012:function:prepare"


def report_line(duration: float, billed: int, init: float | None = None) -> str:
    init_part = f"\tInit Duration: {init} ms " if init is not None else ""
    return (
        f"REPORT RequestId: 479fb51c-1e38-11e7-99ca-67bf163608ed\tDuration: {duration} ms\t"
        f"Billed Duration: {billed} ms{init_part}\tMemory Size: 128 MB\tMax Memory Used: 15 MB\t"
    )


def response(tail: str, payload: bytes = b"null", error: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "StatusCode": 200,
        "LogResult": base64.b64encode(tail.encode()).decode(),
        "Payload": StreamingBody(io.BytesIO(payload), len(payload)),
    }
    if error:
        out["FunctionError"] = error
    return out


# test-lambda.js "should discard N% of durations": ten invocations, the first a cold start
# (Duration 0.1 ms + Init Duration 0.1 ms), then 0.5, 2, 3, 3, 4, 4.5, 10, 50 and 200 ms.
TEN_LOGS = [
    report_line(0.1, 1, init=0.1),
    report_line(0.5, 1),
    report_line(2.0, 2),
    report_line(3.0, 3),
    report_line(3.0, 3),
    report_line(4.0, 4),
    report_line(4.5, 5),
    report_line(10.0, 10),
    report_line(50, 50),
    report_line(200, 200),
]


@pytest.fixture
def lam() -> Any:
    client = boto3.client("lambda", region_name="us-east-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def task(power: int = 128) -> dict[str, Any]:
    return {"power": power, "architecture": "x86_64", "aliases": [alias_name(power, "x86_64")]}


def expect(stub: Stubber, tail: str, body: Any = ANY, power: int = 128, **kw: Any) -> None:
    params = {"FunctionName": FUNCTION_ARN, "Qualifier": alias_name(power, "x86_64")}
    stub.add_response(
        "invoke", response(tail, **kw), {**params, "Payload": body, "LogType": "Tail"}
    )


def test_snapstart_is_billed_with_its_restore_time() -> None:
    text = parse_report(SNAPSTART_TEXT)
    assert text is not None
    assert text.billed_total_ms == 575  # the peer: 500 + 75
    assert text.total_ms == pytest.approx(943.56)  # the peer: 469.40 + 474.16
    as_json = parse_report(SNAPSTART_JSON)
    assert as_json is not None
    assert (as_json.billed_total_ms, as_json.restore_ms) == (254, 500.795)


def test_a_snapstart_run_is_priced_on_575_ms(lam: Any) -> None:
    client, stub = lam
    spec = parse_input(raw_input(num=1), env={})
    expect(stub, SNAPSTART_TEXT, power=1024)
    summary = measure(task(1024), spec, invoker(client, FUNCTION_ARN, wait_active=False))
    assert summary["averageBilledMs"] == 575
    assert summary["averageCost"] == pytest.approx(0.575 * 1.0 * X86_GB_SECOND + REQUEST)
    assert summary["coldStarts"] == 1


@pytest.mark.parametrize(
    ("discard", "average"), [(0.4, 3.5), (0.2, 4.416666666666667), (0.0, 27.72)]
)
def test_the_average_duration_includes_init_time_as_the_peer_does(
    lam: Any, discard: float, average: float
) -> None:
    client, stub = lam
    spec = parse_input(raw_input(num=10, discardTopBottom=discard), env={})
    for tail in TEN_LOGS:
        expect(stub, tail)
    summary = measure(task(), spec, invoker(client, FUNCTION_ARN, wait_active=False))
    assert summary["averageDurationMs"] == pytest.approx(average)


def test_only_cold_starts_averages_every_run() -> None:
    spec = parse_input(raw_input(num=10, onlyColdStarts=True), env={})
    assert spec.discard_top_bottom == 0


def test_a_weighted_item_may_carry_other_keys() -> None:
    payload = [{"payload": {}, "weight": 1, "name": "a"}, {"payload": {"x": 1}, "weight": 3}]
    assert is_weighted(payload)
    spec = parse_input(raw_input(num=4, payload=payload), env={})
    assert spec.weighted
    assert payload_list(spec.payload, spec.weighted, spec.runs) == [b"{}"] + [b'{"x": 1}'] * 3


def test_a_json_string_payload_is_sent_as_it_is(lam: Any) -> None:
    client, stub = lam
    assert body_of('{"test": true}') == b'{"test": true}'
    assert body_of('"text"') == b'"text"'
    assert body_of("just a string") == b'"just a string"'  # not JSON: encoded, as the peer
    spec = parse_input(raw_input(num=1, payload='{"test": true}'), env={})
    expect(stub, report_line(3.0, 3), body=b'{"test": true}')
    measure(task(), spec, invoker(client, FUNCTION_ARN, wait_active=False))


def test_allowed_exceptions_are_not_failures(lam: Any) -> None:
    client, stub = lam
    spec = parse_input(raw_input(num=2, allowedExceptions=["HandledError"]), env={})
    handled = json.dumps({"errorType": "HandledError", "errorMessage": "expected"}).encode()
    for _ in range(2):
        expect(stub, report_line(3.0, 3), payload=handled, error="Unhandled")
    summary = measure(task(), spec, invoker(client, FUNCTION_ARN, wait_active=False))
    assert (summary["status"], summary["failures"], summary["averageBilledMs"]) == ("ok", 0, 3)


def test_pre_and_post_processors_run_around_each_invocation(lam: Any) -> None:
    client, stub = lam
    post = PROCESSOR_ARN + "-post"
    spec = parse_input(
        raw_input(num=1, payload={"raw": 1}, preProcessorARN=PROCESSOR_ARN, postProcessorARN=post),
        env={},
    )
    stub.add_response(
        "invoke",
        response("", payload=b'{"prepared": 1}'),
        {"FunctionName": PROCESSOR_ARN, "Payload": b'{"raw": 1}', "LogType": "Tail"},
    )
    expect(stub, report_line(3.0, 3), body=b'{"prepared": 1}', payload=b'"result"')
    stub.add_response(
        "invoke",
        response(""),
        {"FunctionName": post, "Payload": b'"result"', "LogType": "Tail"},
    )
    summary = measure(
        task(),
        spec,
        invoker(client, FUNCTION_ARN, wait_active=False),
        processor=processor_invoker(lambda _region: client),
    )
    assert summary["status"] == "ok"


def test_a_failing_pre_processor_fails_the_run_as_the_peer_does(lam: Any) -> None:
    client, stub = lam
    spec = parse_input(raw_input(num=1, preProcessorARN=PROCESSOR_ARN), env={})
    boom = json.dumps({"errorType": "KeyError", "errorMessage": "x"}).encode()
    stub.add_response(
        "invoke",
        response("", payload=boom, error="Unhandled"),
        {"FunctionName": PROCESSOR_ARN, "Payload": b"{}", "LogType": "Tail"},
    )
    with pytest.raises(ProcessorFailed, match=r"PreProcessor .*prepare failed"):
        measure(
            task(),
            spec,
            invoker(client, FUNCTION_ARN, wait_active=False),
            processor=processor_invoker(lambda _region: client),
        )


def test_a_weighted_payload_comes_from_s3() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    weighted = [{"payload": {"t": k}, "weight": w} for k, w in (("A", 10), ("B", 30), ("C", 60))]
    data = json.dumps(weighted).encode()
    with Stubber(s3) as stub:
        stub.add_response(
            "get_object",
            {"Body": StreamingBody(io.BytesIO(data), len(data))},
            {"Bucket": "my-bucket", "Key": "my-key.json"},
        )
        spec = with_s3_payload(
            parse_input(raw_input(num=10, payloadS3="s3://my-bucket/my-key.json"), env={}), s3
        )
    bodies = payload_list(spec.payload, spec.weighted, spec.runs)
    counts = {k: bodies.count(json.dumps({"t": k}).encode()) for k in "ABC"}
    assert counts == {"A": 1, "B": 3, "C": 6}  # the peer's own expectation


def test_output_results_add_per_size_stats() -> None:
    raw = raw_input(num=5, includeOutputResults=True)
    row = {
        "power": 128,
        "architecture": "x86_64",
        "status": "ok",
        "error": None,
        "averageCost": 2.1e-7,
        "averageBilledMs": 3.0,
        "averageDurationMs": 2.9,
        "totalCost": 1e-6,
    }
    out = analyze({"init": {"input": raw, "calls": 2, "tasks": [{}]}, "results": [row]})
    assert out["stats"] == [
        {"value": 128, "architecture": "x86_64", "averagePrice": 2.1e-7, "averageDuration": 2.9}
    ]
    assert "stats" not in analyze({"init": {"input": raw_input(), "calls": 2, "tasks": [{}]}})


PEER_SAMPLES = [
    # README.md, "State Machine Input"
    {"lambdaARN": FUNCTION_ARN, "powerValues": [128, 256, 512, 1024], "num": 50, "payload": {}},
    # README-EXECUTE.md, option 1 (CI/CD) and option 2 (console)
    {
        "lambdaARN": FUNCTION_ARN,
        "num": 10,
        "payload": {},
        "powerValues": [128, 256, 512],
        "autoOptimize": True,
        "autoOptimizeAlias": "prod",
        "allowedExceptions": ["HandledError"],
    },
    {
        "lambdaARN": FUNCTION_ARN,
        "powerValues": [128, 256, 512, 1024, 1536, 2048, 3008],
        "num": 50,
        "payload": {},
        "parallelInvocation": True,
        "strategy": "cost",
        "allowedExceptions": ["HandledError"],
    },
    # scripts/sample-execution-input.json
    {
        "lambdaARN": FUNCTION_ARN,
        "powerValues": [128, 256, 512, 3008],
        "num": 5,
        "payload": {},
        "parallelInvocation": True,
        "strategy": "cost",
    },
    # every documented field at once
    {
        "lambdaARN": FUNCTION_ARN,
        "num": 10,
        "payloadS3": "s3://my-bucket/my-key.json",
        "preProcessorARN": PROCESSOR_ARN,
        "postProcessorARN": PROCESSOR_ARN,
        "discardTopBottom": 0.2,
        "sleepBetweenRunsMs": 500,
        "disablePayloadLogs": True,
        "includeOutputResults": True,
        "onlyColdStarts": False,
        "dryRun": False,
    },
]


@pytest.mark.parametrize("sample", PEER_SAMPLES)
def test_the_peers_sample_inputs_run_unchanged(sample: dict[str, Any]) -> None:
    # The deployed functions carry the prices in GPUKIT_POWERTUNING_PRICES (PowerTunerArgs.prices).
    spec = parse_input(sample, env={PRICES_ENV: json.dumps(PRICES)})
    assert parse_input(spec.to_json(), env={}) == spec


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("payloadS3", "https://bucket/key"),
        ("payloadS3", "s3://bucket"),
        ("preProcessorARN", "prepare"),
        ("allowedExceptions", "HandledError"),
        ("includeOutputResults", "yes"),
    ],
)
def test_bad_peer_fields_name_the_field(field: str, value: Any) -> None:
    with pytest.raises(TuningInputError, match=f"^{field}: "):
        parse_input(raw_input(**{field: value}), env={})
