/*
 * Helpers shared by bench_tcc.c and bench_raw.c: the clock, percentiles,
 * argument parsing, RSS, and counting the TCP connections made to the
 * stand-in (from /proc/net/tcp). Header-only, static functions.
 */
#ifndef TCC_BENCH_COMMON_H
#define TCC_BENCH_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array, p in (0, 100]. */
static uint64_t percentile(const uint64_t *sorted, size_t n, unsigned p)
{
    size_t rank;
    if (n == 0)
        return 0;
    rank = (n * p + 99) / 100;
    if (rank < 1)
        rank = 1;
    return sorted[rank - 1];
}

/* Prints calls, seconds, calls/s, p50/p90/p99/max of n latencies (sorts them). */
static void print_latency_report(uint64_t *lat, size_t n, uint64_t wall_ns)
{
    double secs = (double)wall_ns / 1e9;
    qsort(lat, n, sizeof *lat, cmp_u64);
    printf("calls=%zu\n", n);
    printf("seconds=%.6f\n", secs);
    printf("calls_per_sec=%.1f\n", secs > 0 ? (double)n / secs : 0.0);
    printf("p50_us=%.1f\n", (double)percentile(lat, n, 50) / 1000.0);
    printf("p90_us=%.1f\n", (double)percentile(lat, n, 90) / 1000.0);
    printf("p99_us=%.1f\n", (double)percentile(lat, n, 99) / 1000.0);
    printf("max_us=%.1f\n", n ? (double)lat[n - 1] / 1000.0 : 0.0);
}

/*
 * An array of n latencies, faulted in at once: pages touched later would
 * show up as RSS growth of the benchmark itself, not of the library.
 */
static uint64_t *latency_array(size_t n)
{
    uint64_t *lat = malloc((n ? n : 1) * sizeof *lat);
    if (lat == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    memset(lat, 0xff, (n ? n : 1) * sizeof *lat);
    return lat;
}

static unsigned long parse_ulong(const char *flag, const char *value)
{
    char *end;
    unsigned long v;
    errno = 0;
    v = strtoul(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0') {
        fprintf(stderr, "invalid value for %s: %s\n", flag, value);
        exit(2);
    }
    return v;
}

/* Resident set size now, in KiB, from /proc/self/statm (no stdio: no allocation). */
static long rss_kib(void)
{
    char buf[128];
    long pages_total, pages_resident;
    ssize_t n;
    int fd = open("/proc/self/statm", O_RDONLY);
    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    if (sscanf(buf, "%ld %ld", &pages_total, &pages_resident) != 2)
        return -1;
    return pages_resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Peak resident set size of the process so far, in KiB (getrusage). */
static long peak_rss_kib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return ru.ru_maxrss; /* KiB on Linux */
}

/*
 * The client-side TCP sockets to 127.0.0.1:port, from /proc/net/tcp: a bitmap
 * of their local ports (ESTABLISHED, TIME_WAIT, ... all count) and how many
 * are ESTABLISHED. Connections opened during a run = ports in the "after"
 * snapshot that were not in the "before" one (a closed connection stays in
 * TIME_WAIT for 60 s on the side that closed, so short runs see them all).
 * Returns 0, or -1 if /proc/net/tcp cannot be read.
 */
struct tcp_snapshot {
    unsigned char ports[65536 / 8];
    unsigned established;
};

static int tcp_snapshot_take(struct tcp_snapshot *snap, unsigned port)
{
    char line[512];
    FILE *f = fopen("/proc/net/tcp", "r");
    memset(snap, 0, sizeof *snap);
    if (f == NULL)
        return -1;
    if (fgets(line, sizeof line, f) == NULL) { /* header line */
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned sl, lip, lport, rip, rport, st;
        if (sscanf(line, " %u: %x:%x %x:%x %x", &sl, &lip, &lport, &rip, &rport, &st) != 6)
            continue;
        /* 0x0100007F is 127.0.0.1 as /proc prints it (host byte order, little-endian). */
        if (rport != port || rip != 0x0100007Fu)
            continue;
        snap->ports[lport / 8] |= (unsigned char)(1u << (lport % 8));
        if (st == 0x01)
            snap->established++;
    }
    fclose(f);
    return 0;
}

static unsigned tcp_snapshot_new_ports(const struct tcp_snapshot *before,
                                       const struct tcp_snapshot *after)
{
    unsigned count = 0;
    size_t i;
    for (i = 0; i < sizeof after->ports; i++) {
        unsigned char fresh = (unsigned char)(after->ports[i] & ~before->ports[i]);
        while (fresh) {
            count += fresh & 1u;
            fresh >>= 1;
        }
    }
    return count;
}

#endif /* TCC_BENCH_COMMON_H */
