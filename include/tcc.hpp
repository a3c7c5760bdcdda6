/*
 * tcc.hpp: a header-only C++17 wrapper over tcc.h (Huawei Cloud OSM
 * "Querying Service Ticket CC"), with RAII handles, value results and
 * exceptions. Link with libtcc exactly as a C program does (-ltcc, or
 * `pkg-config --libs tcc`); there is no C++ library to build.
 *
 *   #include "tcc.hpp"
 *
 *   tcc::Client client(tcc::Options().set_region("cn-south-1").set_token(token));
 *   tcc::CcEmails cc = client.fetch_cc_emails();       // throws tcc::Error
 *   for (const std::string &address : cc.addresses) std::cout << address << '\n';
 *
 * Ownership. tcc::Options and tcc::Client own their C handle, free it in
 * their destructor, and are move-only; a moved-from object holds no handle,
 * and using it throws tcc::Error with TCC_ERR_INVALID_ARGUMENT. Results
 * (tcc::CcEmails, std::string) are plain values copied out of tcc: nothing
 * returned by this header points into memory that tcc owns. Strings passed
 * in are copied by tcc; a std::string holding a NUL character is refused
 * (TCC_ERR_INVALID_ARGUMENT) rather than silently cut short.
 *
 * Errors. Every failure throws tcc::Error (derived from std::runtime_error),
 * which copies everything tcc_last_error_*() reports at throw time, on the
 * thread where the call failed: code, message, HTTP status, the service's
 * error_code and error_msg, the X-Request-Id, and how many times the request
 * was sent (tcc_last_error_attempts). The exception owns its
 * copies, so it can be kept, copied (without throwing) and rethrown on any
 * thread. std::bad_alloc may also escape, as from any C++ code.
 *
 * Threads. The C contract, unchanged: one tcc::Client may be used by any
 * number of threads at once (its fetch functions are const); only its
 * destruction or a move from it must not race with other use. A
 * tcc::Options is for one thread at a time. tcc::CcEmails and tcc::Error
 * are ordinary values.
 *
 * Versioning. This header wraps the tcc.h it is installed with, and ships
 * with every libtcc release; it follows the library's version and ABI
 * policy. New C functions get new member functions; get() gives the C
 * handle for anything not wrapped yet.
 */

#ifndef TCC_HPP
#define TCC_HPP

#if __cplusplus < 201703L && !(defined(_MSVC_LANG) && _MSVC_LANG >= 201703L)
#error "tcc.hpp needs C++17 or later (e.g. -std=c++17); C++98/11/14 programs can use tcc.h directly"
#endif

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tcc.h"

namespace tcc {

/** The last CC record (`cc_email_info`); each field is empty when the server sent none or null. */
struct CcRecord {
    std::optional<std::string> user_id;
    std::optional<std::string> customer_id;
    /** May list several addresses in one string, as the service stores them. */
    std::optional<std::string> cc_email;
};

/** The result of fetch_cc_emails(), a value that owns its strings. */
struct CcEmails {
    /** `mc_email_infos`, in the server's order; empty when it sent none. */
    std::vector<std::string> addresses;
    /** `cc_email_info`; empty when the server sent no record. */
    std::optional<CcRecord> last_record;
};

namespace detail {

/** A copy of a borrowed C string; NULL gives an empty optional. */
inline std::optional<std::string> copy(const char *text)
{
    if (text == nullptr)
        return std::nullopt;
    return std::string(text);
}

} // namespace detail

/** A failed tcc call, with everything tcc reported about it. */
class Error : public std::runtime_error {
public:
    /** An error made here rather than by libtcc (e.g. a string with a NUL character). */
    Error(tcc_result code, const std::string &message, std::uint16_t http_status = 0,
          std::optional<std::string> service_code = std::nullopt,
          std::optional<std::string> service_message = std::nullopt,
          std::optional<std::string> request_id = std::nullopt,
          std::uint32_t attempts = 0)
        : std::runtime_error(message),
          detail_(std::make_shared<const Detail>(Detail{code, message, http_status,
                                                        std::move(service_code),
                                                        std::move(service_message),
                                                        std::move(request_id), attempts}))
    {
    }

    /**
     * Copies the detail of the failure that `code` reports, from
     * tcc_last_error_*() of the calling thread: call it right after the
     * failed call, on the same thread, before any other tcc call.
     */
    static Error last(tcc_result code)
    {
        return Error(code, tcc_last_error_message(), tcc_last_error_http_status(),
                     detail::copy(tcc_last_error_service_code()),
                     detail::copy(tcc_last_error_service_message()),
                     detail::copy(tcc_last_error_request_id()), tcc_last_error_attempts());
    }

    /** The TCC_ERR_* code. */
    tcc_result code() const noexcept { return detail_->code; }
    /** Static description of the code, e.g. "timed out" (tcc_result_str). */
    const char *code_str() const noexcept { return tcc_result_str(detail_->code); }
    /** One line of English, never containing a credential (same as what()). */
    const std::string &message() const noexcept { return detail_->message; }
    /** HTTP status of the response behind the failure, 0 if none. */
    std::uint16_t http_status() const noexcept { return detail_->http_status; }
    /** The service's `error_code`, e.g. "APIGW.0301", "OSM.01010002". */
    const std::optional<std::string> &service_code() const noexcept { return detail_->service_code; }
    /** The service's `error_msg`. */
    const std::optional<std::string> &service_message() const noexcept
    {
        return detail_->service_message;
    }
    /** The response's `X-Request-Id`: quote it to Huawei Cloud support. */
    const std::optional<std::string> &request_id() const noexcept { return detail_->request_id; }
    /**
     * How many times the failed request was sent (tcc_last_error_attempts):
     * 1 when it was not retried, up to set_max_attempts() when it was, 0 when
     * nothing was sent (argument and configuration errors, a deadline that
     * passed first, an error made by this header).
     */
    std::uint32_t attempts() const noexcept { return detail_->attempts; }

private:
    struct Detail {
        tcc_result code;
        std::string message;
        std::uint16_t http_status;
        std::optional<std::string> service_code;
        std::optional<std::string> service_message;
        std::optional<std::string> request_id;
        std::uint32_t attempts;
    };
    // Shared and immutable: copying the exception never throws.
    std::shared_ptr<const Detail> detail_;
};

namespace detail {

inline void check(tcc_result code)
{
    if (code != TCC_OK)
        throw Error::last(code);
}

/** The NUL-terminated form of `value`, refusing embedded NULs that C would silently cut at. */
inline const char *c_string(const std::string &value, const char *what)
{
    if (value.find('\0') != std::string::npos)
        throw Error(TCC_ERR_INVALID_ARGUMENT,
                    std::string(what) + ": contains a NUL character");
    return value.c_str();
}

struct OptionsDeleter {
    void operator()(tcc_options *options) const noexcept { tcc_options_free(options); }
};
struct ClientDeleter {
    void operator()(tcc_client *client) const noexcept { tcc_client_free(client); }
};
struct CcEmailsDeleter {
    void operator()(tcc_cc_emails *result) const noexcept { tcc_cc_emails_free(result); }
};
struct StringDeleter {
    void operator()(char *text) const noexcept { tcc_free(text); }
};

inline std::string take_string(char *owned)
{
    std::unique_ptr<char, StringDeleter> guard(owned);
    return std::string(owned != nullptr ? owned : "");
}

} // namespace detail

/** The library's version, e.g. "0.1.0" (tcc_version()); compare with TCC_VERSION_STRING. */
inline const char *version() noexcept
{
    return tcc_version();
}

/**
 * Options for a Client; every setter copies its argument, returns *this and
 * throws tcc::Error when tcc refuses the value (the options are then
 * unchanged). Defaults and limits: see the matching tcc_options_set_*() in
 * tcc.h. Use from one thread at a time.
 *
 * Build a named object, or pass the chain straight to the Client
 * constructor: `auto &o = tcc::Options().set_region(...)` would dangle.
 */
class Options {
public:
    /** Empty options: no endpoint, no credentials (tcc_options_new). */
    Options()
    {
        tcc_options *raw = nullptr;
        detail::check(tcc_options_new(&raw));
        handle_.reset(raw);
    }

    /**
     * Options from the environment (tcc_options_new_from_env: TCC_ENDPOINT
     * or TCC_REGION, and HUAWEICLOUD_SDK_AK/SK, TCC_IAM_* or TCC_TOKEN ...).
     * Must not run while another thread changes the environment.
     */
    static Options from_env()
    {
        tcc_options *raw = nullptr;
        detail::check(tcc_options_new_from_env(&raw));
        return Options(raw);
    }

    Options &set_endpoint(const std::string &url)
    {
        detail::check(tcc_options_set_endpoint(get(), detail::c_string(url, "endpoint")));
        return *this;
    }
    Options &set_region(const std::string &region)
    {
        detail::check(tcc_options_set_region(get(), detail::c_string(region, "region")));
        return *this;
    }
    /** A domain-scoped IAM token (X-Auth-Token). */
    Options &set_token(const std::string &token)
    {
        detail::check(tcc_options_set_token(get(), detail::c_string(token, "token")));
        return *this;
    }
    /** Access key and secret key: requests are signed (SDK-HMAC-SHA256). */
    Options &set_aksk(const std::string &ak, const std::string &sk)
    {
        detail::check(tcc_options_set_aksk(get(), detail::c_string(ak, "ak"),
                                           detail::c_string(sk, "sk")));
        return *this;
    }
    /** After set_aksk: the account id sent as X-Domain-Id. */
    Options &set_domain_id(const std::string &domain_id)
    {
        detail::check(
            tcc_options_set_domain_id(get(), detail::c_string(domain_id, "domain_id")));
        return *this;
    }
    /** After set_aksk: the security token of a temporary AK/SK. */
    Options &set_security_token(const std::string &security_token)
    {
        detail::check(tcc_options_set_security_token(
            get(), detail::c_string(security_token, "security_token")));
        return *this;
    }
    /** An IAM user's password, exchanged for tokens by the client. */
    Options &set_password(const std::string &user, const std::string &password,
                          const std::string &domain_name)
    {
        detail::check(tcc_options_set_password(get(), detail::c_string(user, "user"),
                                               detail::c_string(password, "password"),
                                               detail::c_string(domain_name, "domain_name")));
        return *this;
    }
    Options &set_iam_endpoint(const std::string &url)
    {
        detail::check(tcc_options_set_iam_endpoint(get(), detail::c_string(url, "iam_endpoint")));
        return *this;
    }
    /** X-Language, e.g. "en-us". */
    Options &set_language(const std::string &language)
    {
        detail::check(tcc_options_set_language(get(), detail::c_string(language, "language")));
        return *this;
    }
    /** X-Time-Zone, e.g. "GMT+8". */
    Options &set_time_zone(const std::string &time_zone)
    {
        detail::check(
            tcc_options_set_time_zone(get(), detail::c_string(time_zone, "time_zone")));
        return *this;
    }
    /** X-Site: 0 China, 1 international. */
    Options &set_site(std::int32_t site)
    {
        detail::check(tcc_options_set_site(get(), site));
        return *this;
    }
    Options &set_connect_timeout_ms(std::uint32_t ms)
    {
        detail::check(tcc_options_set_connect_timeout_ms(get(), ms));
        return *this;
    }
    /** The deadline of a whole call, retries and IAM requests included. */
    Options &set_timeout_ms(std::uint32_t ms)
    {
        detail::check(tcc_options_set_timeout_ms(get(), ms));
        return *this;
    }
    /** The longest wait for the next bytes while sending or receiving. */
    Options &set_stall_timeout_ms(std::uint32_t ms)
    {
        detail::check(tcc_options_set_stall_timeout_ms(get(), ms));
        return *this;
    }
    /** How many times a request may be sent in total, 1..10; 1 turns retrying off. */
    Options &set_max_attempts(std::uint32_t attempts)
    {
        detail::check(tcc_options_set_max_attempts(get(), attempts));
        return *this;
    }
    /** How many same-origin redirects a request may follow, 0..10 (default 0). */
    Options &set_max_redirects(std::uint32_t redirects)
    {
        detail::check(tcc_options_set_max_redirects(get(), redirects));
        return *this;
    }
    /**
     * An HTTP proxy, http://[user:password@]host[:port], used instead of the
     * proxy environment variables; "" turns proxies off, the environment's too.
     */
    Options &set_proxy(const std::string &url)
    {
        detail::check(tcc_options_set_proxy(get(), detail::c_string(url, "proxy")));
        return *this;
    }
    /** The roots HTTPS servers are checked against: TCC_TRUST_BUNDLED or TCC_TRUST_SYSTEM. */
    Options &set_trust_store(tcc_trust_store store)
    {
        detail::check(tcc_options_set_trust_store(get(), store));
        return *this;
    }
    /** PEM file of CA certificates to trust instead of the trust store. */
    Options &set_ca_file(const std::string &path)
    {
        detail::check(tcc_options_set_ca_file(get(), detail::c_string(path, "ca_file")));
        return *this;
    }
    Options &set_max_response_bytes(std::uint64_t bytes)
    {
        detail::check(tcc_options_set_max_response_bytes(get(), bytes));
        return *this;
    }
    /** The largest accepted response head (status line and headers), 4096..1048576. */
    Options &set_max_header_bytes(std::uint32_t bytes)
    {
        detail::check(tcc_options_set_max_header_bytes(get(), bytes));
        return *this;
    }

    /** The C handle, still owned by this object (NULL once moved from). */
    tcc_options *get() const noexcept { return handle_.get(); }

private:
    explicit Options(tcc_options *raw) noexcept : handle_(raw) {}

    std::unique_ptr<tcc_options, detail::OptionsDeleter> handle_;
};

/**
 * A client for OSM (tcc_client). Move-only; the destructor frees it.
 * fetch_cc_emails() and fetch_cc_emails_json() may be called from any
 * number of threads at once on one client.
 */
class Client {
public:
    /** Copies what it needs from `options` (tcc_client_new); throws tcc::Error. */
    explicit Client(const Options &options)
    {
        tcc_client *raw = nullptr;
        detail::check(tcc_client_new(options.get(), &raw));
        handle_.reset(raw);
    }

    /** Client(Options::from_env()). */
    static Client from_env() { return Client(Options::from_env()); }

    /** Calls GET /v2/servicerequest/carbon-copy-emails; blocks up to the timeout. */
    CcEmails fetch_cc_emails() const
    {
        tcc_cc_emails *raw = nullptr;
        detail::check(tcc_fetch_cc_emails(get(), &raw));
        std::unique_ptr<tcc_cc_emails, detail::CcEmailsDeleter> result(raw);
        CcEmails out;
        const std::size_t count = tcc_cc_emails_count(raw);
        out.addresses.reserve(count);
        for (std::size_t i = 0; i < count; i++) {
            const char *address = tcc_cc_emails_address(raw, i);
            out.addresses.emplace_back(address != nullptr ? address : "");
        }
        if (tcc_cc_emails_has_last_record(raw)) {
            out.last_record = CcRecord{detail::copy(tcc_cc_emails_last_user_id(raw)),
                                       detail::copy(tcc_cc_emails_last_customer_id(raw)),
                                       detail::copy(tcc_cc_emails_last_cc_email(raw))};
        }
        return out;
    }

    /**
     * The same call, as the normalised JSON:
     * {"cc_email_info":{"user_id":...,"customer_id":...,"cc_email":...}|null,"mc_email_infos":[...]}
     */
    std::string fetch_cc_emails_json() const
    {
        char *json = nullptr;
        detail::check(tcc_fetch_cc_emails_json(get(), &json));
        return detail::take_string(json);
    }

    /** The C handle, still owned by this object (NULL once moved from). */
    const tcc_client *get() const noexcept { return handle_.get(); }

private:
    std::unique_ptr<tcc_client, detail::ClientDeleter> handle_;
};

} // namespace tcc

#endif /* TCC_HPP */
