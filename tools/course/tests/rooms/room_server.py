"""A lab 03 room server, written only from the protocol section of the guide's lab 03 chapter
(and its "Running it": the options, and `shutdown` at the console).

It is how the course proves that the protocol section is a contract: `course grade 03 --server
"python3 room_server.py"` must score 100 % (tools/course/tests/grade.rs). Each connection has a
reader thread; a member has a writer thread too, fed by its own queue, so that a member that
stops reading stalls nobody else.
"""

import argparse
import os
import queue
import signal
import socket
import struct
import sys
import threading
import time
import unicodedata

LIMIT = 8192
PROMPT = "nick? (1 to 16 letters, digits, '-' or '_')"
LEAVE_WORDS = {"CLOSE": "CLOSE", "CLOSE123123": "CLOSE", "shutdown": "shutdown"}
ROOM_FULL, PER_ADDRESS, CHOOSING = 7500, 64, 1024
BEHIND = 2 * 1024 * 1024  # rule 8: "fell too far behind"
SEND_BUFFER = 128 * 1024  # rule 8: what the kernel may hold for a member
PATIENCE = 0.5  # rule 8: "stopped reading"
LOGGED_PER_SECOND = 20

lock = threading.Lock()
members = []  # in joining order
connections = 0
choosing = {}  # address -> connections still choosing a name there


def log(text):
    print(text, flush=True)


def stamp():
    return time.strftime("(%H:%M:%S) ")


def timeout(sock, option, seconds):
    """SO_RCVTIMEO / SO_SNDTIMEO: a read or write that waits longer fails; 0 waits for ever."""
    sock.setsockopt(socket.SOL_SOCKET, option, struct.pack("ll", int(seconds), int(seconds % 1 * 1e6)))


class Member:
    def __init__(self, sock, name):
        self.sock, self.name, self.queued, self.gone = sock, name, 0, False
        self.window, self.in_window, self.unlogged = time.monotonic(), 0, 0
        self.outbox = queue.Queue()
        self.writer = threading.Thread(target=self.write, daemon=True)
        self.writer.start()

    def send(self, line):
        data = (line + "\n").encode()
        self.queued += len(data)
        if self.queued > BEHIND:
            return self.drop("fell too far behind")
        self.outbox.put(data)

    def write(self):
        timeout(self.sock, socket.SO_SNDTIMEO, PATIENCE)
        while (data := self.outbox.get()) is not None:
            try:
                self.sock.sendall(data)
                self.queued -= len(data)
            except OSError:
                return self.drop("stopped reading")
        shut(self.sock)

    def drop(self, reason):
        if not self.gone:
            self.gone = True
            log(f"{self.name} dropped: {reason}")
            closing(self.sock, reason)  # its reader sees the end and announces the leave

    def said(self, text):
        now = time.monotonic()
        if now - self.window >= 1:
            self.count_unlogged()
            self.window, self.in_window = now, 0
        self.in_window += 1
        if self.in_window <= LOGGED_PER_SECOND:
            log(f"{self.name} says {text}")
        else:
            self.unlogged += 1

    def count_unlogged(self):
        if self.unlogged:
            log(f"{self.name} said {self.unlogged} more lines")
            self.unlogged = 0


def shut(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def closing(sock, reason):
    """Rule 8: one last line saying why, if the socket takes it at once, then the end."""
    try:
        sock.send(f"! closing: {reason}\n".encode(), socket.MSG_DONTWAIT)
    except OSError:
        pass
    shut(sock)


def room_list():
    names = [m.name for m in members]
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    return ", ".join(names[:10]) + more


def say(line):
    """The caller holds the lock: every member gets the line, in the order the room said them."""
    for member in members:
        member.send(stamp() + line)


def announce_leave(name):
    say(f"* {name} left!")


class Reply(str):
    """A line that cannot be said (rule 6): the reply its sender gets instead."""


TOO_LONG = Reply(f"! line too long: the limit is {LIMIT} bytes; it was not sent")
NOT_UTF8 = Reply("! not UTF-8: the line was not sent")


def lines(sock, until):
    """The connection's lines (str, or a Reply), then None if it ended within a line.
    Before the name, `until()` is the time left to choose one."""
    buffer, skipping = b"", False
    while True:
        left = until()
        if left is not None:
            timeout(sock, socket.SO_RCVTIMEO, max(left, 0.001))
        chunk = sock.recv(65536)
        if not chunk:
            break
        buffer += chunk
        while (end := buffer.find(b"\n")) >= 0:
            raw, buffer = buffer[:end].removesuffix(b"\r"), buffer[end + 1 :]
            if skipping or len(raw) > LIMIT:
                skipping = False
                yield TOO_LONG
                continue
            try:
                yield raw.decode()
            except UnicodeDecodeError:
                yield NOT_UTF8
        if len(buffer) > LIMIT + 1:  # already too long: keep no more of it
            buffer, skipping = b"", True
    if buffer or skipping:
        yield None


def key(name):
    return unicodedata.normalize("NFKC", name).casefold()


def refusal(name):
    if name == "":
        return "it is empty"
    if name is NOT_UTF8:
        return "use only letters, digits, '-' and '_'"
    if name is TOO_LONG or len(name) > 16:
        return "it is longer than 16 characters"
    if not all(c.isalnum() or c in "-_" for c in name):
        return "use only letters, digits, '-' and '_'"
    if any(key(m.name) == key(name) for m in members):
        return f"{name} is already in the room"
    return None


def choose_name(sock, incoming):
    """The handshake: a name the room accepted (the member has joined), or None."""
    sock.sendall((PROMPT + "\n").encode())
    for line in incoming:
        if line is None:  # it ended within its name: nothing to say
            return None
        with lock:
            if (reason := refusal(line)) is None:
                member = Member(sock, line)
                members.append(member)
                log(f"name of client is {line}")
                for other in members[:-1]:
                    other.send(f"{stamp()}* {line} joined! In the room: {room_list()}.")
                member.send(f"{stamp()}* Welcome, {line}! In the room: {room_list()}. Type CLOSE to leave.")
                return member
        sock.sendall(f"! nickname refused: {reason}\n{PROMPT}\n".encode())
    return None


def serve(sock, address, name_timeout):
    global connections
    shown = f"{address[0]}:{address[1]}"
    deadline = time.monotonic() + name_timeout
    timeout(sock, socket.SO_SNDTIMEO, name_timeout)  # nor can it hold the handshake by not reading
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
    member, why = None, "connection lost"
    incoming = lines(sock, lambda: None if member else deadline - time.monotonic())
    try:
        member = choose_name(sock, incoming)
    except OSError as error:  # the deadline passed (or the connection broke)
        if isinstance(error, (BlockingIOError, TimeoutError)):
            log(f"{shown} dropped: no name in time")
            closing(sock, "no name in time")
    with lock:
        choosing[address[0]] -= 1
    if member is not None:
        timeout(sock, socket.SO_RCVTIMEO, 0)
        try:
            for line in incoming:
                if line is None:
                    log(f"{member.name}'s last line was cut off: it was not sent")
                elif isinstance(line, Reply):
                    member.send(line)
                elif line in LEAVE_WORDS:
                    why = LEAVE_WORDS[line]
                    break
                elif line:
                    with lock:
                        member.said(line)
                        say(f"{member.name}: {line}")
        except OSError:
            pass
        with lock:
            if member in members:
                members.remove(member)
                member.count_unlogged()
                log(f"{member.name} left ({why})")
                announce_leave(member.name)
                if why != "connection lost":
                    member.send(f"{stamp()}* Goodbye, {member.name}!")
            member.outbox.put(None)
    else:
        shut(sock)
    with lock:
        connections -= 1


def admit(address):
    """None if the connection may come in, or why not (rule 8)."""
    if connections >= ROOM_FULL:
        return "the room is full"
    if choosing.get(address[0], 0) >= PER_ADDRESS:
        return "too many connections from your address are choosing a name"
    if sum(choosing.values()) >= CHOOSING:
        return "too many connections are choosing a name; try again later"
    return None


def accept(listener, name_timeout):
    global connections
    while True:
        sock, address = listener.accept()
        with lock:
            reason = admit(address)
            if reason is None:
                connections += 1
                choosing[address[0]] = choosing.get(address[0], 0) + 1
        if reason is not None:
            log(f"turned away {address[0]}:{address[1]}: {reason}")
            closing(sock, reason)
            sock.close()
            continue
        log(f"connected with {address[0]}:{address[1]}")
        threading.Thread(target=serve, args=(sock, address, name_timeout), daemon=True).start()


def stop():
    with lock:
        count = len(members)
        log(f"stopping: telling {count} member{'' if count == 1 else 's'}")
        for member in members:
            member.send(f"{stamp()}* The server is shutting down. Goodbye!")
            member.outbox.put(None)
        for member in members:
            member.writer.join(PATIENCE)  # the goodbye is written, the socket shut down


def console(stopping):
    for line in sys.stdin:
        if line.strip() == "shutdown":
            break
        log("type shutdown to stop the server")
    else:
        return  # no console: only a signal stops the server
    stopping.set()


def main():
    options = argparse.ArgumentParser()
    options.add_argument("--host", default="127.0.0.1")
    options.add_argument("--port", type=int, default=9090)
    options.add_argument("--name-timeout", type=float, default=30.0)
    options = options.parse_args()
    try:
        listener = socket.create_server((options.host, options.port), backlog=4096)
    except OSError as error:
        sys.exit(f"room_server: cannot listen on {options.host}:{options.port}: {error.strerror}")
    host, port = listener.getsockname()[:2]
    log(f"listening on {host}:{port}")
    stopping = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda *_: stopping.set())
    threading.Thread(target=accept, args=(listener, options.name_timeout), daemon=True).start()
    threading.Thread(target=console, args=(stopping,), daemon=True).start()
    stopping.wait()
    stop()
    sys.stdout.flush()
    os._exit(0)  # the console thread may still be reading stdin: do not wait for it


if __name__ == "__main__":
    main()
