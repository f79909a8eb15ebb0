#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Load generator for relay_flood.sh: genuine probes, timed, and a flood of
64 KiB junk frames ("[[[[...") from one source. Loopback only; every loop
is bounded in count and time.

  relay_flood.py probe --relay PORT --count N [--source ADDR]
      N genuine sessions in a row (hello, one TCP probe of a local agent
      that proves the nonce); prints one line per probe: milliseconds from
      connect to the verified result, or FAIL and why.
  relay_flood.py flood --relay PORT --mode hello|request --seconds S
                       [--source ADDR] [--connections C]
      C connections from ADDR, each sending junk frames until S seconds
      pass: as the hello (mode hello) or after a proper hello (mode
      request); prints the number of junk frames the relay answered.
  relay_flood.py idle --relay PORT --seconds S [--sources N] [--per-source K]
      N x K connections from 127.4.0.0/16, N sources, that never say hello;
      each one the relay closes is opened again until S seconds pass;
      prints how many were reopened.
"""
import argparse
import json
import os
import selectors
import socket
import struct
import sys
import threading
import time

VERSION = 1
HELLO, WELCOME, PROBE_REQUEST, PROBE_RESULT, ERROR = 1, 2, 3, 4, 5


def frame(msg_type, payload):
    return b"RB" + struct.pack(">BBI", VERSION, msg_type, len(payload)) + payload


def message(msg_type, obj):
    return frame(msg_type, json.dumps(obj, separators=(",", ":")).encode())


def read_frame(sock):
    """(type, payload) of the next frame; None at EOF."""
    header = read_exactly(sock, 8)
    if header is None:
        return None
    _, _, msg_type, length = struct.unpack(">2sBBI", header)
    payload = read_exactly(sock, length)
    return None if payload is None else (msg_type, payload)


def read_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def connect(port, source):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10,
                                    source_address=(source, 0))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def hello():
    return message(HELLO, {"client_version": "bench"})


class Agent:
    """A local listener that writes the proof of the nonce it is told."""

    def __init__(self):
        self.nonce = ""
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            conn, _ = self.listener.accept()
            try:
                conn.sendall(b"REACHBACK-PROOF " + self.nonce.encode() + b"\n")
            finally:
                conn.close()


def probe_once(port, source, agent):
    agent.nonce = os.urandom(16).hex()
    request = message(PROBE_REQUEST, {
        "protocol": "tcp", "port": agent.port, "nonce": agent.nonce,
        "sweep": False, "control": False})
    start = time.perf_counter()
    with connect(port, source) as sock:
        sock.sendall(hello() + request)
        for _ in range(2):
            reply = read_frame(sock)
            if reply is None:
                return None, "the relay closed"
            msg_type, payload = reply
            if msg_type == PROBE_RESULT:
                outcome = json.loads(payload)["connect_back"]["outcome"]
                elapsed = (time.perf_counter() - start) * 1000
                return (elapsed, "") if outcome == "verified" else (None, outcome)
            if msg_type == ERROR:
                return None, json.loads(payload)["text"]
    return None, "no result"


def run_probes(args):
    agent = Agent()
    for _ in range(args.count):
        elapsed, why = probe_once(args.relay, args.source, agent)
        print(f"{elapsed:.2f}" if elapsed is not None else f"FAIL {why}", flush=True)


def flood_connection(args, deadline, answered):
    junk = frame(HELLO if args.mode == "hello" else PROBE_REQUEST, b"[" * 65536)
    while time.monotonic() < deadline:
        try:
            with connect(args.relay, args.source) as sock:
                if args.mode == "request":
                    sock.sendall(hello())
                    if read_frame(sock) is None:
                        continue
                try:
                    sock.sendall(junk)
                except OSError:
                    pass  # the relay refused from the header and closed
                if read_frame(sock) is not None:
                    answered.append(1)
        except OSError:
            time.sleep(0.01)  # refused over the per-source limit, or reset


def run_flood(args):
    deadline = time.monotonic() + args.seconds
    answered = []
    threads = [threading.Thread(target=flood_connection, args=(args, deadline, answered))
               for _ in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(len(answered), flush=True)


def idle_address(index):
    """127.4.X.Y, one per idle source."""
    return f"127.4.{index // 250}.{index % 250 + 1}"


def open_idle(selector, port, source):
    sock = socket.socket()
    sock.setblocking(False)
    sock.bind((source, 0))
    sock.connect_ex(("127.0.0.1", port))
    selector.register(sock, selectors.EVENT_READ, source)


def run_idle(args):
    """SOURCES x PER_SOURCE connections that never say hello; each one the
    relay closes is opened again, until S seconds pass."""
    selector = selectors.DefaultSelector()
    for index in range(args.sources):
        for _ in range(args.per_source):
            open_idle(selector, args.relay, idle_address(index))
    deadline = time.monotonic() + args.seconds
    reopened = 0
    while time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.1):
            try:
                data = key.fileobj.recv(4096)
            except OSError:
                data = b""
            if data:
                continue  # the error frame; the close follows
            selector.unregister(key.fileobj)
            key.fileobj.close()
            open_idle(selector, args.relay, key.data)
            reopened += 1
    print(reopened, flush=True)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    probe = sub.add_parser("probe")
    probe.add_argument("--relay", type=int, required=True)
    probe.add_argument("--count", type=int, required=True)
    probe.add_argument("--source", default="127.0.0.1")
    flood = sub.add_parser("flood")
    flood.add_argument("--relay", type=int, required=True)
    flood.add_argument("--mode", choices=["hello", "request"], required=True)
    flood.add_argument("--seconds", type=float, required=True)
    flood.add_argument("--source", default="127.3.0.1")
    flood.add_argument("--connections", type=int, default=4)
    idle = sub.add_parser("idle")
    idle.add_argument("--relay", type=int, required=True)
    idle.add_argument("--seconds", type=float, required=True)
    idle.add_argument("--sources", type=int, default=250)
    idle.add_argument("--per-source", type=int, default=4)
    args = parser.parse_args()
    {"probe": run_probes, "flood": run_flood, "idle": run_idle}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
