#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Usage: jobctl.py MARGIN COMMAND [ARG...]

Ctrl-Z and fg, as a user at a terminal does them, for tests/cli/tstp.sh.
Makes a pseudo-terminal whose session leader is a small job-control shell
(this script's child): it runs COMMAND as a foreground job in a process
group of its own, which is not orphaned (its parent is in the same session
and another group), so that the terminal's stop signals stop it (POSIX
discards them for an orphaned group).  This script, on the terminal's
master side, types ^Z once COMMAND has printed READY; the shell waits
until the job has stopped (waitpid WUNTRACED: no sleeping to win a race),
lets MARGIN seconds pass, gives the terminal back to the job and sends it
SIGCONT, as fg does; then this script types a line for the job to read.
Prints what the terminal showed, with the shell's report lines:
"jobctl: stopped SIG", "jobctl: continued", "jobctl: exit N".
Exits 0 when all that happened, 1 when a step did not happen in time.
"""
import os
import pty
import select
import signal
import sys
import time

DEADLINE = 30.0


def shell(margin, argv):
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)	# tcsetpgrp from here
    job = os.fork()
    if job == 0:
        os.setpgid(0, 0)
        os.tcsetpgrp(0, os.getpgrp())
        signal.signal(signal.SIGTTOU, signal.SIG_DFL)
        os.execvp(argv[0], argv)
    try:
        os.setpgid(job, job)	# both sides, as shells do: whichever is first
    except PermissionError:
        pass	# EACCES: the job has exec'd, after its own setpgid
    _, status = os.waitpid(job, os.WUNTRACED)
    if not os.WIFSTOPPED(status):
        print("jobctl: not stopped: status %d" % status, flush=True)
        os._exit(1)
    print("\njobctl: stopped %d" % os.WSTOPSIG(status), flush=True)
    time.sleep(margin)	# the gap the test measures, not a race
    os.tcsetpgrp(0, job)
    os.killpg(job, signal.SIGCONT)
    print("jobctl: continued", flush=True)
    _, status = os.waitpid(job, 0)
    print("jobctl: exit %d" % (os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)),
          flush=True)
    os._exit(0)


def read_until(master, out, word, deadline):
    while word not in out:
        left = deadline - time.monotonic()
        if left <= 0:
            return out, False
        ready, _, _ = select.select([master], [], [], left)
        if ready:
            try:
                data = os.read(master, 4096)
            except OSError:	# EIO: every slave end closed
                return out, word in out
            if not data:
                return out, word in out
            out += data
    return out, True


def main():
    margin = float(sys.argv[1])
    pid, master = pty.fork()
    if pid == 0:
        shell(margin, sys.argv[2:])
    deadline = time.monotonic() + DEADLINE
    out, ok = read_until(master, b"", b"READY", deadline)
    if ok:
        os.write(master, b"\x1a")
        out, ok = read_until(master, out, b"jobctl: continued", deadline)
    if ok:
        os.write(master, b"line\n")
        out, ok = read_until(master, out, b"jobctl: exit ", deadline)
        out, _ = read_until(master, out, b"\0", deadline)	# to the end
    if not ok:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
    return 0 if ok else 1


sys.exit(main())
