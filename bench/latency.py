#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/latency.py - how long a bind takes to reach kbindtop's output.
#
#   sudo bench/latency.py [KBINDTOP [EXTRA OPTIONS...]]
#
# Starts "kbindtop --json", makes 100 binds 50 ms apart (tests/progs/bindprog,
# built by "make check"), and compares the moment each JSON line arrives
# with the kernel timestamp of its bind ("ts").  Prints p50/p90/p99/max in
# milliseconds.  A measurement, not a test.
import json, os, subprocess, sys, time

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
kb = sys.argv[1] if len(sys.argv) > 1 else os.path.join(top, 'kbindtop')
bindprog = os.path.join(top, 'tests', 'progs', 'bindprog')
p = subprocess.Popen([kb, '--json'] + sys.argv[2:], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, bufsize=0)
while b'ready' not in p.stderr.readline():
    if p.poll() is not None:
        sys.exit('kbindtop exited before ready')
b = subprocess.Popen([bindprog, '-n', 'kbt-lat', '-d', '50', '-c', '100', 'tcp4:127.0.0.1:0'],
                     stdout=subprocess.DEVNULL)
lat, buf = [], b''
while len(lat) < 100:
    chunk = os.read(p.stdout.fileno(), 65536)
    now = time.clock_gettime(time.CLOCK_REALTIME)
    if not chunk:
        break
    buf += chunk
    while b'\n' in buf:
        line, buf = buf.split(b'\n', 1)
        e = json.loads(line)
        if e['comm'] == 'kbt-lat':
            lat.append((now - e['ts']) * 1000)
b.wait()
p.send_signal(2)
p.wait()
lat.sort()
n = len(lat)
print('binds %d  latency ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f' %
      (n, lat[n // 2], lat[int(n * .9)], lat[min(n - 1, int(n * .99))], lat[-1]))
