from __future__ import annotations

import pytest

from floorboard.streams.worker.offsets import STRIDE, event_offset, record_end, resume_record


def test_events_of_a_batch_get_increasing_offsets_below_the_next_record() -> None:
    offsets = [event_offset(41, i) for i in range(5)] + [event_offset(42, 0)]
    assert offsets == sorted(set(offsets))
    assert event_offset(41, 4) < record_end(41) < event_offset(42, 0)


def test_a_checkpoint_at_a_record_end_resumes_at_the_next_record() -> None:
    assert resume_record(record_end(41)) == 42
    assert resume_record(record_end(0)) == 1


def test_an_empty_state_resumes_at_the_first_record() -> None:
    assert resume_record(-1) == 0


def test_an_event_offset_inside_a_record_resumes_after_that_record() -> None:
    # a state exact at some event of record 7 has applied record 7 (records apply whole)
    assert resume_record(event_offset(7, 3)) == 8


def test_indices_beyond_the_stride_are_refused() -> None:
    with pytest.raises(ValueError):
        event_offset(1, STRIDE)
