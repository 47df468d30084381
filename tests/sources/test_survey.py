"""``ingest survey``: the documented JSON body → survey.response, and the HTTP receiver."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer

from floorboard.events.codec import decode_event, encode
from floorboard.sources.output import IngestCounts, JsonlOutput
from floorboard.sources.receiver import build_app
from floorboard.sources.survey import map_body

NOW = 1795510000000


def mapped(body: Any) -> list[tuple[str, str, list[dict[str, Any]]]]:
    out: list[tuple[str, str, list[dict[str, Any]]]] = []
    for result, _ in map_body(orjson.dumps(body), "oslo", NOW):
        events = [msgspec.json.decode(encode(e)) for e in result.events]
        out.append((result.outcome, result.reason, events))
    return out


def test_an_answer_becomes_a_survey_response() -> None:
    body = {"contact_id": "1795503610.2", "csat": 4, "nps": 9, "ces": 2, "fcr": True,
            "responded_at": "2026-11-24T09:14:03+01:00", "response_id": "tf-8f3a"}  # fmt: skip
    assert mapped(body) == [
        ("mapped", "answer", [{
            "type": "survey.response", "v": 1, "id": "srv-tf-8f3a", "ts": 1795508043000,
            "site": "oslo", "contact_id": "1795503610.2", "csat": 4, "nps": 9, "fcr": True,
            "ces": 2,
        }])
    ]  # fmt: skip


def test_without_a_time_or_id_the_receipt_time_and_a_stable_hash() -> None:
    body = [{"contact_id": "c-1", "nps": 10}, {"contact_id": "c-1", "nps": 10}]
    (_, _, [first]), (_, _, [second]) = mapped(body)
    assert first["ts"] == NOW
    assert first["id"] == second["id"]  # the same answer posted twice is a duplicate
    assert first["id"] != mapped({"contact_id": "c-1", "nps": 9})[0][2][0]["id"]
    event = map_body(orjson.dumps(body[0]), "oslo", NOW)[0][0].events[0]
    assert decode_event(encode(event)) == event


@pytest.mark.parametrize(
    ("body", "reason", "message"),
    [
        ({"csat": 4}, "invalid", "contact_id: required string of 1-128 characters"),
        ({"contact_id": "c", "csat": 6}, "invalid", "csat: expected an integer 1-5, got 6"),
        ({"contact_id": "c", "nps": True}, "invalid", "nps: expected an integer 0-10, got True"),
        ({"contact_id": "c", "fcr": "yes"}, "invalid", "fcr: expected true or false, got 'yes'"),
        ({"contact_id": "c"}, "invalid", "csat/nps/ces/fcr: at least one answer is required"),
        ({"contact_id": "c", "csat": 3, "comment": "x"}, "unknown_field", "comment: unknown field"),
        ({"contact_id": "c", "csat": 3, "responded_at": "2026-11-24T09:14"}, "invalid",
         "responded_at: RFC 3339 with an offset, or epoch milliseconds"),
        (7, "not_an_object", "an answer must be a JSON object, not int"),
    ],
)  # fmt: skip
def test_bad_answers_are_rejected_with_the_field(body: Any, reason: str, message: str) -> None:
    [(result, raw)] = map_body(orjson.dumps(body), "oslo", NOW)
    assert (result.outcome, result.reason, result.message) == ("rejected", reason, message)
    assert raw == orjson.dumps(body)


async def test_the_receiver_delivers_and_dead_letters(tmp_path: Path) -> None:
    out = tmp_path / "surveys.jsonl"
    output = JsonlOutput.open(out, None, "survey", append=False)
    counts = IngestCounts()

    def mapper(raw: bytes, now: int) -> Any:
        return map_body(raw, "oslo", now)

    app = build_app("survey", "/survey", mapper, output, counts, max_body=200)
    async with TestClient(TestServer(app)) as client:
        ok = await client.post(
            "/survey", data=orjson.dumps([{"contact_id": "c-1", "csat": 5}, {"csat": 2}])
        )
        assert ok.status == 202
        assert await ok.json() == {
            "mapped": 1, "ignored": 0,
            "rejected": [{"index": 1, "reason": "invalid",
                          "message": "contact_id: required string of 1-128 characters"}],
        }  # fmt: skip
        bad = await client.post("/survey", data=b"{not json")
        assert bad.status == 400
        big = await client.post("/survey", data=b"[" + b'{"contact_id":"c","csat":1},' * 20 + b"]")
        assert big.status == 413
        metrics = await (await client.get("/metrics")).text()
    await output.close()
    assert [orjson.loads(x)["contact_id"] for x in out.read_bytes().splitlines()] == ["c-1"]
    dead = [
        orjson.loads(x) for x in (tmp_path / "surveys.jsonl.deadletter").read_bytes().splitlines()
    ]
    assert [d["reason"] for d in dead] == ["invalid", "malformed_json", "too_large"]
    assert base64.b64decode(dead[0]["raw_base64"]) == b'{"csat":2}'
    assert len(base64.b64decode(dead[2]["raw_base64"])) == 200
    assert (
        'floorboard_ingest_records_total{outcome="rejected",reason="too_large",source="survey"} 1.0'
        in metrics
    )
    assert (
        'floorboard_ingest_records_total{outcome="mapped",reason="answer",source="survey"} 1.0'
        in metrics
    )


def test_ingest_survey_listens_until_sigterm(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.helpers import free_port

    port, out = free_port(), tmp_path / "s.jsonl"
    child = subprocess.Popen(
        [sys.executable, "-m", "floorboard.cli", "ingest", "survey", "--listen",
         f"127.0.0.1:{port}", "--site", "oslo", "--out", str(out)],
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        body = orjson.dumps({"contact_id": "c-9", "ces": 3, "response_id": "r1"})
        request = urllib.request.Request(f"http://127.0.0.1:{port}/survey", data=body)
        deadline = time.monotonic() + 60
        while True:
            assert child.poll() is None
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert response.status == 202
                    break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
    finally:
        child.terminate()
        _, err = child.communicate(timeout=30)
    assert child.returncode == 0, err
    assert orjson.loads(out.read_bytes())["id"] == "srv-r1"
    assert b"ingest survey: mapped 1, ignored 0, rejected 0" in err


def test_a_bad_listen_address_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from floorboard.cli import main

    assert (
        main(["ingest", "survey", "--listen", "nowhere", "--site", "oslo", "--out", "/dev/null"])
        == 2
    )
    assert (
        capsys.readouterr().err.strip()
        == "floorboard ingest survey: --listen: HOST:PORT, not 'nowhere'"
    )
