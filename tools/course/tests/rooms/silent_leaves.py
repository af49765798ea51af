"""The room server of room_server.py with one defect: it never tells the others that a member
left. `course grade 03` must fail exactly the tests of the leave rule, and pass the others."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import room_server  # noqa: E402

room_server.announce_leave = lambda name: None

if __name__ == "__main__":
    room_server.main()
