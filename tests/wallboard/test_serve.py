"""The wallboard served to browsers: kiosk URLs, read-only tokens, revocation, one board process
per screen and none left behind."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest

from floorboard.cli import main
from floorboard.wallboard.serve import BadParameter, View, view_from_query
from floorboard.wallboard.tokens import TokenFile, TokenFileError, add, revoke
from tests.helpers import free_port
from tests.wallboard.serving import open_screen, served

SITES = ("oslo", "bergen")


def test_kiosk_parameters_map_onto_the_wallboard_options() -> None:
    query = {"layout": "team", "team": "red", "site": "bergen", "rotate": "30", "theme": "light"}
    view = view_from_query(query, View(), SITES)
    assert view.argv() == [
        "--layout", "team", "--theme", "light", "--team", "red", "--site", "bergen",
        "--rotate", "30",
    ]  # fmt: skip
    page = view_from_query({"rows": "30", "shift": "0", "dim": "0.6", "token": "x"}, view, SITES)
    assert (page.rows, page.shift_min, page.dim, page.team) == (30, 0.0, 0.6, "red")
    assert view_from_query({}, View(layout="team"), SITES).argv()[:2] == ["--layout", "team"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"layout": "wall"}, "layout='wall': expected one of supervisor, team"),
        ({"site": "paris"}, "site='paris': expected one of bergen, oslo"),
        ({"rotate": "-1"}, "rotate='-1': expected a number from 0 to 3600"),
        ({"dim": "nan"}, "dim='nan': expected a number from 0.2 to 1"),
        ({"team": "red;rm -rf"}, "team='red;rm -rf'"),
        ({"teem": "red"}, "unknown parameter 'teem'"),
    ],
)
def test_bad_kiosk_parameters_are_refused_by_name(query: dict[str, str], message: str) -> None:
    with pytest.raises(BadParameter, match=message.replace("(", r"\(").replace(";", ";")):
        view_from_query(query, View(), SITES)


def test_token_file_holds_hashes_and_revoking_one_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "tokens"
    lobby, floor = add(path, "lobby"), add(path, "floor-2")
    text = path.read_text()
    assert lobby not in text and floor not in text
    tokens = TokenFile(path)
    assert sorted(tokens.current().values()) == ["floor-2", "lobby"]
    revoke(path, "lobby")
    assert list(TokenFile(path).current().values()) == ["floor-2"]
    with pytest.raises(TokenFileError, match="already has a token"):
        add(path, "floor-2")
    path.write_text(text + "tv3 md5:abc\n")
    with pytest.raises(TokenFileError, match=r"tokens:3: expected 'NAME sha256:"):
        TokenFile(path).current()


def test_open_serving_is_refused_off_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wallboard", "--serve", f"0.0.0.0:{free_port()}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs --kiosk-tokens FILE" in err


async def test_kiosk_screens_are_read_only_and_revoked_one_by_one(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens"
    lobby, floor = add(tokens, "lobby"), add(tokens, "floor-2")
    broker = f"127.0.0.1:{free_port()}"  # nothing listens: the boards say so
    with served(tmp_path, "--broker", broker, "--kiosk-tokens", str(tokens)) as server:
        async with aiohttp.ClientSession() as http:
            for query in ("", "token=wrong", f"token={lobby}&layout=wall"):
                async with http.get(f"{server.url}/?{query}") as response:
                    assert response.status in (400, 403), query
            a = await open_screen(http, server.url, f"token={lobby}&layout=team&team=red")
            b = await open_screen(http, server.url, f"token={floor}")
            for screen in (a, b):
                await screen.wait_for("CANNOT REACH THE BROKER")
                await screen.wait_for(broker)
            assert len(server.children()) == 2
            # A kiosk's keys never reach the board: "q" would quit it.
            await a.socket.send_json(["stdin", "q"])
            await asyncio.sleep(3)
            assert not a.closed and len(server.children()) == 2

            revoke(tokens, "lobby")
            deadline = time.monotonic() + 30
            while not a.closed and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            assert a.closed and not b.closed
            async with http.get(f"{server.url}/?token={lobby}") as response:
                assert response.status == 403
            async with http.get(f"{server.url}/?token={floor}") as response:
                assert response.status == 200
            while len(server.children()) != 1 and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            assert len(server.children()) == 1
            boards = server.children()
            await b.socket.close()
    log = server.log.read_text()
    assert lobby not in log and floor not in log and "GET /?" not in log
    assert all(not Path(f"/proc/{pid}").exists() for pid in boards)


def test_demo_refuses_open_serving_before_starting_anything(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tokens = tmp_path / "missing"
    assert main(["demo", "--serve", "127.0.0.1:8000", "--kiosk-tokens", str(tokens)]) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and f"--kiosk-tokens: cannot read {tokens}" in err
    assert "demo: broker" not in out  # the pipeline never started
