"""A TLS terminator on the standard library's ``ssl``: TLS in on one port, plain bytes out to a
loopback port. The embedded broker (Tansu) cannot serve TLS that aiokafka accepts, so
``EmbeddedBroker(tls=...)`` puts this in front of it (docs/security.md says why not stunnel).

The relay runs its own event loop in a daemon thread, so it serves clients whatever the calling
thread does, and copies bytes without reading the Kafka protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
CHUNK = 256 * 1024


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert), str(key))
    return context


class TlsRelay:
    def __init__(
        self, host: str, port: int, target: tuple[str, int], context: ssl.SSLContext
    ) -> None:
        self.host, self.port, self.target, self.context = host, port, target, context
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.refused = 0  # handshakes that failed: plaintext clients, clients not trusting us

    def start(self, timeout: float = 10.0) -> None:
        self._thread = threading.Thread(target=self._run, name="floorboard-tls-relay", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise OSError(f"TLS relay on {self.host}:{self.port} did not start")
        if self._error is not None:
            raise OSError(f"TLS relay on {self.host}:{self.port}: {self._error}")

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        loop.set_exception_handler(self._loop_error)
        try:
            self._server = loop.run_until_complete(
                asyncio.start_server(
                    self._serve, self.host, self.port, ssl=self.context,
                    ssl_handshake_timeout=10.0,
                )
            )  # fmt: skip
        except OSError as exc:
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    def _loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if isinstance(context.get("exception"), (ssl.SSLError, ConnectionError)):
            self.refused += 1  # a refused handshake is the point of TLS, not an error here
            log.debug("TLS relay: %s", context.get("exception"))
            return
        loop.default_exception_handler(context)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(
            _pipe(reader, upstream_writer), _pipe(upstream_reader, writer), return_exceptions=True
        )

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or loop.is_closed():
            return

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            current = asyncio.current_task()
            tasks = [task for task in asyncio.all_tasks() if task is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            loop.stop()

        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            asyncio.run_coroutine_threadsafe(shutdown(), loop)
        thread.join(10)
        self._loop = self._thread = None


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(CHUNK):
            writer.write(chunk)
            await writer.drain()
    finally:
        writer.close()
