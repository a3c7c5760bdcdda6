#!/usr/bin/env python3
"""Generate AK/SK signing reference vectors from the OFFICIAL Huawei Cloud Python SDK.

The Rust signer in src/signing.rs is tested against tests/data/signing_vectors.json
(tests/signing_vectors.rs). That file is produced by this script, which runs the
SDK's own signer (huaweicloudsdkcore.signer.signer.Signer, "SDK-HMAC-SHA256"), so
the SDK, not the prose documentation, is the oracle.

How to run (the venv is throwaway; never commit it):

    python3 -m venv /tmp/sdkvenv
    /tmp/sdkvenv/bin/pip install huaweicloudsdkcore==3.1.219 huaweicloudsdkosm==3.1.219
    /tmp/sdkvenv/bin/python scripts/gen_signing_vectors.py            # rewrites the JSON
    /tmp/sdkvenv/bin/python scripts/gen_signing_vectors.py --check    # compares only

The committed tests/data/signing_vectors.json was produced with
huaweicloudsdkcore 3.1.219 and huaweicloudsdkosm 3.1.219 on CPython 3.11.7; the
versions used are recorded in the JSON's "generator" object.

Reproducibility: the credentials and every X-Sdk-Date are fixed; the SDK's clock
(datetime.utcnow in the signer module) is replaced by a fixed instant; the
User-Agent the SDK would build from the platform is replaced by a constant;
HOME points at a temporary directory (the SDK writes ~/.huaweicloud/application_id
on import) and HUAWEICLOUD_SDK_* variables are cleared. No network access: the
end-to-end vectors replace the SDK's HTTP transport with a stub that records the
request and returns a canned response.

Each vector holds the signer's inputs as the Rust API takes them (method, path,
query pairs, every header that is sent except Authorization, body) and the SDK's
outputs: canonical request, string to sign, signed headers, signature,
Authorization value, and the request URI (path + query) the SDK puts on the wire.
Headers are captured at the moment the SDK starts signing, i.e. after it has added
Host, X-Sdk-Date, X-Sdk-Content-Sha256, X-Domain-Id, X-Security-Token, so they are
exactly the headers sent. A body is "body" (UTF-8 text) or "body_hex" (bytes).
"""

import argparse
import json
import os
import platform
import sys
import tempfile

# --- isolate the SDK from this machine before importing it -------------------
_HOME = tempfile.TemporaryDirectory(prefix="sdkvectors-home-")
os.environ["HOME"] = _HOME.name
os.environ["USERPROFILE"] = _HOME.name
for _k in list(os.environ):
    if _k.startswith("HUAWEICLOUD_SDK_"):
        del os.environ[_k]

from datetime import datetime  # noqa: E402
from importlib import metadata  # noqa: E402

import requests  # noqa: E402  (a dependency of the SDK)

import huaweicloudsdkcore.auth.internal as sdk_internal  # noqa: E402
import huaweicloudsdkcore.signer.signer as sdk_signer  # noqa: E402
from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials  # noqa: E402
from huaweicloudsdkcore.http.http_client import HttpClient  # noqa: E402
from huaweicloudsdkcore.http.http_config import HttpConfig  # noqa: E402
from huaweicloudsdkcore.sdk_request import SdkRequest  # noqa: E402
from huaweicloudsdkcore.signer.signer import Signer  # noqa: E402

try:
    from huaweicloudsdkosm.v2 import ListCaseCcEmailsRequest, OsmClient
    from huaweicloudsdkosm.v2.region.osm_region import OsmRegion
except ImportError:  # the OSM package only adds the end-to-end vectors
    OsmClient = None

AK = "TESTAK0EXAMPLE0000001"
SK = "TestSecretKey0example0ZZZZZZZZZZZZZZZZZZ"
DOMAIN_ID = "0123456789abcdef0123456789abcdef"
FIXED_UA = "tcc-signing-vectors/1.0"
DATE = "20240229T120000Z"  # a leap day
OSM_HOST = "osm.cn-south-1.myhuaweicloud.com"
OSM_PATH = "/v2/servicerequest/carbon-copy-emails"
IAM_HOST = "iam.myhuaweicloud.com"

# --- instrumentation -----------------------------------------------------------
_FIXED_NOW = [datetime(2024, 2, 29, 12, 0, 0)]


class _FixedDatetime(datetime):
    """The signer module's `datetime`, with a fixed utcnow()."""

    @classmethod
    def utcnow(cls):
        t = _FIXED_NOW[0]
        return cls(t.year, t.month, t.day, t.hour, t.minute, t.second)


sdk_signer.datetime = _FixedDatetime
sdk_internal.user_agent_string = FIXED_UA

_captures = []
_orig_signed_headers = Signer._process_signed_headers.__func__
_orig_canonical_request = Signer._process_canonical_request
_orig_string_to_sign = Signer._process_string_to_sign


def _query_pairs(query_params):
    """The query as (name, value) strings, the way the SDK stringifies values."""
    pairs = []
    for key, value in query_params or []:
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, bool):
                v = str(v).lower()
            pairs.append([str(key), str(v)])
    return pairs


def _hook_signed_headers(cls, request):
    # Called after the SDK added X-Sdk-Date/Host/X-Sdk-Content-Sha256 and before
    # it trims or re-encodes any value: these are the headers that get sent.
    body = request.body
    if body is None:
        body = b""
    _captures.append({
        "method": request.method,
        "path": request.resource_path,
        "query": _query_pairs(request.query_params),
        "headers": [[k, str(v)] for k, v in request.header_params.items()],
        "body": bytes(body) if isinstance(body, (bytes, bytearray)) else str(body).encode("utf-8"),
    })
    return _orig_signed_headers(cls, request)


def _hook_canonical_request(self, request, signed_headers):
    out = _orig_canonical_request(self, request, signed_headers)
    _captures[-1]["canonical_request"] = out
    return out


def _hook_string_to_sign(self, canonical_request, time):
    out = _orig_string_to_sign(self, canonical_request, time)
    _captures[-1]["string_to_sign"] = out
    return out


Signer._process_signed_headers = classmethod(_hook_signed_headers)
Signer._process_canonical_request = _hook_canonical_request
Signer._process_string_to_sign = _hook_string_to_sign


def _finish(name, description, capture, request, ak, sk):
    auth = request.header_params["Authorization"]
    prefix = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=" % ak
    assert auth.startswith(prefix), auth
    signed_headers, signature = auth[len(prefix):].split(", Signature=")
    vector = {
        "name": name,
        "description": description,
        "ak": ak,
        "sk": sk,
        "sdk_date": capture["string_to_sign"].split("\n")[1],
        "method": capture["method"],
        "path": capture["path"],
        "query": capture["query"],
        "headers": capture["headers"],
    }
    body = capture["body"]
    try:
        vector["body"] = body.decode("utf-8")
    except UnicodeDecodeError:
        vector["body_hex"] = body.hex()
    vector["expected"] = {
        "canonical_request": capture["canonical_request"],
        "string_to_sign": capture["string_to_sign"],
        "signed_headers": signed_headers,
        "signature": signature,
        "authorization": auth,
        "uri": request.uri,
    }
    return vector


# --- direct vectors: SdkRequest + Signer.sign -------------------------------------
def direct(name, description, path, headers, method="GET", query=None, body=None,
           host=OSM_HOST, date=DATE, ak=AK, sk=SK):
    """Sign one request with the SDK's Signer exactly as its credentials do.

    `headers` must not contain Host or X-Sdk-Date unless the vector is about them:
    the SDK adds Host from `host` when absent, and X-Sdk-Date is added here
    (fixed) unless `headers` already carries one under any spelling.
    """
    header_params = dict(headers)
    if date is not None and not any(k.lower() == "x-sdk-date" for k in header_params):
        header_params["X-Sdk-Date"] = date
    request = SdkRequest(method=method, schema="https", host=host, resource_path=path,
                         query_params=list(query or []), header_params=header_params, body=body)
    start = len(_captures)
    Signer(BasicCredentials(ak, sk)).sign(request)
    assert len(_captures) == start + 1
    return _finish(name, description, _captures[-1], request, ak, sk)


def direct_vectors():
    v = []
    std = {"Content-Type": "application/json", "X-Domain-Id": DOMAIN_ID}
    v.append(direct("osm_cc_emails_minimal",
                    "ListCaseCcEmails with only the headers the signer adds (Host, X-Sdk-Date)",
                    OSM_PATH, {}))
    v.append(direct("osm_cc_emails_host_with_port",
                    "Host header carries a non-default port",
                    OSM_PATH, {}, host=OSM_HOST + ":8443"))
    v.append(direct("osm_cc_emails_host_ipv6_port",
                    "Host is an IPv6 literal with a port (a stand-in server)",
                    OSM_PATH, {}, host="[::1]:18080"))
    v.append(direct("osm_cc_emails_domain_id",
                    "global service: X-Domain-Id and the SDK's default JSON Content-Type",
                    OSM_PATH, std))
    v.append(direct("osm_cc_emails_security_token",
                    "temporary credentials: X-Security-Token (base64-ish value with + / =)",
                    OSM_PATH, dict(std, **{
                        "X-Security-Token": "gQpjbi1ub3J0aC00+/=TOKEN" + "x" * 200 + "==",
                    })))
    v.append(direct("osm_cc_emails_locale_headers",
                    "X-Language, X-Time-Zone (with '+') and X-Site",
                    OSM_PATH, dict(std, **{"X-Language": "en-us", "X-Time-Zone": "GMT+8",
                                           "X-Site": "1"})))
    v.append(direct("header_name_with_underscore_not_signed",
                    "headers whose name contains '_' are sent but not signed",
                    OSM_PATH, dict(std, **{"X_Custom_Header": "sent-not-signed",
                                           "x_lower_underscore": "also-not-signed",
                                           "X-Custom-Dash": "signed"})))
    v.append(direct("header_names_upper_and_mixed_case",
                    "header names in odd cases, including HOST and x-sdk-date themselves",
                    OSM_PATH, {"HOST": OSM_HOST, "x-sdk-date": DATE, "X-DOMAIN-ID": DOMAIN_ID,
                               "x-LaNgUaGe": "zh-cn", "Content-TYPE": "application/json"}))
    v.append(direct("header_values_non_ascii",
                    "non-ASCII header values are signed as their UTF-8 bytes",
                    OSM_PATH, dict(std, **{"X-Language": "中文", "X-Custom": "café ☕ 😀",
                                           "X-Latin1": "\u00e9\u00ff"})))
    v.append(direct("header_values_trimmed",
                    "values are trimmed of (Python str.strip) whitespace at both ends, "
                    "inner whitespace kept; includes tab, NBSP, U+3000 and U+001C..U+001F",
                    OSM_PATH, dict(std, **{"X-Language": "  en-us\t", "X-Inner": " a  b ",
                                           "X-Unicode-Space": "\u3000\u00a0v\u2003",
                                           "X-Info-Sep": "\x1c\x1dv\x1e\x1f",
                                           "X-Empty": "", "X-Blank": "   "})))
    v.append(direct("header_names_duplicate_case_variants",
                    "two headers that differ only in case: both names signed, both with "
                    "the last value (what the SDK does with such a dict)",
                    OSM_PATH, {"X-Custom": "first", "x-custom": "second"}))
    v.append(direct("path_trailing_slash",
                    "a path that already ends in '/'",
                    OSM_PATH + "/", std))
    v.append(direct("path_root", "path '/'", "/", {}))
    v.append(direct("path_no_leading_slash", "path without a leading '/'", "v1/abc", {}))
    v.append(direct("path_double_slashes", "empty segments are kept", "/v1//a//", {}))
    v.append(direct("path_space_raw", "a raw space in a segment", "/v1/a b/c", {}))
    v.append(direct("path_space_encoded", "%20 in a segment (decoded, then re-encoded)",
                    "/v1/a%20b/c", {}))
    v.append(direct("path_unicode_raw", "raw non-ASCII segments", "/v1/文件/ü", {}))
    v.append(direct("path_unicode_encoded", "percent-encoded UTF-8 segments, lower-case hex",
                    "/v1/%e6%96%87%e4%bb%b6/%C3%BC", {}))
    v.append(direct("path_percent_literal", "a '%' not followed by two hex digits stays '%'",
                    "/v1/100%/50%zz/%", {}))
    v.append(direct("path_percent_encoded", "%25 decodes to '%' and is re-encoded",
                    "/v1/100%25", {}))
    v.append(direct("path_plus", "'+' is not a space in a path; it is encoded as %2B",
                    "/v1/a+b/c%2Bd", {}))
    v.append(direct("path_encoded_slash", "%2F is decoded to '/' BEFORE splitting",
                    "/v1/a%2Fb/c%2f", {}))
    v.append(direct("path_reserved_and_tilde", "'~' kept, other reserved characters encoded",
                    "/v1/~user/a;b,c=d@e:f!$&'()*[]", {}))
    v.append(direct("path_invalid_utf8_escapes",
                    "percent-escapes that are not UTF-8 decode to U+FFFD per maximal subpart",
                    "/v1/%E2%82/%FF%C3%28/%ED%A0%80/%C0%AF/%F0%9F%98/%F4%90%80%80/x%E2%82%ACy", {}))
    v.append(direct("query_multi_value",
                    "repeated names, given unsorted: sorted by name then value",
                    OSM_PATH, std, query=[("status", "b"), ("limit", "10"), ("status", "a"),
                                          ("offset", "0"), ("status", "a")]))
    v.append(direct("query_special_characters",
                    "space, '+', '/', '=', '&', '~', '%', '?', '#' and non-ASCII in values",
                    OSM_PATH, std, query=[("q", "a b+c/d=e&f~g%h?i#j"), ("name", "张三 ü"),
                                          ("email", "a+b@example.com"), ("plus", "+"),
                                          ("slash", "/"), ("eq", "=")]))
    v.append(direct("query_empty_values", "empty values sign as 'name='",
                    OSM_PATH, std, query=[("marker", ""), ("flag", ""), ("limit", "5")]))
    v.append(direct("query_names_needing_encoding", "names with space and non-ASCII",
                    OSM_PATH, std, query=[("na me", "1"), ("ключ", "значение"), ("a+b", "c")]))
    v.append(direct("query_sort_raw_not_encoded",
                    "sorting is on the raw strings (code points), not on their encoded form",
                    OSM_PATH, {}, query=[("a~", "1"), ("a b", "2"), ("aé", "3"), ("A", "4"),
                                         ("a", "5"), ("a-", "6"), ("a.", "7"), ("a_", "8"),
                                         ("a", "10"), ("a", "9"), ("a", ""), ("", "empty-name")]))
    iam_body = json.dumps({
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"domain": {"name": "example-domain"},
                                      "name": "user-名", "password": "p@ss wörd+/="}},
            },
            "scope": {"domain": {"name": "example-domain"}},
        }
    }, ensure_ascii=False, separators=(",", ":"))
    v.append(direct("iam_post_auth_tokens_json_body",
                    "IAM POST /v3/auth/tokens with a UTF-8 JSON body: body hashed",
                    "/v3/auth/tokens", {"Content-Type": "application/json;charset=UTF-8"},
                    method="POST", body=iam_body, host=IAM_HOST))
    v.append(direct("iam_get_auth_domains",
                    "IAM GET /v3/auth/domains as the SDK's domain-id lookup builds it",
                    "/v3/auth/domains", {"User-Agent": FIXED_UA}, body="", host=IAM_HOST))
    v.append(direct("method_lower_case", "method given in lower case is upper-cased",
                    OSM_PATH, std, method="get"))
    v.append(direct("non_json_content_type_unsigned_payload",
                    "Content-Type not JSON/BSON: the SDK adds X-Sdk-Content-Sha256: "
                    "UNSIGNED-PAYLOAD and signs that literal instead of the body hash",
                    "/v1/upload", {"Content-Type": "text/plain"}, method="PUT", body="hello"))
    v.append(direct("octet_stream_binary_body",
                    "binary body, application/octet-stream: UNSIGNED-PAYLOAD",
                    "/v1/upload", {"Content-Type": "application/octet-stream"}, method="PUT",
                    body=bytes([0, 1, 2, 0xFF, 0xFE, 0x80, 0x7F])))
    v.append(direct("json_content_type_binary_body",
                    "non-UTF-8 body with a JSON Content-Type: the body bytes are hashed",
                    "/v1/upload", {"Content-Type": "application/json"}, method="POST",
                    body=bytes([0xC3, 0x28, 0x00, 0xFF])))
    v.append(direct("non_json_content_type_empty_body",
                    "X-Sdk-Content-Sha256 is added but an empty body still hashes as empty",
                    "/v1/empty", {"Content-Type": "text/plain"}, method="DELETE"))
    v.append(direct("content_type_lower_case_name_not_special",
                    "the SDK looks up 'Content-Type' case-sensitively: a lower-case "
                    "content-type: text/plain does not trigger UNSIGNED-PAYLOAD",
                    "/v1/upload", {"content-type": "text/plain"}, method="PUT", body="hello"))
    v.append(direct("explicit_content_sha256_header",
                    "a caller-supplied x-sdk-content-sha256 (any case) replaces the body hash",
                    "/v1/upload", {"Content-Type": "application/json",
                                   "x-sdk-content-sha256": " UNSIGNED-PAYLOAD "},
                    method="POST", body='{"a":1}'))
    v.append(direct("explicit_content_sha256_header_non_ascii",
                    "the SDK re-encodes that value as Latin-1-of-UTF-8 before using it "
                    "as the payload hash (a quirk, mirrored)",
                    "/v1/upload", {"Content-Type": "application/json",
                                   "X-Sdk-Content-Sha256": "hé"},
                    method="POST", body='{"a":1}'))
    v.append(direct("explicit_content_sha256_header_empty",
                    "an empty X-Sdk-Content-Sha256 falls back to hashing the body",
                    "/v1/upload", {"Content-Type": "application/json",
                                   "X-Sdk-Content-Sha256": "  "},
                    method="POST", body='{"a":1}'))
    v.append(direct("date_epoch", "X-Sdk-Date at the Unix epoch", OSM_PATH, std,
                    date="19700101T000000Z"))
    v.append(direct("date_after_2038", "X-Sdk-Date after the 32-bit time_t overflow",
                    OSM_PATH, std, date="20380119T031408Z"))
    v.append(direct("long_sk_and_other_ak",
                    "an SK longer than the HMAC block (hashed first by HMAC) and another AK",
                    OSM_PATH, std, ak="ANOTHERAK9999", sk="S" * 100 + "-tail"))
    v.append(direct("sk_non_ascii", "an SK with non-ASCII characters is used as its UTF-8 bytes",
                    OSM_PATH, std, sk="clé-secrète-ключ"))
    return v


# --- end-to-end vectors: the real OsmClient / credentials flow, stubbed transport ---
class _StubResponse(requests.Response):
    def __init__(self, body):
        super().__init__()
        self.status_code = 200
        self._content = json.dumps(body).encode("utf-8")
        self.headers["Content-Type"] = "application/json"
        self.headers["X-Request-Id"] = "stub"
        self.encoding = "utf-8"


def _e2e(name, description, build_client, call, date):
    _FIXED_NOW[0] = datetime.strptime(date, "%Y%m%dT%H%M%SZ")
    sent = []

    def do_request_sync(self, request):
        sent.append(request)
        if request.resource_path == "/v3/auth/domains":
            return _StubResponse({"domains": [{"id": DOMAIN_ID, "name": "example"}]})
        return _StubResponse({"cc_email_info": {"user_id": "u", "customer_id": "c",
                                                "cc_email": "a@example.com"},
                              "mc_email_infos": ["a@example.com"]})

    orig = HttpClient.do_request_sync
    HttpClient.do_request_sync = do_request_sync
    start = len(_captures)
    try:
        client = build_client()
        call(client)
    finally:
        HttpClient.do_request_sync = orig
    captures = _captures[start:]
    assert len(captures) == len(sent), (len(captures), len(sent))
    out = []
    for i, (capture, request) in enumerate(zip(captures, sent)):
        suffix = "" if len(sent) == 1 else "_%d_%s" % (i + 1, request.resource_path.strip("/")
                                                       .replace("/", "_").replace("-", "_"))
        out.append(_finish(name + suffix, description, capture, request, AK, SK))
    return out


def _config():
    config = HttpConfig.get_default_config()
    config.user_agent = FIXED_UA
    return config


def e2e_vectors():
    if OsmClient is None:
        print("huaweicloudsdkosm not installed: skipping end-to-end vectors", file=sys.stderr)
        return []
    v = []

    def osm(credentials, endpoint=None, region=None):
        def build():
            b = OsmClient.new_builder().with_http_config(_config()).with_credentials(credentials)
            if endpoint:
                b = b.with_endpoint(endpoint)
            if region:
                b = b.with_region(OsmRegion.value_of(region))
            return b.build()
        return build

    v += _e2e("sdk_osm_list_case_cc_emails",
              "OsmClient.list_case_cc_emails(ListCaseCcEmailsRequest()) with "
              "GlobalCredentials(ak, sk, domain_id): exactly what the SDK sends",
              osm(GlobalCredentials(AK, SK, DOMAIN_ID), endpoint="https://" + OSM_HOST),
              lambda c: c.list_case_cc_emails(ListCaseCcEmailsRequest()),
              "20240229T120000Z")
    v += _e2e("sdk_osm_list_case_cc_emails_locale",
              "as above with x_site=1, x_language=en-us, x_time_zone=GMT+8 on the "
              "international endpoint",
              osm(GlobalCredentials(AK, SK, DOMAIN_ID),
                  endpoint="https://osm.ap-southeast-3.myhuaweicloud.com"),
              lambda c: c.list_case_cc_emails(ListCaseCcEmailsRequest(
                  x_site=1, x_language="en-us", x_time_zone="GMT+8")),
              "20251231T235959Z")
    v += _e2e("sdk_osm_list_case_cc_emails_security_token",
              "temporary AK/SK with a security token, endpoint with an explicit port",
              osm(GlobalCredentials(AK, SK, DOMAIN_ID).with_security_token(
                  "SECURITYTOKEN+example/value=="), endpoint="https://127.0.0.1:8443"),
              lambda c: c.list_case_cc_emails(ListCaseCcEmailsRequest(x_language="zh-cn")),
              "20300101T000001Z")
    v += _e2e("sdk_osm_domain_lookup",
              "GlobalCredentials without a domain id and a region: the SDK first calls "
              "IAM GET /v3/auth/domains (signed, no X-Domain-Id), then OSM with the id",
              osm(GlobalCredentials(AK, SK), region="cn-south-1"),
              lambda c: c.list_case_cc_emails(ListCaseCcEmailsRequest()),
              "20240615T083000Z")
    return v


def generate():
    vectors = direct_vectors() + e2e_vectors()
    names = [x["name"] for x in vectors]
    assert len(names) == len(set(names)), "duplicate vector names"
    packages = ["huaweicloudsdkcore"] + (["huaweicloudsdkosm"] if OsmClient else [])
    return {
        "generator": {
            "script": "scripts/gen_signing_vectors.py",
            "sdk": {p: metadata.version(p) for p in packages},
            "python": platform.python_implementation() + " " + platform.python_version(),
            "algorithm": "SDK-HMAC-SHA256",
            "oracle": "huaweicloudsdkcore.signer.signer.Signer",
        },
        "vectors": vectors,
    }


def main():
    default_out = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                               "tests", "data", "signing_vectors.json")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.normpath(default_out))
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if --out differs from what the SDK produces")
    args = parser.parse_args()
    text = json.dumps(generate(), ensure_ascii=False, indent=2) + "\n"
    if args.check:
        with open(args.out, encoding="utf-8") as f:
            same = f.read() == text
        print("%s: %s" % (args.out, "up to date" if same else "DIFFERS"))
        sys.exit(0 if same else 1)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %d vectors to %s" % (text.count('"name":'), args.out))


if __name__ == "__main__":
    main()
