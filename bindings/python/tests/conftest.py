"""Fixtures: libtcc and the OSM stand-in from the cargo build.

The build directory (holding libtcc.so and osm-standin) is $TCC_TARGET_DIR,
else <repo>/target/debug. TCC_LIBRARY defaults to the libtcc.so there.
"""

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
BUILD_DIR = Path(os.environ.get("TCC_TARGET_DIR") or REPO / "target" / "debug").resolve()
TOKEN = "python-test-token-SECRET"

# The caller's tcc configuration must not leak into the tests, nor its
# proxies (libtcc reads them when a client is made without `proxy`).
PROXY_VARIABLES = (
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
)
for _name in list(os.environ):
    if (
        (_name.startswith("TCC_") and _name not in ("TCC_LIBRARY", "TCC_TARGET_DIR"))
        or _name.startswith("HUAWEICLOUD_")
        or _name in PROXY_VARIABLES
    ):
        del os.environ[_name]
os.environ.setdefault("TCC_LIBRARY", str(BUILD_DIR / "libtcc.so"))
sys.path.insert(0, str(REPO / "bindings" / "python"))


class Standin:
    """A running osm-standin process on 127.0.0.1."""

    def __init__(self, base_url: str, process: subprocess.Popen) -> None:
        self.base_url = base_url
        self.process = process

    def scenario(self, name: str) -> str:
        return f"{self.base_url}/scenario/{name}"


@contextlib.contextmanager
def running_standin(max_seconds: int):
    """Starts the osm-standin binary on a free port; kills it on exit."""
    binary = BUILD_DIR / "osm-standin"
    if not binary.exists():
        pytest.fail(f"{binary} is missing: run `cargo build -p osm-standin` (or bindings/python/run-tests.sh)")
    with tempfile.TemporaryDirectory(prefix="tcc-python-") as scratch:
        port_file = Path(scratch) / "port"
        env = dict(os.environ, OSM_STANDIN_TOKEN=TOKEN)
        process = subprocess.Popen(
            [str(binary), "--port-file", str(port_file), "--max-seconds", str(max_seconds)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 10
            while not port_file.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    stderr = process.stderr.read().decode() if process.poll() is not None else ""
                    pytest.fail(f"the stand-in did not start: {stderr}")
                time.sleep(0.02)
            port = int(port_file.read_text().strip())
            yield Standin(f"http://127.0.0.1:{port}", process)
        finally:
            process.kill()
            process.wait()
            process.stderr.close()


@pytest.fixture(scope="session")
def standin():
    """One stand-in for the whole session: for scenarios without state."""
    with running_standin(max_seconds=120) as server:
        yield server


@pytest.fixture
def fresh_standin():
    """A stand-in of the test's own, for stateful scenarios (``flaky-*`` count
    the requests to each name since the stand-in started)."""
    with running_standin(max_seconds=60) as server:
        yield server


@pytest.fixture
def token():
    return TOKEN
