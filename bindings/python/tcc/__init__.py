"""tcc for Python: Huawei Cloud OSM "Querying Service Ticket CC"
(``GET /v2/servicerequest/carbon-copy-emails``) through libtcc's C ABI.

Pure Python (ctypes): nothing to compile, only libtcc to find.

    import tcc

    with tcc.Client(region="cn-south-1", token=os.environ["TCC_TOKEN"]) as client:
        cc = client.fetch_cc_emails()          # raises tcc.TccError
        print(cc.addresses, cc.last_record)

The library is loaded at import time from, in this order:

1. the path in the environment variable ``TCC_LIBRARY`` (only that one, if set);
2. ``ctypes.util.find_library("tcc")``: the loader's search path, e.g. after
   ``make install`` and ``ldconfig``;
3. ``libtcc.so`` (``libtcc.dylib``, ``tcc.dll``) next to this file.

A library that is not tcc's (TinyCC's libtcc has the same name) or whose
ABI differs from the one this module was written for is refused with an
ImportError that says why.

Memory: every handle libtcc hands out is freed by this module; results are
plain Python values. Threads: one Client may be used by any number of
threads at once (libtcc releases the GIL during the call); ``close()``
waits for no one but frees the handle only once the last call in progress
has returned.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import enum
import json
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = [
    "CcEmails",
    "CcRecord",
    "Client",
    "ResultCode",
    "TccError",
    "library_path",
    "library_version",
]

# The libtcc version this module was written for. Its ABI must match the
# loaded library's: the same MAJOR, and during 0.x the same MINOR too (the
# same rule as the library's SONAME).
__version__ = "0.1.0"


class ResultCode(enum.IntEnum):
    """libtcc's result codes (``TCC_OK``, ``TCC_ERR_*`` in tcc.h)."""

    OK = 0
    INVALID_ARGUMENT = 1
    CONFIG = 2
    NETWORK = 10
    TIMEOUT = 11
    TLS = 12
    AUTH = 20
    THROTTLED = 21
    SERVER = 22
    SERVICE = 23
    HTTP = 24
    BAD_RESPONSE = 30
    RESPONSE_TOO_LARGE = 31
    CANCELLED = 40
    INTERNAL = 99


class TccError(Exception):
    """A failed tcc call, with everything libtcc reported about it.

    Attributes:
        code: a ResultCode (a plain int for a code newer than this module).
        message: one line of English, never containing a credential.
        http_status: HTTP status of the response behind the failure, 0 if none.
        service_code: the service's ``error_code`` (e.g. ``APIGW.0301``) or None.
        service_message: the service's ``error_msg`` or None.
        request_id: the response's ``X-Request-Id`` (quote it to Huawei Cloud
            support) or None.
        attempts: how many times the failed request was sent: 1 when it was
            not retried, up to ``max_attempts`` when it was, 0 when nothing
            was sent (argument and configuration errors, a deadline that
            passed first).
    """

    def __init__(
        self,
        code: int,
        message: str,
        http_status: int = 0,
        service_code: Optional[str] = None,
        service_message: Optional[str] = None,
        request_id: Optional[str] = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message)
        try:
            self.code: int = ResultCode(code)
        except ValueError:
            self.code = code
        self.message = message
        self.http_status = http_status
        self.service_code = service_code
        self.service_message = service_message
        self.request_id = request_id
        self.attempts = attempts

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"TccError(code={self.code!r}, message={self.message!r}, "
            f"http_status={self.http_status!r}, service_code={self.service_code!r}, "
            f"service_message={self.service_message!r}, request_id={self.request_id!r}, "
            f"attempts={self.attempts!r})"
        )


@dataclass
class CcRecord:
    """The last CC record (``cc_email_info``); a field is None when the server sent none."""

    user_id: Optional[str]
    customer_id: Optional[str]
    # May list several addresses in one string, as the service stores them.
    cc_email: Optional[str]


@dataclass
class CcEmails:
    """The result of Client.fetch_cc_emails()."""

    # mc_email_infos, in the server's order.
    addresses: List[str]
    # cc_email_info, or None when the server sent no record.
    last_record: Optional[CcRecord]


# --- loading -----------------------------------------------------------------


class _Options(ctypes.Structure):
    pass


class _Client(ctypes.Structure):
    pass


class _CcEmails(ctypes.Structure):
    pass


_OptionsP = ctypes.POINTER(_Options)
_ClientP = ctypes.POINTER(_Client)
_CcEmailsP = ctypes.POINTER(_CcEmails)
_result = ctypes.c_uint32
_str = ctypes.c_char_p

# Every function this module calls: name -> (argument types, result type).
_FUNCTIONS: Dict[str, Tuple[List[Any], Any]] = {
    "tcc_version": ([], _str),
    "tcc_version_number": ([], ctypes.c_uint32),
    "tcc_result_str": ([_result], _str),
    "tcc_last_error_code": ([], _result),
    "tcc_last_error_message": ([], _str),
    "tcc_last_error_http_status": ([], ctypes.c_uint16),
    "tcc_last_error_service_code": ([], _str),
    "tcc_last_error_service_message": ([], _str),
    "tcc_last_error_request_id": ([], _str),
    "tcc_options_new": ([ctypes.POINTER(_OptionsP)], _result),
    "tcc_options_free": ([_OptionsP], None),
    "tcc_options_set_endpoint": ([_OptionsP, _str], _result),
    "tcc_options_set_region": ([_OptionsP, _str], _result),
    "tcc_options_set_token": ([_OptionsP, _str], _result),
    "tcc_options_set_language": ([_OptionsP, _str], _result),
    "tcc_options_set_time_zone": ([_OptionsP, _str], _result),
    "tcc_options_set_site": ([_OptionsP, ctypes.c_int32], _result),
    "tcc_options_set_connect_timeout_ms": ([_OptionsP, ctypes.c_uint32], _result),
    "tcc_options_set_timeout_ms": ([_OptionsP, ctypes.c_uint32], _result),
    "tcc_options_set_ca_file": ([_OptionsP, _str], _result),
    "tcc_options_set_max_response_bytes": ([_OptionsP, ctypes.c_uint64], _result),
    "tcc_client_new": ([_OptionsP, ctypes.POINTER(_ClientP)], _result),
    "tcc_client_free": ([_ClientP], None),
    "tcc_fetch_cc_emails": ([_ClientP, ctypes.POINTER(_CcEmailsP)], _result),
    "tcc_fetch_cc_emails_json": ([_ClientP, ctypes.POINTER(ctypes.c_void_p)], _result),
    "tcc_cc_emails_free": ([_CcEmailsP], None),
    "tcc_cc_emails_count": ([_CcEmailsP], ctypes.c_size_t),
    "tcc_cc_emails_address": ([_CcEmailsP, ctypes.c_size_t], _str),
    "tcc_cc_emails_has_last_record": ([_CcEmailsP], ctypes.c_bool),
    "tcc_cc_emails_last_user_id": ([_CcEmailsP], _str),
    "tcc_cc_emails_last_customer_id": ([_CcEmailsP], _str),
    "tcc_cc_emails_last_cc_email": ([_CcEmailsP], _str),
    "tcc_free": ([ctypes.c_void_p], None),
}

# Functions used only by the features that need them: a library without
# them still loads, and only those features raise.
_OPTIONAL_FUNCTIONS: Dict[str, Tuple[List[Any], Any]] = {
    "tcc_options_new_from_env": ([ctypes.POINTER(_OptionsP)], _result),
    "tcc_options_set_aksk": ([_OptionsP, _str, _str], _result),
    "tcc_options_set_domain_id": ([_OptionsP, _str], _result),
    "tcc_options_set_security_token": ([_OptionsP, _str], _result),
    "tcc_options_set_password": ([_OptionsP, _str, _str, _str], _result),
    "tcc_options_set_iam_endpoint": ([_OptionsP, _str], _result),
    "tcc_last_error_attempts": ([], ctypes.c_uint32),
    "tcc_options_set_stall_timeout_ms": ([_OptionsP, ctypes.c_uint32], _result),
    "tcc_options_set_max_attempts": ([_OptionsP, ctypes.c_uint32], _result),
    "tcc_options_set_max_redirects": ([_OptionsP, ctypes.c_uint32], _result),
    "tcc_options_set_max_header_bytes": ([_OptionsP, ctypes.c_uint32], _result),
    "tcc_options_set_proxy": ([_OptionsP, _str], _result),
    "tcc_options_set_trust_store": ([_OptionsP, ctypes.c_uint32], _result),
}

# tcc_trust_store values (TCC_TRUST_* in tcc.h), by the names Client(trust_store=...) takes.
_TRUST_STORES: Dict[str, int] = {"bundled": 1, "system": 2}


def _library_file_name() -> str:
    if sys.platform == "darwin":
        return "libtcc.dylib"
    if sys.platform == "win32":
        return "tcc.dll"
    return "libtcc.so"


def _abi(version_number: int) -> Tuple[int, int]:
    """The part of a version that must match: (MAJOR, MINOR) during 0.x, else (MAJOR, 0)."""
    major, minor = version_number // 1_000_000, version_number // 1_000 % 1_000
    return (major, minor) if major == 0 else (major, 0)


def _load() -> Tuple[ctypes.CDLL, str]:
    explicit = os.environ.get("TCC_LIBRARY")
    if explicit:
        candidates = [explicit]
    else:
        candidates = [
            c
            for c in (
                ctypes.util.find_library("tcc"),
                os.path.join(os.path.dirname(os.path.abspath(__file__)), _library_file_name()),
            )
            if c
        ]
    major, minor, patch = (int(p) for p in __version__.split("."))
    wanted = _abi(major * 1_000_000 + minor * 1_000 + patch)
    problems = []
    for path in candidates:
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            problems.append(f"{path}: {e}")
            continue
        if not hasattr(lib, "tcc_fetch_cc_emails"):
            problems.append(f"{path}: not tcc's libtcc (no tcc_fetch_cc_emails)")
            continue
        lib.tcc_version_number.restype = ctypes.c_uint32
        lib.tcc_version_number.argtypes = []
        found = lib.tcc_version_number()
        if _abi(found) != wanted:
            problems.append(
                f"{path}: libtcc {found // 1_000_000}.{found // 1_000 % 1_000}.{found % 1_000}"
                f" has another ABI than the {__version__} this module was written for"
            )
            continue
        for name, (argtypes, restype) in _FUNCTIONS.items():
            function = getattr(lib, name)
            function.argtypes = argtypes
            function.restype = restype
        for name, (argtypes, restype) in _OPTIONAL_FUNCTIONS.items():
            if hasattr(lib, name):
                function = getattr(lib, name)
                function.argtypes = argtypes
                function.restype = restype
        return lib, path
    where = "TCC_LIBRARY" if explicit else "TCC_LIBRARY (unset), the loader's search path, or next to the module"
    raise ImportError(
        f"tcc: no usable libtcc found in {where}: "
        + ("; ".join(problems) if problems else "nothing found")
        + ". Build it (cargo build -p tcc, or make install) and set TCC_LIBRARY to the libtcc file."
    )


_lib, _path = _load()


def library_path() -> str:
    """The path (or name) libtcc was loaded from."""
    return _path


def library_version() -> str:
    """The loaded libtcc's version, e.g. "0.1.0"."""
    return _lib.tcc_version().decode()


# --- helpers -----------------------------------------------------------------


def _text(raw: Optional[bytes]) -> Optional[str]:
    return None if raw is None else raw.decode("utf-8", errors="replace")


def _last_error(code: int) -> TccError:
    """The detail of the failure `code` reports; call on the failing thread, before any other call."""
    return TccError(
        code,
        _text(_lib.tcc_last_error_message()) or "",
        _lib.tcc_last_error_http_status(),
        _text(_lib.tcc_last_error_service_code()),
        _text(_lib.tcc_last_error_service_message()),
        _text(_lib.tcc_last_error_request_id()),
        _lib.tcc_last_error_attempts() if hasattr(_lib, "tcc_last_error_attempts") else 0,
    )


def _check(code: int) -> None:
    if code != ResultCode.OK:
        raise _last_error(code)


def _encode(name: str, value: Any) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if "\0" in value:
        # C would silently cut the string there.
        raise TccError(ResultCode.INVALID_ARGUMENT, f"{name}: contains a NUL character")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise TccError(ResultCode.INVALID_ARGUMENT, f"{name}: not valid UTF-8") from None


def _integer(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return value


def _function(name: str) -> Callable[..., Any]:
    if not hasattr(_lib, name):
        raise TccError(
            ResultCode.INVALID_ARGUMENT,
            f"{name} is not in the loaded libtcc ({_path}, version {library_version()})",
        )
    return getattr(_lib, name)


def _string_setter(function: str) -> Callable[[Any, str, Any], None]:
    def apply(options: Any, name: str, value: Any) -> None:
        _check(_function(function)(options, _encode(name, value)))

    return apply


def _integer_setter(function: str, ctype: Any) -> Callable[[Any, str, Any], None]:
    def apply(options: Any, name: str, value: Any) -> None:
        number = _integer(name, value)
        limits = {ctypes.c_int32: (-(2**31), 2**31 - 1), ctypes.c_uint32: (0, 2**32 - 1)}
        low, high = limits.get(ctype, (0, 2**64 - 1))
        if not low <= number <= high:
            # ctypes would wrap it around instead.
            raise TccError(ResultCode.INVALID_ARGUMENT, f"{name}: {number} is out of range")
        _check(_function(function)(options, ctype(number)))

    return apply


def _trust_store_setter(options: Any, name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if value not in _TRUST_STORES:
        raise TccError(
            ResultCode.INVALID_ARGUMENT,
            f"{name}: {value!r} is not one of " + ", ".join(repr(k) for k in _TRUST_STORES),
        )
    _check(_function("tcc_options_set_trust_store")(options, _TRUST_STORES[value]))


# Plain settings, applied in this order after the endpoint and the
# credentials. To support a new tcc_options_set_* function, add one line
# here (and a keyword argument to Client.__init__).
_SETTINGS: List[Tuple[str, Callable[[Any, str, Any], None]]] = [
    ("iam_endpoint", _string_setter("tcc_options_set_iam_endpoint")),
    ("language", _string_setter("tcc_options_set_language")),
    ("time_zone", _string_setter("tcc_options_set_time_zone")),
    ("site", _integer_setter("tcc_options_set_site", ctypes.c_int32)),
    ("connect_timeout_ms", _integer_setter("tcc_options_set_connect_timeout_ms", ctypes.c_uint32)),
    ("timeout_ms", _integer_setter("tcc_options_set_timeout_ms", ctypes.c_uint32)),
    ("stall_timeout_ms", _integer_setter("tcc_options_set_stall_timeout_ms", ctypes.c_uint32)),
    ("max_attempts", _integer_setter("tcc_options_set_max_attempts", ctypes.c_uint32)),
    ("max_redirects", _integer_setter("tcc_options_set_max_redirects", ctypes.c_uint32)),
    ("proxy", _string_setter("tcc_options_set_proxy")),
    ("trust_store", _trust_store_setter),
    ("ca_file", _string_setter("tcc_options_set_ca_file")),
    ("max_response_bytes", _integer_setter("tcc_options_set_max_response_bytes", ctypes.c_uint64)),
    ("max_header_bytes", _integer_setter("tcc_options_set_max_header_bytes", ctypes.c_uint32)),
]


# --- the client --------------------------------------------------------------


class Client:
    """A client for OSM; thread-safe. Close it (or use ``with``) to free it at once.

    Endpoint: ``endpoint`` (a base URL) or ``region`` (``cn-south-1``,
    ``ap-southeast-3``). Credentials, one kind: ``token`` (a domain-scoped
    IAM token); or ``ak`` and ``sk`` (with ``domain_id`` and, for a
    temporary key, ``security_token``); or ``iam_user``, ``iam_password``
    and ``iam_domain``. The other arguments are optional; None leaves
    libtcc's default. Each value is checked by libtcc, which raises
    TccError (code INVALID_ARGUMENT or CONFIG) for one it refuses; a value
    of the wrong Python type raises TypeError.

    Network (see the matching tcc_options_set_* in tcc.h for defaults and
    ranges): ``connect_timeout_ms``, ``timeout_ms`` (the whole call),
    ``stall_timeout_ms``; ``max_attempts`` (1 turns retrying off);
    ``max_redirects`` (same-origin only); ``proxy``
    (``http://[user:password@]host[:port]``, or ``""`` for no proxy, the
    environment's included; None reads the proxy environment variables);
    ``trust_store`` (``"bundled"``, the default, or ``"system"``);
    ``ca_file``; ``max_response_bytes`` and ``max_header_bytes``.

    ``Client.from_env()`` reads the same configuration from TCC_* and
    HUAWEICLOUD_SDK_* environment variables, as tcc_options_new_from_env.
    """

    def __init__(
        self,
        endpoint: Optional[str] = None,
        region: Optional[str] = None,
        token: Optional[str] = None,
        language: Optional[str] = None,
        time_zone: Optional[str] = None,
        site: Optional[int] = None,
        ca_file: Optional[str] = None,
        timeout_ms: Optional[int] = None,
        *,
        connect_timeout_ms: Optional[int] = None,
        max_response_bytes: Optional[int] = None,
        stall_timeout_ms: Optional[int] = None,
        max_attempts: Optional[int] = None,
        max_redirects: Optional[int] = None,
        max_header_bytes: Optional[int] = None,
        proxy: Optional[str] = None,
        trust_store: Optional[str] = None,
        ak: Optional[str] = None,
        sk: Optional[str] = None,
        domain_id: Optional[str] = None,
        security_token: Optional[str] = None,
        iam_user: Optional[str] = None,
        iam_password: Optional[str] = None,
        iam_domain: Optional[str] = None,
        iam_endpoint: Optional[str] = None,
        _from_env: bool = False,
    ) -> None:
        # Set first, so that __del__ and close() work whatever fails below.
        self._handle: Optional[Any] = None
        self._lock = threading.Lock()
        self._in_flight = 0
        self._closed = False
        self._free = _lib.tcc_client_free

        settings = {
            "language": language,
            "time_zone": time_zone,
            "site": site,
            "ca_file": ca_file,
            "timeout_ms": timeout_ms,
            "connect_timeout_ms": connect_timeout_ms,
            "max_response_bytes": max_response_bytes,
            "stall_timeout_ms": stall_timeout_ms,
            "max_attempts": max_attempts,
            "max_redirects": max_redirects,
            "max_header_bytes": max_header_bytes,
            "proxy": proxy,
            "trust_store": trust_store,
            "iam_endpoint": iam_endpoint,
        }
        options = _OptionsP()
        if _from_env:
            _check(_function("tcc_options_new_from_env")(ctypes.byref(options)))
        else:
            _check(_lib.tcc_options_new(ctypes.byref(options)))
        try:
            # An endpoint replaces a region: the endpoint wins if both are given.
            if region is not None:
                _string_setter("tcc_options_set_region")(options, "region", region)
            if endpoint is not None:
                _string_setter("tcc_options_set_endpoint")(options, "endpoint", endpoint)
            self._set_credentials(
                options, token, ak, sk, domain_id, security_token, iam_user, iam_password, iam_domain, _from_env
            )
            for name, apply in _SETTINGS:
                if settings[name] is not None:
                    apply(options, name, settings[name])
            handle = _ClientP()
            _check(_lib.tcc_client_new(options, ctypes.byref(handle)))
            self._handle = handle
        finally:
            _lib.tcc_options_free(options)

    @staticmethod
    def _set_credentials(
        options: Any,
        token: Optional[str],
        ak: Optional[str],
        sk: Optional[str],
        domain_id: Optional[str],
        security_token: Optional[str],
        iam_user: Optional[str],
        iam_password: Optional[str],
        iam_domain: Optional[str],
        from_env: bool,
    ) -> None:
        kinds = [
            kind
            for kind, given in (
                ("token", token is not None),
                ("ak/sk", ak is not None or sk is not None),
                ("iam_user/iam_password/iam_domain", any(v is not None for v in (iam_user, iam_password, iam_domain))),
            )
            if given
        ]
        if len(kinds) > 1:
            raise ValueError(f"give one kind of credentials, not {' and '.join(kinds)}")
        if (domain_id is not None or security_token is not None) and "ak/sk" not in kinds:
            if not from_env or kinds:
                raise ValueError("domain_id and security_token go with ak and sk")
            # Completing AK/SK read from the environment (libtcc says TCC_ERR_CONFIG if there are none).
            if domain_id is not None:
                _string_setter("tcc_options_set_domain_id")(options, "domain_id", domain_id)
            if security_token is not None:
                _string_setter("tcc_options_set_security_token")(options, "security_token", security_token)
            return
        if token is not None:
            _string_setter("tcc_options_set_token")(options, "token", token)
        elif kinds == ["ak/sk"]:
            if ak is None or sk is None:
                raise ValueError("ak and sk go together")
            _check(_function("tcc_options_set_aksk")(options, _encode("ak", ak), _encode("sk", sk)))
            if domain_id is not None:
                _string_setter("tcc_options_set_domain_id")(options, "domain_id", domain_id)
            if security_token is not None:
                _string_setter("tcc_options_set_security_token")(options, "security_token", security_token)
        elif kinds:
            if iam_user is None or iam_password is None or iam_domain is None:
                raise ValueError("iam_user, iam_password and iam_domain go together")
            _check(
                _function("tcc_options_set_password")(
                    options,
                    _encode("iam_user", iam_user),
                    _encode("iam_password", iam_password),
                    _encode("iam_domain", iam_domain),
                )
            )

    @classmethod
    def from_env(cls, **overrides: Any) -> "Client":
        """A client configured from the environment (tcc_options_new_from_env);
        keyword arguments, as for Client(), override what it read."""
        return cls(_from_env=True, **overrides)

    # -- the calls --

    def fetch_cc_emails(self) -> CcEmails:
        """Calls GET /v2/servicerequest/carbon-copy-emails; raises TccError on failure."""
        handle = self._acquire()
        try:
            result = _CcEmailsP()
            code = _lib.tcc_fetch_cc_emails(handle, ctypes.byref(result))
            if code != ResultCode.OK:
                raise _last_error(code)
            try:
                count = _lib.tcc_cc_emails_count(result)
                addresses = [_text(_lib.tcc_cc_emails_address(result, i)) or "" for i in range(count)]
                record = None
                if _lib.tcc_cc_emails_has_last_record(result):
                    record = CcRecord(
                        user_id=_text(_lib.tcc_cc_emails_last_user_id(result)),
                        customer_id=_text(_lib.tcc_cc_emails_last_customer_id(result)),
                        cc_email=_text(_lib.tcc_cc_emails_last_cc_email(result)),
                    )
                return CcEmails(addresses=addresses, last_record=record)
            finally:
                _lib.tcc_cc_emails_free(result)
        finally:
            self._release()

    def fetch_cc_emails_json(self) -> Dict[str, Any]:
        """The same call, as the normalised JSON, parsed: ``{"cc_email_info":
        {"user_id": ..., "customer_id": ..., "cc_email": ...} or None,
        "mc_email_infos": [...]}``."""
        handle = self._acquire()
        try:
            raw = ctypes.c_void_p()
            code = _lib.tcc_fetch_cc_emails_json(handle, ctypes.byref(raw))
            if code != ResultCode.OK:
                raise _last_error(code)
            try:
                text = ctypes.string_at(raw.value).decode("utf-8")
            finally:
                _lib.tcc_free(raw)
        finally:
            self._release()
        parsed: Dict[str, Any] = json.loads(text)
        return parsed

    # -- lifetime --

    def _acquire(self) -> Any:
        with self._lock:
            if self._closed or self._handle is None:
                raise TccError(ResultCode.INVALID_ARGUMENT, "the client is closed")
            self._in_flight += 1
            return self._handle

    def _release(self) -> None:
        with self._lock:
            self._in_flight -= 1
            handle = self._take_if_idle()
        if handle is not None:
            self._free(handle)

    def _take_if_idle(self) -> Optional[Any]:
        # Called with the lock held: the handle to free, once closed and idle.
        if self._closed and self._in_flight == 0 and self._handle is not None:
            handle, self._handle = self._handle, None
            return handle
        return None

    def close(self) -> None:
        """Frees the client. Idempotent; later calls raise TccError. A call still
        running in another thread finishes first, then the handle is freed."""
        lock = getattr(self, "_lock", None)
        if lock is None:  # __init__ failed before setting anything up
            return
        with lock:
            self._closed = True
            handle = self._take_if_idle()
        if handle is not None:
            self._free(handle)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # never raise from a finaliser (e.g. at interpreter exit)
            pass

    def __repr__(self) -> str:
        # Never shows a credential: the client does not even keep them here.
        return f"<tcc.Client {'closed' if self._closed else 'open'}>"
