"""The web page in a real browser: a real uvicorn server on 127.0.0.1, headless Chromium against it.

Chromium comes from Debian's `chromium` package (`scripts/ensure-chromium.sh` installs it); the test
skips, saying so, only when no Chromium binary exists on the machine (under CI=true that fails).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from services import require_service
from test_serve import seed_store

from pipelines.commands.serve.app import ServeSettings, create_app

pytestmark = pytest.mark.slow

WIDTH, HEIGHT = 1280, 900
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    f"--window-size={WIDTH},{HEIGHT}",
]


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    require_service(
        "Chromium", "no chromium binary on PATH; run scripts/ensure-chromium.sh (apt-get install chromium)"
    )


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    """The app served by uvicorn on a free 127.0.0.1 port (in a thread), stopped afterwards."""
    url = f"sqlite:///{tmp_path / 'buysignal.db'}"
    segments, _token = seed_store(url)
    app = create_app(ServeSettings(store_url=url, segments=segments))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    # Waiting for readiness, not timing anything: a polling loop with a generous cap.
    for _ in range(600):
        if server.started or not thread.is_alive():
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def run_chromium(*args: str) -> subprocess.CompletedProcess[str]:
    binary = chromium_binary()
    with tempfile.TemporaryDirectory(prefix="buysignal-chromium-") as profile:
        return subprocess.run(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )


def test_chromium_renders_the_segments_page(live_server: str, tmp_path: Path):
    chromium_binary()
    png = tmp_path / "page.png"
    shot = run_chromium(f"--screenshot={png}", live_server)
    assert png.is_file(), f"chromium made no screenshot (exit {shot.returncode}): {shot.stderr[-2000:]}"

    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (WIDTH, HEIGHT)
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=WIDTH * HEIGHT)
        assert colours is not None and len(colours) > 50, "the screenshot looks blank"
        # The page's dark header band (#1d2330) across the top: the stylesheet was applied.
        header = rgb.getpixel((WIDTH - 5, 5))
        assert header == (0x1D, 0x23, 0x30), header
        # Mostly the white page, but not only: text and the segment cards are drawn on it.
        white = next((n for n, c in colours if c == (255, 255, 255)), 0)
        assert 0.3 < white / (WIDTH * HEIGHT) < 0.98

    dom = run_chromium("--dump-dom", live_server)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    for name, count in [("funding_30d", 2), ("new_marketing_leader_90d", 1), ("any_trigger_7d", 2)]:
        assert f'data-segment="{name}" data-count="{count}"' in html
        assert f'<div class="count">{count}</div>' in html
    assert "Latest triggers" in html
    assert "Acme Robotics raises $25M Series B" in html
    assert 'name="token"' not in html  # no login asked of a local browser
