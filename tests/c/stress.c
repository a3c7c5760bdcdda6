/*
 * Stress program for libtcc, run by tests/load.rs (normally, under valgrind,
 * and built with AddressSanitizer when available).
 *
 *   stress ENDPOINT ERROR_ENDPOINT TOKEN TIMEOUT_MS THREADS CALLS CYCLES
 *          EXPECTED_JSON USER_ID ADDRESS...
 *
 * THREADS threads share one client and make CALLS calls each, alternating
 * tcc_fetch_cc_emails (every accessor checked, and to_json) and
 * tcc_fetch_cc_emails_json; every 8th call they also check error cases: a
 * business error from a second shared client (ERROR_ENDPOINT answers
 * OSM.01010002 in HTTP 200), NULL arguments, a refused setter, and that the
 * error detail is their own. Then each thread makes CYCLES short-lived
 * options/client pairs, fetching once with each, and reading a result after
 * its client is freed.
 *
 * Prints "stress: ok N, service errors M" and exits 0 when every check held;
 * prints the first failure of each thread and exits 1 otherwise; 2 on bad usage.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcc.h"

struct config {
    const char *endpoint;
    const char *error_endpoint;
    const char *token;
    uint32_t timeout_ms;
    unsigned long calls;
    unsigned long cycles;
    const char *expected_json;
    const char *user_id;
    char **addresses;
    size_t address_count;
    const tcc_client *client;
    const tcc_client *error_client;
};

struct worker {
    pthread_t thread;
    int index;
    const struct config *config;
    unsigned long ok;
    unsigned long service_errors;
    int failed;
};

#define FAIL(w, ...)                                                                 \
    do {                                                                             \
        fprintf(stderr, "stress: thread %d: ", (w)->index);                          \
        fprintf(stderr, __VA_ARGS__);                                                \
        fprintf(stderr, " (last error %u: %s)\n", (unsigned)tcc_last_error_code(),   \
                tcc_last_error_message());                                           \
        (w)->failed = 1;                                                             \
        return 0;                                                                    \
    } while (0)

static int same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* A non-NULL pointer no tcc function may write on failure. */
static tcc_cc_emails *const UNTOUCHED = (tcc_cc_emails *)&UNTOUCHED;

static tcc_options *make_options(struct worker *w, const char *endpoint)
{
    tcc_options *options = NULL;
    if (tcc_options_new(&options) != TCC_OK || options == NULL)
        return NULL;
    if (tcc_options_set_endpoint(options, endpoint) != TCC_OK ||
        tcc_options_set_token(options, w->config->token) != TCC_OK ||
        tcc_options_set_timeout_ms(options, w->config->timeout_ms) != TCC_OK ||
        tcc_options_set_proxy(options, "") != TCC_OK) {
        tcc_options_free(options);
        return NULL;
    }
    return options;
}

/* Every accessor of a result of the normal answer. */
static int check_result(struct worker *w, const tcc_cc_emails *result)
{
    const struct config *c = w->config;
    size_t i;
    char *json = NULL;

    if (tcc_cc_emails_count(result) != c->address_count)
        FAIL(w, "count %lu, expected %lu", (unsigned long)tcc_cc_emails_count(result),
             (unsigned long)c->address_count);
    for (i = 0; i < c->address_count; i++)
        if (!same(tcc_cc_emails_address(result, i), c->addresses[i]))
            FAIL(w, "address %lu is %s", (unsigned long)i, tcc_cc_emails_address(result, i));
    if (tcc_cc_emails_address(result, c->address_count) != NULL ||
        tcc_cc_emails_address(result, SIZE_MAX) != NULL)
        FAIL(w, "an address past the end");
    if (!tcc_cc_emails_has_last_record(result) ||
        !same(tcc_cc_emails_last_user_id(result), c->user_id) ||
        tcc_cc_emails_last_customer_id(result) == NULL ||
        tcc_cc_emails_last_cc_email(result) == NULL)
        FAIL(w, "wrong last record");
    if (tcc_cc_emails_to_json(result, &json) != TCC_OK || !same(json, c->expected_json))
        FAIL(w, "to_json gave %s", json ? json : "NULL");
    tcc_free(json);
    return 1;
}

static int fetch_and_check(struct worker *w, const tcc_client *client, unsigned long i)
{
    if (i % 2 == 0) {
        tcc_cc_emails *result = NULL;
        tcc_result code = tcc_fetch_cc_emails(client, &result);
        if (code != TCC_OK || result == NULL)
            FAIL(w, "call %lu: fetch returned %u", i, (unsigned)code);
        if (tcc_last_error_code() != TCC_OK)
            FAIL(w, "call %lu: last error not cleared", i);
        if (!check_result(w, result)) {
            tcc_cc_emails_free(result);
            return 0;
        }
        tcc_cc_emails_free(result);
    } else {
        char *json = NULL;
        tcc_result code = tcc_fetch_cc_emails_json(client, &json);
        if (code != TCC_OK || !same(json, w->config->expected_json))
            FAIL(w, "call %lu: fetch_json returned %u: %s", i, (unsigned)code,
                 json ? json : "NULL");
        tcc_free(json);
    }
    w->ok++;
    return 1;
}

static int error_cases(struct worker *w, tcc_options *own_options, unsigned long i)
{
    tcc_cc_emails *result = UNTOUCHED;
    char *json = (char *)UNTOUCHED;
    const char *code;
    tcc_result got;

    got = tcc_fetch_cc_emails(w->config->error_client, &result);
    code = tcc_last_error_service_code();
    if (got != TCC_ERR_SERVICE || result != UNTOUCHED || !same(code, "OSM.01010002") ||
        tcc_last_error_http_status() != 200 || tcc_last_error_request_id() == NULL ||
        tcc_last_error_attempts() != 1)
        FAIL(w, "call %lu: business error gave %u, code %s", i, (unsigned)got,
             code ? code : "NULL");
    w->service_errors++;

    if (tcc_fetch_cc_emails(NULL, &result) != TCC_ERR_INVALID_ARGUMENT || result != UNTOUCHED)
        FAIL(w, "call %lu: NULL client accepted", i);
    if (tcc_fetch_cc_emails(w->config->client, NULL) != TCC_ERR_INVALID_ARGUMENT)
        FAIL(w, "call %lu: NULL out accepted", i);
    if (tcc_fetch_cc_emails_json(NULL, &json) != TCC_ERR_INVALID_ARGUMENT ||
        json != (char *)UNTOUCHED)
        FAIL(w, "call %lu: NULL client accepted (json)", i);
    if (tcc_options_set_language(own_options, "\xff\xfe") != TCC_ERR_INVALID_ARGUMENT ||
        tcc_options_set_site(own_options, -1) != TCC_ERR_INVALID_ARGUMENT ||
        tcc_options_set_timeout_ms(own_options, 0) != TCC_ERR_INVALID_ARGUMENT ||
        tcc_options_set_token(own_options, "a\r\nX-Evil: 1") != TCC_ERR_INVALID_ARGUMENT)
        FAIL(w, "call %lu: a bad value was accepted", i);
    /* The detail is this thread's own: the last call's, not another thread's. */
    if (tcc_last_error_code() != TCC_ERR_INVALID_ARGUMENT || tcc_last_error_http_status() != 0 ||
        tcc_last_error_service_code() != NULL || tcc_last_error_message()[0] == '\0')
        FAIL(w, "call %lu: last error is not this thread's", i);
    if (tcc_cc_emails_count(NULL) != 0 || tcc_cc_emails_address(NULL, 0) != NULL)
        FAIL(w, "call %lu: NULL result accessors", i);
    tcc_cc_emails_free(NULL);
    tcc_free(NULL);
    return 1;
}

/* Short-lived options and clients; a result read after its client is freed. */
static int cycles(struct worker *w)
{
    unsigned long k;
    for (k = 0; k < w->config->cycles; k++) {
        tcc_client *client = NULL;
        tcc_cc_emails *result = NULL;
        tcc_options *options = make_options(w, w->config->endpoint);
        if (options == NULL)
            FAIL(w, "cycle %lu: options", k);
        if (tcc_client_new(options, &client) != TCC_OK) {
            tcc_options_free(options);
            FAIL(w, "cycle %lu: client_new", k);
        }
        tcc_options_free(options);
        if (k % 2 == 0) {
            if (!fetch_and_check(w, client, 1)) {
                tcc_client_free(client);
                return 0;
            }
        } else {
            if (tcc_fetch_cc_emails(client, &result) != TCC_OK) {
                tcc_client_free(client);
                FAIL(w, "cycle %lu: fetch", k);
            }
            tcc_client_free(client);
            client = NULL;
            if (!check_result(w, result)) {
                tcc_cc_emails_free(result);
                return 0;
            }
            tcc_cc_emails_free(result);
            w->ok++;
        }
        tcc_client_free(client);
    }
    return 1;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    unsigned long i;
    tcc_options *own_options = make_options(w, w->config->endpoint);

    if (own_options == NULL) {
        fprintf(stderr, "stress: thread %d: options\n", w->index);
        w->failed = 1;
        return NULL;
    }
    for (i = 0; i < w->config->calls && !w->failed; i++) {
        if (!fetch_and_check(w, w->config->client, i))
            break;
        if (i % 8 == 0 && !error_cases(w, own_options, i))
            break;
    }
    tcc_options_free(own_options);
    if (!w->failed)
        cycles(w);
    return NULL;
}

static unsigned long number(const char *text)
{
    char *end = NULL;
    unsigned long n = strtoul(text, &end, 10);
    if (end == text || *end != '\0') {
        fprintf(stderr, "stress: not a number: %s\n", text);
        exit(2);
    }
    return n;
}

int main(int argc, char **argv)
{
    struct config config;
    struct worker *workers;
    unsigned long threads, t, ok = 0, service_errors = 0;
    tcc_client *client = NULL, *error_client = NULL;
    tcc_options *options;
    struct worker setup;
    int failed = 0;

    if (argc < 11) {
        fprintf(stderr,
                "usage: %s ENDPOINT ERROR_ENDPOINT TOKEN TIMEOUT_MS THREADS CALLS CYCLES "
                "EXPECTED_JSON USER_ID ADDRESS...\n",
                argv[0]);
        return 2;
    }
    memset(&config, 0, sizeof config);
    config.endpoint = argv[1];
    config.error_endpoint = argv[2];
    config.token = argv[3];
    config.timeout_ms = (uint32_t)number(argv[4]);
    threads = number(argv[5]);
    config.calls = number(argv[6]);
    config.cycles = number(argv[7]);
    config.expected_json = argv[8];
    config.user_id = argv[9];
    config.addresses = argv + 10;
    config.address_count = (size_t)(argc - 10);

    memset(&setup, 0, sizeof setup);
    setup.config = &config;
    options = make_options(&setup, config.endpoint);
    if (options == NULL || tcc_client_new(options, &client) != TCC_OK) {
        fprintf(stderr, "stress: client: %s\n", tcc_last_error_message());
        return 1;
    }
    tcc_options_free(options);
    options = make_options(&setup, config.error_endpoint);
    if (options == NULL || tcc_client_new(options, &error_client) != TCC_OK) {
        fprintf(stderr, "stress: error client: %s\n", tcc_last_error_message());
        return 1;
    }
    tcc_options_free(options);
    config.client = client;
    config.error_client = error_client;

    workers = calloc(threads, sizeof *workers);
    if (workers == NULL)
        return 1;
    for (t = 0; t < threads; t++) {
        workers[t].index = (int)t;
        workers[t].config = &config;
        if (pthread_create(&workers[t].thread, NULL, work, &workers[t]) != 0) {
            fprintf(stderr, "stress: pthread_create failed\n");
            return 1;
        }
    }
    for (t = 0; t < threads; t++) {
        pthread_join(workers[t].thread, NULL);
        failed |= workers[t].failed;
        ok += workers[t].ok;
        service_errors += workers[t].service_errors;
    }
    free(workers);
    tcc_client_free(client);
    tcc_client_free(error_client);
    printf("stress: ok %lu, service errors %lu\n", ok, service_errors);
    return failed ? 1 : 0;
}
