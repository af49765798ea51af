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
LEAVE_KEYS = {word.casefold() for word in LEAVE_WORDS}  # rule 1: no name may spell them
ROOM_FULL, PER_ADDRESS, CHOOSING = 7500, 64, 1024
BEHIND = 16 * 1024 * 1024  # rule 8: "fell too far behind"
SEND_BUFFER = 128 * 1024  # rule 8: what the kernel may hold for a member
BATCH = 16 * 1024  # rule 8: a batch, what one write carries (and the line that passed it)
PATIENCE = 3.0  # rule 8: "stopped reading", a batch not all taken in that time
LOGGED_PER_SECOND = 20

lock = threading.Lock()
members = []  # in joining order
connections = 0
choosing = {}  # address -> connections still choosing a name there
log_lock = threading.Lock()


def log(text):
    """One whole line: print() writes the text and its end apart, and threads would mix them."""
    with log_lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def stamp():
    return time.strftime("(%H:%M:%S) ")


def timeout(sock, option, seconds):
    """SO_RCVTIMEO / SO_SNDTIMEO: a read or write that waits longer fails; 0 waits for ever."""
    sock.setsockopt(socket.SOL_SOCKET, option, struct.pack("ll", int(seconds), int(seconds % 1 * 1e6)))


class Member:
    def __init__(self, sock, name):
        self.sock, self.name, self.queued, self.gone = sock, name, 0, False
        self.window, self.in_window, self.unlogged = time.monotonic(), 0, 0
        self.outbox, self.counting = queue.Queue(), threading.Lock()
        self.writer = threading.Thread(target=self.write, daemon=True)
        self.writer.start()

    def send(self, line):
        data = (line + "\n").encode()
        with self.counting:  # its writer counts down what it wrote
            self.queued += len(data)
            behind = self.queued > BEHIND
        if behind:
            return self.drop("fell too far behind")
        self.outbox.put(data)

    def write(self):
        """Waits for a line and writes it with the others queued behind it, up to a batch, in
        one go: a slow member gets few big writes, not many small ones. None in the queue ends
        it."""
        ending = False
        while not ending:
            batch = [self.outbox.get()]
            size = len(batch[0] or b"")
            while batch[-1] is not None and size < BATCH and not self.outbox.empty():
                batch.append(self.outbox.get())
                size += len(batch[-1] or b"")
            ending = batch[-1] is None
            data = b"".join(batch[:-1] if ending else batch)
            try:
                self.send_within(data, time.monotonic() + PATIENCE)
            except OSError:  # TimeoutError among them
                return self.drop("stopped reading")
            with self.counting:
                self.queued -= len(data)
        shut(self.sock)

    def send_within(self, data, deadline):
        """Writes all of data before deadline: each send waits only for what is left, so a
        socket that takes a few bytes now and then cannot make the wait start again."""
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            timeout(self.sock, socket.SO_SNDTIMEO, max(left, 1e-6))
            view = view[self.sock.send(view):]

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


# Rule 6: characters a line may not hold (controls, bidi controls, separators, invisibles).
REFUSED_IN_TEXT = [(0x00, 0x1F), (0x7F, 0x9F), (0x202A, 0x202E), (0x2066, 0x2069), (0x2028, 0x2029),
                   (0x200B, 0x200B), (0x2060, 0x2064), (0x206A, 0x206F), (0xFEFF, 0xFEFF),
                   (0x115F, 0x1160), (0x3164, 0x3164), (0xFFA0, 0xFFA0), (0x180E, 0x180E),
                   (0xFFF9, 0xFFFB)]
CONTROL_NAMES = {0x00: "null", 0x07: "bell", 0x08: "backspace", 0x09: "tab", 0x0A: "line feed",
                 0x0D: "carriage return", 0x1B: "escape", 0x7F: "delete"}
JOINERS = "\u200c\u200d"  # ZWNJ and ZWJ: Persian and Arabic need them in words and names


def refused_in_text(c):
    return any(low <= ord(c) <= high for low, high in REFUSED_IN_TEXT)


def described(c):
    """The character's Unicode name in lower case, or a short description for a control."""
    return CONTROL_NAMES.get(ord(c)) or unicodedata.name(c, "control character").lower()


def text_refusal(text):
    """Rule 6: the reply to a line that holds a refused character, or None if it may be said."""
    for c in text:
        if refused_in_text(c):
            return Reply(f"! character U+{ord(c):04X} ({described(c)}) is not allowed: the line was not sent")
    return None


# Rule 1: names. Two names are one when their keys are equal; TR39's confusables come from
# Debian's python3-confusable-homoglyphs (scripts/test installs it). A Python that is not the
# system's (pyenv, a venv) does not see Debian's packages: then look where Debian keeps them.
try:
    from confusable_homoglyphs import categories, confusables
except ImportError:
    sys.path.append("/usr/lib/python3/dist-packages")
    from confusable_homoglyphs import categories, confusables


def prototypes():
    """TR39's confusables.txt maps each character to its prototype (the package keeps each pair
    in both directions): character -> prototype. A prototype maps to itself."""
    table, pairs = {}, {}
    for char, glyphs in confusables.confusables_data.items():
        char, glyphs = char.strip("\u200e"), [g["c"].strip("\u200e") for g in glyphs]
        if len(glyphs) == 1 and (len(glyphs[0]) > 1 or len(confusables.confusables_data.get(glyphs[0], ())) > 1):
            table[char] = glyphs[0]  # one prototype, shared with others (or a sequence): char's own
        elif len(glyphs) == 1:
            pairs[char] = glyphs[0]  # a pair alone: either may be the prototype, one must be chosen
    for char, other in pairs.items():
        table[char] = min(char, other)
    return table


PROTOTYPE = prototypes()
# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): characters that show as
# nothing. TR39's skeleton drops them; a name may hold none but the joiners.
DEFAULT_IGNORABLE = [(0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
                     (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
                     (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
                     (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
                     (0xE0000, 0xE0FFF)]


def ignorable(c):
    return any(low <= ord(c) <= high for low, high in DEFAULT_IGNORABLE)


def skeleton(text):
    """TR39's skeleton: decomposed, default-ignorable characters dropped, each character its prototype."""
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not ignorable(c))
    return unicodedata.normalize("NFD", "".join(PROTOTYPE.get(c, c) for c in text))


def key(name):
    return skeleton(unicodedata.normalize("NFKC", name).casefold())


EAST_ASIAN = [("HIRAGANA", "KATAKANA"), ("BOPOMOFO",), ("HANGUL",)]  # each may go with Latin and Han


def mixes_look_alike_scripts(name):
    """TR39's "moderately restrictive": one script; Latin with Han and kana, with Han and
    Bopomofo, or with Han and Hangul; or Latin with one other script that is not Cyrillic or
    Greek. Common and Inherited characters (digits, '-', '_', tatweel, marks, joiners) belong to
    every script."""
    scripts = {categories.alias(c) for c in name} - {"COMMON", "INHERITED"}
    if len(scripts) <= 1 or any(scripts <= {"LATIN", "HAN", *east} for east in EAST_ASIAN):
        return False
    others = scripts - {"LATIN"}
    return not ("LATIN" in scripts and len(others) == 1 and not others & {"CYRILLIC", "GREEK"})


def allowed_in_name(c):
    return c.isalnum() or unicodedata.category(c).startswith("M") or c in "-_" + JOINERS


def visible_letter(c):
    """Not a digit, a mark or a filler; not the tatweel, which only stretches the letters around it."""
    return c.isalpha() and not ignorable(c) and c != "\u0640"


def refusal(sent, name):
    """Rule 1: why the room refuses a name `sent` (its NFKC form is `name`), or None. Invisible
    characters are looked for in the name as sent: NFKC turns some into others (U+3164 into
    U+1160), and the sender should hear of the one it sent."""
    if name == "":
        return "it is empty"
    if name is NOT_UTF8:
        return "use only letters, digits, '-' and '_'"
    if name is TOO_LONG or len(name) > 16:
        return "it is longer than 16 characters"
    if not all(allowed_in_name(c) for c in name):
        return "use only letters, digits, '-' and '_'"
    for c in sent + name:  # a letter or a mark that shows as nothing, such as a Hangul filler
        if ignorable(c) and c not in JOINERS:
            return f"character U+{ord(c):04X} is invisible"
    if not any(visible_letter(c) for c in name):
        return "it has no visible letter"
    if unicodedata.category(name[0]).startswith("M"):
        return "it starts with a mark, which would sit on the character before it"
    if mixes_look_alike_scripts(name):
        return "it mixes scripts whose letters look alike (such as Latin and Cyrillic)"
    if name.casefold() in LEAVE_KEYS:
        return f"{name} is a word for leaving the room"
    if any(key(m.name) == key(name) for m in members):
        return f"{name} is already in the room"
    return None


def choose_name(sock, incoming):
    """The handshake: a name the room accepted (the member has joined), or None."""
    sock.sendall((PROMPT + "\n").encode())
    for line in incoming:
        if line is None:  # it ended within its name: nothing to say
            return None
        name = line if isinstance(line, Reply) else unicodedata.normalize("NFKC", line)  # rule 1
        with lock:
            if (reason := refusal(line, name)) is None:
                member = Member(sock, name)
                members.append(member)
                log(f"name of client is {name}")
                for other in members[:-1]:
                    other.send(f"{stamp()}* {name} joined! In the room: {room_list()}.")
                member.send(f"{stamp()}* Welcome, {name}! In the room: {room_list()}. Type CLOSE to leave.")
                return member
        sock.sendall(f"! nickname refused: {reason}\n{PROMPT}\n".encode())
    return None


def serve(sock, address, name_timeout):
    global connections
    shown = f"{address[0]}:{address[1]}"
    deadline = time.monotonic() + name_timeout
    timeout(sock, socket.SO_SNDTIMEO, name_timeout)  # nor can it hold the handshake by not reading
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)  # rule 10: a vanished peer is noticed
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 60)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 10)
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
                elif (reply := text_refusal(line)) is not None:
                    member.send(reply)
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
