/*
 * loadgen - small HTTP/1.1 load generator that replays pre-built requests.
 *
 * Why: wrk building each distinct, signed request in a Lua request() hook
 * topped out near 11k req/s here, so it measured itself.  loadgen does no
 * per-request work beyond send(2): requests are built up front (own body,
 * Idempotency-Key, HMAC signature, ...) and replayed byte for byte.
 * Build: gcc -O2 -o bench/loadgen bench/loadgen.c -lpthread -lm
 *
 * Requests file (-f): each request is a line "@@ <byte-length>\n" followed by
 * exactly <byte-length> bytes of raw HTTP/1.1 request (request line, headers
 * incl. Host and Content-Length, CRLF line ends, blank line, body).  One
 * optional "\n" after the raw bytes is ignored so the file reads well in a
 * pager.  bench/make_requests.py writes such files.  Example (37 bytes):
 *     @@ 37\n
 *     GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n\n
 *
 * Usage: loadgen -f FILE [-h host=127.0.0.1] [-p port=80] [-c conns=64]
 *                [-t threads=1] [-n count] [-d secs] [-r rate] [-T timeout=30]
 *   -n  send this many requests, cycling through the file.  Default: every
 *       request in the file exactly once (unless -d is given).
 *   -d  run this many seconds, cycling through the file (which replays the
 *       same Idempotency-Keys: size the file for the run if that matters).
 *       With -n too, whichever ends first wins; requests in flight at the
 *       deadline are not counted (as in wrk).
 *   -r  fixed offered rate (req/s, all threads).  Request k is scheduled at
 *       start + k/rate and its latency runs from that time, not from when a
 *       connection became free, so a stalling server shows in the latency
 *       instead of silently lowering the rate (no coordinated omission).
 *       Without -r: closed loop, latency from handing the request to a conn.
 *
 * Model: one epoll loop per thread over its share of the connections;
 * keep-alive, one request in flight per connection, TCP_NODELAY.  A shared
 * atomic ticket counter hands out requests, so the file is replayed in order.
 * Responses are parsed (Content-Length, chunked, read-until-close); a
 * "Connection: close" response makes the connection reconnect.
 *
 * Output (stdout): a summary line and a status-count line:
 *   requests=N ok2xx=N non2xx=N errors=N timeouts=N connect_errors=N
 *   duration_s=X rps=Y mean_ms= p50_ms= p90_ms= p99_ms= p999_ms= max_ms=
 *   status 202=N 401=N ...
 * requests = responses + errors (errors include timeouts); rps counts
 * responses.  Latencies go to a log-linear histogram (< 0.8% error; a
 * percentile reports its bucket's upper bound).
 * Exit: 0 done, 1 usage/file error, 2 cannot connect at start, 3 aborted
 * because connection attempts kept failing mid-run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000ull
#define SEC 1000000000ull
#define BUF_INIT 16384
#define BUF_MAX (1u << 20)     /* response headers larger than this are an error */
#define RECONNECT_BACKOFF (100 * MS)

typedef struct { const char *p; size_t len; int head; } req_t;

static req_t *g_reqs;
static size_t g_nreqs;
static struct sockaddr_storage g_addr;
static socklen_t g_addrlen;
static uint64_t g_limit;             /* tickets to hand out */
static uint64_t g_start, g_end;      /* monotonic ns; g_end = UINT64_MAX without -d */
static double g_interval;            /* ns between scheduled sends; 0 = closed loop */
static uint64_t g_timeout;
static int g_fail_limit;             /* consecutive connect failures before abort */
static _Atomic uint64_t g_ticket;
static atomic_int g_exhausted, g_abort, g_consec_fail;

/* Log-linear histogram of ns: 2^SUB linear sub-buckets per power of two. */
#define SUB 7
#define NBUCKETS ((64 - SUB + 1) << SUB)
static int hidx(uint64_t v) {
    int b = 63 - __builtin_clzll(v | 1) - SUB;
    b = b < 0 ? 0 : b;
    return (b << SUB) + (int)(v >> b);
}
static uint64_t hval(int i) {           /* lowest value that maps to bucket i */
    int b = (i >> SUB) - 1 < 0 ? 0 : (i >> SUB) - 1;
    return (uint64_t)(i - (b << SUB)) << b;
}

typedef unsigned long long ull;      /* printf-friendly 64-bit counter */
typedef struct {                      /* all ull: merged by summing as an array */
    ull ok, non2xx, errors, timeouts, conn_errors, lat_sum, lat_max;
    ull hist[NBUCKETS], status[600];
} stats_t;

enum { S_CLOSED, S_CONNECTING, S_OPEN };          /* socket */
enum { P_NONE, P_WAIT, P_WRITE, P_READ };         /* request held by the connection */
enum { R_HEAD, R_BODY, R_EOF, R_CHUNK_SIZE, R_CHUNK_DATA, R_CHUNK_CRLF, R_TRAILER };

typedef struct worker worker_t;
typedef struct {
    worker_t *w;
    int fd, sock, phase, rstate, status, close_after;
    uint32_t events;
    const req_t *req;
    size_t off;                 /* bytes of req already sent */
    uint64_t due;               /* S_CLOSED: reconnect time; P_WAIT: send time */
    uint64_t t_sched, t_sent, t_conn, rem;   /* rem: body/chunk bytes to skip */
    char *buf;
    size_t cap, rpos, wpos;
} conn_t;

struct worker {
    int epfd, tfd, nconns, inflight;
    uint64_t armed;
    conn_t *conns;
    stats_t st;
    pthread_t th;
};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

/* Only touch epoll when the interest set really changes: one syscall saved
 * per request on the common path where send() completes at once. */
static void set_events(conn_t *c, uint32_t ev) {
    if (c->events == ev) return;
    struct epoll_event e = { .events = ev, .data.ptr = c };
    epoll_ctl(c->w->epfd, EPOLL_CTL_MOD, c->fd, &e);
    c->events = ev;
}

/* Reconnects are never done inline: they go through the loop's scan, which
 * avoids recursion when a fresh connection fails straight away. */
static void conn_reset(conn_t *c, uint64_t delay) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1, c->sock = S_CLOSED, c->due = now_ns() + delay;
    c->rpos = c->wpos = 0;
}

/* A request on a broken connection counts as an error and is not retried:
 * retrying would replay an Idempotency-Key the server may already have seen.
 * A request still waiting for its send time (P_WAIT) keeps its ticket. */
static void conn_error(conn_t *c) {
    if (c->phase == P_WRITE || c->phase == P_READ) {
        c->w->st.errors++, c->w->inflight--;
        c->phase = P_NONE;
    }
    conn_reset(c, 0);
}

static void connect_failed(conn_t *c) {
    c->w->st.conn_errors++;
    if (atomic_fetch_add(&g_consec_fail, 1) + 1 >= g_fail_limit) atomic_store(&g_abort, 1);
    conn_reset(c, RECONNECT_BACKOFF);
}

static void conn_open(conn_t *c) {
    c->fd = socket(g_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) { connect_failed(c); return; }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->sock = S_CONNECTING, c->t_conn = now_ns(), c->events = EPOLLOUT;
    struct epoll_event e = { .events = EPOLLOUT, .data.ptr = c };
    epoll_ctl(c->w->epfd, EPOLL_CTL_ADD, c->fd, &e);
    /* Even an immediate success reports EPOLLOUT, so both paths meet there. */
    if (connect(c->fd, (struct sockaddr *)&g_addr, g_addrlen) < 0 && errno != EINPROGRESS)
        connect_failed(c);
}

static void on_writable(conn_t *c) {
    while (c->off < c->req->len) {
        ssize_t n = send(c->fd, c->req->p + c->off, c->req->len - c->off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) { set_events(c, EPOLLIN | EPOLLOUT); return; }
        if (n < 0) { conn_error(c); return; }
        c->off += (size_t)n;
    }
    c->phase = P_READ;
    set_events(c, EPOLLIN);
}

static void send_request(conn_t *c, uint64_t now) {
    c->phase = P_WRITE, c->off = 0, c->t_sent = now, c->rstate = R_HEAD;
    on_writable(c);
}

static void next_request(conn_t *c, uint64_t now) {
    if (atomic_load_explicit(&g_exhausted, memory_order_relaxed)) return;
    uint64_t k = atomic_fetch_add(&g_ticket, 1);
    uint64_t sched = g_interval > 0 ? g_start + (uint64_t)((double)k * g_interval) : now;
    if (k >= g_limit || sched >= g_end) { atomic_store(&g_exhausted, 1); return; }
    c->req = &g_reqs[k % g_nreqs], c->t_sched = sched;
    c->w->inflight++;
    if (sched > now) c->phase = P_WAIT, c->due = sched;
    else send_request(c, now);
}

static void on_connected(conn_t *c) {
    int err = 0;
    socklen_t l = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0 || err) { connect_failed(c); return; }
    atomic_store_explicit(&g_consec_fail, 0, memory_order_relaxed);
    c->sock = S_OPEN;
    set_events(c, EPOLLIN);
    if (c->phase == P_NONE) next_request(c, now_ns());
}

static void finish(conn_t *c) {
    worker_t *w = c->w;
    stats_t *s = &w->st;
    uint64_t now = now_ns(), lat = now - c->t_sched;
    s->hist[hidx(lat)]++, s->status[c->status]++, s->lat_sum += lat, w->inflight--;
    if (lat > s->lat_max) s->lat_max = lat;
    if (c->status / 100 == 2) s->ok++; else s->non2xx++;
    /* A response that arrives while we are still sending (e.g. 413) leaves
     * the stream out of step; only a fresh connection is safe. */
    int early = c->phase == P_WRITE;
    c->phase = P_NONE, c->rpos = c->wpos = 0;
    if (c->close_after || early) conn_reset(c, 0);
    else next_request(c, now);
}

static int has_token(const char *v, const char *eol, const char *tok) {
    char tmp[256];
    size_t n = (size_t)(eol - v);
    if (n >= sizeof tmp) n = sizeof tmp - 1;
    memcpy(tmp, v, n), tmp[n] = 0;
    return strcasestr(tmp, tok) != NULL;
}

/* [p, end) is the status line plus header lines, each ending in CRLF. */
static int parse_head(conn_t *c, const char *p, const char *end) {
    if (end - p < 14 || memcmp(p, "HTTP/1.", 7) || p[8] != ' ') return -1;
    for (int i = 9; i < 12; i++) if (p[i] < '0' || p[i] > '9') return -1;
    int status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    if (status < 100) return -1;
    if (status < 200 && status != 101) return 0;     /* interim; stay in R_HEAD */
    int chunked = 0, have_len = 0, close_conn = p[7] == '0';   /* 1.0 closes by default */
    uint64_t len = 0;
    const char *l = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1;
    while (l < end) {
        const char *eol = memchr(l, '\n', (size_t)(end - l));
        const char *colon = memchr(l, ':', (size_t)(eol - l));
        if (colon) {
            const char *v = colon + 1;
            size_t nl = (size_t)(colon - l);
            while (*v == ' ' || *v == '\t') v++;
            if (nl == 14 && !strncasecmp(l, "content-length", 14)) {
                char *e;
                if ((len = strtoull(v, &e, 10)), e == v) return -1;
                have_len = 1;
            } else if (nl == 17 && !strncasecmp(l, "transfer-encoding", 17))
                chunked = has_token(v, eol, "chunked");
            else if (nl == 10 && !strncasecmp(l, "connection", 10)) {
                if (has_token(v, eol, "close")) close_conn = 1;
                else if (has_token(v, eol, "keep-alive")) close_conn = 0;
            }
        }
        l = eol + 1;
    }
    c->status = status, c->close_after = close_conn || status == 101, c->rem = 0;
    if (c->req->head || status == 204 || status == 304 || status == 101) c->rstate = R_BODY;
    else if (chunked) c->rstate = R_CHUNK_SIZE;
    else if (have_len) c->rstate = R_BODY, c->rem = len;
    else c->rstate = R_EOF, c->close_after = 1;
    return 0;
}

/* Consume as much of the buffer as possible; bodies are skipped, not kept. */
static void parse(conn_t *c) {
    for (;;) {
        char *p = c->buf + c->rpos;
        size_t avail = c->wpos - c->rpos;
        switch (c->rstate) {
        case R_HEAD: {
            char *end = memmem(p, avail, "\r\n\r\n", 4);
            if (!end) return;
            if (parse_head(c, p, end + 2) < 0) { conn_error(c); return; }
            c->rpos += (size_t)(end + 4 - p);
            break;
        }
        case R_BODY:
        case R_CHUNK_DATA: {
            size_t take = avail < c->rem ? avail : (size_t)c->rem;
            c->rpos += take, c->rem -= take;
            if (c->rem) return;
            if (c->rstate == R_BODY) { finish(c); return; }
            c->rstate = R_CHUNK_CRLF;
            break;
        }
        case R_EOF: c->rpos = c->wpos; return;
        case R_CHUNK_CRLF:
            if (avail < 2) return;
            if (p[0] != '\r' || p[1] != '\n') { conn_error(c); return; }
            c->rpos += 2, c->rstate = R_CHUNK_SIZE;
            break;
        case R_CHUNK_SIZE:
        case R_TRAILER: {
            char *eol = memmem(p, avail, "\r\n", 2);
            if (!eol) return;
            c->rpos += (size_t)(eol + 2 - p);
            if (c->rstate == R_TRAILER) {
                if (eol == p) { finish(c); return; }
                break;
            }
            char *e;
            errno = 0;
            unsigned long long sz = strtoull(p, &e, 16);
            if (e == p || errno || (*e != ';' && *e != '\r' && *e != ' ' && *e != '\t'))
                { conn_error(c); return; }
            if (sz == 0) c->rstate = R_TRAILER;
            else c->rem = sz, c->rstate = R_CHUNK_DATA;
            break;
        }
        }
    }
}

static void on_readable(conn_t *c) {
    if (c->rpos == c->wpos) c->rpos = c->wpos = 0;
    if (c->cap - c->wpos < 1024) {
        memmove(c->buf, c->buf + c->rpos, c->wpos - c->rpos);
        c->wpos -= c->rpos, c->rpos = 0;
        if (c->cap - c->wpos < 1024) {
            if (c->cap >= BUF_MAX) { conn_error(c); return; }
            if (!(c->buf = realloc(c->buf, c->cap *= 2))) { perror("realloc"); exit(1); }
        }
    }
    ssize_t n = recv(c->fd, c->buf + c->wpos, c->cap - c->wpos, 0);
    if (n < 0) { if (errno != EAGAIN && errno != EINTR) conn_error(c); return; }
    if (n == 0) {                       /* EOF: ends a read-until-close body... */
        if (c->phase == P_READ && c->rstate == R_EOF) finish(c);
        else conn_error(c);             /* ...else error, or just an idle close */
        return;
    }
    if (c->phase != P_WRITE && c->phase != P_READ) { conn_error(c); return; }  /* unsolicited */
    c->wpos += (size_t)n;
    parse(c);
}

static void arm_timer(worker_t *w, uint64_t at, uint64_t now) {
    if (at >= w->armed && w->armed > now) return;
    struct itimerspec its = { .it_value = { (time_t)(at / SEC), (long)(at % SEC) } };
    timerfd_settime(w->tfd, TFD_TIMER_ABSTIME, &its, NULL);
    w->armed = at;
}

static void *worker_main(void *arg) {
    worker_t *w = arg;
    struct epoll_event ev[256];
    while (!atomic_load_explicit(&g_abort, memory_order_relaxed)) {
        uint64_t now = now_ns();
        if (now >= g_end) break;
        if (w->inflight == 0 && atomic_load(&g_exhausted)) break;
        /* The scan is O(connections per thread), cheap next to the syscalls;
         * it drives reconnects, paced sends and timeouts. */
        uint64_t next = now + 50 * MS;
        if (g_end < next) next = g_end;
        for (int i = 0; i < w->nconns; i++) {
            conn_t *c = &w->conns[i];
            if (c->sock == S_CLOSED) {
                if (c->due <= now) conn_open(c);
                else if (c->due < next) next = c->due;
            } else if (c->sock == S_OPEN && c->phase == P_WAIT) {
                if (c->due <= now) send_request(c, now);
                else if (c->due < next) next = c->due;
            } else if (c->sock == S_CONNECTING && now - c->t_conn > g_timeout) {
                connect_failed(c);
            } else if ((c->phase == P_WRITE || c->phase == P_READ) && now - c->t_sent > g_timeout) {
                w->st.timeouts++, next = now;   /* reconnect on the next pass, not in 50 ms */
                conn_error(c);
            }
        }
        arm_timer(w, next, now);
        int n = epoll_wait(w->epfd, ev, 256, -1);
        for (int i = 0; i < n; i++) {
            conn_t *c = ev[i].data.ptr;
            uint64_t x;
            if (!c) { if (read(w->tfd, &x, sizeof x) < 0) { /* already drained */ } continue; }
            if (c->sock == S_CONNECTING) { on_connected(c); continue; }
            if (c->sock != S_OPEN) continue;
            if (ev[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(c);
            if (c->sock == S_OPEN && c->phase == P_WRITE && (ev[i].events & EPOLLOUT)) on_writable(c);
        }
    }
    return NULL;
}

static void load_requests(const char *path) {
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) { perror(path); exit(1); }
    size_t size = (size_t)st.st_size, pos = 0, cap = 1024;
    const char *base = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : "";
    if (base == MAP_FAILED) { perror("mmap"); exit(1); }
    g_reqs = malloc(cap * sizeof *g_reqs);
    while (pos < size) {
        size_t len = 0, q = pos + 3;
        if (size - pos < 4 || memcmp(base + pos, "@@ ", 3)) goto bad;
        while (q < size && base[q] >= '0' && base[q] <= '9') len = len * 10 + (size_t)(base[q++] - '0');
        if (q == pos + 3 || q >= size || base[q] != '\n' || len > size - q - 1) goto bad;
        const char *p = base + q + 1;
        if (!memmem(p, len, "\r\n\r\n", 4)) {
            fprintf(stderr, "%s: request at offset %zu has no CRLF CRLF header end\n", path, pos);
            exit(1);
        }
        if (g_nreqs == cap && !(g_reqs = realloc(g_reqs, (cap *= 2) * sizeof *g_reqs))) exit(1);
        g_reqs[g_nreqs++] = (req_t){ p, len, len >= 5 && !memcmp(p, "HEAD ", 5) };
        pos = q + 1 + len;
        if (pos < size && base[pos] == '\n') pos++;
    }
    if (g_nreqs == 0) { fprintf(stderr, "%s: no requests\n", path); exit(1); }
    close(fd);
    return;
bad:
    fprintf(stderr, "%s: bad or truncated \"@@ <length>\" record at offset %zu\n", path, pos);
    exit(1);
}

/* Probe once before starting so an unreachable target fails fast and loudly
 * instead of turning into a run full of connect errors. */
static int resolve_and_probe(const char *host, const char *port) {
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *ai;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc) { fprintf(stderr, "loadgen: %s:%s: %s\n", host, port, gai_strerror(rc)); return -1; }
    for (ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK, 0), err = 0;
        socklen_t l = sizeof err;
        if (fd < 0) continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) err = errno;
        else {
            struct pollfd pfd = { .fd = fd, .events = POLLOUT };
            if (poll(&pfd, 1, 3000) != 1) err = ETIMEDOUT;
            else getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
        }
        close(fd);
        if (!err) {
            memcpy(&g_addr, ai->ai_addr, ai->ai_addrlen), g_addrlen = ai->ai_addrlen;
            freeaddrinfo(res);
            return 0;
        }
        fprintf(stderr, "loadgen: connect %s:%s: %s\n", host, port, strerror(err));
    }
    freeaddrinfo(res);
    return -1;
}

static double pct(const ull *h, ull total, double q, ull max) {
    ull want = (ull)ceil(q * (double)total), acc = 0;
    want = want ? want : 1;
    for (int i = 0; i < NBUCKETS - 1; i++) {
        acc += h[i];
        if (acc >= want) {
            ull v = hval(i + 1) - 1;
            return (double)(v < max ? v : max) / MS;
        }
    }
    return (double)max / MS;
}

static void usage(void) {
    fprintf(stderr, "usage: loadgen -f FILE [-h host] [-p port] [-c conns] [-t threads]\n"
                    "               [-n count] [-d secs] [-r rate] [-T timeout_secs]\n");
    exit(1);
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1", *port = "80", *file = NULL;
    int conns = 64, threads = 1, opt;
    double dur = 0, rate = 0, timeout = 30;
    uint64_t count = 0;
    while ((opt = getopt(argc, argv, "h:p:c:t:d:n:r:f:T:")) != -1) {
        switch (opt) {
        case 'h': host = optarg; break;
        case 'p': port = optarg; break;
        case 'c': conns = atoi(optarg); break;
        case 't': threads = atoi(optarg); break;
        case 'd': dur = atof(optarg); break;
        case 'n': count = strtoull(optarg, NULL, 10); break;
        case 'r': rate = atof(optarg); break;
        case 'f': file = optarg; break;
        case 'T': timeout = atof(optarg); break;
        default: usage();
        }
    }
    if (!file || conns < 1 || threads < 1 || dur < 0 || rate < 0 || timeout <= 0) usage();
    if (threads > conns) threads = conns;

    load_requests(file);
    if (resolve_and_probe(host, port) < 0) return 2;

    g_limit = count ? count : dur > 0 ? UINT64_MAX : g_nreqs;
    g_interval = rate > 0 ? (double)SEC / rate : 0;
    g_timeout = (uint64_t)(timeout * SEC);
    g_fail_limit = 20 * conns;        /* ~2 s of nothing but failures at 100 ms backoff */
    fprintf(stderr, "loadgen: %zu requests from %s -> %s:%s, %d conns, %d threads, %s\n",
            g_nreqs, file, host, port, conns, threads, rate > 0 ? "paced" : "closed loop");

    worker_t *ws = calloc((size_t)threads, sizeof *ws);
    g_start = now_ns();
    g_end = dur > 0 ? g_start + (uint64_t)(dur * SEC) : UINT64_MAX;
    for (int i = 0; i < threads; i++) {
        worker_t *w = &ws[i];
        w->nconns = conns / threads + (i < conns % threads);
        w->conns = calloc((size_t)w->nconns, sizeof *w->conns);
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        w->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        struct epoll_event e = { .events = EPOLLIN, .data.ptr = NULL };   /* NULL = timer */
        epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->tfd, &e);
        for (int j = 0; j < w->nconns; j++) {
            conn_t *c = &w->conns[j];   /* S_CLOSED, due 0: the first scan connects it */
            c->w = w, c->fd = -1, c->sock = S_CLOSED, c->cap = BUF_INIT, c->buf = malloc(BUF_INIT);
        }
        pthread_create(&w->th, NULL, worker_main, w);
    }
    stats_t t = {0};
    ull max = 0, *sum = (ull *)&t;
    for (int i = 0; i < threads; i++) {
        pthread_join(ws[i].th, NULL);
        for (size_t j = 0; j < sizeof t / sizeof *sum; j++) sum[j] += ((ull *)&ws[i].st)[j];
        if (ws[i].st.lat_max > max) max = ws[i].st.lat_max;
    }
    uint64_t stop = now_ns() < g_end ? now_ns() : g_end;
    double secs = (double)(stop - g_start) / SEC;
    ull resp = t.ok + t.non2xx;       /* errors already include timeouts */
    printf("requests=%llu ok2xx=%llu non2xx=%llu errors=%llu timeouts=%llu connect_errors=%llu "
           "duration_s=%.3f rps=%.1f mean_ms=%.3f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
           "p999_ms=%.3f max_ms=%.3f\nstatus",
           resp + t.errors, t.ok, t.non2xx, t.errors, t.timeouts, t.conn_errors, secs,
           secs > 0 ? (double)resp / secs : 0, resp ? (double)t.lat_sum / (double)resp / MS : 0,
           pct(t.hist, resp, 0.50, max), pct(t.hist, resp, 0.90, max),
           pct(t.hist, resp, 0.99, max), pct(t.hist, resp, 0.999, max), (double)max / MS);
    for (int j = 0; j < 600; j++)
        if (t.status[j]) printf(" %d=%llu", j, t.status[j]);
    printf("\n");
    if (!atomic_load(&g_abort)) return 0;
    fprintf(stderr, "loadgen: aborted: connections to %s:%s kept failing\n", host, port);
    return 3;
}
