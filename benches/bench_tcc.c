/*
 * bench_tcc: sequential (or N-thread) calls of tcc_fetch_cc_emails through the
 * C ABI against the local OSM stand-in, on ONE client (keep-alive pool).
 *
 * Every call is timed with clock_gettime(CLOCK_MONOTONIC) and checked: it
 * must succeed and return exactly 2 addresses, else the benchmark fails.
 * Prints key=value lines for scripts/bench.sh:
 *   calls, seconds, calls_per_sec, p50_us, p90_us, p99_us, max_us,
 *   rss_kib_start (after the warm-up), rss_kib_at_<N> (after N measured calls,
 *   single thread only), ru_maxrss_kib (getrusage) and peak_rss_kib (the larger
 *   of it and every statm sample), both read right after the calls,
 *   connections_opened / connections_established (client sockets to the
 *   stand-in's port from /proc/net/tcp, see bench_common.h),
 *   client_new_us (average time of tcc_client_new, when --client-new K > 0).
 *
 * usage: bench_tcc --endpoint http://127.0.0.1:PORT --port PORT
 *                  [--auth token|aksk] [--token T] [--ak AK --sk SK --domain-id ID]
 *                  [--calls N] [--warmup W] [--threads T] [--rss-at N1,N2,...]
 *                  [--client-new K] [--max-seconds S]
 *
 * Build: cc -O2 -std=c11 -Iinclude benches/bench_tcc.c -Ltarget/release -ltcc -lpthread
 * (add -DTCC_BENCH_HAVE_AKSK=1 when include/tcc.h has tcc_options_set_aksk).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdbool.h>

#include "bench_common.h"
#include "tcc.h"

#define MAX_THREADS 64
#define MAX_RSS_POINTS 8

struct config {
    const char *endpoint;
    unsigned port;
    const char *auth;
    const char *token;
    const char *ak, *sk, *domain_id;
    size_t calls, warmup;
    unsigned threads;
    size_t rss_at[MAX_RSS_POINTS];
    unsigned rss_points;
    size_t client_new;
    double max_seconds;
};

struct worker {
    const tcc_client *client;
    const struct config *cfg;
    size_t calls;            /* to make */
    size_t done;             /* made */
    uint64_t *lat;           /* latencies, ns */
    uint64_t deadline_ns;
    bool record_rss;         /* thread 0 of a single-thread run */
    long rss_at[MAX_RSS_POINTS];
    pthread_barrier_t *start;
    int failed;
};

static void usage(void)
{
    fprintf(stderr, "usage: bench_tcc --endpoint URL --port PORT [--auth token|aksk] [--token T]\n"
                    "                 [--ak AK --sk SK --domain-id ID] [--calls N] [--warmup W]\n"
                    "                 [--threads T] [--rss-at N1,N2] [--client-new K]\n"
                    "                 [--max-seconds S]\n");
    exit(2);
}

static void fail(const char *what, tcc_result code)
{
    const char *service = tcc_last_error_service_code();
    fprintf(stderr, "bench_tcc: %s failed: %s (code %u): %s%s%s\n", what, tcc_result_str(code),
            (unsigned)code, tcc_last_error_message(), service ? " / " : "",
            service ? service : "");
}

static tcc_options *make_options(const struct config *cfg)
{
    tcc_options *o = NULL;
    tcc_result r;
    if ((r = tcc_options_new(&o)) != TCC_OK) {
        fail("tcc_options_new", r);
        exit(1);
    }
    if ((r = tcc_options_set_endpoint(o, cfg->endpoint)) != TCC_OK) {
        fail("tcc_options_set_endpoint", r);
        exit(1);
    }
    if (strcmp(cfg->auth, "token") == 0) {
        if ((r = tcc_options_set_token(o, cfg->token)) != TCC_OK) {
            fail("tcc_options_set_token", r);
            exit(1);
        }
    } else if (strcmp(cfg->auth, "aksk") == 0) {
#ifdef TCC_BENCH_HAVE_AKSK
        if (cfg->ak == NULL || cfg->sk == NULL || cfg->domain_id == NULL)
            usage();
        if ((r = tcc_options_set_aksk(o, cfg->ak, cfg->sk)) != TCC_OK) {
            fail("tcc_options_set_aksk", r);
            exit(1);
        }
        if ((r = tcc_options_set_domain_id(o, cfg->domain_id)) != TCC_OK) {
            fail("tcc_options_set_domain_id", r);
            exit(1);
        }
#else
        fprintf(stderr, "bench_tcc: built without the AK/SK C API\n");
        exit(3);
#endif
    } else {
        usage();
    }
    return o;
}

/* One checked call; returns 0 on a correct result. */
static int one_call(const tcc_client *client)
{
    tcc_cc_emails *result = NULL;
    tcc_result r = tcc_fetch_cc_emails(client, &result);
    size_t count;
    if (r != TCC_OK) {
        fail("tcc_fetch_cc_emails", r);
        return -1;
    }
    count = tcc_cc_emails_count(result);
    if (count != 2 || tcc_cc_emails_address(result, 0) == NULL) {
        fprintf(stderr, "bench_tcc: expected 2 addresses, got %zu\n", count);
        tcc_cc_emails_free(result);
        return -1;
    }
    tcc_cc_emails_free(result);
    return 0;
}

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    unsigned next_rss = 0;
    size_t i;
    pthread_barrier_wait(w->start);
    for (i = 0; i < w->calls; i++) {
        uint64_t t0 = now_ns(), t1;
        if (one_call(w->client) != 0) {
            w->failed = 1;
            break;
        }
        t1 = now_ns();
        w->lat[i] = t1 - t0;
        w->done = i + 1;
        if (w->record_rss && next_rss < w->cfg->rss_points &&
            w->done == w->cfg->rss_at[next_rss])
            w->rss_at[next_rss++] = rss_kib();
        if (t1 > w->deadline_ns) {
            fprintf(stderr, "bench_tcc: --max-seconds reached after %zu calls\n", w->done);
            break;
        }
    }
    return NULL;
}

static void parse_rss_points(struct config *cfg, const char *list)
{
    char *copy = strdup(list), *save = NULL, *tok;
    cfg->rss_points = 0;
    for (tok = strtok_r(copy, ",", &save); tok && cfg->rss_points < MAX_RSS_POINTS;
         tok = strtok_r(NULL, ",", &save))
        cfg->rss_at[cfg->rss_points++] = parse_ulong("--rss-at", tok);
    free(copy);
}

int main(int argc, char **argv)
{
    struct config cfg = {0};
    struct worker workers[MAX_THREADS];
    pthread_t tids[MAX_THREADS];
    pthread_barrier_t start;
    struct tcp_snapshot *before = malloc(sizeof *before), *after = malloc(sizeof *after);
    tcc_options *options;
    tcc_client *client = NULL;
    tcc_result r;
    uint64_t t_start, t_end, *all;
    size_t i, total = 0;
    unsigned t;
    int failed = 0, have_tcp;

    cfg.auth = "token";
    cfg.token = "demo-token";
    cfg.calls = 10000;
    cfg.warmup = 100;
    cfg.threads = 1;
    cfg.max_seconds = 120;
    for (i = 1; i < (size_t)argc; i++) {
        const char *a = argv[i], *v = (i + 1 < (size_t)argc) ? argv[i + 1] : NULL;
        if (v == NULL)
            usage();
        if (strcmp(a, "--endpoint") == 0) cfg.endpoint = v;
        else if (strcmp(a, "--port") == 0) cfg.port = (unsigned)parse_ulong(a, v);
        else if (strcmp(a, "--auth") == 0) cfg.auth = v;
        else if (strcmp(a, "--token") == 0) cfg.token = v;
        else if (strcmp(a, "--ak") == 0) cfg.ak = v;
        else if (strcmp(a, "--sk") == 0) cfg.sk = v;
        else if (strcmp(a, "--domain-id") == 0) cfg.domain_id = v;
        else if (strcmp(a, "--calls") == 0) cfg.calls = parse_ulong(a, v);
        else if (strcmp(a, "--warmup") == 0) cfg.warmup = parse_ulong(a, v);
        else if (strcmp(a, "--threads") == 0) cfg.threads = (unsigned)parse_ulong(a, v);
        else if (strcmp(a, "--rss-at") == 0) parse_rss_points(&cfg, v);
        else if (strcmp(a, "--client-new") == 0) cfg.client_new = parse_ulong(a, v);
        else if (strcmp(a, "--max-seconds") == 0) cfg.max_seconds = (double)parse_ulong(a, v);
        else usage();
        i++;
    }
    if (cfg.endpoint == NULL || cfg.port == 0 || cfg.threads < 1 || cfg.threads > MAX_THREADS)
        usage();
    /* Only ever the local stand-in. */
    if (strncmp(cfg.endpoint, "http://127.0.0.1:", 17) != 0) {
        fprintf(stderr, "bench_tcc: the endpoint must be http://127.0.0.1:PORT\n");
        return 2;
    }
    if (tcc_version_number() / 1000000 != TCC_VERSION_MAJOR) {
        fprintf(stderr, "bench_tcc: built for tcc %s, loaded %s\n", TCC_VERSION_STRING,
                tcc_version());
        return 2;
    }

    options = make_options(&cfg);
    if ((r = tcc_client_new(options, &client)) != TCC_OK) {
        fail("tcc_client_new", r);
        return 1;
    }

    have_tcp = tcp_snapshot_take(before, cfg.port) == 0;

    /* Warm-up (connects, first-call allocations); not timed, not counted. */
    for (i = 0; i < cfg.warmup; i++)
        if (one_call(client) != 0)
            return 1;

    for (t = 0; t < cfg.threads; t++) {
        workers[t].client = client;
        workers[t].cfg = &cfg;
        workers[t].calls = cfg.calls / cfg.threads + (t < cfg.calls % cfg.threads ? 1 : 0);
        workers[t].done = 0;
        workers[t].lat = latency_array(workers[t].calls);
        workers[t].record_rss = cfg.threads == 1;
        memset(workers[t].rss_at, 0, sizeof workers[t].rss_at);
        workers[t].start = &start;
        workers[t].failed = 0;
    }
    all = latency_array(cfg.calls);
    printf("rss_kib_start=%ld\n", rss_kib());
    pthread_barrier_init(&start, NULL, cfg.threads + 1);
    t_start = now_ns();
    for (t = 0; t < cfg.threads; t++) {
        workers[t].deadline_ns = t_start + (uint64_t)(cfg.max_seconds * 1e9);
        if (pthread_create(&tids[t], NULL, run_worker, &workers[t]) != 0) {
            fprintf(stderr, "bench_tcc: pthread_create failed\n");
            return 1;
        }
    }
    t_start = now_ns();
    pthread_barrier_wait(&start);
    for (t = 0; t < cfg.threads; t++)
        pthread_join(tids[t], NULL);
    t_end = now_ns();
    pthread_barrier_destroy(&start);

    {
        /* Right after the calls, before the report's own allocations (qsort).
         * ru_maxrss is maintained lazily by the kernel and can lag the RSS
         * read from /proc/self/statm: report the larger of it and every sample. */
        long peak = peak_rss_kib(), now = rss_kib();
        printf("ru_maxrss_kib=%ld\n", peak);
        if (now > peak)
            peak = now;
        for (i = 0; i < cfg.rss_points && cfg.threads == 1; i++)
            if (workers[0].rss_at[i] > peak)
                peak = workers[0].rss_at[i];
        printf("peak_rss_kib=%ld\n", peak);
    }
    if (have_tcp && tcp_snapshot_take(after, cfg.port) == 0) {
        printf("connections_opened=%u\n", tcp_snapshot_new_ports(before, after));
        printf("connections_established=%u\n", after->established);
    }
    for (t = 0; t < cfg.threads; t++) {
        memcpy(all + total, workers[t].lat, workers[t].done * sizeof *all);
        total += workers[t].done;
        failed |= workers[t].failed;
    }
    if (cfg.threads == 1)
        for (i = 0; i < cfg.rss_points; i++)
            if (workers[0].rss_at[i] > 0)
                printf("rss_kib_at_%zu=%ld\n", cfg.rss_at[i], workers[0].rss_at[i]);
    printf("threads=%u\n", cfg.threads);
    print_latency_report(all, total, t_end - t_start);
    printf("complete=%d\n", !failed && total == cfg.calls);
    tcc_client_free(client);

    /* Client creation: the options above, a client made and freed K times. */
    if (cfg.client_new > 0 && !failed) {
        uint64_t sum = 0, *each = latency_array(cfg.client_new);
        for (i = 0; i < cfg.client_new; i++) {
            tcc_client *c = NULL;
            uint64_t t0 = now_ns();
            r = tcc_client_new(options, &c);
            each[i] = now_ns() - t0;
            if (r != TCC_OK) {
                fail("tcc_client_new", r);
                return 1;
            }
            sum += each[i];
            tcc_client_free(c);
        }
        qsort(each, cfg.client_new, sizeof *each, cmp_u64);
        printf("client_new_count=%zu\n", cfg.client_new);
        printf("client_new_us=%.1f\n", (double)sum / (double)cfg.client_new / 1000.0);
        printf("client_new_p50_us=%.1f\n",
               (double)percentile(each, cfg.client_new, 50) / 1000.0);
        free(each);
    }
    tcc_options_free(options);
    for (t = 0; t < cfg.threads; t++)
        free(workers[t].lat);
    free(all);
    free(before);
    free(after);
    return failed ? 1 : 0;
}
