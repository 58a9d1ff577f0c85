"""A scripted serial-shell session, used by tests/runner.py.

Boots the kernel with no job on the command line (so it starts the shell),
waits for each prompt, types a command, and checks the answer.  Line
editing is exercised with the same bytes a terminal sends: backspace
(0x7f), Ctrl-U (0x15) and the up arrow (ESC [ A).
"""
import os
import re
import select
import subprocess
import time

PROMPT = b"strata> "


class Session:
    def __init__(self, cmd, timeout):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.buf = b""
        self.log = b""
        self.timeout = timeout

    def read_until_prompt(self):
        """Returns the text before the next prompt, or None on timeout/exit."""
        deadline = time.time() + self.timeout
        while PROMPT not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if not r:
                return None
            chunk = os.read(self.p.stdout.fileno(), 4096)
            if not chunk:
                return None
            self.buf += chunk
            self.log += chunk
        before, _, self.buf = self.buf.partition(PROMPT)
        return before.decode("utf-8", "replace").replace("\r", "")

    def send(self, raw):
        self.p.stdin.write(raw)
        self.p.stdin.flush()

    def finish(self, timeout):
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.log += self.buf + self.p.stdout.read()
        return self.p.returncode


def run_session(qemu_cmd, timeout, steps):
    """steps: (bytes to type, regex the answer must match, description).

    A regex may use {name} to refer to a group captured by an earlier step.
    Returns (list of (ok, description, detail), exit status, log text)."""
    s = Session(qemu_cmd, timeout)
    results, captured = [], {}
    banner = s.read_until_prompt()
    results.append((banner is not None and "Strata shell" in banner,
                    "the kernel boots into the shell prompt", "no prompt"))
    for typed, pattern, desc in steps:
        if banner is None:
            results.append((False, desc, "no prompt"))
            continue
        for k, v in captured.items():
            typed = typed.replace(("{%s}" % k).encode(), v.encode())
            pattern = pattern.replace("{%s}" % k, re.escape(v))
        s.send(typed)
        if typed.strip() == b"poweroff":
            break
        answer = s.read_until_prompt()
        if answer is None:
            results.append((False, desc, "no prompt after %r" % typed))
            banner = None
            continue
        m = re.search(pattern, answer)
        if m:
            captured.update(m.groupdict())
        results.append((bool(m), desc, "typed %r, got %r" % (typed, answer[-300:])))
    status = s.finish(timeout)
    return results, status, s.log.decode("utf-8", "replace")
