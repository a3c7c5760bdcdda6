"""The network keyword arguments of tcc.Client (timeouts, attempts,
redirects, proxy, trust store, head limit) and TccError.attempts, against
the OSM stand-in."""

import json
import re
import socket
import time
import urllib.request

import pytest

import tcc
from conftest import REPO

ADDRESSES = ["ops@example.com", "audit@example.com"]
API_PATH = "/v2/servicerequest/carbon-copy-emails"


def error_of(call) -> tcc.TccError:
    with pytest.raises(tcc.TccError) as caught:
        call()
    return caught.value


def fetch(**arguments):
    with tcc.Client(**arguments) as client:
        return client.fetch_cc_emails()


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_every_network_argument_reaches_libtcc(standin, token):
    cc = fetch(
        endpoint=standin.base_url,
        token=token,
        stall_timeout_ms=5_000,
        max_attempts=2,
        max_redirects=3,
        max_header_bytes=4096,
        proxy="",
        trust_store="bundled",
    )
    assert cc.addresses == ADDRESSES


# --- retries and TccError.attempts -----------------------------------------


def test_a_flaky_server_is_retried_by_default(fresh_standin, token):
    # The first two requests get HTTP 500, the third the answer.
    assert fetch(endpoint=fresh_standin.scenario("flaky-500-2"), token=token).addresses == ADDRESSES


def test_max_attempts_1_turns_retrying_off(fresh_standin, token):
    url = fresh_standin.scenario("flaky-500-2")
    error = error_of(lambda: fetch(endpoint=url, token=token, max_attempts=1))
    assert (error.code, error.http_status, error.service_code) == (tcc.ResultCode.SERVER, 500, "OSM.0004")
    assert error.attempts == 1
    # Request 2 fails, request 3 succeeds: two attempts are enough now.
    assert fetch(endpoint=url, token=token, max_attempts=2).addresses == ADDRESSES


@pytest.mark.parametrize("max_attempts, attempts", [(None, 3), (1, 1), (2, 2)])
def test_attempts_of_a_server_that_always_fails(standin, token, max_attempts, attempts):
    error = error_of(lambda: fetch(endpoint=standin.scenario("html-502"), token=token, max_attempts=max_attempts))
    assert (error.code, error.http_status) == (tcc.ResultCode.SERVER, 502)
    assert error.attempts == attempts
    assert f"attempts={attempts}" in repr(error)


def test_attempts_of_failures_not_retried(standin, token):
    assert error_of(lambda: fetch(endpoint=standin.base_url, token="wrong")).attempts == 1
    assert error_of(lambda: fetch(endpoint=standin.scenario("business-error"), token=token)).attempts == 1
    # Nothing sent: 0.
    assert error_of(lambda: tcc.Client(endpoint=standin.base_url, token=token, site=7)).attempts == 0
    assert error_of(lambda: tcc.Client(endpoint=standin.base_url)).attempts == 0
    assert tcc.TccError(tcc.ResultCode.INTERNAL, "made in Python").attempts == 0


# --- timeouts, redirects, head limit ---------------------------------------


def test_stall_timeout_ends_a_hanging_call(standin, token):
    started = time.monotonic()
    error = error_of(
        lambda: fetch(endpoint=standin.scenario("hang"), token=token, stall_timeout_ms=200, max_attempts=1)
    )
    assert error.code == tcc.ResultCode.TIMEOUT
    assert error.attempts == 1
    assert time.monotonic() - started < 5


def test_redirects_are_followed_only_when_allowed(standin, token):
    url = standin.scenario("redirect-same")
    error = error_of(lambda: fetch(endpoint=url, token=token))
    assert (error.code, error.http_status) == (tcc.ResultCode.HTTP, 302)
    assert fetch(endpoint=url, token=token, max_redirects=1).addresses == ADDRESSES


def test_max_header_bytes(standin, token):
    assert fetch(endpoint=standin.base_url, token=token, max_header_bytes=4096).addresses == ADDRESSES
    url = standin.scenario("huge-headers")
    error = error_of(lambda: fetch(endpoint=url, token=token, max_header_bytes=1_048_576))
    assert error.code == tcc.ResultCode.RESPONSE_TOO_LARGE


# --- proxy -----------------------------------------------------------------


def test_an_explicit_proxy_is_used(standin, token):
    # The stand-in is also an HTTP proxy: osm.invalid is never resolved.
    assert fetch(endpoint="http://osm.invalid", token=token, proxy=standin.base_url).addresses == ADDRESSES
    with urllib.request.urlopen(f"{standin.base_url}/_standin/requests", timeout=10) as response:
        targets = [r["target"] for r in json.load(response)]
    assert f"http://osm.invalid{API_PATH}" in targets


def test_an_empty_proxy_ignores_the_environment(standin, token, monkeypatch):
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{refused_port()}")
    # Without `proxy`, libtcc goes through the environment's (dead) proxy.
    error = error_of(lambda: fetch(endpoint=standin.base_url, token=token, max_attempts=1))
    assert error.code == tcc.ResultCode.NETWORK
    assert fetch(endpoint=standin.base_url, token=token, proxy="").addresses == ADDRESSES


# --- trust store -----------------------------------------------------------


def test_trust_store(standin, token, monkeypatch, tmp_path):
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    # "system" reads SSL_CERT_FILE when the client is made; "bundled" never does.
    error = error_of(lambda: tcc.Client(endpoint=standin.base_url, token=token, trust_store="system"))
    assert error.code == tcc.ResultCode.CONFIG
    assert fetch(endpoint=standin.base_url, token=token, trust_store="bundled").addresses == ADDRESSES


# --- refused values --------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"stall_timeout_ms": 0},
        {"stall_timeout_ms": 3_600_001},
        {"stall_timeout_ms": -1},
        {"max_attempts": 0},
        {"max_attempts": 11},
        {"max_redirects": 11},
        {"max_redirects": 2**32},
        {"max_header_bytes": 4095},
        {"max_header_bytes": 1_048_577},
        {"proxy": "socks5://127.0.0.1:1080"},
        {"proxy": "https://127.0.0.1:3128"},
        {"proxy": "http://proxy\0.example"},
        {"trust_store": "nope"},
        {"trust_store": ""},
        {"trust_store": "SYSTEM"},
    ],
    ids=repr,
)
def test_bad_values_raise_invalid_argument(standin, token, kwargs):
    error = error_of(lambda: tcc.Client(endpoint=standin.base_url, token=token, **kwargs))
    assert error.code == tcc.ResultCode.INVALID_ARGUMENT
    assert (error.http_status, error.attempts) == (0, 0)


def test_a_proxy_password_is_never_shown(standin, token):
    error = error_of(lambda: tcc.Client(endpoint=standin.base_url, token=token, proxy="http://u:s3cret@[bad"))
    assert error.code == tcc.ResultCode.INVALID_ARGUMENT
    assert "s3cret" not in repr(error)


@pytest.mark.parametrize(
    "kwargs",
    [{"max_attempts": "3"}, {"max_redirects": True}, {"stall_timeout_ms": 1.5}, {"proxy": b""}, {"trust_store": 2}],
    ids=repr,
)
def test_wrong_python_types_raise_type_error(standin, token, kwargs):
    with pytest.raises(TypeError):
        tcc.Client(endpoint=standin.base_url, token=token, **kwargs)


def test_from_env_takes_the_network_arguments(standin, token, monkeypatch):
    monkeypatch.setenv("TCC_ENDPOINT", standin.scenario("html-502"))
    monkeypatch.setenv("TCC_TOKEN", token)
    monkeypatch.setenv("TCC_MAX_ATTEMPTS", "2")
    with tcc.Client.from_env() as client:
        assert error_of(client.fetch_cc_emails).attempts == 2
    with tcc.Client.from_env(max_attempts=1) as client:
        assert error_of(client.fetch_cc_emails).attempts == 1


def test_trust_store_names_match_the_header():
    header = (REPO / "include" / "tcc.h").read_text()
    defined = dict(re.findall(r"^#define TCC_TRUST_(\w+) (\d+)$", header, re.M))
    assert {name.lower(): int(value) for name, value in defined.items()} == tcc._TRUST_STORES
