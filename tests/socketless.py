"""A Twisted TCP server transport without a socket, in the state startTLS
reads: TLS layers made in memory (tests/test_twisted_internals.py,
bench/tls_layer.py)."""

from __future__ import annotations

from twisted.internet import protocol, tcp


def server_transport(reactor):
    transport = tcp.Server.__new__(tcp.Server)
    transport.protocol = protocol.Protocol()
    transport.producer = None
    transport.streamingProducer = False
    transport.connected = 1
    transport.disconnecting = False
    transport.reactor = reactor
    transport.TLS = False
    return transport
