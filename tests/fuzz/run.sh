#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/run.sh SECONDS - run every libFuzzer target for SECONDS each,
# with a corpus made from the pages of the real captures in tests/data
# (built in a temporary directory; no binary files live in the repository).
# Needs a build configured with CC=clang --enable-fuzzing.  Prints execs
# and crashes per target; exit status 1 on any crash.
set -eu
secs=${1:-30}
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
work=$(mktemp -d "${TMPDIR:-/tmp}/kbt-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

# corpus for the decoder: every captured page, prefixed by its inst/cpu byte
mkdir -p "$work/decode" "$work/sockaddr" "$work/symtext" "$work/elf" "$work/replay" "$work/perfsample" "$work/gopcln" "$work/cgroup"
# seeds for the perf sample and .gopclntab readers: small valid inputs
python3 - "$work" <<'PY'
import struct, sys
out = sys.argv[1]
ips = [0x401000, 0x402000, 0x403000]
body = struct.pack('<IIQQ', 42, 42, 123, len(ips) + 1) + struct.pack('<Q', 2**64 - 512)
body += b''.join(struct.pack('<Q', a) for a in ips)
body += struct.pack('<Q', 2) + b''.join(struct.pack('<Q', 0x1000 + i) for i in range(17))
body += struct.pack('<Q', 64) + bytes(range(64)) + struct.pack('<Q', 32)
open(out + '/perfsample/seed', 'wb').write(struct.pack('<IHH', 9, 0, 8 + len(body)) + body)
names = b'main.main\0main.f\0'
hdr = struct.pack('<IBBBBQQQQQQQQ', 0xfffffff0, 0, 0, 1, 8, 2, 0, 0x401000, 72, 0, 0, 0, 72 + len(names))
ftab = struct.pack('<IIIIII', 0, 24, 0x100, 32, 0x200, 0)
recs = struct.pack('<Ii', 0, 0) + struct.pack('<Ii', 0x100, 10)
open(out + '/gopcln/seed', 'wb').write(struct.pack('<Q', 0x401010) + hdr + names + ftab + recs)
PY
python3 - "$work" "$top_srcdir"/tests/data/*.capture <<'PY'
import sys, os
out = sys.argv[1]
n = 0
for path in sys.argv[2:]:
    lines = open(path).read().split('\n')
    i = 0
    while i < len(lines):
        if lines[i].startswith('@page '):
            inst, cpu, size = map(int, lines[i].split()[1:4])
            hexs = []
            i += 1
            while lines[i] != '@end':
                hexs.append(lines[i]); i += 1
            page = bytes.fromhex(''.join(hexs))
            open(os.path.join(out, 'decode', 'p%d' % n), 'wb').write(bytes([inst << 2 | cpu]) + page)
            # sockaddr seeds: the bytes after each "fam" value are not at a fixed place,
            # so seed with typical sockaddrs instead (below)
            n += 1
        i += 1
import struct, socket
seeds = [struct.pack('<H', 2) + struct.pack('>H', 80) + socket.inet_aton('127.0.0.1') + b'\0' * 8,
         struct.pack('<H', 10) + struct.pack('>H', 443) + b'\0' * 4 + socket.inet_pton(10, '::1') + b'\0\0\0\1',
         struct.pack('<H', 1) + b'/run/x.sock\0',
         struct.pack('<H', 1) + b'\0abstract\n\x1b',
         struct.pack('<H', 16) + b'\0' * 10]
for k, s in enumerate(seeds):
    open(os.path.join(out, 'sockaddr', 's%d' % k), 'wb').write(s)
texts = [b'\x01' + b'7f0000001000 40 Interpreter\n0x7f0000002000 0x20 LFoo;::bar\nbad line\n',
         b'\x01' + b'1000 10 a\n1008 10 b\n1000 4 later\n',
         b'\x00' + b'ffffffff81000000 T _stext\nffffffff81001000 t do_one [mod]\n0000 A zero\n']
for k, t in enumerate(texts):
    open(os.path.join(out, 'symtext', 't%d' % k), 'wb').write(t)
recs = [b'{"kbindtop_recording":1,"version":"0.1.0","host":"h","kernel":"6.1","backend":"kprobe","start":1.5}\n'
        b'{"ts":1700000001.250000,"pid":42,"tid":42,"comm":"nginx","uid":33,"user":"www","family":"inet6",'
        b'"proto":"tcp","addr":"::","port":80,"opts":"SO_REUSEADDR","ret":-98,"holder":{"pid":7,"comm":"a",'
        b'"state":"LISTEN","proto":"tcp","addr":"::","sockets":1},"hint":"x\\u001b","state":null,'
        b'"addr_source":"kprobe","user_stack":[{"addr":"0x7f00","sym":"bind","obj":"libc.so.6","off":7}],'
        b'"kernel_stack":[{"addr":"0xffffffff81000000","sym":null,"obj":null,"off":null}]}\n',
        b'{"ts":2.0,"pid":1,"comm":"systemd","family":"inet","proto":"udp","addr":"0.0.0.0","port":5353,'
        b'"ret":0,"state":"UNCONN","addr_source":"sock_diag"}\n{"ts":3.0,"pid":"x"}\n{"ts":4',
        b'[1,{"a":[true,false,null,-1.25]}]\n{}\n']
for k, t in enumerate(recs):
    open(os.path.join(out, 'replay', 'r%d' % k), 'wb').write(t)
# cgroup seeds: kubelet paths of each driver, a cgroup file, hostnames
uid, cid = '1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901', 'ab' * 32
cgs = [b'/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/cri-containerd-%s.scope\0web-1\0node-1' % (uid.encode(), cid.encode()),
       b'/kubepods/besteffort/pod%s/%s\0web-\x1b\0node' % (uid.replace('_', '-').encode(), cid.encode()),
       b'12:cpu:/docker/%s\n1:name=systemd:/system.slice/x.service\n0::/lxc.payload.c1/init.scope\n' % cid.encode(),
       b'/machine.slice/libpod-%s.scope/container\0ev"il\\\0h' % cid.encode()]
for k, t in enumerate(cgs):
    open(os.path.join(out, 'cgroup', 'c%d' % k), 'wb').write(t)
PY
# ELF seeds: small real binaries
for f in /bin/true /usr/lib/x86_64-linux-gnu/libc.so.6; do
	[ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 4000000 ] && cp "$f" "$work/elf/"
done

fail=0
for t in decode sockaddr symtext elf replay cgroup perfsample gopcln; do
	bin=$top_builddir/tests/fuzz/fuzz_$t
	[ -x "$bin" ] || { echo "FAIL: $bin not built (configure CC=clang --enable-fuzzing)"; exit 1; }
	mkdir -p "$work/crash-$t"
	if "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$work/crash-$t/" \
		-rss_limit_mb=4096 "$work/$t" >"$work/$t.log" 2>&1; then
		status=ok
	else
		status=CRASH
		fail=1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
	echo "fuzz_$t: ${execs:-?} execs in ${secs}s, $status"
	if [ $status = CRASH ]; then
		grep -E 'ERROR|SUMMARY|==' "$work/$t.log" | head -20
		ls "$work/crash-$t"
	fi
done
exit $fail
