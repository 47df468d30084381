"""A small HTTP receiver for webhooks: POST a body, get the outcome of each record in it.

The body is read up to ``max_body`` bytes; a larger one is answered 413 and its first
``max_body`` bytes are dead-lettered (reason ``too_large``). The response is sent only after the
events and dead letters are delivered, so a 2xx means nothing is lost. ``GET /metrics`` serves
the adapter's counts; ``GET /livez`` answers 200 while the process runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from floorboard.sources.outcome import Mapped
from floorboard.sources.output import DeadRecord, IngestCounts, Output

# (body, receive time in epoch ms) → per record in the body: its result and its bytes
BodyMapper = Callable[[bytes, int], list[tuple[Mapped, bytes]]]
# (headers, body) → why the request is not authentic, or None
Verifier = Callable[[Mapping[str, str], bytes], str | None]


def build_app(
    source: str,
    path: str,
    mapper: BodyMapper,
    output: Output,
    counts: IngestCounts,
    max_body: int,
    verify: Verifier | None = None,
    delivered: Callable[[], None] | None = None,
) -> web.Application:
    """``verify`` rejects forged requests (401, counted as ``bad_signature``, not dead-lettered:
    they are no source's records); ``delivered`` runs after each delivery (saving state)."""
    registry = CollectorRegistry(auto_describe=True)
    registry.register(counts)

    async def receive(request: web.Request) -> web.Response:
        peer = request.remote or "unknown"
        raw = b""
        while len(raw) <= max_body:
            chunk = await request.content.read(max_body + 1 - len(raw))
            if not chunk:
                break
            raw += chunk
        if len(raw) > max_body:
            message = f"body larger than {max_body} bytes (first {max_body} kept)"
            counts.add(source, "rejected", "too_large")
            await output.write([], [DeadRecord(raw[:max_body], "too_large", message, peer)])
            return web.json_response({"error": message}, status=413)
        if verify is not None:
            problem = verify(request.headers, raw)
            if problem is not None:
                counts.add(source, "rejected", "bad_signature")
                return web.json_response({"error": problem}, status=401)
        pairs = mapper(raw, int(time.time() * 1000))
        results = [r for r, _ in pairs]
        events = [e for r in results for e in r.events]
        dead = [
            DeadRecord(b, r.reason, r.message, peer) for r, b in pairs if r.outcome == "rejected"
        ]
        await output.write(events, dead)
        if delivered is not None:
            delivered()
        for r in results:
            counts.add(source, r.outcome, r.reason)
        body = {
            "mapped": sum(r.outcome == "mapped" for r in results),
            "ignored": sum(r.outcome == "ignored" for r in results),
            "rejected": [
                {"index": i, "reason": r.reason, "message": r.message}
                for i, r in enumerate(results)
                if r.outcome == "rejected"
            ],
        }
        status = 400 if results and all(r.outcome == "rejected" for r in results) else 202
        return web.json_response(body, status=status)

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(
            body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    async def livez(_: web.Request) -> web.Response:
        return web.json_response({"live": True})

    app = web.Application(client_max_size=max_body + 1)
    app.router.add_post(path, receive)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/livez", livez)
    return app
