"""Clients that never create a topic by asking about it.

aiokafka asks for metadata with ``allow_auto_topic_creation`` set, so a consumer or reader that
names a topic the broker does not hold creates it with the broker's default partition count
(4 on the embedded broker, docs/known-issues.md). After a broker restart the worker's consumer
and its source checks would recreate the events topic that way before its owner recreates it
with the right count. Their clients ask without creating; a missing topic stays missing.
"""

from __future__ import annotations

import contextvars
from typing import Any

from aiokafka import client as aiokafka_client
from aiokafka.protocol.metadata import MetadataRequest

_AUTO_CREATE: contextvars.ContextVar[bool] = contextvars.ContextVar("auto_create", default=True)


class _Request(MetadataRequest):  # type: ignore[misc]  # aiokafka is untyped
    """aiokafka's request, not creating topics while ``_AUTO_CREATE`` is off."""

    def __init__(
        self, topics: list[str] | None = None, allow_auto_topic_creation: bool | None = None
    ) -> None:
        if allow_auto_topic_creation is None and not _AUTO_CREATE.get():
            allow_auto_topic_creation = False
        super().__init__(topics, allow_auto_topic_creation)


def no_auto_create(client: Any) -> None:
    """Make ``client`` (an ``AIOKafkaClient``) ask for metadata without creating topics."""
    aiokafka_client.MetadataRequest = _Request  # the same for other clients
    update = client._metadata_update

    async def metadata_update(cluster_metadata: Any, topics: Any) -> Any:
        token = _AUTO_CREATE.set(False)
        try:
            return await update(cluster_metadata, topics)
        finally:
            _AUTO_CREATE.reset(token)

    client._metadata_update = metadata_update
