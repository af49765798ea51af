"""A lab 03 room server, written only from the protocol section of the guide's lab 03 chapter.

It is how the course proves that the protocol section is a contract: `course grade 03 --server
"python3 room_server.py"` must score 100 % (tools/course/tests/grade.rs). One thread per
member reads; one writer thread per member sends, from its own queue, so that a member that
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
LEAVE_WORDS = ("CLOSE", "CLOSE123123", "shutdown")
BEHIND = 8 * 1024 * 1024  # bytes queued for a member that does not read: then it is dropped
PATIENCE = 1.0  # seconds a member's socket may take nothing before it is dropped

lock = threading.Lock()
members = []  # in joining order


def log(text):
    print(text, flush=True)


def stamp():
    return time.strftime("(%H:%M:%S) ")


class Member:
    def __init__(self, sock):
        self.sock, self.name, self.queued, self.gone = sock, None, 0, False
        self.outbox = queue.Queue()
        self.writer = threading.Thread(target=self.write, daemon=True)
        self.writer.start()

    def send(self, line):
        data = (line + "\n").encode()
        self.queued += len(data)
        if self.queued > BEHIND and not self.gone:
            self.drop(f"fell {BEHIND} bytes behind")
            return
        self.outbox.put(data)

    def write(self):
        # A send that waits longer fails; the member's reads stay blocking (settimeout would not).
        seconds = struct.pack("ll", int(PATIENCE), int(PATIENCE % 1 * 1e6))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, seconds)
        while (data := self.outbox.get()) is not None:
            try:
                self.sock.sendall(data)
                self.queued -= len(data)
            except OSError as error:
                return self.drop(f"took nothing for {PATIENCE} s ({error})")
        self.sock.shutdown(socket.SHUT_RDWR)

    def drop(self, why):
        self.gone = True
        log(f"{self.name} dropped: {why}")
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # its reader sees the end and announces it
        except OSError:
            pass


def room_list():
    names = [m.name for m in members]
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    return ", ".join(names[:10]) + more


def say(line):
    """Caller holds the lock: every member gets the line, in the order the server said them."""
    for member in members:
        member.send(stamp() + line)


def announce_leave(name):
    say(f"* {name} left!")


def lines(sock):
    """The member's lines: str, or an error reply for a line that cannot be said."""
    buffer, skipping = b"", False
    while chunk := sock.recv(65536):
        buffer += chunk
        while (end := buffer.find(b"\n")) >= 0:
            raw, buffer = buffer[:end].removesuffix(b"\r"), buffer[end + 1 :]
            if skipping or len(raw) > LIMIT:
                skipping = False
                yield f"! line too long: the limit is {LIMIT} bytes; it was not sent"
                continue
            try:
                yield raw.decode()
            except UnicodeDecodeError:
                yield "! not UTF-8: the line was not sent"
        if len(buffer) > LIMIT + 1:  # the line is already too long: keep no more of it
            buffer, skipping = b"", True


def refusal(name):
    if not 1 <= len(name) <= 16:
        return "a name has 1 to 16 characters"
    if not all(c.isalnum() or c in "-_" for c in name):
        return "a name has only letters, digits, '-' and '_'"
    key = unicodedata.normalize("NFKC", name).casefold()
    if any(unicodedata.normalize("NFKC", m.name).casefold() == key for m in members):
        return f"{name} is already in the room"
    return None


def serve(sock, address, name_timeout):
    member, why = Member(sock), "connection lost"
    log(f"connected with {address[0]}:{address[1]}")
    deadline = threading.Timer(name_timeout, lambda: member.name is None and member.outbox.put(None))
    deadline.daemon = True
    deadline.start()
    incoming = lines(sock)
    try:
        member.send(PROMPT)
        for line in incoming:
            with lock:
                if member.name is None:
                    if (reason := refusal(line)) is not None:
                        member.send(f"! nickname refused: {reason}")
                        member.send(PROMPT)
                        continue
                    member.name = line
                    members.append(member)
                    log(f"name of client is {line}")
                    for other in members[:-1]:
                        other.send(f"{stamp()}* {line} joined! In the room: {room_list()}.")
                    member.send(f"{stamp()}* Welcome, {line}! In the room: {room_list()}. Type CLOSE to leave.")
                elif line.startswith("! "):
                    member.send(line)
                elif line in LEAVE_WORDS:
                    why = "shutdown" if line == "shutdown" else "CLOSE"
                    break
                elif line:
                    log(f"{member.name} says {line}")
                    say(f"{member.name}: {line}")
    except OSError:
        pass
    with lock:
        if member in members:
            members.remove(member)
            log(f"{member.name} left ({why})")
            announce_leave(member.name)
            if why != "connection lost":
                member.send(f"{stamp()}* Goodbye, {member.name}!")
        member.outbox.put(None)


def stop():
    with lock:
        log(f"stopping: telling {len(members)} members")
        for member in members:
            member.send(f"{stamp()}* The server is shutting down. Goodbye!")
            member.outbox.put(None)
        for member in members:
            member.writer.join(PATIENCE)  # the goodbye is written, the socket shut down


def accept(listener, name_timeout):
    while True:
        sock, address = listener.accept()
        threading.Thread(target=serve, args=(sock, address, name_timeout), daemon=True).start()


def console(stopping):
    for line in sys.stdin:
        if line.strip() == "shutdown":
            break
    else:
        return  # no console: only a signal stops the server
    stopping.set()


def main():
    options = argparse.ArgumentParser()
    options.add_argument("--host", default="127.0.0.1")
    options.add_argument("--port", type=int, default=9090)
    options.add_argument("--name-timeout", type=float, default=30.0)
    options = options.parse_args()
    listener = socket.create_server((options.host, options.port), backlog=1024)
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
