#!/usr/bin/env python3
"""The hostile clients of bench/soak that wrk cannot be: slow and silent connections, and
WebSockets that fill every cap. Standard library only.

    SOAK_TOKEN=<write token> soak_clients.py HOST PORT SECONDS

For SECONDS, in threads:
  - slow headers: connections that send half a request head and then nothing, opened again
    whenever the server closes them (its header timeout);
  - idle keep-alive: connections that send one request, read the answer and then stay silent;
  - WebSocket floods: sockets on /graphql/ws (graphql-transport-ws) that subscribe to `changes`
    up to the per-socket cap and one over it, more sockets than one address may hold, and a
    message over the size limit; each socket closed by the server is opened again;
  - a curator: one correction a second (a new summary of one meeting, which every `changes`
    subscription receives), and every 10 s the hostile writes: a meeting with 1,501 organisers,
    a summary with U+FFFF, a null title, a source URL with `javascript:`, and a write with a
    wrong token.
At the end it prints one line per kind with what happened, for bench/soak to show. It never
fails the soak: what the server must keep doing (answering the valid mix, flat memory) is judged
by bench/soak itself.
"""

import base64
import json
import os
import socket
import struct
import sys
import threading
import time
from collections import Counter

COUNTS = Counter()
LOCK = threading.Lock()


def count(name, n=1):
    with LOCK:
        COUNTS[name] += n


def hold(host, port, until, held, name, opening):
    """Holds `held` connections, each begun by `opening(socket)` and then silent; opens again
    each one the server closes, and counts what happened to them under `name`."""
    conns = []
    while time.time() < until:
        while len(conns) < held:
            try:
                s = socket.create_connection((host, port), timeout=5)
                opening(s)
                s.setblocking(False)
                conns.append(s)
                count(f"{name} connections opened")
            except OSError:
                count(f"{name} connections refused")
                break
        time.sleep(0.5)
        alive = []
        for s in conns:
            try:
                data = s.recv(4096)
                count(f"{name} connections closed by the server" if data == b"" else f"{name} connections answered")
                s.close()
            except BlockingIOError:
                alive.append(s)
            except OSError:
                count(f"{name} connections reset by the server")
                s.close()
        conns = alive
    for s in conns:
        s.close()


def half_a_head(s):
    """A request head that never ends."""
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")


def one_request(s):
    """One whole request, its answer read: the connection is then idle, kept alive."""
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    s.recv(65536)


class WebSocket:
    """A minimal client: the upgrade, masked text frames out, frames in."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                "GET /graphql/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise OSError("closed during the upgrade")
            head += chunk
        self.status = int(head.split(b" ", 2)[1])
        self.buffer = head.split(b"\r\n\r\n", 1)[1]

    def send(self, payload, opcode=1):
        data = payload.encode() if isinstance(payload, str) else payload
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(header + mask + masked)

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("closed")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def recv(self):
        """One frame: (opcode, payload)."""
        b0, b1 = self._read(2)
        n = b1 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", self._read(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", self._read(8))
        return b0 & 0x0F, self._read(n)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def ws_flood(host, port, until, sockets, per_socket):
    """Opens `sockets` sockets (more than one address may hold), each initialised and carrying
    `per_socket` subscriptions to `changes` (one over the cap is refused with an error message);
    reopens what the server closes, and now and then sends a message over the size limit."""
    changes = "subscription { changes { operation typename slug } }"
    held = []
    oversized_sent = 0
    while time.time() < until:
        while len(held) < sockets and time.time() < until:
            try:
                ws = WebSocket(host, port)
            except OSError:
                count("websocket upgrades failed")
                break
            if ws.status != 101:
                count(f"websocket upgrades answered {ws.status}")
                ws.close()
                break
            count("websockets opened")
            try:
                ws.send(json.dumps({"type": "connection_init", "payload": {}}))
                ws.recv()
                for i in range(per_socket):
                    ws.send(json.dumps({"id": str(i), "type": "subscribe", "payload": {"query": changes}}))
                ws.sock.settimeout(0.2)
                held.append(ws)
            except OSError:
                count("websockets closed while subscribing")
                ws.close()
        # Read what came: errors for the operations over the cap, events, closes.
        alive = []
        for ws in held:
            try:
                while True:
                    opcode, payload = ws.recv()
                    if opcode == 8:
                        code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 0
                        count(f"websockets closed by the server with {code}")
                        raise OSError("closed")
                    if opcode == 1:
                        kind = json.loads(payload).get("type", "?")
                        count(f"websocket messages of type {kind}")
            except socket.timeout:
                alive.append(ws)
            except (OSError, ValueError):
                ws.close()
        held = alive
        # One socket sends a message over the 256 KiB limit every 10 s: the server closes it
        # with 1009, and it is opened again.
        if held and time.time() - oversized_sent > 10:
            oversized_sent = time.time()
            try:
                held[0].send(json.dumps({"id": "big", "type": "subscribe", "payload": {"query": " " * (300 * 1024)}}))
                count("oversized websocket messages sent")
            except OSError:
                pass
        time.sleep(0.5)
    for ws in held:
        ws.close()


def post(host, port, body, token):
    """POSTs a GraphQL request; returns (status, the first error's code or None)."""
    data = json.dumps(body).encode()
    head = f"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    with socket.create_connection((host, port), timeout=30) as s:
        s.sendall((head + "Connection: close\r\n\r\n").encode() + data)
        raw = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            raw += chunk
    status = int(raw.split(b" ", 2)[1])
    try:
        errors = json.loads(raw.split(b"\r\n\r\n", 1)[1]).get("errors") or []
    except ValueError:
        errors = [{"extensions": {"code": "not JSON"}}]
    return status, (errors[0].get("extensions", {}).get("code") if errors else None)


def curator(host, port, until, token):
    """One correction a second, and the hostile writes every 10 s."""
    update = "mutation($s: String!, $i: UpdateMeetingInput!) { updateMeeting(slug: $s, input: $i) { slug } }"
    create = "mutation($i: CreateMeetingInput!) { createMeeting(input: $i) { slug } }"
    slug = "2025-aswan-legal-pathways"
    organisers = [{"actor": "ke", "role": "ORGANISER"}] * 1501
    hostile = {
        "1,501 organisers": (create, {"i": {
            "slug": "2026-10-soak-organisers", "title": "Soak", "kind": "THEMATIC_MEETING", "startDate": "2026-10-14",
            "processes": ["khartoum-process"], "participations": organisers,
            "sources": [{"title": "Soak", "url": "https://www.khartoumprocess.net/soak"}]}}, token),
        "U+FFFF in a summary": (update, {"s": slug, "i": {"summary": "soak \uffff"}}, token),
        "a null title": (update, {"s": slug, "i": {"title": None}}, token),
        "a javascript: source": (update, {"s": slug, "i": {"sources": [{"title": "x", "url": "javascript:alert(1)"}]}}, token),
        "a wrong token": (update, {"s": slug, "i": {"summary": "never"}}, "wrong-token-0123456789abcdef"),
    }
    n, last_hostile = 0, 0.0
    while time.time() < until:
        n += 1
        try:
            status, code = post(host, port, {"query": update, "variables": {"s": slug, "i": {"summary": f"Soak summary {n}"}}}, token)
            count("corrections acknowledged" if status == 200 and code is None else f"corrections failed ({status} {code})")
        except OSError:
            count("corrections failed (socket)")
        if time.time() - last_hostile > 10:
            last_hostile = time.time()
            for name, (query, variables, as_token) in hostile.items():
                try:
                    status, code = post(host, port, {"query": query, "variables": variables}, as_token)
                    count(f"hostile write, {name}: {status} {code}")
                except OSError:
                    count(f"hostile write, {name}: socket error")
        time.sleep(1)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    until = time.time() + seconds
    threads = [
        threading.Thread(target=hold, args=(host, port, until, 50, "slow-header", half_a_head)),
        threading.Thread(target=hold, args=(host, port, until, 50, "idle keep-alive", one_request)),
        # One more socket than the default per-address cap (16), each one subscription over the
        # per-socket cap (100).
        threading.Thread(target=ws_flood, args=(host, port, until, 17, 101)),
    ]
    if os.environ.get("SOAK_TOKEN"):
        threads.append(threading.Thread(target=curator, args=(host, port, until, os.environ["SOAK_TOKEN"])))
    for t in threads:
        t.daemon = True
        t.start()
    for t in threads:
        t.join(seconds + 30)
    for name, n in sorted(COUNTS.items()):
        print(f"  {name}: {n}")


if __name__ == "__main__":
    main()
