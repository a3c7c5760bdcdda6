/*
 * bench_raw: the practical limit of a sequential HTTP/1.1 client against the
 * stand-in. A plain keep-alive socket per thread sends the exact request bytes
 * tcc sends (captured from the stand-in's GET /_standin/requests by
 * scripts/bench.sh into a file) and reads the response: status line, headers
 * up to the blank line, Content-Length, the body. No JSON parsing. Each
 * response is checked: status 200, and the same body length as the first.
 *
 * usage: bench_raw --port PORT --request FILE [--calls N] [--warmup W]
 *                  [--threads T] [--max-seconds S]
 * Prints key=value lines like bench_tcc (calls, calls_per_sec, p50_us, ...).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <strings.h>
#include <sys/socket.h>

#include "bench_common.h"

#define MAX_THREADS 64
#define BUF_SIZE (64 * 1024)

static unsigned g_port;
static const char *g_request;
static size_t g_request_len;
static long g_body_len = -1; /* learned from the warm-up */

struct worker {
    size_t calls, done;
    uint64_t *lat;
    uint64_t deadline_ns;
    pthread_barrier_t *start;
    int fd;
    int failed;
    unsigned connects;
    char buf[BUF_SIZE];
};

static int connect_standin(void)
{
    struct sockaddr_in addr;
    struct timeval tv = {5, 0}; /* a stuck server cannot hang the run */
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)g_port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The Content-Length value in a head of len bytes, or -1. */
static long content_length(const char *head, size_t len)
{
    const char *p = head, *end = head + len;
    static const char name[] = "content-length:";
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            break;
        if ((size_t)(eol - p) > sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0)
            return strtol(p + sizeof name - 1, NULL, 10);
        p = eol + 1;
    }
    return -1;
}

/* One request/response on w->fd (reconnecting if needed); 0 if it was a 200 of the right size. */
static int one_call(struct worker *w)
{
    size_t have = 0, head_len = 0;
    long body_len;
    char *head_end;

    if (w->fd < 0) {
        w->fd = connect_standin();
        if (w->fd < 0) {
            perror("bench_raw: connect");
            return -1;
        }
        w->connects++;
    }
    if (write_all(w->fd, g_request, g_request_len) != 0) {
        perror("bench_raw: write");
        return -1;
    }
    for (;;) {
        ssize_t k;
        if (have >= 4) {
            w->buf[have] = '\0';
            head_end = strstr(w->buf, "\r\n\r\n");
            if (head_end != NULL) {
                head_len = (size_t)(head_end - w->buf) + 4;
                break;
            }
        }
        if (have >= BUF_SIZE - 1) {
            fprintf(stderr, "bench_raw: response head too large\n");
            return -1;
        }
        k = read(w->fd, w->buf + have, BUF_SIZE - 1 - have);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            fprintf(stderr, "bench_raw: connection closed or timed out\n");
            return -1;
        }
        have += (size_t)k;
    }
    if (strncmp(w->buf, "HTTP/1.1 200 ", 13) != 0) {
        fprintf(stderr, "bench_raw: unexpected status line: %.40s\n", w->buf);
        return -1;
    }
    body_len = content_length(w->buf, head_len);
    if (body_len < 0 || head_len + (size_t)body_len > BUF_SIZE - 1) {
        fprintf(stderr, "bench_raw: bad Content-Length\n");
        return -1;
    }
    while (have < head_len + (size_t)body_len) {
        ssize_t k = read(w->fd, w->buf + have, BUF_SIZE - 1 - have);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            fprintf(stderr, "bench_raw: body truncated\n");
            return -1;
        }
        have += (size_t)k;
    }
    if (g_body_len < 0)
        g_body_len = body_len;
    else if (body_len != g_body_len) {
        fprintf(stderr, "bench_raw: body of %ld bytes, expected %ld\n", body_len, g_body_len);
        return -1;
    }
    /* A server that says it closes: start a new connection next time. */
    w->buf[head_len - 1] = '\0';
    if (strcasestr(w->buf, "\r\nconnection: close") != NULL) {
        close(w->fd);
        w->fd = -1;
    }
    return 0;
}

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    size_t i;
    pthread_barrier_wait(w->start);
    for (i = 0; i < w->calls; i++) {
        uint64_t t0 = now_ns(), t1;
        if (one_call(w) != 0) {
            w->failed = 1;
            break;
        }
        t1 = now_ns();
        w->lat[i] = t1 - t0;
        w->done = i + 1;
        if (t1 > w->deadline_ns) {
            fprintf(stderr, "bench_raw: --max-seconds reached after %zu calls\n", w->done);
            break;
        }
    }
    return NULL;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long n;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "bench_raw: cannot read %s\n", path);
        exit(2);
    }
    data = malloc((size_t)n);
    if (data == NULL || fread(data, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "bench_raw: cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    *len = (size_t)n;
    return data;
}

int main(int argc, char **argv)
{
    size_t calls = 10000, warmup = 100, i, total = 0;
    unsigned threads = 1, t, connects = 0;
    double max_seconds = 120;
    const char *request_file = NULL;
    static struct worker workers[MAX_THREADS];
    pthread_t tids[MAX_THREADS];
    pthread_barrier_t start;
    struct tcp_snapshot *before = malloc(sizeof *before), *after = malloc(sizeof *after);
    uint64_t t_start, t_end, *all;
    int failed = 0, have_tcp;

    for (i = 1; i < (size_t)argc; i += 2) {
        const char *a = argv[i], *v = (i + 1 < (size_t)argc) ? argv[i + 1] : NULL;
        if (v == NULL)
            goto usage;
        if (strcmp(a, "--port") == 0) g_port = (unsigned)parse_ulong(a, v);
        else if (strcmp(a, "--request") == 0) request_file = v;
        else if (strcmp(a, "--calls") == 0) calls = parse_ulong(a, v);
        else if (strcmp(a, "--warmup") == 0) warmup = parse_ulong(a, v);
        else if (strcmp(a, "--threads") == 0) threads = (unsigned)parse_ulong(a, v);
        else if (strcmp(a, "--max-seconds") == 0) max_seconds = (double)parse_ulong(a, v);
        else goto usage;
    }
    if (g_port == 0 || g_port > 65535 || request_file == NULL || threads < 1 || threads > MAX_THREADS)
        goto usage;
    g_request = read_file(request_file, &g_request_len);

    have_tcp = tcp_snapshot_take(before, g_port) == 0;
    for (t = 0; t < threads; t++) {
        workers[t].fd = -1;
        workers[t].calls = calls / threads + (t < calls % threads ? 1 : 0);
        workers[t].lat = latency_array(workers[t].calls);
        workers[t].start = &start;
    }
    /* Warm-up on thread 0's connection: learns the body length. */
    for (i = 0; i < warmup; i++)
        if (one_call(&workers[0]) != 0)
            return 1;
    all = latency_array(calls);

    pthread_barrier_init(&start, NULL, threads + 1);
    t_start = now_ns();
    for (t = 0; t < threads; t++) {
        workers[t].deadline_ns = t_start + (uint64_t)(max_seconds * 1e9);
        if (pthread_create(&tids[t], NULL, run_worker, &workers[t]) != 0) {
            fprintf(stderr, "bench_raw: pthread_create failed\n");
            return 1;
        }
    }
    t_start = now_ns();
    pthread_barrier_wait(&start);
    for (t = 0; t < threads; t++)
        pthread_join(tids[t], NULL);
    t_end = now_ns();
    pthread_barrier_destroy(&start);

    /* Before the report's own allocations (qsort). */
    printf("rss_kib_end=%ld\n", rss_kib());
    printf("peak_rss_kib=%ld\n", peak_rss_kib());
    if (have_tcp && tcp_snapshot_take(after, g_port) == 0) {
        printf("connections_opened=%u\n", tcp_snapshot_new_ports(before, after));
        printf("connections_established=%u\n", after->established);
    }
    for (t = 0; t < threads; t++) {
        memcpy(all + total, workers[t].lat, workers[t].done * sizeof *all);
        total += workers[t].done;
        failed |= workers[t].failed;
        connects += workers[t].connects;
        if (workers[t].fd >= 0)
            close(workers[t].fd);
        free(workers[t].lat);
    }
    printf("threads=%u\n", threads);
    printf("request_bytes=%zu\n", g_request_len);
    printf("response_body_bytes=%ld\n", g_body_len);
    printf("connects=%u\n", connects);
    print_latency_report(all, total, t_end - t_start);
    printf("complete=%d\n", !failed && total == calls);
    free(all);
    free(before);
    free(after);
    free((void *)g_request);
    return failed ? 1 : 0;

usage:
    fprintf(stderr, "usage: bench_raw --port PORT --request FILE [--calls N] [--warmup W]\n"
                    "                 [--threads T] [--max-seconds S]\n");
    return 2;
}
