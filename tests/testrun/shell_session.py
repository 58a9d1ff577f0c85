"""A scripted serial-shell session, used by tests/runner.py.

Boots the kernel with no job on the command line (so it starts the shell),
waits for each prompt, types a command, and checks the answer.  Line
editing is exercised with the bytes a terminal sends: backspace (0x7f),
Ctrl-U (0x15), Ctrl-W (0x17), Tab, and the arrows (ESC [ A, B, C, D, H).

A step is (bytes to type, regex the answer must match, description), with
an optional fourth element, the number of prompts the answer spans (Tab's
list of candidates redraws the prompt).  In the bytes and the regex,
{name} stands for a group an earlier answer captured, and {name+N} or
{name-N} for that number plus or minus N (in hex).  A step whose first
element is a function runs it instead, between two prompts: it receives
the captured values and the transcript and returns (ok, description,
detail) triples (the GDB comparison).
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


def substitute(text, captured, escape):
    """Replaces {name}, {name+N} and {name-N} by captured values."""
    def one(m):
        name, sign, n = m.group(1), m.group(2), m.group(3)
        if name not in captured:
            return m.group(0)
        v = captured[name]
        if sign:  # captured numbers are hex, with or without 0x
            v = "%#x" % (int(v, 16) + (int(n, 0) if sign == "+" else -int(n, 0)))
        return re.escape(v) if escape else v
    return re.sub(r"\{(\w+)(?:([+-])(\w+))?\}", one, text)


def run_step(s, typed, pattern, prompts, captured):
    """Types one line; returns (ok, detail, answer, what was typed)."""
    typed = substitute(typed.decode(), captured, False).encode()
    pattern = substitute(pattern, captured, True)
    s.send(typed)
    if typed.strip() == b"poweroff":
        return True, "", "", typed
    answer = ""
    for _ in range(prompts):
        part = s.read_until_prompt()
        if part is None:
            return None, "no prompt after %r" % typed, None, typed
        answer += part
    m = re.search(pattern, answer)
    if m:
        captured.update(m.groupdict())
    return bool(m), "typed %r, got %r" % (typed, answer[-400:]), answer, typed


def run_session(qemu_cmd, timeout, steps):
    """Returns (list of (ok, description, detail), exit status, log text)."""
    s = Session(qemu_cmd, timeout)
    results, captured, transcript = [], {}, []
    banner = s.read_until_prompt()
    results.append((banner is not None and "Strata shell" in banner,
                    "the kernel boots into the shell prompt", "no prompt"))
    for step in steps:
        typed, pattern, desc = step[:3]
        if banner is None:
            results.append((False, desc, "no prompt"))
            continue
        if callable(typed):
            results += typed(captured, transcript)
            continue
        ok, detail, answer, typed = run_step(s, typed, pattern, step[3] if len(step) > 3 else 1,
                                             captured)
        if ok is None:
            banner = None
        transcript.append((typed, answer or ""))
        results.append((bool(ok), substitute(desc, captured, False), detail))
    status = s.finish(timeout)
    return results, status, s.log.decode("utf-8", "replace")
