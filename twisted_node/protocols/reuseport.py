"""TCP ports shared by the workers of one program (SO_REUSEPORT), and how one
of them stops listening without losing a connection.

Sharing. Every worker binds its own listening socket with SO_REUSEPORT on
the same address and port; Linux puts them in one group and spreads incoming
connections over the group by a hash of each connection's addresses. A
worker can join at any time, on any port its program chooses, with nothing
to ask of the supervisor: that is why the workers bind themselves instead of
being handed a socket bound in advance (the supervisor cannot know which
ports a program will listen on, nor when).

Leaving. When a member of the group closes, the kernel resets the
connections in its accept queue (handshake done, not yet accepted) and those
whose handshake is still under way on it (unless the sysctl
net.ipv4.tcp_migrate_req is set, which it is not by default). So a worker
that stops listening while others go on first stops taking new connections
without closing: `refuse_new_connections` puts a socket filter on its
listening socket that drops every SYN (the kernel still picks this socket for
some new connections, and their clients send the SYN again a second later,
by when the socket is closed and the group picks another member), while the
ACKs that finish handshakes already under way still pass. After
HANDSHAKE_WAIT for those to arrive, what is queued is accepted and the
socket closed at once (listening.close_gracefully). No connection the kernel
accepted is lost; a connection that arrives meanwhile costs its client a
second.
"""

from __future__ import annotations

import ctypes
import socket
import struct

from twisted.internet.error import CannotListenError

# Seconds a leaving socket waits, after refusing new SYNs, for the handshakes
# already under way on it: their ACK comes one round trip after the SYN-ACK.
HANDSHAKE_WAIT = 0.25

SO_ATTACH_FILTER = getattr(socket, "SO_ATTACH_FILTER", 26)  # Linux's number

# A classic BPF program, run by the kernel on every packet for the socket with
# the TCP header at offset 0: drop a segment whose flags have SYN without ACK,
# keep the rest.
_BPF_LD_B_ABS, _BPF_ALU_AND_K, _BPF_JEQ_K, _BPF_RET_K = 0x30, 0x54, 0x15, 0x06
_TCP_FLAGS_OFFSET = 13
_SYN, _ACK = 0x02, 0x10
_DROP_SYN = (
    (_BPF_LD_B_ABS, 0, 0, _TCP_FLAGS_OFFSET),
    (_BPF_ALU_AND_K, 0, 0, _SYN | _ACK),
    (_BPF_JEQ_K, 0, 1, _SYN),  # SYN alone: next instruction (drop), else skip it
    (_BPF_RET_K, 0, 0, 0),  # drop
    (_BPF_RET_K, 0, 0, 0xFFFFFFFF),  # keep the whole segment
)


def listen_shared(reactor, port: int, factory, backlog: int, interface: str):
    """reactor.listenTCP's twin for a port shared with the other workers: the
    same kind of Twisted port (nothing changes per connection), on a socket
    bound with SO_REUSEPORT. Raises CannotListenError as listenTCP does."""
    family = socket.AF_INET6 if ":" in interface else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            flags = socket.AI_NUMERICHOST | socket.AI_PASSIVE
            address = socket.getaddrinfo(interface, port, family, socket.SOCK_STREAM, 0, flags)[0][4]
        else:
            address = (interface, port)
        sock.bind(address)
        sock.listen(backlog)
        sock.setblocking(False)
    except OSError as e:
        sock.close()
        raise CannotListenError(interface, port, e) from None
    try:
        # Twisted takes a duplicate of the descriptor; ours is closed here.
        return reactor.adoptStreamPort(sock.fileno(), family, factory)
    finally:
        sock.close()


def refuse_new_connections(fileno: int) -> bool:
    """Drop the SYNs that reach this listening socket from now on (see the
    module's docstring). False where the kernel has no socket filters."""
    program = b"".join(struct.pack("HBBI", *insn) for insn in _DROP_SYN)
    buffer = ctypes.create_string_buffer(program, len(program))
    # struct sock_fprog { unsigned short len; struct sock_filter *filter; },
    # with the C compiler's padding: the kernel copies the program at once.
    fprog = struct.pack("HP", len(_DROP_SYN), ctypes.addressof(buffer))
    sock = socket.socket(fileno=fileno)
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
        return True
    except OSError:
        return False
    finally:
        sock.detach()  # the descriptor stays the port's
