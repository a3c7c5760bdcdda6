"""The Python binding against the OSM stand-in, through the real libtcc."""

import gc
import os
import re
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import tcc
from conftest import REPO

ADDRESSES = ["ops@example.com", "audit@example.com"]
USER_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
CUSTOMER_ID = "cust-4242"
CC_EMAIL = "ops@example.com;audit@example.com"


def header() -> str:
    return (REPO / "include" / "tcc.h").read_text()


def cargo_version() -> str:
    manifest = (REPO / "Cargo.toml").read_text()
    return re.search(r'^version = "([^"]+)"', manifest, re.M).group(1)


def error_of(call) -> tcc.TccError:
    with pytest.raises(tcc.TccError) as caught:
        call()
    return caught.value


# --- success ---------------------------------------------------------------


def test_fetch_returns_addresses_and_the_last_record(standin, token):
    with tcc.Client(endpoint=standin.base_url, token=token) as client:
        cc = client.fetch_cc_emails()
    assert cc == tcc.CcEmails(
        addresses=ADDRESSES,
        last_record=tcc.CcRecord(user_id=USER_ID, customer_id=CUSTOMER_ID, cc_email=CC_EMAIL),
    )


def test_json_is_the_normalised_dict(standin, token):
    with tcc.Client(endpoint=standin.scenario("array"), token=token) as client:
        assert client.fetch_cc_emails_json() == {
            "cc_email_info": {"user_id": USER_ID, "customer_id": CUSTOMER_ID, "cc_email": CC_EMAIL},
            "mc_email_infos": ADDRESSES,
        }
    with tcc.Client(endpoint=standin.scenario("null"), token=token) as client:
        assert client.fetch_cc_emails_json() == {"cc_email_info": None, "mc_email_infos": []}


def test_missing_record_and_fields_are_none(standin, token):
    with tcc.Client(endpoint=standin.scenario("null"), token=token) as client:
        assert client.fetch_cc_emails() == tcc.CcEmails(addresses=[], last_record=None)
    with tcc.Client(endpoint=standin.scenario("null-fields"), token=token) as client:
        record = client.fetch_cc_emails().last_record
    assert record == tcc.CcRecord(user_id=None, customer_id=None, cc_email=CC_EMAIL)


def test_non_ascii_text_round_trips(standin, token):
    with tcc.Client(endpoint=standin.scenario("non-ascii"), token=token) as client:
        cc = client.fetch_cc_emails()
    assert cc.addresses == ["张伟@例子.中国", "josé@exámple.com"]
    assert cc.last_record.cc_email == "张伟@例子.中国;josé@exámple.com 📧"


def test_optional_settings_are_accepted(standin, token):
    client = tcc.Client(
        endpoint=standin.base_url,
        token=token,
        language="en-us",
        time_zone="GMT+2",
        site=1,
        timeout_ms=20_000,
        connect_timeout_ms=5_000,
        max_response_bytes=65_536,
    )
    assert client.fetch_cc_emails().addresses == ADDRESSES
    client.close()


# --- errors ----------------------------------------------------------------


def test_a_wrong_token_raises_with_the_whole_detail(standin):
    with tcc.Client(endpoint=standin.base_url, token="not-the-token") as client:
        error = error_of(client.fetch_cc_emails)
    assert error.code == tcc.ResultCode.AUTH == 20
    assert error.http_status == 401
    assert error.service_code == "APIGW.0301"
    assert error.service_message
    assert error.request_id
    assert str(error) == error.message and error.message.startswith("HTTP 401: APIGW.0301")
    assert "not-the-token" not in repr(error) + str(error)


def test_a_business_error_in_http_200_is_a_service_error(standin, token):
    with tcc.Client(endpoint=standin.scenario("business-error"), token=token) as client:
        error = error_of(client.fetch_cc_emails_json)
    assert (error.code, error.http_status) == (tcc.ResultCode.SERVICE, 200)
    assert (error.service_code, error.service_message) == ("OSM.01010002", "No operation permission")


@pytest.mark.parametrize(
    "scenario, code, status",
    [
        ("forbidden", tcc.ResultCode.AUTH, 403),
        ("throttled", tcc.ResultCode.THROTTLED, 429),
        ("internal-error", tcc.ResultCode.SERVER, 500),
        ("html-502", tcc.ResultCode.SERVER, 502),
        ("bad-request", tcc.ResultCode.SERVICE, 400),
        ("not-json", tcc.ResultCode.BAD_RESPONSE, 200),
        ("huge", tcc.ResultCode.RESPONSE_TOO_LARGE, 200),
    ],
)
def test_each_failure_class(standin, token, scenario, code, status):
    with tcc.Client(endpoint=standin.scenario(scenario), token=token) as client:
        error = error_of(client.fetch_cc_emails)
    assert (error.code, error.http_status) == (code, status)
    assert error.request_id


def test_a_refused_connection_is_a_network_error(token):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tcc.Client(endpoint=f"http://127.0.0.1:{port}", token=token) as client:
        error = error_of(client.fetch_cc_emails)
    assert error.code == tcc.ResultCode.NETWORK
    assert (error.http_status, error.service_code, error.request_id) == (0, None, None)


def test_values_libtcc_refuses_raise_invalid_argument(standin, token):
    for kwargs in (
        {"site": 7},
        {"token": "tok\0en"},
        {"region": "mars-north-1"},
        {"language": "en\r\nX-Evil: 1"},
        {"timeout_ms": 0},
        {"timeout_ms": -1},
        {"timeout_ms": 2**40},
    ):
        arguments = {"endpoint": standin.base_url, "token": token, **kwargs}
        error = error_of(lambda: tcc.Client(**arguments))
        assert error.code == tcc.ResultCode.INVALID_ARGUMENT, kwargs
        assert error.http_status == 0
    assert "cn-south-1" in error_of(lambda: tcc.Client(region="mars-north-1", token=token)).message


def test_python_type_errors_raise_type_error(standin, token):
    with pytest.raises(TypeError):
        tcc.Client(endpoint=standin.base_url, token=b"bytes")
    with pytest.raises(TypeError):
        tcc.Client(endpoint=standin.base_url, token=token, site="1")
    with pytest.raises(TypeError):
        tcc.Client(endpoint=standin.base_url, token=token, timeout_ms=True)


def test_missing_configuration_is_a_config_error(standin, token):
    assert error_of(lambda: tcc.Client(endpoint=standin.base_url)).code == tcc.ResultCode.CONFIG
    assert error_of(lambda: tcc.Client(token=token)).code == tcc.ResultCode.CONFIG


def test_credentials_of_several_kinds_are_refused(standin, token):
    with pytest.raises(ValueError, match="one kind of credentials"):
        tcc.Client(endpoint=standin.base_url, token=token, ak="AK", sk="SK")
    with pytest.raises(ValueError, match="go together"):
        tcc.Client(endpoint=standin.base_url, ak="AK")
    with pytest.raises(ValueError, match="go together"):
        tcc.Client(endpoint=standin.base_url, iam_user="u", iam_password="p")
    with pytest.raises(ValueError, match="go with ak and sk"):
        tcc.Client(endpoint=standin.base_url, token=token, domain_id="d")


# The osm-standin binary's demo credentials (osm-standin/src/data.rs).
AK = "TCCDEMOAK00000000001"
SK = "tccDemoSecretKey0000000000000000000000001"
TEMP_AK = "TCCDEMOTEMPAK0000002"
TEMP_SK = "tccDemoTemporarySecretKey000000000000002"
SECURITY_TOKEN = "gQpjbi1zb3V0aC0x+tcc/demo/security/token=="
DOMAIN_ID = "7c3a6e2b9d1f40e58a0b1c2d3e4f5a6b"
DOMAIN_NAME = "tcc-demo-account"
IAM_USER = "tcc-demo-user"
IAM_PASSWORD = "Demo-Passw0rd!"


@pytest.mark.parametrize(
    "credentials",
    [
        {"ak": AK, "sk": SK, "domain_id": DOMAIN_ID},
        {"ak": AK, "sk": SK},  # the domain id is looked up from IAM
        {"ak": TEMP_AK, "sk": TEMP_SK, "security_token": SECURITY_TOKEN, "domain_id": DOMAIN_ID},
        {"iam_user": IAM_USER, "iam_password": IAM_PASSWORD, "iam_domain": DOMAIN_NAME},
    ],
    ids=["aksk", "aksk-domain-lookup", "temporary-aksk", "iam-password"],
)
def test_every_kind_of_credentials(standin, credentials):
    with tcc.Client(endpoint=standin.base_url, iam_endpoint=standin.base_url, **credentials) as client:
        assert client.fetch_cc_emails().addresses == ADDRESSES


def test_a_wrong_secret_key_is_an_auth_error_that_never_shows_it(standin):
    with tcc.Client(endpoint=standin.base_url, ak=AK, sk="not-the-secret", domain_id=DOMAIN_ID) as client:
        error = error_of(client.fetch_cc_emails)
    assert (error.code, error.http_status) == (tcc.ResultCode.AUTH, 401)
    assert "not-the-secret" not in repr(error)


def test_other_credentials_make_a_client(standin):
    # Nothing is sent until the first call: these only check the arguments reach libtcc.
    tcc.Client(endpoint=standin.base_url, ak="AKEXAMPLE", sk="secret", domain_id="0" * 32).close()
    tcc.Client(endpoint=standin.base_url, iam_user="user", iam_password="pw", iam_domain="account").close()
    error = error_of(lambda: tcc.Client(endpoint=standin.base_url, ak="has space", sk="secret"))
    assert error.code == tcc.ResultCode.INVALID_ARGUMENT
    assert "secret" not in error.message


# --- lifetime and threads --------------------------------------------------


def test_close_is_idempotent_and_later_calls_raise(standin, token):
    client = tcc.Client(endpoint=standin.base_url, token=token)
    assert not client.closed and "open" in repr(client)
    client.close()
    client.close()
    assert client.closed and "closed" in repr(client)
    error = error_of(client.fetch_cc_emails)
    assert error.code == tcc.ResultCode.INVALID_ARGUMENT
    with tcc.Client(endpoint=standin.base_url, token=token) as inside:
        pass
    assert inside.closed


def test_garbage_collection_frees_unclosed_and_half_made_clients(standin, token):
    for _ in range(50):
        tcc.Client(endpoint=standin.base_url, token=token)
        with pytest.raises(tcc.TccError):
            tcc.Client(endpoint=standin.base_url, token=token, site=9)
    gc.collect()


def test_one_client_serves_many_threads(standin, token):
    client = tcc.Client(endpoint=standin.base_url, token=token)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: client.fetch_cc_emails().addresses, range(64)))
    assert results == [ADDRESSES] * 64
    client.close()


def test_error_detail_is_per_thread(standin, token):
    wrong = tcc.Client(endpoint=standin.base_url, token="wrong")
    business = tcc.Client(endpoint=standin.scenario("business-error"), token=token)

    def fail(i):
        client = wrong if i % 2 == 0 else business
        return error_of(client.fetch_cc_emails).service_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(fail, range(60)))
    assert codes == ["APIGW.0301", "OSM.01010002"] * 30


def test_close_during_calls_waits_for_them(standin, token):
    client = tcc.Client(endpoint=standin.base_url, token=token)
    start = threading.Barrier(5)
    outcomes = []

    def call():
        start.wait()
        try:
            for _ in range(20):
                client.fetch_cc_emails()
            outcomes.append("done")
        except tcc.TccError as e:
            outcomes.append(e.message)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    start.wait()
    client.close()
    for t in threads:
        t.join()
    # Every thread either finished or was told the client is closed: none crashed.
    assert all(o in ("done", "the client is closed") for o in outcomes), outcomes
    assert client.closed and client._handle is None


# --- configuration from the environment ------------------------------------


def test_from_env(standin, token, monkeypatch):
    monkeypatch.setenv("TCC_ENDPOINT", standin.base_url)
    monkeypatch.setenv("TCC_TOKEN", token)
    with tcc.Client.from_env() as client:
        assert client.fetch_cc_emails().addresses == ADDRESSES
    with tcc.Client.from_env(token="overridden") as client:
        assert error_of(client.fetch_cc_emails).code == tcc.ResultCode.AUTH
    monkeypatch.delenv("TCC_TOKEN")
    error = error_of(tcc.Client.from_env)
    assert error.code == tcc.ResultCode.CONFIG and "TCC_TOKEN" in error.message

    # AK/SK from the environment, completed by a keyword argument.
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", AK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SK)
    with tcc.Client.from_env(domain_id=DOMAIN_ID) as client:
        assert client.fetch_cc_emails().addresses == ADDRESSES


# --- the library and the header --------------------------------------------


def test_versions_agree():
    pyproject = (REPO / "bindings" / "python" / "pyproject.toml").read_text()
    packaged = re.search(r'^version = "([^"]+)"', pyproject, re.M).group(1)
    assert tcc.__version__ == packaged == cargo_version() == tcc.library_version()
    assert tcc.library_path() == os.environ["TCC_LIBRARY"]


def test_result_codes_match_the_header():
    defined = dict(re.findall(r"^#define TCC_(OK|ERR_\w+) (\d+)$", header(), re.M))
    from_header = {name.removeprefix("ERR_"): int(value) for name, value in defined.items()}
    assert from_header == {code.name: code.value for code in tcc.ResultCode}


def test_every_function_the_module_declares_is_in_the_header():
    declared = set(re.findall(r"\b(tcc_\w+)\(", header()))
    wanted = set(tcc._FUNCTIONS) | set(tcc._OPTIONAL_FUNCTIONS)
    assert wanted - declared == set()


def import_in_subprocess(library: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TCC_LIBRARY=library)
    return subprocess.run(
        [sys.executable, "-c", "import tcc"],
        env=env,
        cwd=str(Path(tcc.__file__).parents[1]),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_library_that_is_not_tcc_is_refused():
    out = import_in_subprocess("libc.so.6")
    assert out.returncode != 0
    assert "ImportError" in out.stderr and "not tcc's libtcc" in out.stderr, out.stderr


def test_a_missing_library_is_explained():
    out = import_in_subprocess("/nonexistent/libtcc.so")
    assert out.returncode != 0
    assert "TCC_LIBRARY" in out.stderr and "/nonexistent/libtcc.so" in out.stderr, out.stderr


def test_the_readme_python_snippets_are_valid_python():
    readme = (REPO / "README.md").read_text()
    snippets = re.findall(r"```python\n(.*?)```", readme, re.S)
    if not snippets:
        pytest.skip("README.md has no Python snippet yet")
    for number, snippet in enumerate(snippets):
        compile(snippet, f"README.md python snippet {number}", "exec")
