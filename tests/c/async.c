/*
 * Non-blocking calls from C, run by tests/async_calls.rs (as it is and
 * under valgrind) against the OSM stand-in.
 *
 *   async OK_URL HANG_URL FORBIDDEN_URL TOKEN ADDRESS0 ADDRESS_COUNT
 *
 * 1. Eight calls in flight on one client: every callback runs on a thread
 *    of its own (not main's), all eight at the same time (they meet at a
 *    rendezvous that a serial dispatcher could never complete), records
 *    into its own userdata, sees its handle already written through
 *    out_call, and gets TCC_ERR_INVALID_ARGUMENT from tcc_call_wait and
 *    tcc_call_join and false from tcc_call_cancel on its own call.
 * 2. Error detail inside the callback (403 OSM.0003), the handle freed at
 *    once (fire and forget): the callback still comes.
 * 3. A call to a server that never answers: tcc_call_wait times out, then
 *    tcc_call_cancel makes the callback come with TCC_ERR_CANCELLED within
 *    2 s although the call's deadline is 4 s away; tcc_call_join then
 *    waits for the abandoned work to end at that deadline.
 * 4. Clients freed while their calls are in flight: the calls complete.
 * 5. A callback that calls back into tcc: frees its client, starts another
 *    call, frees its own handle.
 * 6. NULL arguments.
 *
 * Every call whose handle is kept is joined, so no tcc thread is left
 * when main returns (valgrind would see its memory as lost).
 *
 * Prints "async: ok" and exits 0 when every check held; prints each failed
 * check and exits 1 otherwise; 2 on bad usage.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcc.h"

#define IN_FLIGHT 8
#define FREED_IN_FLIGHT 4
/* Generous: calls under valgrind are slow. Only reached on failure. */
#define LONG_WAIT_MS 60000

static int failed;

#define CHECK(cond, ...)                                                             \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "async: line %d: ", __LINE__);                           \
            fprintf(stderr, __VA_ARGS__);                                            \
            fprintf(stderr, "\n");                                                   \
            failed = 1;                                                              \
        }                                                                            \
    } while (0)

static const char *ok_url, *hang_url, *forbidden_url, *token, *address0;
static size_t address_count;
static pthread_t main_thread;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static void deadline_in(struct timespec *t, long ms)
{
    clock_gettime(CLOCK_REALTIME, t);
    t->tv_sec += ms / 1000;
    t->tv_nsec += (ms % 1000) * 1000000L;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec += 1;
        t->tv_nsec -= 1000000000L;
    }
}

static void copy(char *to, size_t size, const char *from)
{
    to[0] = '\0';
    if (from != NULL) {
        strncpy(to, from, size - 1);
        to[size - 1] = '\0';
    }
}

static tcc_client *make_client(const char *endpoint, uint32_t timeout_ms)
{
    tcc_options *options = NULL;
    tcc_client *client = NULL;
    if (tcc_options_new(&options) != TCC_OK)
        return NULL;
    if (tcc_options_set_endpoint(options, endpoint) != TCC_OK ||
        tcc_options_set_token(options, token) != TCC_OK ||
        tcc_options_set_proxy(options, "") != TCC_OK ||
        tcc_options_set_max_attempts(options, 1) != TCC_OK ||
        tcc_options_set_timeout_ms(options, timeout_ms) != TCC_OK ||
        tcc_options_set_stall_timeout_ms(options, timeout_ms) != TCC_OK ||
        tcc_client_new(options, &client) != TCC_OK) {
        fprintf(stderr, "async: client for %s: %s\n", endpoint, tcc_last_error_message());
        client = NULL;
    }
    tcc_options_free(options);
    return client;
}

/* --- A signal from a callback to main --- */

struct signal {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int count;
};

static struct signal signal_new(void)
{
    struct signal s;
    pthread_mutex_init(&s.mutex, NULL);
    pthread_cond_init(&s.cond, NULL);
    s.count = 0;
    return s;
}

static void signal_raise(struct signal *s)
{
    pthread_mutex_lock(&s->mutex);
    s->count++;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mutex);
}

/* Waits until `count` raises, or `ms` pass; returns the count reached. */
static int signal_wait(struct signal *s, int count, long ms)
{
    struct timespec until;
    int reached;
    deadline_in(&until, ms);
    pthread_mutex_lock(&s->mutex);
    while (s->count < count)
        if (pthread_cond_timedwait(&s->cond, &s->mutex, &until) == ETIMEDOUT)
            break;
    reached = s->count;
    pthread_mutex_unlock(&s->mutex);
    return reached;
}

static void signal_free(struct signal *s)
{
    pthread_mutex_destroy(&s->mutex);
    pthread_cond_destroy(&s->cond);
}

/* --- What a callback saw --- */

struct slot {
    tcc_call *call; /* written by tcc_fetch_cc_emails_async through out_call */
    struct signal *rendezvous; /* NULL, or where all IN_FLIGHT callbacks meet */
    struct signal *done;       /* NULL, or raised when the callback is over */
    int called;
    int saw_own_handle;
    pthread_t thread;
    tcc_result code;
    tcc_result last_code;
    uint16_t http_status;
    char message[256];
    char service_code[64];
    char request_id[128];
    size_t count;
    char first[128];
    tcc_result own_wait;
    tcc_result own_join;
    int own_cancel;
    int met;
};

static void record(void *userdata, tcc_result code, tcc_cc_emails *result)
{
    struct slot *s = userdata;
    s->called++;
    s->thread = pthread_self();
    s->saw_own_handle = s->call != NULL;
    s->code = code;
    /* The error detail first: any tcc_result call below clears it. */
    s->last_code = tcc_last_error_code();
    s->http_status = tcc_last_error_http_status();
    copy(s->message, sizeof s->message, tcc_last_error_message());
    copy(s->service_code, sizeof s->service_code, tcc_last_error_service_code());
    copy(s->request_id, sizeof s->request_id, tcc_last_error_request_id());
    if (result != NULL) {
        s->count = tcc_cc_emails_count(result);
        copy(s->first, sizeof s->first, tcc_cc_emails_address(result, 0));
        tcc_cc_emails_free(result);
    }
    if (s->call != NULL) {
        s->own_wait = tcc_call_wait(s->call, 0);
        s->own_join = tcc_call_join(s->call, LONG_WAIT_MS);
        s->own_cancel = tcc_call_cancel(s->call);
    }
    if (s->rendezvous != NULL) {
        signal_raise(s->rendezvous);
        s->met = signal_wait(s->rendezvous, IN_FLIGHT, LONG_WAIT_MS) >= IN_FLIGHT;
    }
    if (s->done != NULL)
        signal_raise(s->done);
}

static void check_ok(const struct slot *s, const char *what)
{
    CHECK(s->called == 1, "%s: called %d times", what, s->called);
    CHECK(s->code == TCC_OK, "%s: code %u (%s)", what, (unsigned)s->code, s->message);
    CHECK(s->last_code == TCC_OK, "%s: last error %u", what, (unsigned)s->last_code);
    CHECK(s->count == address_count, "%s: %zu addresses", what, s->count);
    CHECK(strcmp(s->first, address0) == 0, "%s: first address %s", what, s->first);
    CHECK(!pthread_equal(s->thread, main_thread), "%s: called back on main's thread", what);
}

/* 1. Eight calls in flight on one client. */
static void eight_in_flight(tcc_client *client)
{
    struct slot slots[IN_FLIGHT];
    struct signal rendezvous = signal_new();
    int i, j;
    memset(slots, 0, sizeof slots);
    for (i = 0; i < IN_FLIGHT; i++) {
        slots[i].rendezvous = &rendezvous;
        CHECK(tcc_fetch_cc_emails_async(client, record, &slots[i], &slots[i].call) == TCC_OK,
              "start %d: %s", i, tcc_last_error_message());
    }
    for (i = 0; i < IN_FLIGHT; i++) {
        char what[32];
        sprintf(what, "call %d", i);
        if (slots[i].call == NULL)
            continue;
        CHECK(tcc_call_wait(slots[i].call, LONG_WAIT_MS) == TCC_OK, "%s: wait: %s", what,
              tcc_last_error_message());
        check_ok(&slots[i], what);
        CHECK(slots[i].saw_own_handle, "%s: out_call not written before the callback", what);
        CHECK(slots[i].own_wait == TCC_ERR_INVALID_ARGUMENT, "%s: wait on itself gave %u", what,
              (unsigned)slots[i].own_wait);
        CHECK(slots[i].own_join == TCC_ERR_INVALID_ARGUMENT, "%s: join on itself gave %u", what,
              (unsigned)slots[i].own_join);
        CHECK(!slots[i].own_cancel, "%s: cancel on itself took effect", what);
        CHECK(slots[i].met, "%s: the %d callbacks never ran at the same time", what, IN_FLIGHT);
        /* Completed: waiting again returns at once, cancelling does nothing. */
        CHECK(tcc_call_wait(slots[i].call, 0) == TCC_OK, "%s: second wait", what);
        CHECK(!tcc_call_cancel(slots[i].call), "%s: cancel after completion", what);
        for (j = 0; j < i; j++)
            CHECK(!pthread_equal(slots[i].thread, slots[j].thread),
                  "calls %d and %d called back on one thread", j, i);
        CHECK(tcc_call_join(slots[i].call, LONG_WAIT_MS) == TCC_OK, "%s: join", what);
        CHECK(tcc_call_join(slots[i].call, 0) == TCC_OK, "%s: second join", what);
        tcc_call_free(slots[i].call);
    }
    signal_free(&rendezvous);
}

/* 2. Error detail inside the callback; the handle freed at once. */
static void error_detail(tcc_client *client)
{
    struct slot slot;
    struct signal done = signal_new();
    tcc_call *call = NULL;
    memset(&slot, 0, sizeof slot);
    slot.done = &done;
    CHECK(tcc_fetch_cc_emails_async(client, record, &slot, &call) == TCC_OK, "start: %s",
          tcc_last_error_message());
    tcc_call_free(call); /* does not cancel: the callback still comes */
    CHECK(signal_wait(&done, 1, LONG_WAIT_MS) == 1, "forbidden: no callback");
    CHECK(slot.called == 1, "forbidden: called %d times", slot.called);
    CHECK(slot.code == TCC_ERR_AUTH, "forbidden: code %u", (unsigned)slot.code);
    CHECK(slot.last_code == TCC_ERR_AUTH, "forbidden: last error %u", (unsigned)slot.last_code);
    CHECK(slot.http_status == 403, "forbidden: HTTP %u", (unsigned)slot.http_status);
    CHECK(strcmp(slot.service_code, "OSM.0003") == 0, "forbidden: service code '%s'",
          slot.service_code);
    CHECK(slot.request_id[0] != '\0', "forbidden: no request id");
    CHECK(slot.message[0] != '\0', "forbidden: no message");
    CHECK(slot.count == 0, "forbidden: a result");
    CHECK(!pthread_equal(slot.thread, main_thread), "forbidden: called back on main's thread");
    /* The detail was the callback thread's: main's own is untouched. */
    CHECK(tcc_last_error_code() == TCC_OK, "forbidden: main's last error is %u",
          (unsigned)tcc_last_error_code());
    signal_free(&done);
}

/* 3. Wait with a timeout, then cancel, on a server that never answers. */
static void hang_then_cancel(void)
{
    struct slot slot;
    tcc_client *client = make_client(hang_url, 4000);
    double started, cancelled, elapsed;
    memset(&slot, 0, sizeof slot);
    if (client == NULL) {
        failed = 1;
        return;
    }
    CHECK(tcc_fetch_cc_emails_async(client, record, &slot, &slot.call) == TCC_OK, "start: %s",
          tcc_last_error_message());
    if (slot.call == NULL)
        return;
    started = now_ms();
    CHECK(tcc_call_wait(slot.call, 300) == TCC_ERR_TIMEOUT, "hang: wait did not time out");
    CHECK(tcc_last_error_code() == TCC_ERR_TIMEOUT, "hang: last error %u",
          (unsigned)tcc_last_error_code());
    elapsed = now_ms() - started;
    CHECK(elapsed >= 250 && elapsed < 5000, "hang: wait(300) took %.0f ms", elapsed);
    CHECK(tcc_call_wait(slot.call, 0) == TCC_ERR_TIMEOUT, "hang: poll");
    CHECK(slot.called == 0, "hang: called back before any answer");

    cancelled = now_ms();
    CHECK(tcc_call_cancel(slot.call), "hang: cancel had no effect");
    CHECK(!tcc_call_cancel(slot.call), "hang: second cancel had an effect");
    CHECK(tcc_call_wait(slot.call, 2000) == TCC_OK, "hang: no callback within 2 s of cancel");
    elapsed = now_ms() - cancelled;
    CHECK(slot.called == 1, "hang: called %d times", slot.called);
    CHECK(slot.code == TCC_ERR_CANCELLED, "hang: code %u", (unsigned)slot.code);
    CHECK(slot.last_code == TCC_ERR_CANCELLED, "hang: last error %u", (unsigned)slot.last_code);
    CHECK(slot.message[0] != '\0', "hang: no message");
    CHECK(slot.count == 0, "hang: a result");
    CHECK(!pthread_equal(slot.thread, main_thread), "hang: called back on main's thread");
    printf("cancelled callback after %.0f ms\n", elapsed);
    /* Its abandoned work still holds the connection: freeing is safe. */
    tcc_client_free(client);
    /* The work ends at the deadline, 4 s after the start. */
    CHECK(tcc_call_join(slot.call, 0) == TCC_ERR_TIMEOUT, "hang: joined before the deadline");
    cancelled = now_ms();
    CHECK(tcc_call_join(slot.call, LONG_WAIT_MS) == TCC_OK, "hang: join");
    elapsed = now_ms() - cancelled;
    CHECK(elapsed > 1000, "hang: join took only %.0f ms", elapsed);
    CHECK(slot.called == 1, "hang: called %d times", slot.called);
    tcc_call_free(slot.call);
}

/* 4. Clients freed while their calls are in flight. */
static void free_client_in_flight(void)
{
    struct slot slots[FREED_IN_FLIGHT], hung;
    tcc_client *client = make_client(ok_url, LONG_WAIT_MS);
    tcc_client *hang_client = make_client(hang_url, 1000);
    int i;
    memset(slots, 0, sizeof slots);
    memset(&hung, 0, sizeof hung);
    if (client == NULL || hang_client == NULL) {
        failed = 1;
        return;
    }
    for (i = 0; i < FREED_IN_FLIGHT; i++)
        CHECK(tcc_fetch_cc_emails_async(client, record, &slots[i], &slots[i].call) == TCC_OK,
              "start %d", i);
    CHECK(tcc_fetch_cc_emails_async(hang_client, record, &hung, &hung.call) == TCC_OK,
          "start hung");
    tcc_client_free(client);
    tcc_client_free(hang_client);
    for (i = 0; i < FREED_IN_FLIGHT; i++) {
        if (slots[i].call == NULL)
            continue;
        CHECK(tcc_call_wait(slots[i].call, LONG_WAIT_MS) == TCC_OK, "freed %d: wait", i);
        check_ok(&slots[i], "freed client");
        CHECK(tcc_call_join(slots[i].call, LONG_WAIT_MS) == TCC_OK, "freed %d: join", i);
        tcc_call_free(slots[i].call);
    }
    /* Still waiting for the server when its client went: its deadline ends it. */
    if (hung.call != NULL) {
        CHECK(tcc_call_wait(hung.call, LONG_WAIT_MS) == TCC_OK, "hung: wait");
        CHECK(hung.called == 1 && hung.code == TCC_ERR_TIMEOUT, "hung: code %u (%s)",
              (unsigned)hung.code, hung.message);
        CHECK(tcc_call_join(hung.call, LONG_WAIT_MS) == TCC_OK, "hung: join");
        tcc_call_free(hung.call);
    }
}

/* 5. A callback that calls back into tcc. */
struct chain {
    tcc_call *call;          /* this call's handle, freed by its own callback */
    tcc_client *own_client;  /* freed by the callback */
    tcc_client *next_client; /* the callback starts a call on it */
    struct slot next;
    tcc_result start_code;
    struct signal done;
};

static void chain_step(void *userdata, tcc_result code, tcc_cc_emails *result)
{
    struct chain *c = userdata;
    tcc_cc_emails_free(result);
    if (code != TCC_OK)
        fprintf(stderr, "async: chain: first call failed: %u\n", (unsigned)code);
    tcc_client_free(c->own_client);
    c->own_client = NULL;
    c->start_code = tcc_fetch_cc_emails_async(c->next_client, record, &c->next, &c->next.call);
    tcc_call_free(c->call);
    c->call = NULL;
    signal_raise(&c->done);
}

static void reentrant_callback(tcc_client *next_client)
{
    struct chain chain;
    memset(&chain, 0, sizeof chain);
    chain.done = signal_new();
    chain.own_client = make_client(ok_url, LONG_WAIT_MS);
    chain.next_client = next_client;
    if (chain.own_client == NULL) {
        failed = 1;
        return;
    }
    CHECK(tcc_fetch_cc_emails_async(chain.own_client, chain_step, &chain, &chain.call) == TCC_OK,
          "chain: start");
    CHECK(signal_wait(&chain.done, 1, LONG_WAIT_MS) == 1, "chain: no callback");
    CHECK(chain.own_client == NULL && chain.call == NULL, "chain: callback did not finish");
    CHECK(chain.start_code == TCC_OK, "chain: second start gave %u", (unsigned)chain.start_code);
    if (chain.next.call != NULL) {
        /* A handle made on a callback thread, waited for on main. */
        CHECK(tcc_call_wait(chain.next.call, LONG_WAIT_MS) == TCC_OK, "chain: wait");
        check_ok(&chain.next, "chained call");
        CHECK(tcc_call_join(chain.next.call, LONG_WAIT_MS) == TCC_OK, "chain: join");
        tcc_call_free(chain.next.call);
    }
    signal_free(&chain.done);
}

static void never(void *userdata, tcc_result code, tcc_cc_emails *result)
{
    (void)code;
    (void)result;
    ++*(int *)userdata;
}

/* 6. NULL arguments: refused, no callback, no handle. */
static void null_arguments(tcc_client *client)
{
    int calls = 0;
    tcc_call *call = (tcc_call *)&calls; /* a value no failure may overwrite */
    tcc_call *const untouched = call;
    CHECK(tcc_fetch_cc_emails_async(NULL, never, &calls, &call) == TCC_ERR_INVALID_ARGUMENT,
          "NULL client");
    CHECK(tcc_fetch_cc_emails_async(client, NULL, &calls, &call) == TCC_ERR_INVALID_ARGUMENT,
          "NULL callback");
    CHECK(tcc_fetch_cc_emails_async(client, never, &calls, NULL) == TCC_ERR_INVALID_ARGUMENT,
          "NULL out_call");
    CHECK(call == untouched, "out_call written on failure");
    CHECK(tcc_call_wait(NULL, 0) == TCC_ERR_INVALID_ARGUMENT, "wait NULL");
    CHECK(tcc_call_join(NULL, TCC_WAIT_FOREVER) == TCC_ERR_INVALID_ARGUMENT, "join NULL");
    CHECK(!tcc_call_cancel(NULL), "cancel NULL");
    tcc_call_free(NULL);
    CHECK(calls == 0, "a refused call called back");
}

int main(int argc, char **argv)
{
    tcc_client *client, *forbidden;
    if (argc != 7) {
        fprintf(stderr, "usage: async OK_URL HANG_URL FORBIDDEN_URL TOKEN ADDRESS0 COUNT\n");
        return 2;
    }
    ok_url = argv[1];
    hang_url = argv[2];
    forbidden_url = argv[3];
    token = argv[4];
    address0 = argv[5];
    address_count = (size_t)strtoul(argv[6], NULL, 10);
    main_thread = pthread_self();

    client = make_client(ok_url, LONG_WAIT_MS);
    forbidden = make_client(forbidden_url, LONG_WAIT_MS);
    if (client == NULL || forbidden == NULL)
        return 1;
    eight_in_flight(client);
    error_detail(forbidden);
    hang_then_cancel();
    free_client_in_flight();
    reentrant_callback(client);
    null_arguments(client);
    tcc_client_free(forbidden);
    tcc_client_free(client);
    if (failed)
        return 1;
    printf("async: ok\n");
    return 0;
}
