#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# explain.sh - every bind explains itself: for binds this test sets up,
# the holder of a busy port (TCP LISTEN, bound UDP, an abstract unix name,
# TIME_WAIT only, a dual-stack IPv6 socket covering IPv4) with pid, comm
# and state, the hint for each failure (EADDRINUSE, EACCES as nobody,
# EADDRNOTAVAIL), the port a port-0 bind got, socket options and device
# set before bind, process context, the frame-pointer test program's
# own function names in its user stack, and the note on a stack whose
# direct caller cannot be recovered (a raw system call).
. "$(dirname "$0")/../lib.sh"
kb_require_root

# the socket of a port still held when kbindtop looks: keep holders up
P=477$(($$ % 10))	# 4770N: a base different from other live tests
p1=${P}1 p2=${P}2 p3=${P}3 p4=${P}4 p5=${P}5 p6=${P}6
abs=kbt-xabs-$$

wait_line() {	# FILE PATTERN: wait up to 5 s for a line
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || kb_fail "no '$2' in $1: $(cat "$1")"
		sleep 0.05
	done
}

kb_start ex --json --stacks
kb=$KB_PID

# holders of a TCP port, a UDP port and an abstract name, then binders that collide
"$BINDPROG" -k -w 4 -n kbt-xhold tcp4:127.0.0.1:$p1 udp4:127.0.0.1:$p2 unixabs:$abs \
	>"$kb_tmp/hold.out" &
wait_line "$kb_tmp/hold.out" "unixabs"
"$BINDPROG" -w 1 -n kbt-xfail tcp4:127.0.0.1:$p1 udp4:0.0.0.0:$p2 unixabs:$abs >/dev/null

# a dual-stack IPv6 listener on [::] blocks IPv4's 0.0.0.0 on the same port
"$BINDPROG" -k -w 3 -n kbt-xdual -6 0 tcp6:::$p3 >"$kb_tmp/dual.out" &
wait_line "$kb_tmp/dual.out" "BIND"
"$BINDPROG" -w 1 -n kbt-xv4 tcp4:0.0.0.0:$p3 >/dev/null

# the raw system call (like Go): the direct caller cannot be recovered, and the stack says so
"$BINDPROG" -S -k -w 1 -n kbt-xraw tcp4:127.0.0.1:0 >/dev/null

# port 0, and options set before bind
"$BINDPROG" -k -w 1 -n kbt-xport0 tcp4:127.0.0.1:0 udp6:::1:0 >"$kb_tmp/port0.out"
"$BINDPROG" -k -w 1 -n kbt-xopts -r -R -F -N -6 1 -D lo -L tcp6:::1:$p4 >/dev/null

# an address that is not here, without and with IP_FREEBIND
"$BINDPROG" -k -w 1 -n kbt-xnotav tcp4:192.0.2.1:$p5 >/dev/null
"$BINDPROG" -k -w 1 -n kbt-xfree -F tcp4:192.0.2.1:$p5 >/dev/null

# a privileged port as nobody
setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$BINDPROG" -w 1 -n kbt-xacces tcp4:127.0.0.1:80 >/dev/null 2>&1 || true

# only TIME_WAIT connections hold a port: the server side closes first
python3 - $p6 <<'EOF' || kb_fail "could not make a TIME_WAIT socket"
import socket, sys, time
port = int(sys.argv[1])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', port))
srv.listen(1)
cli = socket.create_connection(('127.0.0.1', port))
conn, _ = srv.accept()
conn.close()		# active close: this side goes to TIME_WAIT
time.sleep(0.1)
cli.close()
srv.close()
time.sleep(0.1)
EOF
"$BINDPROG" -w 1 -n kbt-xtw tcp4:127.0.0.1:$p6 >/dev/null
"$BINDPROG" -k -w 1 -n kbt-xtwok -r tcp4:127.0.0.1:$p6 >/dev/null

sleep 0.5
kb_stop "$kb" INT || kb_fail "kbindtop exited with $?"
kb_residue "$kb"
[ -f "$kb_tmp/ex.out" ] || kb_fail "no output"

kb_json "$kb_tmp/ex.out" "
import os
hold = one(comm='kbt-xhold', port=$p1)
hpid = hold['pid']
host_ns = os.stat('/proc/self/ns/net').st_ino

# TCP LISTEN holder
e = one(comm='kbt-xfail', port=$p1)
assert e['error'] == 'EADDRINUSE', e
h = e['holder']
assert h and h['pid'] == hpid and h['comm'] == 'kbt-xhold' and h['state'] == 'LISTEN', e
assert h['proto'] == 'tcp' and h['addr'] == '127.0.0.1' and h['sockets'] >= 1, e
assert 'kbt-xhold' in e['hint'] and 'LISTEN' in e['hint'], e
# the process context of the binder
assert e['netns'] == host_ns, e
assert e['ppid'] == os.getpid() or e['ppid'] > 1, e
assert e['cmdline'].endswith('unixabs:$abs') and '-n kbt-xfail' in e['cmdline'], e
assert e['cgroup'], e
# its own functions, by name, in its frame-pointer stack
syms = [f['sym'] or '' for f in e['user_stack']]
objs = [f['obj'] for f in e['user_stack']]
assert syms[0] == 'bind' and 'libc' in objs[0], syms
assert syms[1] == 'kbt_call_bind' and objs[1] == 'bindprog', (syms, objs)
assert syms[2].startswith('kbt_bind_spec') and syms[3] == 'main', syms
assert all(f['off'] is not None for f in e['user_stack']), e['user_stack']
assert e['user_stack_note'] is None, e

# raw syscall: perf stacks recover the direct caller from the stack copy;
# ftrace stacks (perf refused) are honest about the missing frame
e = one(comm='kbt-xraw')
syms = [f['sym'] or '' for f in e['user_stack']]
if e['user_stack_source'] == 'ftrace':
    assert syms[0] == 'syscall' and syms[1].startswith('kbt_bind_spec') and 'main' in syms, syms
    assert 'direct caller of syscall' in (e['user_stack_note'] or ''), e
else:
    assert syms[0] == 'syscall' and syms[1] == 'kbt_call_bind', syms
    assert syms[2].startswith('kbt_bind_spec') and 'main' in syms, syms
    assert e['user_stack_note'] is None, e

# UDP: a bound unconnected socket
e = one(comm='kbt-xfail', port=$p2)
assert e['error'] == 'EADDRINUSE', e
assert e['holder']['pid'] == hpid and e['holder']['state'] == 'UNCONN', e
assert e['holder']['proto'] == 'udp', e

# abstract unix name
e = one(comm='kbt-xfail', addr='@$abs')
assert e['error'] == 'EADDRINUSE', e
assert e['holder']['pid'] == hpid and e['holder']['comm'] == 'kbt-xhold', e
assert e['holder']['state'] == 'UNCONN' and e['holder']['proto'] == 'unix', e	# bound, never listened
assert 'abstract' in e['hint'], e

# dual stack: the IPv6 wildcard listener is the holder of the IPv4 bind
d = one(comm='kbt-xdual', port=$p3)
e = one(comm='kbt-xv4', port=$p3)
assert e['error'] == 'EADDRINUSE', e
assert e['holder']['pid'] == d['pid'] and e['holder']['addr'] == '::', e
assert 'IPV6_V6ONLY' in e['hint'], e
assert d['opts'] == '', d

# port 0: the port the kernel chose
p0 = find(comm='kbt-xport0')
assert len(p0) == 2, p0
got = [int(l.split('bound=')[1]) for l in open('$kb_tmp/port0.out') if l.startswith('BIND')]
assert [x['bound_port'] for x in p0] == got and all(x['port'] == 0 for x in p0), (p0, got)
assert p0[0]['proto'] == 'tcp' and p0[1]['proto'] == 'udp', p0

# options and device, by name
e = one(comm='kbt-xopts')
assert e['ret'] == 0, e
assert e['opts'] == 'SO_REUSEADDR,SO_REUSEPORT,IP_FREEBIND,IP_BIND_ADDRESS_NO_PORT,IPV6_V6ONLY', e
assert e['device'] == 'lo', e

# not an address of this host; IP_FREEBIND allows it
e = one(comm='kbt-xnotav')
assert e['error'] == 'EADDRNOTAVAIL' and 'IP_FREEBIND' in e['hint'], e
e = one(comm='kbt-xfree')
assert e['ret'] == 0 and 'IP_FREEBIND' in e['opts'] and e['hint'] is None, e

# a privileged port as nobody
a = find(comm='kbt-xacces')
assert a, 'no EACCES bind seen from the nobody user'
if a:
    e = a[0]
    assert e['error'] == 'EACCES' and e['uid'] == 65534, e
    assert 'CAP_NET_BIND_SERVICE' in e['hint'] and 'ip_unprivileged_port_start (1024)' in e['hint'], e

# only TIME_WAIT holds the port: no process, SO_REUSEADDR fixes it
e = one(comm='kbt-xtw')
assert e['error'] == 'EADDRINUSE', e
assert e['holder']['state'] == 'TIME_WAIT' and e['holder']['pid'] is None, e
assert e['holder']['comm'] is None and 'SO_REUSEADDR' in e['hint'], e
e = one(comm='kbt-xtwok')
assert e['ret'] == 0 and e['opts'] == 'SO_REUSEADDR', e

# successful binds have no holder and no hint
assert all(x['holder'] is None and x['hint'] is None for x in ev if x['ret'] == 0), 'ok binds explained'
"
wait
exit 0
