"""Read-only kiosk tokens, one per screen, kept as SHA-256 hashes in a file.

A line is ``NAME sha256:HEX``; ``#`` starts a comment. The file holds no token itself, so it can
be read by the server's user and backed up without exposing a screen. Revoking a screen removes
its line; the server re-reads the file when it changes and closes that screen's session.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
PREFIX = "sha256:"


class TokenFileError(ValueError):
    """The token file cannot be read or has a malformed line."""


def digest(token: str) -> str:
    # Tokens are 32 random bytes: a plain hash is enough, no slow password hash is needed.
    return PREFIX + hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse(text: str, source: str) -> dict[str, str]:
    """Hash → screen name."""
    by_hash: dict[str, str] = {}
    names: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if (
            len(parts) != 2
            or not NAME.match(parts[0])
            or not re.fullmatch(r"sha256:[0-9a-f]{64}", parts[1])
        ):
            raise TokenFileError(f"{source}:{number}: expected 'NAME sha256:<64 hex digits>'")
        if parts[0] in names:
            raise TokenFileError(f"{source}:{number}: screen {parts[0]!r} listed twice")
        names.add(parts[0])
        by_hash[parts[1]] = parts[0]
    return by_hash


@dataclass
class TokenFile:
    """The token list, re-read whenever the file's modification time or size changes."""

    path: Path
    _stamp: tuple[float, int] | None = None
    _by_hash: dict[str, str] | None = None

    def current(self) -> dict[str, str]:
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime, stat.st_size)
            if stamp != self._stamp or self._by_hash is None:
                self._by_hash = parse(self.path.read_text(encoding="utf-8"), str(self.path))
                self._stamp = stamp
        except (OSError, UnicodeDecodeError) as exc:
            raise TokenFileError(f"cannot read {self.path}: {exc}") from exc
        return self._by_hash

    def screen(self, token_hash: str) -> str | None:
        """The screen a token's hash belongs to, or None (unknown, revoked or unreadable file)."""
        try:
            return self.current().get(token_hash)
        except TokenFileError:
            return None  # fail closed: an unreadable list admits nobody


def add(path: Path, name: str) -> str:
    """Add a screen and return its new token (shown once, never stored)."""
    if not NAME.match(name):
        raise TokenFileError(f"screen name {name!r}: use letters, digits, '.', '_' or '-'")
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if name in parse(text, str(path)).values():
        raise TokenFileError(f"screen {name!r} already has a token; revoke it first")
    token = secrets.token_urlsafe(32)
    if text and not text.endswith("\n"):
        text += "\n"
    path.write_text(f"{text}{name} {digest(token)}\n", encoding="utf-8")
    path.chmod(0o600)
    return token


def revoke(path: Path, name: str) -> None:
    """Remove one screen's line; every other line stays as it was."""
    text = path.read_text(encoding="utf-8")
    if name not in parse(text, str(path)).values():
        raise TokenFileError(f"no screen {name!r} in {path}")
    kept = [ln for ln in text.splitlines() if ln.split("#", 1)[0].split()[:1] != [name]]
    path.write_text("".join(f"{ln}\n" for ln in kept), encoding="utf-8")


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("add", "revoke", "list"))
    p.add_argument("name", nargs="?", help="screen name (add, revoke)")
    p.add_argument("--tokens", type=Path, required=True, help="token file (hashes only)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        if args.action == "list":
            for name in sorted(TokenFile(args.tokens).current().values()):
                print(name)
            return 0
        if not args.name:
            print(f"floorboard kiosk-token {args.action}: a screen name is needed", file=sys.stderr)
            return 2
        if args.action == "add":
            token = add(args.tokens, args.name)
            print(f"screen {args.name}: kiosk URL  http://HOST:PORT/?token={token}")
            print("the token is shown only now; the file keeps its hash")
        else:
            revoke(args.tokens, args.name)
            print(f"screen {args.name}: revoked")
    except TokenFileError as exc:
        print(f"floorboard kiosk-token: {exc}", file=sys.stderr)
        return 2
    return 0
