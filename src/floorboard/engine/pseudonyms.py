"""Agent pseudonyms: a keyed HMAC of site, agent and local day, so records carry no agent id.

Without the key nobody can link a pseudonym to the roster (an unkeyed hash of a known id can be
recomputed by anyone who has the roster). The day is in the input, so pseudonyms change every
local day and a single day's figures cannot be joined with another's.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
from zoneinfo import ZoneInfo

from pydantic import SecretStr

# One purpose per pseudonym: the quality key and the on-screen name of the same agent differ.
QUALITY = "quality"
DISPLAY = "display"


def local_day(ts_ms: int, zone: ZoneInfo) -> dt.date:
    return dt.datetime.fromtimestamp(ts_ms / 1000, zone).date()


def pseudonym(key: SecretStr, purpose: str, site: str, agent: str, day: dt.date) -> str:
    return _pseudonym(key.get_secret_value(), purpose, site, agent, day)


# Every snapshot names the same agents again (about 12 µs per HMAC): remembered, it costs a lookup.
@functools.lru_cache(maxsize=1 << 16)
def _pseudonym(key: str, purpose: str, site: str, agent: str, day: dt.date) -> str:
    message = f"{purpose}|{site}|{agent}|{day.isoformat()}".encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    return digest[:16] if purpose == QUALITY else f"agent-{digest[:6]}"
