#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# metrics.sh - --metrics beside a real node_exporter (Debian's
# prometheus-node-exporter, only its textfile collector, on a free port of
# 127.0.0.1): a known set of binds, one of them failing with EADDRINUSE,
# must come out of a scrape as exact counters with the holder of the busy
# port, and promtool must accept the file.  Then a storm over 10 000 ports
# under --metrics-series=200 must stay at the bound and count every folded
# call.  The live table (in a private tmux server) writes the same file.
# node_exporter and tmux are stopped on every way out.
. "$(dirname "$0")/../lib.sh"
kb_require_root
NODE_EXPORTER=${NODE_EXPORTER:-prometheus-node-exporter}
command -v "$NODE_EXPORTER" >/dev/null || kb_skip "prometheus-node-exporter not installed"
command -v promtool >/dev/null || kb_skip "promtool (package prometheus) not installed"
command -v curl >/dev/null || kb_skip "curl not installed"
# node_exporter goes with SIGTERM (a background job of sh ignores SIGINT,
# and Go keeps it ignored); a signal to the test still runs the EXIT trap
ne=""
ne_stop() {
	[ -n "$ne" ] && kill -TERM "$ne" 2>/dev/null && wait "$ne" 2>/dev/null
	ne=""
}
tm() {
	tmux -S "$kb_tmp/tmux.sock" -f /dev/null "$@"
}
trap 'ne_stop; tm kill-server 2>/dev/null; kb_cleanup' EXIT
trap 'exit 1' INT TERM HUP

textdir=$kb_tmp/textfile
mkdir "$textdir"

# free ports of 127.0.0.1, from the kernel (bindprog prints the port each bind got)
free_ports() {
	"$BINDPROG" -k -n kbt-freeport $(seq "$1" | sed 's/.*/tcp4:127.0.0.1:0/') | sed -n 's/.* bound=//p'
}

# node_exporter with nothing but the textfile collector; another process may
# take the free port before it binds it, so try a few
for try in 1 2 3; do
	ne_port=$(free_ports 1)
	"$NODE_EXPORTER" --collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$textdir" \
		--web.listen-address=127.0.0.1:"$ne_port" --log.level=warn \
		>"$kb_tmp/ne.log" 2>&1 &
	ne=$!
	i=0
	while kill -0 $ne 2>/dev/null && ! curl -sf "http://127.0.0.1:$ne_port/metrics" >/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || kb_fail "node_exporter not answering after 10 s: $(cat "$kb_tmp/ne.log")"
		sleep 0.1
	done
	kill -0 $ne 2>/dev/null && break
	wait $ne
	ne=""
	[ $try -lt 3 ] || kb_fail "node_exporter did not start: $(cat "$kb_tmp/ne.log")"
done
scrape() {
	curl -sf "http://127.0.0.1:$ne_port/metrics" >"$kb_tmp/scrape" ||
		kb_fail "scrape of node_exporter failed"
}

# --- a known set of binds, through batch mode's hook, scraped from node_exporter
set -- $(free_ports 2)
p1=$1 p2=$2
kb_start json --json --metrics="$textdir/kbindtop.prom" --delay=0.2 --comm=kbt-metrics
kb=$KB_PID
# -k holds the first bind of p1, so the second fails; -w keeps the holder
# alive for the holder lookup and the socket inspections
"$BINDPROG" -k -w 1 -n kbt-metrics tcp4:127.0.0.1:"$p1" tcp4:127.0.0.1:"$p1" udp6:::1:"$p2" \
	tcp4:127.0.0.1:0 unix:"$kb_tmp/m.sock" >/dev/null || kb_fail "bindprog failed"
i=0
until scrape && grep -q "^kbindtop_holder_info{.*port=\"$p1\"" "$kb_tmp/scrape"; do
	i=$((i + 1))
	[ $i -lt 25 ] || kb_fail "no holder of port $p1 in the scrape: $(grep kbindtop "$kb_tmp/scrape")"
	sleep 0.2
done
mv "$kb_tmp/scrape" "$kb_tmp/scrape.live"
promtool check metrics <"$textdir/kbindtop.prom" >"$kb_tmp/promtool" 2>&1 ||
	kb_fail "promtool rejects the file: $(cat "$kb_tmp/promtool")"
kb_stop $kb INT || kb_fail "kbindtop --json --metrics exited with $?"
kb_residue $kb
# the write at exit leaves a whole file, and no temporary beside it
[ "$(ls -A "$textdir")" = kbindtop.prom ] || kb_fail "files left in the textfile directory: $(ls -A "$textdir")"
scrape
python3 - "$kb_tmp/scrape.live" "$kb_tmp/scrape" "$kb_tmp/json.out" "$p1" "$p2" <<'PY' ||
import json, re, sys
p1, p2 = sys.argv[4], sys.argv[5]
sample = re.compile(r'^(\w+)(?:\{(.*)\})? (\S+)$')
label = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
def check(path):
    text = open(path).read()
    got = []
    for l in text.splitlines():
        m = sample.match(l)
        if m:
            got.append((m.group(1), dict(label.findall(m.group(2) or '')), float(m.group(3))))
    def series(**kw):
        return [(l, v) for n, l, v in got if n == 'kbindtop_bind_calls_total'
                and all(l.get(k, '') == w for k, w in kw.items())]
    me = dict(comm='kbt-metrics')
    want = [
        (dict(family='inet', port=p1, result='ok'), 'tcp'),
        (dict(family='inet', port=p1, result='EADDRINUSE'), 'tcp'),
        (dict(family='inet6', port=p2, result='ok'), 'udp'),
        (dict(family='inet', port='0', result='ok'), 'tcp'),
        (dict(family='unix', port='', result='ok'), None),
    ]
    for kw, proto in want:
        kw.update(me)
        s = series(**kw)
        assert sum(v for l, v in s) == 1, '%s: %r, want one call\n%s' % (path, kw, text)
        if proto:
            assert {l['proto'] for l, v in s} <= {proto, 'unknown'}, s
    assert sum(v for l, v in series(**me)) == 5, (path, series(**me))
    holders = [(l, v) for n, l, v in got if n == 'kbindtop_holder_info']
    assert holders == [({'port': p1, 'holder_comm': 'kbt-metrics'}, 1.0)], holders
    info = [l for n, l, v in got if n == 'kbindtop_info' and v == 1]
    assert len(info) == 1 and info[0]['backend'] in ('kprobe', 'syscalls'), info
    lost = {l['where'] for n, l, v in got if n == 'kbindtop_lost_events_total'}
    assert lost == {'kernel', 'queue'}, lost
    errs = [v for n, l, v in got if n == 'node_textfile_scrape_error']
    assert errs == [0.0], 'node_exporter could not read the file: %s' % errs
check(sys.argv[1])	# while running
check(sys.argv[2])	# the write at exit
# the JSON printed and the counters written agree
ev = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
assert len([e for e in ev if e['comm'] == 'kbt-metrics']) == 5, ev
PY
	kb_fail "counters in the scrape are not the binds made"
rm "$textdir/kbindtop.prom"

# --- the live table's hook: counts, written every --delay and at 'q'
if command -v tmux >/dev/null; then
	tui=$textdir/tui.prom
	tm new-session -d -s ui -x 120 -y 40 \
		"TERM=xterm '$KBINDTOP' --metrics='$tui' -d 0.2 --comm=kbt-tui 2>'$kb_tmp/tui.err';
		 echo \$? >'$kb_tmp/tui.status'"
	i=0
	while [ ! -e "$tui" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || kb_fail "the live table wrote no metrics in 10 s: $(cat "$kb_tmp/tui.err")"
		sleep 0.05
	done
	"$BINDPROG" -k -n kbt-tui tcp4:127.0.0.1:"$p1" tcp4:127.0.0.1:"$p1" >/dev/null
	want="kbindtop_bind_calls_total{comm=\"kbt-tui\",family=\"inet\",proto=\"[a-z]*\",port=\"$p1\",result=\"EADDRINUSE\"} 1"
	i=0
	until grep -q "^$want$" "$tui"; do
		i=$((i + 1))
		[ $i -lt 50 ] || kb_fail "the live table's metrics lack the failed bind: $(grep kbt-tui "$tui")"
		sleep 0.1
	done
	tm send-keys -t ui q
	i=0
	while [ ! -s "$kb_tmp/tui.status" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || kb_fail "the live table did not quit on q"
		sleep 0.05
	done
	[ "$(cat "$kb_tmp/tui.status")" = 0 ] || kb_fail "the live table exited $(cat "$kb_tmp/tui.status")"
	[ "$(grep -c '^kbindtop_bind_calls_total{comm="kbt-tui"' "$tui")" = 2 ] ||
		kb_fail "the write at exit of the live table: $(grep kbt-tui "$tui")"
	rm "$tui"
else
	echo "tmux not installed: the live table's metrics not tested"
fi

# --- cardinality: 10 000 ports, at most 200 series; --quiet prints nothing
"$KBINDTOP" --quiet --metrics="$textdir/storm.prom" --metrics-series=200 --delay=0.2 \
	--comm=kbt-storm >"$kb_tmp/storm.out" 2>"$kb_tmp/storm.err" &
kb=$!
kb_pids="$kb_pids $kb"
i=0
# the first write comes once tracing is set up: the file is the "ready" of --quiet
while [ ! -e "$textdir/storm.prom" ]; do
	kill -0 $kb 2>/dev/null || kb_fail "kbindtop --quiet exited: $(cat "$kb_tmp/storm.err")"
	i=$((i + 1))
	[ $i -lt 200 ] || kb_fail "kbindtop --quiet wrote no metrics in 10 s"
	sleep 0.05
done
# shellcheck disable=SC2046
"$BINDPROG" -n kbt-storm $(seq 20001 30000 | sed 's/^/udp4:127.0.0.1:/') >/dev/null ||
	true	# some ports may be taken: failures count too
sleep 0.5
kb_stop $kb INT || kb_fail "kbindtop --quiet exited with $?"
[ -s "$kb_tmp/storm.out" ] && kb_fail "--quiet printed on stdout: $(head -3 "$kb_tmp/storm.out")"
[ -s "$kb_tmp/storm.err" ] && kb_fail "--quiet printed on stderr: $(head -3 "$kb_tmp/storm.err")"
scrape
promtool check metrics <"$textdir/storm.prom" >"$kb_tmp/promtool" 2>&1 ||
	kb_fail "promtool rejects the storm file: $(cat "$kb_tmp/promtool")"
python3 - "$kb_tmp/scrape" <<'PY' || kb_fail "the series bound does not hold"
import re, sys
text = open(sys.argv[1]).read()
series = re.findall(r'^kbindtop_bind_calls_total\{(.*)\} (\S+)$', text, re.M)
val = lambda name: float(re.search(r'^%s (\S+)$' % name, text, re.M).group(1))
lost = sum(float(v) for v in re.findall(r'^kbindtop_lost_events_total\{.*\} (\S+)$', text, re.M))
total = sum(float(v) for l, v in series)
regular = [s for s in series if 'comm="kbt-storm"' in s[0]]
folded = [s for s in series if s[0].startswith('comm="other",') and 'port="other"' in s[0]]
assert len(series) <= 200, 'series: %d > 200' % len(series)
# 200 - 200/16 label sets get a series, one per port; then the folds
assert len(regular) == 188, 'regular series: %d, want 188' % len(regular)
assert all(float(v) == 1 for l, v in regular), regular
assert len(regular) + len(folded) == len(series), series
assert val('kbindtop_metrics_folded_calls_total') == total - 188, (val('kbindtop_metrics_folded_calls_total'), total)
assert val('kbindtop_metrics_series_limit') == 200
# every bind is counted or counted as lost
assert total <= 10000 and total + lost >= 10000, (total, lost)
assert val('node_textfile_scrape_error') == 0
print('storm: %d series, %d calls, %d folded, %d lost' % (len(series), total, total - 188, lost))
PY
exit 0
