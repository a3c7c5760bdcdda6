// Exercises include/tcc.hpp against the stand-in whose base URL is in
// TCC_ENDPOINT and whose token is in TCC_TOKEN. Prints one line per check
// and exits 0 only if all passed. Run by tests/cpp_wrapper.rs, which also
// points SSL_CERT_FILE at a missing file (checked by the trust store test).

#include <cstdlib>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "tcc.hpp"

static_assert(std::is_base_of_v<std::runtime_error, tcc::Error>);
static_assert(std::is_nothrow_copy_constructible_v<tcc::Error>);
static_assert(!std::is_copy_constructible_v<tcc::Client>);
static_assert(!std::is_copy_assignable_v<tcc::Client>);
static_assert(std::is_nothrow_move_constructible_v<tcc::Client>);
static_assert(std::is_nothrow_move_assignable_v<tcc::Client>);
static_assert(!std::is_copy_constructible_v<tcc::Options>);
static_assert(std::is_nothrow_move_constructible_v<tcc::Options>);

namespace {

int failures = 0;

void check(bool ok, const std::string &what)
{
    std::cout << (ok ? "ok   " : "FAIL ") << what << '\n';
    if (!ok)
        failures++;
}

std::string endpoint;
std::string token;

tcc::Client client_for(const std::string &url, const std::string &with_token)
{
    return tcc::Client(tcc::Options().set_endpoint(url).set_token(with_token));
}

// Runs `body`, expecting a tcc::Error; returns it (or a TCC_OK error if none was thrown).
template <typename F> tcc::Error expect_error(F body)
{
    try {
        body();
    } catch (const tcc::Error &error) {
        return error;
    }
    return tcc::Error(TCC_OK, "no exception");
}

void fetches_values()
{
    const tcc::Client client = client_for(endpoint, token);
    const tcc::CcEmails cc = client.fetch_cc_emails();
    check(cc.addresses == std::vector<std::string>{"ops@example.com", "audit@example.com"},
          "addresses");
    check(cc.last_record.has_value(), "last record present");
    check(cc.last_record && cc.last_record->user_id == "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
          "user_id");
    check(cc.last_record && cc.last_record->customer_id == "cust-4242", "customer_id");
    check(cc.last_record && cc.last_record->cc_email == "ops@example.com;audit@example.com",
          "cc_email");

    const std::string json = client.fetch_cc_emails_json();
    check(json.find("\"mc_email_infos\":[\"ops@example.com\",\"audit@example.com\"]") !=
              std::string::npos,
          "json: " + json);

    const tcc::CcEmails none = client_for(endpoint + "/scenario/null", token).fetch_cc_emails();
    check(none.addresses.empty() && !none.last_record, "null record and no addresses");

    const tcc::CcEmails partial =
        client_for(endpoint + "/scenario/null-fields", token).fetch_cc_emails();
    check(partial.last_record && !partial.last_record->user_id &&
              !partial.last_record->customer_id &&
              partial.last_record->cc_email == "ops@example.com;audit@example.com",
          "null fields are empty optionals");
}

void errors_carry_the_detail()
{
    const tcc::Client wrong = client_for(endpoint, "wrong-token");
    const tcc::Error auth = expect_error([&] { wrong.fetch_cc_emails(); });
    check(auth.code() == TCC_ERR_AUTH, "wrong token: TCC_ERR_AUTH");
    check(auth.http_status() == 401, "wrong token: HTTP 401");
    check(auth.service_code() == std::string("APIGW.0301"), "wrong token: APIGW.0301");
    check(auth.service_message().has_value(), "wrong token: error_msg");
    check(auth.request_id() && !auth.request_id()->empty(), "wrong token: request id");
    check(auth.message() == auth.what(), "what() is the message");
    check(auth.message().find("wrong-token") == std::string::npos, "no token in the message");
    check(std::string(auth.code_str()) == "authentication or authorisation failed", "code_str");

    const tcc::Error copy = auth; // copies never throw, and share the detail
    check(copy.code() == auth.code() && copy.request_id() == auth.request_id(), "copy");

    const tcc::Client business = client_for(endpoint + "/scenario/business-error", token);
    const tcc::Error service = expect_error([&] { business.fetch_cc_emails_json(); });
    check(service.code() == TCC_ERR_SERVICE && service.http_status() == 200 &&
              service.service_code() == std::string("OSM.01010002") &&
              service.service_message() == std::string("No operation permission"),
          "business error in HTTP 200: TCC_ERR_SERVICE with its code and message");

    const tcc::Error server =
        expect_error([&] { client_for(endpoint + "/scenario/html-502", token).fetch_cc_emails(); });
    check(server.code() == TCC_ERR_SERVER && server.http_status() == 502 &&
              !server.service_code(),
          "HTML 502: TCC_ERR_SERVER without a service code");

    try {
        wrong.fetch_cc_emails();
        check(false, "caught as std::runtime_error");
    } catch (const std::runtime_error &error) {
        check(std::string(error.what()).find("APIGW.0301") != std::string::npos,
              "caught as std::runtime_error");
    }
}

void options_refuse_bad_values()
{
    tcc::Options options;
    const tcc::Error site = expect_error([&] { options.set_site(7); });
    check(site.code() == TCC_ERR_INVALID_ARGUMENT, "set_site(7): TCC_ERR_INVALID_ARGUMENT");
    check(site.http_status() == 0 && !site.request_id(), "no HTTP detail for a local error");

    const std::string with_nul("tok\0en", 6);
    const tcc::Error nul = expect_error([&] { options.set_token(with_nul); });
    check(nul.code() == TCC_ERR_INVALID_ARGUMENT &&
              nul.message().find("NUL") != std::string::npos,
          "a NUL inside a std::string is refused, not cut short");

    const tcc::Error no_credentials =
        expect_error([&] { tcc::Client client(tcc::Options().set_endpoint(endpoint)); });
    check(no_credentials.code() == TCC_ERR_CONFIG, "no credentials: TCC_ERR_CONFIG");

    // The options are still usable after the refusals.
    options.set_endpoint(endpoint).set_token(token).set_site(1).set_language("en-us");
    const tcc::Client client(options);
    check(client.fetch_cc_emails().addresses.size() == 2, "options usable after errors");
}

void network_options()
{
    // Every network setter returns *this, and the chain makes a working client.
    const tcc::Client tuned(tcc::Options()
                                .set_endpoint(endpoint)
                                .set_token(token)
                                .set_stall_timeout_ms(5000)
                                .set_max_attempts(2)
                                .set_max_redirects(3)
                                .set_max_header_bytes(4096)
                                .set_proxy("")
                                .set_trust_store(TCC_TRUST_BUNDLED));
    check(tuned.fetch_cc_emails().addresses.size() == 2, "network setters chain");

    // Out-of-range values: TCC_ERR_INVALID_ARGUMENT, nothing sent.
    tcc::Options options;
    const auto refused = [&](const char *what, auto set) {
        const tcc::Error error = expect_error([&] { set(options); });
        check(error.code() == TCC_ERR_INVALID_ARGUMENT && error.attempts() == 0,
              std::string(what) + ": TCC_ERR_INVALID_ARGUMENT");
    };
    refused("set_stall_timeout_ms(0)", [](tcc::Options &o) { o.set_stall_timeout_ms(0); });
    refused("set_stall_timeout_ms(3600001)",
            [](tcc::Options &o) { o.set_stall_timeout_ms(3600001); });
    refused("set_max_attempts(0)", [](tcc::Options &o) { o.set_max_attempts(0); });
    refused("set_max_attempts(11)", [](tcc::Options &o) { o.set_max_attempts(11); });
    refused("set_max_redirects(11)", [](tcc::Options &o) { o.set_max_redirects(11); });
    refused("set_max_header_bytes(4095)", [](tcc::Options &o) { o.set_max_header_bytes(4095); });
    refused("set_max_header_bytes(1048577)",
            [](tcc::Options &o) { o.set_max_header_bytes(1048577); });
    refused("set_proxy(socks5://...)",
            [](tcc::Options &o) { o.set_proxy("socks5://127.0.0.1:1080"); });
    refused("set_proxy(https://...)",
            [](tcc::Options &o) { o.set_proxy("https://127.0.0.1:3128"); });
    refused("set_proxy with a NUL",
            [](tcc::Options &o) { o.set_proxy(std::string("http://a\0b", 10)); });
    refused("set_trust_store(0)", [](tcc::Options &o) { o.set_trust_store(0); });
    refused("set_trust_store(3)", [](tcc::Options &o) { o.set_trust_store(3); });

    // The limits take effect.
    const tcc::Error timeout = expect_error([&] {
        tcc::Client(tcc::Options()
                        .set_endpoint(endpoint + "/scenario/hang")
                        .set_token(token)
                        .set_stall_timeout_ms(200)
                        .set_max_attempts(1))
            .fetch_cc_emails();
    });
    check(timeout.code() == TCC_ERR_TIMEOUT && timeout.attempts() == 1,
          "set_stall_timeout_ms(200): a hanging server times out after one attempt");

    const std::string redirect = endpoint + "/scenario/redirect-same";
    const tcc::Error not_followed =
        expect_error([&] { client_for(redirect, token).fetch_cc_emails(); });
    check(not_followed.code() == TCC_ERR_HTTP && not_followed.http_status() == 302,
          "a redirect is not followed by default: TCC_ERR_HTTP 302");
    const tcc::Client follows(
        tcc::Options().set_endpoint(redirect).set_token(token).set_max_redirects(1));
    check(follows.fetch_cc_emails().addresses.size() == 2, "set_max_redirects(1) follows it");

    // The stand-in is also an HTTP proxy: an unresolvable host is reached through it.
    const tcc::Client proxied(
        tcc::Options().set_endpoint("http://osm.invalid").set_token(token).set_proxy(endpoint));
    check(proxied.fetch_cc_emails().addresses.size() == 2, "set_proxy: through the proxy");

    // TCC_TRUST_SYSTEM reads SSL_CERT_FILE when the client is made.
    const char *cert_file = std::getenv("SSL_CERT_FILE");
    if (cert_file != nullptr && std::string(cert_file).find("missing") != std::string::npos) {
        const tcc::Error store = expect_error([&] {
            tcc::Client client(tcc::Options()
                                   .set_endpoint(endpoint)
                                   .set_token(token)
                                   .set_trust_store(TCC_TRUST_SYSTEM));
        });
        check(store.code() == TCC_ERR_CONFIG,
              "set_trust_store(TCC_TRUST_SYSTEM) with a missing SSL_CERT_FILE: TCC_ERR_CONFIG");
    }
}

void attempts_are_counted()
{
    const std::string html_502 = endpoint + "/scenario/html-502";
    const tcc::Error retried = expect_error([&] { client_for(html_502, token).fetch_cc_emails(); });
    check(retried.code() == TCC_ERR_SERVER && retried.attempts() == 3,
          "html-502 with default options: 3 attempts, got " +
              std::to_string(retried.attempts()));

    const tcc::Client once(tcc::Options().set_endpoint(html_502).set_token(token).set_max_attempts(1));
    const tcc::Error single = expect_error([&] { once.fetch_cc_emails(); });
    check(single.code() == TCC_ERR_SERVER && single.attempts() == 1,
          "html-502 with set_max_attempts(1): 1 attempt, got " +
              std::to_string(single.attempts()));

    const tcc::Error copy = single;
    check(copy.attempts() == 1, "attempts() survives a copy");

    const tcc::Client wrong = client_for(endpoint, "wrong-token");
    check(expect_error([&] { wrong.fetch_cc_emails(); }).attempts() == 1,
          "a 401 is not retried: 1 attempt");

    const tcc::Error local = expect_error([] { tcc::Options().set_site(7); });
    check(local.attempts() == 0, "an argument error: 0 attempts");
    check(tcc::Error(TCC_ERR_INVALID_ARGUMENT, "made here").attempts() == 0,
          "an error made in C++: 0 attempts");
}

void handles_move()
{
    tcc::Client first = client_for(endpoint, token);
    const tcc_client *handle = first.get();
    tcc::Client second = std::move(first);
    check(second.get() == handle && first.get() == nullptr, "move transfers the handle");
    const tcc::Error moved_from = expect_error([&] { first.fetch_cc_emails(); });
    check(moved_from.code() == TCC_ERR_INVALID_ARGUMENT,
          "a moved-from client throws TCC_ERR_INVALID_ARGUMENT");
    first = std::move(second);
    check(first.fetch_cc_emails().addresses.size() == 2, "move assignment");

    tcc::Options options;
    tcc::Options other = std::move(options);
    check(options.get() == nullptr && other.get() != nullptr, "options move");
}

void from_env()
{
    const tcc::Client client = tcc::Client::from_env();
    check(client.fetch_cc_emails().addresses.size() == 2, "Client::from_env()");
}

std::string env(const char *name)
{
    const char *value = std::getenv(name);
    return value != nullptr ? value : "";
}

void other_credentials()
{
    const std::string ak = env("TEST_AK"), sk = env("TEST_SK"), domain_id = env("TEST_DOMAIN_ID");
    const tcc::Client with_domain_id(
        tcc::Options().set_endpoint(endpoint).set_aksk(ak, sk).set_domain_id(domain_id));
    check(with_domain_id.fetch_cc_emails().addresses.size() == 2, "AK/SK with a domain id");

    const tcc::Client looked_up(
        tcc::Options().set_endpoint(endpoint).set_iam_endpoint(endpoint).set_aksk(ak, sk));
    check(looked_up.fetch_cc_emails().addresses.size() == 2, "AK/SK, domain id from IAM");

    const tcc::Client temporary(tcc::Options()
                                    .set_endpoint(endpoint)
                                    .set_aksk(env("TEST_TEMP_AK"), env("TEST_TEMP_SK"))
                                    .set_security_token(env("TEST_SECURITY_TOKEN"))
                                    .set_domain_id(domain_id));
    check(temporary.fetch_cc_emails().addresses.size() == 2, "temporary AK/SK");

    const tcc::Client password(tcc::Options()
                                   .set_endpoint(endpoint)
                                   .set_iam_endpoint(endpoint)
                                   .set_password(env("TEST_IAM_USER"), env("TEST_IAM_PASSWORD"),
                                                 env("TEST_DOMAIN_NAME")));
    check(password.fetch_cc_emails().addresses.size() == 2, "IAM user and password");

    const tcc::Client wrong_sk(tcc::Options()
                                   .set_endpoint(endpoint)
                                   .set_aksk(ak, "not-the-secret-key")
                                   .set_domain_id(domain_id));
    const tcc::Error error = expect_error([&] { wrong_sk.fetch_cc_emails(); });
    check(error.code() == TCC_ERR_AUTH && error.http_status() == 401 &&
              error.message().find("not-the-secret-key") == std::string::npos,
          "a wrong SK: TCC_ERR_AUTH, the SK in no message");

    const tcc::Error domain_first = expect_error([&] { tcc::Options().set_domain_id(domain_id); });
    check(domain_first.code() == TCC_ERR_CONFIG, "set_domain_id before set_aksk: TCC_ERR_CONFIG");
}

void threads_share_a_client()
{
    const tcc::Client client = client_for(endpoint, token);
    const tcc::Client wrong = client_for(endpoint, "wrong-token");
    const tcc::Client business = client_for(endpoint + "/scenario/business-error", token);
    std::vector<std::thread> threads;
    std::vector<int> good(4, 0);
    std::vector<std::exception_ptr> errors(4);
    for (std::size_t t = 0; t < 4; t++) {
        threads.emplace_back([&, t] {
            try {
                for (int i = 0; i < 5; i++) {
                    if (client.fetch_cc_emails().addresses.size() == 2)
                        good[t]++;
                }
                // Error detail is per thread: each thread sees its own failure.
                if (t % 2 == 0)
                    wrong.fetch_cc_emails();
                else
                    business.fetch_cc_emails();
            } catch (...) {
                errors[t] = std::current_exception();
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    for (std::size_t t = 0; t < 4; t++) {
        check(good[t] == 5, "thread " + std::to_string(t) + ": 5 fetches");
        try {
            if (errors[t])
                std::rethrow_exception(errors[t]);
            check(false, "thread " + std::to_string(t) + ": error");
        } catch (const tcc::Error &error) {
            const tcc_result expected = t % 2 == 0 ? TCC_ERR_AUTH : TCC_ERR_SERVICE;
            check(error.code() == expected,
                  "thread " + std::to_string(t) + ": its own error, rethrown on another thread");
        }
    }
}

} // namespace

int main()
{
    const char *e = std::getenv("TCC_ENDPOINT");
    const char *t = std::getenv("TCC_TOKEN");
    if (e == nullptr || t == nullptr) {
        std::cerr << "set TCC_ENDPOINT and TCC_TOKEN\n";
        return 2;
    }
    endpoint = e;
    token = t;
    check(std::string(tcc::version()) == TCC_VERSION_STRING, "version");
    try {
        fetches_values();
        errors_carry_the_detail();
        options_refuse_bad_values();
        network_options();
        attempts_are_counted();
        handles_move();
        from_env();
        other_credentials();
        threads_share_a_client();
    } catch (const tcc::Error &error) {
        std::cout << "FAIL unexpected tcc::Error " << error.code() << ": " << error.what() << '\n';
        return 1;
    }
    std::cout << (failures == 0 ? "all passed\n" : "some failed\n");
    return failures == 0 ? 0 : 1;
}
