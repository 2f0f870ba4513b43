"""Starting TLS on one server connection, in process: Twisted's
transport.startTLS vs twisted_internals.start_tls (what the runtime uses),
with the OpenSSL connection alone as the floor.

    python bench/tls_layer.py [--rounds 7] [--count 3000]

Each way takes its turn in every round on a fresh Twisted tcp.Server (no
socket: the layer is made and its first handshake step runs, which for a
server just waits for the ClientHello); the best round of each is printed
in microseconds of CPU per connection, with the ratios. This is the part of
a TLS handshake's server CPU that is Python rather than OpenSSL: see
bench/tls.py for whole handshakes.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

# The checkout instead of bench/ (whose http.py would hide the standard library's).
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from twisted.internet import reactor  # noqa: E402

from tests.certs import make_pki  # noqa: E402
from tests.socketless import server_transport  # noqa: E402
from twisted_node.protocols import tls, twisted_internals  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--count", type=int, default=3000)
    args = parser.parse_args()
    pki = make_pki()
    creator = tls.server_context_factory("X509_PEM", None, None, pki["server_key"], pki["server_cert"])

    def twisted_start_tls():
        transport = server_transport(reactor)
        transport.startTLS(creator)
        transport.protocol.factory.unregisterProtocol(transport.protocol)

    def runtime_start_tls():
        transport = server_transport(reactor)
        twisted_internals.start_tls(transport, creator)
        transport.protocol.factory.unregisterProtocol(transport.protocol)

    def openssl_connection_alone():
        creator.serverConnectionForTLS(None).set_accept_state()

    ways = {
        "Twisted startTLS": twisted_start_tls,
        "start_tls": runtime_start_tls,
        "SSL.Connection alone": openssl_connection_alone,
    }
    best = {}
    for _ in range(args.rounds):
        for name, way in ways.items():
            started = time.process_time()
            for _ in range(args.count):
                way()
            per = (time.process_time() - started) / args.count * 1e6
            best[name] = min(best.get(name, per), per)
    for name, us in best.items():
        print(f"{name:22} {us:7.1f} us per connection")
    print(f"start_tls / Twisted startTLS: {best['start_tls'] / best['Twisted startTLS']:.2f}x the CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
