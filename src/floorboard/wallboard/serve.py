"""The wallboard in a browser: textual-serve runs one wallboard process per connected screen.

A screen's URL carries its kiosk parameters (layout, team, site, rotation, theme, text rows, pixel
shift, dimming) and, when the server has a token file, its read-only token. The token is checked
when the page loads and again every few seconds while the screen is connected, so revoking a
screen closes its session; it never reaches a child process's arguments or the access log.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import logging
import math
import re
import secrets
import shlex
import sys
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import WSMsgType, web
from aiohttp.abc import AbstractAccessLogger
from textual_serve.app_service import AppService
from textual_serve.server import Server

from floorboard.config import RuntimeSettings, load_config
from floorboard.wallboard.tokens import TokenFile, TokenFileError, digest

log = logging.getLogger(__name__)
WEB = Path(str(files(__package__) / "web"))
SESSION_TTL_S = 60.0  # a page must open its socket this soon after loading
TOKEN_CHECK_S = 2.0
STOP_TIMEOUT_S = 5.0
SILENCE_S = 30  # the page gives up on a socket that has not answered its pings this long
# The font's line height over its size in the browser terminal (Roboto Mono, xterm.js).
LINE_HEIGHT = 1.2
NAME = re.compile(r"^[\w. -]{1,64}$")
BACKGROUND = {"dark": "#121212", "light": "#e0e0e0"}


class BadParameter(ValueError):
    """A kiosk URL parameter with a value the board cannot use."""


@dataclass(frozen=True)
class View:
    """What one screen shows and how: the wallboard's options plus the page's own."""

    layout: str = "supervisor"
    team: str | None = None
    site: str | None = None
    rotate: float | None = None
    theme: str = "dark"
    rows: int = 45
    shift_min: float = 20.0
    dim: float = 1.0

    def argv(self) -> list[str]:
        """The wallboard options for this view."""
        out = ["--layout", self.layout, "--theme", self.theme]
        if self.team:
            out += ["--team", self.team]
        if self.site:
            out += ["--site", self.site]
        if self.rotate:
            out += ["--rotate", f"{self.rotate:g}"]
        return out


def _number(name: str, text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not low <= value <= high:  # also refuses nan and inf
        raise BadParameter(f"{name}={text!r}: expected a number from {low:g} to {high:g}")
    return value


def _choice(name: str, text: str, choices: Collection[str]) -> str:
    if text not in choices:
        raise BadParameter(f"{name}={text!r}: expected one of {', '.join(sorted(choices))}")
    return text


def view_from_query(query: Mapping[str, str], default: View, sites: Collection[str]) -> View:
    """The screen's view: the server's defaults, overridden by the URL's kiosk parameters."""
    parsers: dict[str, Callable[[str], dict[str, Any]]] = {
        "layout": lambda v: {"layout": _choice("layout", v, ("supervisor", "team"))},
        "team": lambda v: {"team": v if NAME.match(v) else _bad("team", v)},
        "site": lambda v: {"site": _choice("site", v, sites)},
        "rotate": lambda v: {"rotate": _number("rotate", v, 0, 3600) or None},
        "theme": lambda v: {"theme": _choice("theme", v, tuple(BACKGROUND))},
        "rows": lambda v: {"rows": int(_number("rows", v, 20, 200))},
        "shift": lambda v: {"shift_min": _number("shift", v, 0, 24 * 60)},
        "dim": lambda v: {"dim": _number("dim", v, 0.2, 1.0)},
        "token": lambda v: {},
    }
    changes: dict[str, Any] = {}
    for key, value in query.items():
        if key not in parsers:
            raise BadParameter(f"unknown parameter {key!r}; known: {', '.join(sorted(parsers))}")
        changes.update(parsers[key](value))
    return replace(default, **changes)


def _bad(name: str, value: str) -> str:
    raise BadParameter(f"{name}={value!r}: letters, digits, space, '.', '_' or '-', up to 64")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PathOnlyAccessLog(AbstractAccessLogger):
    """Method, path and status: never the query string, which holds a screen's token."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        path = "/ws/…" if request.path.startswith("/ws/") else request.path
        self.logger.info("%s %s %s %.3fs", request.method, path, response.status, time)


@dataclass
class Session:
    view: View
    token_hash: str | None  # None: an open server on loopback
    created: float


class BoardServer(Server):
    """textual-serve's server with kiosk URLs, tokens and pages that reconnect by themselves."""

    def __init__(
        self,
        board_argv: list[str],
        default: View,
        sites: Collection[str],
        host: str,
        port: int,
        tokens: TokenFile | None,
    ) -> None:
        super().__init__(shlex.join(board_argv), host, port, title="Floorboard", templates_path=WEB)
        self.board_argv = board_argv
        self.default = default
        self.sites = sites
        self.tokens = tokens
        self.pending: dict[str, Session] = {}
        self.live: dict[web.WebSocketResponse, Session] = {}
        self._watcher: asyncio.Task[None] | None = None

    async def _make_app(self) -> web.Application:
        app = web.Application()
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(WEB))
        app.add_routes(
            [
                web.get("/", self.handle_index),
                web.get("/ping", self.handle_ping),
                web.get("/ws/{session}", self.handle_websocket),
                web.static("/static", self.statics_path),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_startup(self, app: web.Application) -> None:
        self._watcher = asyncio.create_task(self._watch_tokens())
        access = f"{len(self.tokens.current())} kiosk tokens" if self.tokens else "open, loopback"
        print(f"wallboard: serving on {self.public_url}/ ({access})", flush=True)

    async def on_shutdown(self, app: web.Application) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
        for socket in list(self.live):
            await socket.close()

    def serve(self, debug: bool = False) -> None:
        self.initialize_logging()
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            access_log_class=PathOnlyAccessLog,
            print=lambda *_: None,
        )

    async def handle_ping(self, request: web.Request) -> web.Response:
        return web.Response(status=204, headers={"Cache-Control": "no-store"})

    async def handle_index(self, request: web.Request) -> web.Response:
        try:
            view = view_from_query(request.query, self.default, self.sites)
        except BadParameter as exc:
            return self._refuse(request, 400, str(exc))
        token_hash = None
        if self.tokens is not None:
            token_hash = digest(request.query.get("token", ""))
            if self.tokens.screen(token_hash) is None:
                return self._refuse(request, 403, "This screen's kiosk token is not valid.")
        now = time.monotonic()
        self.pending = {k: s for k, s in self.pending.items() if now - s.created < SESSION_TTL_S}
        session = secrets.token_urlsafe(18)
        self.pending[session] = Session(view, token_hash, now)
        context = {
            "title": self.title,
            "session": session,
            "rows": view.rows,
            "line_height": LINE_HEIGHT,
            "margin": 4 if view.shift_min else 0,
            "shift_s": round(view.shift_min * 60),
            "dim": view.dim,
            "background": BACKGROUND[view.theme],
            "silence_s": SILENCE_S,
        }
        response = aiohttp_jinja2.render_template("board.html", request, context)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"  # the URL holds the token
        return response

    def _refuse(self, request: web.Request, status: int, reason: str) -> web.Response:
        return aiohttp_jinja2.render_template(
            "refused.html", request, {"reason": reason}, status=status
        )

    def _admitted(self, session: Session) -> bool:
        return session.token_hash is None or (
            self.tokens is not None and self.tokens.screen(session.token_hash) is not None
        )

    async def _watch_tokens(self) -> None:
        """Close the sessions of screens whose token was revoked."""
        while True:
            await asyncio.sleep(TOKEN_CHECK_S)
            for socket, session in list(self.live.items()):
                if not self._admitted(session):
                    log.info("closing a session: its kiosk token was revoked")
                    await socket.close()

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        session = self.pending.pop(request.match_info["session"], None)
        if session is None or time.monotonic() - session.created > SESSION_TTL_S:
            raise web.HTTPForbidden(text="unknown or expired session; reload the page\n")
        if not self._admitted(session):
            raise web.HTTPForbidden(text="kiosk token revoked\n")
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _size(request.query.get("width"), 80)
        height = _size(request.query.get("height"), 24)
        await websocket.prepare(request)
        service = AppService(
            # exec: the shell becomes the board, so the process reaped below is the board itself.
            "exec " + shlex.join([*self.board_argv, *session.view.argv()]),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=lambda: _close(websocket),
            download_manager=self.download_manager,
        )
        self.live[websocket] = session
        try:
            await service.start(width, height)
            await self._relay(websocket, service, read_only=session.token_hash is not None)
        finally:
            del self.live[websocket]
            await _stop(service)
        return websocket

    async def _relay(
        self, websocket: web.WebSocketResponse, service: AppService, read_only: bool
    ) -> None:
        """The browser's messages to the app; a kiosk screen's keystrokes are dropped."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            envelope = message.json()
            kind = envelope[0] if isinstance(envelope, list) and envelope else None
            if kind == "stdin" and not read_only:
                await service.send_bytes(str(envelope[1]).encode("utf-8"))
            elif kind == "resize":
                size = envelope[1]
                await service.set_terminal_size(
                    _size(size.get("width"), 80), _size(size.get("height"), 24)
                )
            elif kind == "ping":
                await websocket.send_json(["pong", envelope[1]])


async def _stop(service: AppService) -> None:
    """Ask the board to quit, then make sure its process is gone.

    textual-serve stops reading a board's output once the browser has gone; a board blocked on
    that full pipe never sees the quit request, so it is terminated, and killed if it must be.
    """
    with contextlib.suppress(Exception):  # the process may be gone already
        await asyncio.wait_for(service.stop(), STOP_TIMEOUT_S)
    process = service._process
    if process is None or process.returncode is not None:
        return
    for signal_process in (process.terminate, process.kill):
        with contextlib.suppress(ProcessLookupError):
            signal_process()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
            return


async def _close(websocket: web.WebSocketResponse) -> None:
    await websocket.close()


def _size(value: object, default: int) -> int:
    try:
        return max(10, min(1000, int(str(value))))
    except ValueError:
        return default


def refusal(args: argparse.Namespace) -> str | None:
    """Why ``--serve`` cannot start with these arguments (checked before anything starts)."""
    host, port = args.serve
    if args.kiosk_tokens is not None:
        try:
            TokenFile(args.kiosk_tokens).current()
        except TokenFileError as exc:
            return f"--kiosk-tokens: {exc}"
    elif not is_loopback(host):
        return (
            f"--serve {host}:{port}: a non-loopback address needs --kiosk-tokens FILE "
            "(floorboard kiosk-token add NAME --tokens FILE)"
        )
    return None


def serve(args: argparse.Namespace, settings: RuntimeSettings, config_path: Path) -> int:
    """``--serve HOST:PORT``: serve until interrupted; one line on stderr for a bad setting."""
    host, port = args.serve
    if error := refusal(args):
        return _fail(error)
    tokens = None if args.kiosk_tokens is None else TokenFile(args.kiosk_tokens)
    sites = tuple(load_config(config_path).sites)
    if args.site is not None and args.site not in sites:
        return _fail(f"--site {args.site!r}: not a configured site ({', '.join(sites)})")
    board = [
        sys.executable, "-m", "floorboard.cli", "wallboard", "--config", str(config_path),
        "--broker", settings.broker, "--stale-after", f"{args.stale_after:g}",
    ]  # fmt: skip
    if args.ticker is not None:
        board += ["--ticker", str(args.ticker.resolve())]
    default = View(args.layout, args.team, args.site, args.rotate, args.theme)
    try:
        BoardServer(board, default, sites, host, port, tokens).serve()
    except OSError as exc:
        return _fail(f"--serve {host}:{port}: {exc.strerror or exc}")
    return 0


def _fail(message: str) -> int:
    print(f"floorboard: {message}", file=sys.stderr)
    return 2
