from __future__ import annotations

from floorboard.streams.worker.deadletter import DeadLetter


def test_a_dead_letter_round_trips_through_key_value_and_headers() -> None:
    letter = DeadLetter(
        reason="invalid",
        message="event e1 (contact.answered): wait_s: expected float >= 0.0",
        raw=b'{"v":1,"id":"e1"}',
        topic="floorboard.events",
        partition=3,
        offset=1234,
        key=b"oslo/contact/c1",
        batch=True,
        event_id="e1",
        event_type="contact.answered",
    )
    headers = letter.headers()
    names = [name for name, _ in headers]
    assert names == [
        "floorboard.reason", "floorboard.message", "floorboard.topic", "floorboard.partition",
        "floorboard.offset", "floorboard.batch", "floorboard.count", "floorboard.event_id",
        "floorboard.event_type",
    ]  # fmt: skip
    assert DeadLetter.from_record(letter.key, letter.raw, headers) == letter


def test_a_record_rejected_as_a_whole_carries_its_event_count() -> None:
    letter = DeadLetter(
        "too_large", "record holds 500000 events", b"[0,0", "t", 1, 9, count=500_000
    )
    assert ("floorboard.count", b"500000") in letter.headers()
    assert DeadLetter.from_record(None, letter.raw, letter.headers()).count == 500_000


def test_unknown_id_and_type_are_left_out_and_foreign_headers_ignored() -> None:
    letter = DeadLetter("malformed_json", "record is not valid JSON", b"{oops", "t", 0, 7)
    headers = [*letter.headers(), ("traceparent", b"00-abc")]
    assert not any(name.endswith(("event_id", "event_type")) for name, _ in letter.headers())
    back = DeadLetter.from_record(None, b"{oops", headers)
    assert back == letter
    assert back.raw == b"{oops"
