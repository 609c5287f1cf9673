#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# manysockets.py N SECONDS - hold N bound sockets (half TCP listeners, half
# bound UDP, on 127.0.0.1, 127.0.0.2, ...) for SECONDS, for
# bench/listenbench.  Spread over processes of at most 15 000 sockets each
# (the descriptor limit).  Prints "ready" when they are all bound.
import os, resource, socket, sys, time
n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
secs = float(sys.argv[2]) if len(sys.argv) > 2 else 30
per = 15000
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
per = min(per, hard - 100)
kids = []
for k in range((n + per - 1) // per):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        socks = []
        addr, port = 1 + k, 20000
        for i in range(min(per, n - k * per)):
            kind = socket.SOCK_STREAM if i % 2 == 0 else socket.SOCK_DGRAM
            s = socket.socket(socket.AF_INET, kind)
            s.bind(('127.0.%d.%d' % (addr, 1 + i // 40000), port + i % 40000))
            if kind == socket.SOCK_STREAM:
                s.listen(1)
            socks.append(s)
        os.write(w, b'x')
        time.sleep(secs)
        os._exit(0)
    os.close(w)
    os.read(r, 1)
    kids.append(pid)
print('ready', flush=True)
for p in kids:
    os.waitpid(p, 0)
