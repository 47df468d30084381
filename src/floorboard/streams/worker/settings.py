"""Worker-only settings (``FLOORBOARD_WORKER_*``); broker and topics are in RuntimeSettings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from floorboard.engine.day import PUBLISH_EVERY_S


class WorkerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLOORBOARD_WORKER_", extra="ignore")

    # Consumer group and prefix of the worker's own topics; workers sharing it share partitions.
    app_id: str = "floorboard-worker"
    web_host: str = "127.0.0.1"
    # deploy/prometheus.yml scrapes 6066; 0 picks a free port (the demo does, to run beside one)
    web_port: Annotated[int, Field(ge=0, le=65535)] = 6066
    # Bearer token for /kpi and /metrics (worker/auth.py); the file is read when the token is unset.
    web_token: SecretStr | None = None
    web_token_file: Path | None = None
    checkpoint_interval_s: Annotated[float, Field(gt=0)] = 1.0
    # Checkpoint early once this many keys changed, bounding the write-ahead record's size.
    checkpoint_max_keys: Annotated[int, Field(ge=1)] = 50_000
    snapshot_interval_s: Annotated[float, Field(gt=0)] = 1.0
    snapshot_min_interval_s: Annotated[float, Field(ge=0)] = 0.25
    # The drill-down's queue-day records: at most this often; boards expect them at least every
    # engine.day.PUBLISH_EVERY_S, hence the bound.
    day_records_interval_s: Annotated[float, Field(gt=0, le=PUBLISH_EVERY_S)] = PUBLISH_EVERY_S
    # Most records one fetch hands to the runtime at once (the rest wait for the next fetch).
    batch_max_records: Annotated[int, Field(ge=1)] = 500
    fetch_partition_bytes: Annotated[int, Field(ge=65536)] = 8 * 1024 * 1024  # per fetch
    # Longest a fetch waits for records; Tansu holds a fetch for about half of it (Faust: 1500).
    fetch_max_wait_ms: Annotated[int, Field(ge=1, le=10_000)] = 100
    session_timeout_s: Annotated[float, Field(ge=6)] = 10.0
    # Fixed read time (epoch ms) for replays and tests; default: wall clock or newest event time.
    read_at: int | None = None
    data_dir: Path | None = None  # Faust's datadir; a fresh temporary directory by default
    log_level: str = "info"
    log_format: Literal["text", "json"] = "text"
    # Readiness (/readyz, docs/operations.md): how long each condition may go unmet.
    ready_broker_within_s: Annotated[float, Field(gt=0)] = 15.0
    ready_lag_window_s: Annotated[float, Field(gt=0)] = 60.0
    ready_checkpoint_within_s: Annotated[float, Field(gt=0)] = 30.0
    # SIGTERM: the final checkpoint and flush get this long; then the process exits anyway (the
    # checkpointed state is exact, so the next owner re-reads whatever was not checkpointed).
    stop_timeout_s: Annotated[float, Field(gt=0, le=60)] = 8.0
