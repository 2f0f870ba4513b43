"""TLS handshakes per second, full and resumed: twisted-node vs Node.js 20 vs
bare Twisted, with an RSA-2048 and a P-256 certificate.

    python bench/tls.py [--seconds 3] [--rounds 3] [--connections 64] [--tls 1.3]
                        [--baseline DIR]

Three servers do the same thing: accept, complete the handshake, close when
the client does. twisted-node runs a tcp.createServer + setSecure program;
Node.js a `tls.createServer`; "twisted" is a bare Twisted Protocol behind
listenSSL with this project's protocols/tls.py (what the runtime costs on
top of Twisted). One server at a time runs in its own process pinned to
CPU 0, and each takes its turn in every round (--rounds interleaved rounds;
medians printed).

The load generator runs on CPU 1: --connections connections at a time, each
closed (close_notify, FIN) as soon as its handshake is done and replaced by
a new one. "full": no session offered. "resumed": every connection offers
the session of one earlier full handshake (a TLS 1.3 ticket or a TLS 1.2
ticket; the share the server resumed is printed). It is a small C program on
the system's OpenSSL, compiled here with cc (a Node.js script with the same
behaviour when there is no compiler): many handshakes in flight from one
core, with no certificate checks of its own, so that as much of its core as
possible goes to the handshakes themselves. openssl s_time makes one
connection at a time (each server would idle while the client works), and a
Node.js or Python client costs more per handshake than the C one (the
Node.js one about twice as much). Even so, one core of client may not keep
a server busy (OpenSSL 3.0's handshakes are not cheap on the client side
either): each server's CPU use while counted is printed, and its rate per
second of server CPU beside its rate per second; where a server was not busy
the rates per CPU-second are the fair comparison.

Targets (issue 17): for twisted-node, resumed >= 3x full; each >= 0.95x
Node.js. --baseline DIR: another checkout of this project serves too, as
"twisted-node@base", with this checkout's ratios to it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import ROOT, pinned, start, stop  # noqa: E402
from tests.certs import make_pki, rsa_server  # noqa: E402
from tests.ports import free_port  # noqa: E402

BASE = "twisted-node@base"  # --baseline's server

RUNTIME_SERVER = """\
var tcp = require("tcp");
var env = process.ENV;
var server = tcp.createServer(function (socket) {
  socket.setTimeout(0);
  socket.addListener("eof", function () { socket.close(); });
});
server.setSecure("X509_PEM", null, null, env.BENCH_TLS_KEY, env.BENCH_TLS_CERT);
server.listen(parseInt(process.ARGV[2], 10), "127.0.0.1");
"""

NODE_SERVER = """\
const tls = require("tls");
const options = { key: process.env.BENCH_TLS_KEY, cert: process.env.BENCH_TLS_CERT };
const server = tls.createServer(options, (socket) => {
  socket.on("error", () => {});
});
server.on("tlsClientError", () => {});
server.listen(Number(process.argv[2]), "127.0.0.1");
"""

TWISTED_SERVER = """\
import os, sys
from twisted.internet import epollreactor
epollreactor.install()
from twisted.internet import reactor
from twisted.internet.protocol import Factory, Protocol
from twisted_node.protocols import tls

key, cert = os.environ["BENCH_TLS_KEY"], os.environ["BENCH_TLS_CERT"]
secure = tls.server_context_factory("X509_PEM", None, None, key, cert)
reactor.listenSSL(int(sys.argv[1]), Factory.forProtocol(Protocol), secure, interface="127.0.0.1")
reactor.run()
"""

C_CLIENT = r"""
/* TLS handshake load: CONNECTIONS connections at a time to 127.0.0.1:PORT,
 * each closed (close_notify, then FIN) as soon as its handshake is done and
 * replaced by a new one. MODE "full" offers no session; "resumed" offers the
 * session of one earlier full handshake (each a copy of it, as a client
 * that saved it would). Prints "counting" after a 0.5 s
 * warm-up, then, SECONDS later, one JSON line: handshakes, reused, seconds.
 *   client PORT MODE SECONDS CONNECTIONS TLSv1.2|TLSv1.3 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn { int fd; SSL *ssl; int connecting; };

static SSL_CTX *ctx;
static SSL_SESSION *session;
static unsigned char *session_der; /* a fresh copy per connection: OpenSSL uses a TLS 1.3 session once */
static int session_der_length;
static struct sockaddr_in address;
static int epfd, resumed_mode, counting;
static long handshakes, reused, failures;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int keep_first(SSL *ssl, SSL_SESSION *s) {
  (void)ssl;
  if (session != NULL) return 0;
  session = s;
  return 1;
}

static void watch(struct conn *c, int op, unsigned events) {
  struct epoll_event ev = { .events = events, .data.ptr = c };
  epoll_ctl(epfd, op, c->fd, &ev);
}

static void open_conn(struct conn *c) {
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->ssl = SSL_new(ctx);
  SSL_set_fd(c->ssl, c->fd);
  SSL_set_tlsext_host_name(c->ssl, "localhost");
  if (resumed_mode) {
    const unsigned char *p = session_der;
    SSL_SESSION *copy = d2i_SSL_SESSION(NULL, &p, session_der_length);
    SSL_set_session(c->ssl, copy);
    SSL_SESSION_free(copy);
  }
  SSL_set_connect_state(c->ssl);
  c->connecting = connect(c->fd, (struct sockaddr *)&address, sizeof address) != 0;
  watch(c, EPOLL_CTL_ADD, EPOLLOUT);
}

static void close_conn(struct conn *c) {
  SSL_shutdown(c->ssl); /* close_notify (best effort: the socket may be full) */
  epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  SSL_free(c->ssl);
}

static void step(struct conn *c) {
  if (c->connecting) {
    int error = 0;
    socklen_t size = sizeof error;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &size);
    if (error) { failures++; close_conn(c); open_conn(c); return; }
    c->connecting = 0;
  }
  int r = SSL_do_handshake(c->ssl);
  if (r == 1) {
    if (counting) {
      handshakes++;
      if (SSL_session_reused(c->ssl)) reused++;
    }
    close_conn(c);
    open_conn(c);
    return;
  }
  switch (SSL_get_error(c->ssl, r)) {
    case SSL_ERROR_WANT_READ: watch(c, EPOLL_CTL_MOD, EPOLLIN); break;
    case SSL_ERROR_WANT_WRITE: watch(c, EPOLL_CTL_MOD, EPOLLOUT); break;
    default: failures++; ERR_clear_error(); close_conn(c); open_conn(c);
  }
}

static int prime(void) {
  /* One full handshake, blocking, reading until the session (under TLS 1.3
   * it comes with a ticket, after the handshake). */
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct timeval timeout = { .tv_sec = 0, .tv_usec = 200000 };
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) return 0;
  SSL *ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, "localhost");
  if (SSL_connect(ssl) != 1) return 0;
  char buffer[256];
  for (int i = 0; i < 10 && session == NULL; i++) SSL_read(ssl, buffer, sizeof buffer);
  SSL_shutdown(ssl);
  close(fd);
  SSL_free(ssl);
  return session != NULL;
}

int main(int argc, char **argv) {
  if (argc != 6) { fprintf(stderr, "usage: client PORT MODE SECONDS CONNECTIONS VERSION\n"); return 2; }
  int port = atoi(argv[1]), connections = atoi(argv[4]);
  double seconds = atof(argv[3]);
  resumed_mode = strcmp(argv[2], "resumed") == 0;
  int version = strcmp(argv[5], "TLSv1.2") == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, version);
  SSL_CTX_set_max_proto_version(ctx, version);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL); /* the server's work is measured, not ours */
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, keep_first);
  if (resumed_mode && !prime()) { fprintf(stderr, "no session to resume\n"); return 1; }
  if (resumed_mode) {
    session_der_length = i2d_SSL_SESSION(session, NULL);
    unsigned char *p = session_der = malloc(session_der_length);
    i2d_SSL_SESSION(session, &p);
  }

  epfd = epoll_create1(0);
  struct conn *conns = calloc(connections, sizeof *conns);
  for (int i = 0; i < connections; i++) open_conn(&conns[i]);
  struct epoll_event events[256];
  double start = now(), counted_from = 0, end = start + 0.5 + seconds;
  for (;;) {
    double t = now();
    if (!counting && t >= start + 0.5) {
      counting = 1;
      counted_from = t;
      printf("counting\n");
      fflush(stdout);
    }
    if (t >= end) break;
    int n = epoll_wait(epfd, events, 256, 50);
    for (int i = 0; i < n; i++) step(events[i].data.ptr);
  }
  printf("{\"handshakes\": %ld, \"reused\": %ld, \"failures\": %ld, \"seconds\": %f}\n", handshakes, reused,
         failures, now() - counted_from);
  fflush(stdout);
  return 0;
}
"""

NODE_CLIENT = """\
const tls = require("tls");
const [port, mode, seconds, connections, version] = process.argv.slice(2);
const options = {
  port: Number(port), host: "127.0.0.1", servername: "localhost", rejectUnauthorized: false,
  minVersion: version, maxVersion: version,
};
let session = null, count = 0, reused = 0, counting = false, done = false, started;

function one() {
  if (done) return;
  const socket = tls.connect(session ? { ...options, session } : options);
  socket.on("secureConnect", () => {
    if (counting) {
      count++;
      if (socket.isSessionReused()) reused++;
    }
    socket.end();
  });
  socket.on("error", () => {});
  socket.on("close", one);
}

function run() {
  for (let i = 0; i < Number(connections); i++) one();
  setTimeout(() => {  // after a warm-up
    counting = true;
    started = process.hrtime.bigint();
    console.log("counting");
  }, 500);
  setTimeout(() => {
    done = true;
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(JSON.stringify({ handshakes: count, reused, seconds: elapsed }));
    process.exit(0);
  }, 500 + Number(seconds) * 1000);
}

if (mode === "resumed") {
  // One full handshake for the session every connection then offers (under
  // TLS 1.3 it comes with the ticket, after the handshake).
  const first = tls.connect(options);
  first.once("session", (s) => { session = s; first.end(); run(); });
  first.on("error", (e) => { console.error(String(e)); process.exit(1); });
} else {
  run();
}
"""


def ssl_version() -> str:
    out = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.split()
    return out[1] if len(out) > 1 else "?"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Bench:
    def __init__(self, args, tmp: str):
        self.args = args
        self.tmp = tmp
        self.node = shutil.which("node")
        pki, rsa = make_pki(), rsa_server()
        self.keys = {
            "RSA-2048": (rsa["rsa_server_key"], rsa["rsa_server_cert"]),
            "P-256": (pki["server_key"], pki["server_cert"]),
        }
        self.client = self.load_generator()

    def write(self, name: str, text: str) -> str:
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def load_generator(self) -> list[str]:
        """The command of the load generator, without its arguments."""
        cc = shutil.which("cc") or shutil.which("gcc")
        if cc:
            binary = os.path.join(self.tmp, "tls_client")
            built = subprocess.run(
                [cc, "-O2", "-o", binary, self.write("tls_client.c", C_CLIENT), "-lssl", "-lcrypto"],
                capture_output=True,
            )
            if built.returncode == 0:
                self.client_name = "C (OpenSSL " + ssl_version() + ")"
                return [binary]
            print("cannot build the C load generator (libssl-dev?): using Node.js\n" + built.stderr.decode())
        self.client_name = "node"
        return [self.node, self.write("tls_client.js", NODE_CLIENT)]

    def servers(self) -> list[tuple[str, list[str], str]]:
        """(name, command without the port, the checkout it runs)."""
        runtime = [sys.executable, "-m", "twisted_node", self.write("tn_tls.js", RUNTIME_SERVER)]
        servers = [
            ("twisted-node", runtime, ROOT),
            ("node", [self.node, self.write("node_tls.js", NODE_SERVER)], ROOT),
            ("twisted", [sys.executable, self.write("tw_tls.py", TWISTED_SERVER)], ROOT),
        ]
        if self.args.baseline:
            servers.insert(1, (BASE, runtime, os.path.abspath(self.args.baseline)))
        return servers

    def load(self, port: int, mode: str, server_pid: int) -> dict:
        a = self.args
        command = [*self.client, str(port), mode, str(a.seconds), str(a.connections), a.tls_version]
        client = subprocess.Popen(pinned(1, command), stdout=subprocess.PIPE, text=True)
        try:
            line = client.stdout.readline()
            if line.strip() != "counting":
                raise RuntimeError(f"load generator: {line!r}")
            cpu0, wall0 = cpu_seconds(server_pid), time.monotonic()
            result = json.loads(client.stdout.readline())
            cpu1, wall1 = cpu_seconds(server_pid), time.monotonic()
        finally:
            client.wait(timeout=60)
        result["cpu"] = (cpu1 - cpu0) / (wall1 - wall0)
        return result

    def measure(self, name: str, command: list[str], root: str, key: str) -> dict:
        port = free_port()
        pem_key, pem_cert = self.keys[key]
        server = start(
            [*command, str(port)], port, root, env={"BENCH_TLS_KEY": pem_key, "BENCH_TLS_CERT": pem_cert}
        )
        try:
            return {mode: self.load(port, mode, server.pid) for mode in ("full", "resumed")}
        finally:
            stop(server)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--tls", dest="tls_version", choices=["1.2", "1.3"], default="1.3")
    parser.add_argument("--baseline", metavar="DIR", help="another checkout to compare with")
    args = parser.parse_args()
    args.tls_version = "TLSv" + args.tls_version
    if shutil.which("node") is None:
        print("bench/tls.py needs node on PATH (the load generator and the Node.js server)")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(args, tmp)
        servers = bench.servers()
        print(
            f"TLS handshakes over 127.0.0.1, {args.tls_version}; load: {bench.client_name}, "
            f"{args.connections} connections at a time, {args.seconds:g} s per count; "
            f"{args.rounds} rounds, servers taking turns, medians reported; "
            "cpu = the server's CPU use while counted"
        )
        samples: dict = {}
        for round_number in range(1, args.rounds + 1):
            for key in bench.keys:
                for name, command, root in servers:
                    result = bench.measure(name, command, root, key)
                    for mode, r in result.items():
                        rate = r["handshakes"] / r["seconds"]
                        samples.setdefault((key, name, mode), []).append((rate, r["cpu"]))
                        reused = f", {r['reused'] / max(r['handshakes'], 1):4.0%} resumed"
                        if r.get("failures"):
                            reused += f", {r['failures']} failed"
                        print(
                            f"  round {round_number} {key:8s} {name:17s} {mode:7s} {rate:8.0f} /s"
                            f"  (cpu {r['cpu']:4.0%}{reused})",
                            flush=True,
                        )
    report(samples, [name for name, _, _ in servers], list(bench.keys))
    return 0


def report(samples: dict, names: list[str], keys: list[str]) -> None:
    """The medians, per second and per second of server CPU, and the ratios."""
    wall = {k: statistics.median(rate for rate, _ in v) for k, v in samples.items()}
    per_cpu = {k: statistics.median(rate / max(cpu, 1e-9) for rate, cpu in v) for k, v in samples.items()}
    print()
    print(f"{'':8s} {'server':17s} {'full /s':>9s} {'/ cpu-s':>9s} {'resumed /s':>11s} {'/ cpu-s':>9s}")
    for key in keys:
        for name in names:
            full, resumed = (key, name, "full"), (key, name, "resumed")
            print(
                f"{key:8s} {name:17s} {wall[full]:9.0f} {per_cpu[full]:9.0f} "
                f"{wall[resumed]:11.0f} {per_cpu[resumed]:9.0f}"
            )
    print()
    print("ratios: per second, and per second of server CPU")
    for key in keys:

        def ratio(a, b):
            return f"{wall[a] / wall[b]:5.2f}x  {per_cpu[a] / per_cpu[b]:5.2f}x"

        ours = (key, "twisted-node")
        line = ratio((*ours, "resumed"), (*ours, "full"))
        print(f"{key:8s} twisted-node resumed / full:         {line}  (target >= 3x)")
        for mode in ("full", "resumed"):
            node = (key, "node", mode)
            line = ratio((*ours, mode), node)
            print(f"{key:8s} {mode:7s} twisted-node / node:          {line}  (target >= 0.95x)")
            line = ratio((key, "twisted", mode), node)
            print(f"{key:8s} {mode:7s} twisted / node (the floor):   {line}")
            if (key, BASE, mode) in wall:
                line = ratio((*ours, mode), (key, BASE, mode))
                print(f"{key:8s} {mode:7s} twisted-node / its baseline:  {line}")


if __name__ == "__main__":
    sys.exit(main())
