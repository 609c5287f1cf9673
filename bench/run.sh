#!/bin/bash
# run.sh - kbindtop benchmark suite (issue 6): one command, one table.
#
# Runs a bind storm (bench/bindstorm) under every tracer configuration,
# next to the floor consumer (bench/rawfloor), and prints one table:
# binds done, binds captured, lost, workload slowdown (traced/untraced,
# interleaved pairs, median [min-max]), tracer CPU per 1k binds, peak RSS.
# Then the fork-churn naming test, kbindtop startup/teardown times and the
# issue's targets, each marked ok or MISS.
#
# Needs root.  Never run from "make check": these are timings on a shared
# machine, they inform, they do not assert.  See bench/README.md.
set -eu

ARGS="$*"
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)

# ---- options ---------------------------------------------------------------
REPS=5			# traced/untraced pairs per configuration
BINDS=100000		# binds per overhead run (1 worker, flat out)
STORM_SECS=3		# loss test: 4 workers flat out
STORM_WORKERS=4
CHURN=50000		# fork churn: processes (one bind each)
NAP=1			# ms the "nap" floors sleep between rounds
KBT=""			# kbindtop binary (default: ./kbindtop at the top)
PREBUILT=""		# directory with bindstorm, rawfloor, benchmon already built
ONLY=""			# comma-separated config ids, empty = all
SKIP_EXTERNAL=0
KEEP=0
PEERS=0			# --peers: kbindtop beside its peers, issue 11's table

usage() {
	cat <<EOF
Usage: bench/run.sh [OPTION]...
Benchmark kbindtop against the floor consumer and the usual tools.

  --quick           3 pairs of 30k binds, 10k-process churn (about 3 minutes)
  --peers           kbindtop beside its peers in one run: rawfloor, kbindtop JSON,
                    the live table (stacks on), trace-cmd, bpftrace, perf trace,
                    perf record -g; bind-to-output latency, 100k-process churn,
                    and the targets of issue 11 (5 pairs of 50k binds; options
                    given after it override)
  --reps N          traced/untraced pairs per configuration (default $REPS)
  --binds N         binds per overhead run (default $BINDS)
  --storm-secs S    length of the 4-worker loss test (default $STORM_SECS)
  --churn N         processes in the fork-churn test (default $CHURN, 0 = skip)
  --nap MS          sleep of the "nap" floor consumers between rounds (default $NAP)
  --kbindtop PATH   kbindtop binary to test (default: $TOP/kbindtop)
  --bin DIR         take bindstorm, rawfloor, benchmon from DIR (make bench)
  --only LIST       only these configuration ids (see --list)
  --list            list configuration ids and exit
  --no-external     skip trace-cmd, bpftrace and perf
  --keep            keep the work directory (outputs of every run)
  -h, --help        this help
EOF
}

# id|label|kind: the rows of the table, in order
CONFIGS='
none|no tracer|none
noread|tracepoints recorded, no reader|floor
floor|rawfloor: poll + whole-page reads (percent 0)|floor
floornap|rawfloor, NAP ms nap between rounds|floor
floornap20|rawfloor, 20 ms nap between rounds|floor
floorstk|rawfloor + stacktrace+userstacktrace, nap|floor
floorup|rawfloor, libc uprobe instead of sys_enter, nap|floor
floorkbt|rawfloor, kbindtop events (tp + uprobe), nap|floor
floorkbtstk|rawfloor, kbindtop events + ustack on enter, nap|floor
kbt|kbindtop --batch --json --no-stacks >/dev/null|kbt
kbtstk|kbindtop --batch --json --stacks >/dev/null|kbt
kbttui|kbindtop curses (tmux), default stacks|tui
tracecmd|trace-cmd record (splice to file)|ext
bpftrace|bpftrace tracepoints, pid/comm/port/ret|ext
perftrace|perf trace -a -e bind|ext
perfrec|perf record -e sys_enter_bind -g -a|ext
'

while [ $# -gt 0 ]; do
	case "$1" in
	--quick) REPS=3; BINDS=30000; CHURN=10000 ;;
	--peers) PEERS=1; REPS=5; BINDS=50000; CHURN=100000
		ONLY=floor,kbt,kbttui,tracecmd,bpftrace,perftrace,perfrec,churn ;;
	--reps) REPS=$2; shift ;;
	--binds) BINDS=$2; shift ;;
	--storm-secs) STORM_SECS=$2; shift ;;
	--churn) CHURN=$2; shift ;;
	--nap) NAP=$2; shift ;;
	--kbindtop) KBT=$2; shift ;;
	--bin) PREBUILT=$2; shift ;;
	--only) ONLY=$2; shift ;;
	--list) echo "$CONFIGS" | sed '/^$/d' | awk -F'|' '{printf "%-12s %s\n", $1, $2}'; exit 0 ;;
	--no-external) SKIP_EXTERNAL=1 ;;
	--keep) KEEP=1 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: needs root (tracefs, uprobes)" >&2
	exit 1
fi
TRACEFS=/sys/kernel/tracing
[ -d $TRACEFS/instances ] || { echo "run.sh: tracefs not mounted at $TRACEFS" >&2; exit 1; }

# ---- work area, build, cleanup ----------------------------------------------
WORK=$(mktemp -d /tmp/kbtbench.XXXXXX)
BIN=$WORK/bin
mkdir -p "$BIN"
TMUX_SOCK=kbtbench$$
TC_INST=kbtbench.$$.tc		# trace-cmd's instance (reaped like rawfloor's)
PIDS=""				# tracers still to stop on exit

cleanup() {
	local p
	for p in $PIDS; do
		kill -INT "$p" 2>/dev/null || true
	done
	sleep 0.3
	for p in $PIDS; do
		kill -KILL "$p" 2>/dev/null || true
	done
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	remove_instance "$TC_INST"
	[ -x "$BIN/rawfloor" ] && "$BIN/rawfloor" --cleanup >/dev/null 2>&1 || true
	if [ "$KEEP" = 1 ]; then
		echo "run.sh: outputs kept in $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}

# An instance left behind (trace-cmd cannot reset this kernel, see README).
remove_instance() {
	local d=$TRACEFS/instances/$1
	[ -d "$d" ] || return 0
	local i
	echo 0 >"$d/tracing_on" 2>/dev/null || true
	: >"$d/set_event" 2>/dev/null || true
	# EBUSY while a recorder still has a trace_pipe_raw open
	for i in $(seq 1 50); do
		rmdir "$d" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "run.sh: cannot remove instance $1" >&2
}

trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if [ -n "$PREBUILT" ]; then
	cp "$PREBUILT/bindstorm" "$PREBUILT/rawfloor" "$PREBUILT/benchmon" "$BIN/"
else
	# no autotools needed: three small programs
	CFLAGS="-O2 -g -fno-omit-frame-pointer -Wall -Wextra"
	gcc $CFLAGS -pthread -o "$BIN/bindstorm" "$HERE/bindstorm.c"
	gcc $CFLAGS -o "$BIN/benchmon" "$HERE/benchmon.c"
	gcc $CFLAGS $(pkg-config --cflags libtracefs libtraceevent) -o "$BIN/rawfloor" \
		"$HERE/rawfloor.c" $(pkg-config --libs libtracefs libtraceevent)
fi
"$BIN/rawfloor" --cleanup >/dev/null

# A private copy: others rebuild ./kbindtop while this runs.
[ -n "$KBT" ] || KBT=$TOP/kbindtop
if [ ! -x "$KBT" ]; then
	echo "run.sh: no kbindtop at $KBT (run 'make -j2' at the top first)" >&2
	exit 1
fi
cp "$KBT" "$BIN/kbindtop"
KBT=$BIN/kbindtop

have() { command -v "$1" >/dev/null 2>&1; }

# ---- small helpers ------------------------------------------------------------
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# "median [min-max]" of the numbers given, with printf format $1
spread() {
	local fmt=$1; shift
	[ $# -gt 0 ] || { echo "-"; return; }
	printf '%s\n' "$@" | sort -g | awk -v f="$fmt" '
		{ v[NR] = $1 }
		END {
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf(f " [" f "-" f "]\n", m, v[1], v[NR])
		}'
}

# median only
median() {
	[ $# -gt 0 ] || { echo ""; return; }
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# value of key=value in a line of text
kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" | head -1; }

# one storm: prints bindstorm's summary line
storm() { "$BIN/bindstorm" -q "$@" | head -1; }

# ---- tracer control --------------------------------------------------------------
# start_tracer ID RUNDIR: starts the tracer of configuration ID with its
# output in RUNDIR, waits until it is ready and idle; sets TPID.
start_tracer() {
	local id=$1 d=$2 rf="$BIN/rawfloor" ready="" src=err t0
	TPID=""
	case $id in
	noread)	"$rf" -n >"$d/out" 2>"$d/err" & ready="rawfloor: ready" ;;
	floor)	"$rf" >"$d/out" 2>"$d/err" & ready="rawfloor: ready" ;;
	floornap) "$rf" -i "$NAP" >"$d/out" 2>"$d/err" & ready="rawfloor: ready" ;;
	floornap20) "$rf" -i 20 >"$d/out" 2>"$d/err" & ready="rawfloor: ready" ;;
	floorstk) "$rf" -s -i "$NAP" >"$d/out" 2>"$d/err" & ready="rawfloor: ready" ;;
	floorup) "$rf" -u -i "$NAP" >"$d/out" 2>"$d/err" & ready="rawfloor: ready" ;;
	floorkbt) "$rf" -U -i "$NAP" >"$d/out" 2>"$d/err" & ready="rawfloor: ready" ;;
	floorkbtstk) "$rf" -U -S -i "$NAP" >"$d/out" 2>"$d/err" & ready="rawfloor: ready" ;;
	kbt)	"$KBT" --batch --json --no-stacks >/dev/null 2>"$d/err" & ready="kbindtop: ready" ;;
	kbtstk)	"$KBT" --batch --json --stacks >/dev/null 2>"$d/err" & ready="kbindtop: ready" ;;
	kbttui)
		tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -s bench -x 160 -y 48 \
			"exec env TERM=screen $KBT 2>$d/err"
		ready="kbindtop: ready" ;;
	tracecmd)
		# stdbuf: its "Hit Ctrl^C" line would sit in a stdio buffer until exit
		(cd "$d" && exec stdbuf -oL trace-cmd record --no-filter -d -B "$TC_INST" \
			-e syscalls:sys_enter_bind -e syscalls:sys_exit_bind -o "$d/trace.dat") \
			>"$d/out" 2>"$d/err" &
		ready="Hit Ctrl^C"; src=out ;;
	bpftrace)
		cat >"$d/bind.bt" <<'EOF'
tracepoint:syscalls:sys_enter_bind
{
	/* the port, read from the caller's sockaddr at entry (network order) */
	$sa = (uint8 *)args->umyaddr;
	@port[tid] = (*(uint8 *)uptr($sa + 2) << 8) | *(uint8 *)uptr($sa + 3);
}
tracepoint:syscalls:sys_exit_bind
{
	printf("%d %s %d %d\n", pid, comm, @port[tid], args->ret);
	delete(@port[tid]);
}
EOF
		bpftrace "$d/bind.bt" >"$d/out" 2>"$d/err" &
		ready="Attaching"; src=out ;;
	perftrace)
		perf trace -a -e bind -o "$d/out" 2>"$d/err" &
		ready="" ;;
	perfrec)
		perf record -e syscalls:sys_enter_bind -g -a -o "$d/perf.data" >"$d/out" 2>"$d/err" &
		ready="" ;;
	*) echo "run.sh: unknown configuration $id" >&2; return 1 ;;
	esac
	if [ "$id" = kbttui ]; then
		TPID=$(tmux -L "$TMUX_SOCK" list-panes -t bench -F '#{pane_pid}' 2>/dev/null | head -1)
	else
		TPID=$!
	fi
	PIDS="$PIDS $TPID"
	t0=$(now_ms)
	# ready line (perf prints none: its setup ends when its CPU use does)
	while [ -n "$ready" ] && ! grep -q "$ready" "$d/$src" 2>/dev/null; do
		if ! kill -0 "$TPID" 2>/dev/null || [ $(($(now_ms) - t0)) -gt 60000 ]; then
			echo "run.sh: $id did not start:" >&2
			cat "$d/err" >&2 || true
			return 1
		fi
		sleep 0.01
	done
	"$BIN/benchmon" settle "$TPID" 8000 >"$d/cpu0"
}

# stop_tracer ID RUNDIR: SIGINT (again, then SIGKILL, if it lingers), wait.
stop_tracer() {
	local id=$1 d=$2 i kids
	kids=$(pgrep -P "$TPID" || true)
	kill -INT "$TPID" 2>/dev/null || true
	for i in $(seq 1 3000); do
		kill -0 "$TPID" 2>/dev/null || break
		[ "$i" = 500 ] && kill -INT "$TPID" 2>/dev/null	# perf trace may need two
		[ "$i" = 2000 ] && kill -KILL "$TPID" 2>/dev/null
		sleep 0.01
	done
	wait "$TPID" 2>/dev/null || true
	PIDS=$(echo "$PIDS" | sed "s/ $TPID\\b//")
	case $id in
	kbttui) tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true ;;
	tracecmd)
		# trace-cmd dies in its reset here (EPERM on set_ftrace_filter),
		# leaving its instance; stop any per-CPU recorder it left too
		for i in $kids; do
			kill -USR1 "$i" 2>/dev/null || true
		done
		remove_instance "$TC_INST" ;;
	esac
}

# key_latency: press 's' (next sort column) 5 times in the curses view and
# print the ms until the sort shown on screen changes, one per line
key_latency() {
	local i t0 before now
	for i in 1 2 3 4 5; do
		before=$(tui_sort)
		t0=$(date +%s%N)
		tmux -L "$TMUX_SOCK" send-keys -t bench s
		# a short sleep between polls: a busy loop of tmux clients would
		# take the CPU the storm and kbindtop need
		while now=$(tui_sort) && [ "$now" = "$before" ]; do
			[ $(($(date +%s%N) - t0)) -gt 2000000000 ] && break
			sleep 0.005
		done
		echo $((($(date +%s%N) - t0) / 1000000))
		sleep 0.2
	done
}

tui_sort() {
	tmux -L "$TMUX_SOCK" capture-pane -p -t bench 2>/dev/null |
		grep -o 'sort [A-Za-z_]* [a-z]*' | head -1
}

# counts ID RUNDIR: "captured lost events" as the tool reports them
counts() {
	local id=$1 d=$2 c="-" l="-" e="-" line
	case $id in
	noread)
		line=$(cat "$d/out")
		e=$(echo "$line" | kv events)
		c=$((e / 2)) ;;
	floor*)
		line=$(cat "$d/out")
		e=$(echo "$line" | kv events)
		c=$(echo "$line" | kv enter)
		[ "$(echo "$line" | kv uprobe)" -gt "$c" ] && c=$(echo "$line" | kv uprobe)
		l=$(echo "$line" | kv lost) ;;
	kbttui)
		# the table's header: "binds N (R/s)  failed F  lost L (kernel K, queue Q)"
		c=$(sed -n 's/^binds \([0-9]*\) .*/\1/p' "$d/screen" 2>/dev/null | head -1)
		l=$(sed -n 's/.* lost \([0-9]*\) .*/\1/p' "$d/screen" 2>/dev/null | head -1) ;;
	kbt*)
		line=$(grep "bind calls shown" "$d/err" | tail -1)
		if [ -n "$line" ]; then
			c=$(echo "$line" | sed -n 's/.* \([0-9]*\) traced in.*/\1/p')
			l=$(echo "$line" | sed -n 's/.*lost: \([0-9]*\).*/\1/p')
		fi ;;
	tracecmd)
		c=$(trace-cmd report -i "$d/trace.dat" 2>/dev/null | grep -c 'sys_enter_bind:' || true)
		l=$(trace-cmd report --stat -i "$d/trace.dat" 2>/dev/null |
			awk '/^overrun:/ { s += $2 } END { print s + 0 }') ;;
	bpftrace)
		c=$(grep -c '^[0-9]* ' "$d/out" || true)
		l=$(sed -n 's/.*Lost \([0-9]*\) events.*/\1/p' "$d/err" "$d/out" |
			awk '{ s += $1 } END { print s + 0 }') ;;
	perftrace)
		c=$(grep -c ' bind(' "$d/out" || true)
		l=$(sed -n 's/.*LOST \([0-9]*\) events.*/\1/p' "$d/out" "$d/err" |
			awk '{ s += $1 } END { print s + 0 }') ;;
	perfrec)
		c=$(sed -n 's/.*(\([0-9]*\) samples).*/\1/p' "$d/err" | tail -1)
		l=$(perf report -i "$d/perf.data" --stats 2>/dev/null |
			awk '/LOST/ && !/LOST_SAMPLES/ { s += $(NF-1) } END { print s + 0 }') ;;
	esac
	echo "${c:--} ${l:--} ${e:--}"
}

# traced_run ID RUNDIR STORM-ARGS...: one storm under the tracer.
# Writes RUNDIR/result: storm line + cpu_ms, hwm, captured, lost, events.
traced_run() {
	local id=$1 d=$2; shift 2
	local s c0 c1 smp
	mkdir -p "$d"
	if [ "$id" = none ]; then
		storm "$@" >"$d/result"
		return
	fi
	start_tracer "$id" "$d" || return 1
	"$BIN/benchmon" sample "$TPID" >"$d/smp0" || true
	if [ "$id" = kbttui ] && [ "$1" = -w ]; then
		# the storm in the background; meanwhile, is a key still answered?
		storm "$@" >"$d/storm" &
		sleep 1
		key_latency >"$d/keys"
		wait $!
		s=$(cat "$d/storm")
	else
		s=$(storm "$@")
	fi
	"$BIN/benchmon" settle "$TPID" 10000 >"$d/cpu1"
	smp=$("$BIN/benchmon" sample "$TPID" || true)
	if [ "$id" = kbttui ]; then
		sleep 1.2	# one refresh of the table after the storm
		tmux -L "$TMUX_SOCK" capture-pane -p -t bench >"$d/screen" 2>/dev/null || true
	fi
	stop_tracer "$id" "$d"
	c0=$(kv cpu_ns <"$d/cpu0"); c1=$(kv cpu_ns <"$d/cpu1")
	set -- $(counts "$id" "$d")
	echo "$s cpu_ms=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')" \
		"hwm_kb=$(echo "$smp" | kv hwm_kb) captured=$1 lost=$2 events=$3" >"$d/result"
}

# ---- the table ---------------------------------------------------------------
declare -A ROW SLOW CPU1K CPUST

run_config() {
	local id=$1 label=$2 r ratios="" cpus="" u u2 t d res binds cap cpu
	local done_binds cap_s lost_s ev_s hwm_s cpu_s
	echo "== $id: $label" >&2
	# interleaved U T U T ... U: each traced run is compared with the mean
	# of the untraced runs just before and just after it
	u=$(storm -n "$BINDS")
	for r in $(seq 1 "$REPS"); do
		d=$WORK/$id/rep$r
		traced_run "$id" "$d" -n "$BINDS" || return 0
		u2=$(storm -n "$BINDS")
		res=$(cat "$d/result")
		t=$(echo "$res" | kv elapsed_s)
		ratios="$ratios $(awk -v t="$t" -v a="$(echo "$u" | kv elapsed_s)" \
			-v b="$(echo "$u2" | kv elapsed_s)" 'BEGIN { printf "%.3f", 2 * t / (a + b) }')"
		if [ "$id" != none ]; then
			binds=$(echo "$res" | kv binds); cap=$(echo "$res" | kv captured)
			cpu=$(echo "$res" | kv cpu_ms)
			# per bind the tracer saw (others' binds count too), at least ours
			[ "$cap" != - ] && [ "$cap" -gt "$binds" ] && binds=$cap
			cpus="$cpus $(awk -v c="$cpu" -v b="$binds" 'BEGIN { printf "%.3f", c / b * 1000 }')"
		fi
		echo "   run $r: untraced $(echo "$u" | kv elapsed_s) s, traced $t s, untraced" \
			"$(echo "$u2" | kv elapsed_s) s; $(echo "$res" | cut -d' ' -f1,11-)" >&2
		u=$u2
	done
	# loss test: 4 workers flat out
	d=$WORK/$id/storm
	traced_run "$id" "$d" -w "$STORM_WORKERS" -t "$STORM_SECS" || return 0
	res=$(cat "$d/result")
	echo "   storm: $res" >&2
	done_binds=$(echo "$res" | kv binds)
	cap_s=$(echo "$res" | kv captured); lost_s=$(echo "$res" | kv lost)
	ev_s=$(echo "$res" | kv events); hwm_s=$(echo "$res" | kv hwm_kb)
	cpu_s="-"
	if [ "$id" != none ]; then
		binds=$done_binds
		[ "$cap_s" != - ] && [ "$cap_s" -gt "$binds" ] && binds=$cap_s
		cpu_s=$(awk -v c="$(echo "$res" | kv cpu_ms)" -v b="$binds" 'BEGIN { printf "%.3f", c / b * 1000 }')
	fi
	[ -n "$ev_s" ] && [ "$ev_s" != - ] && [ "$cap_s" != - ] && [ "$cap_s" -gt 0 ] &&
		ev_s=$(awk -v e="$ev_s" -v c="$cap_s" 'BEGIN { printf "%.1f", e / c }')
	SLOW[$id]=$(median $ratios)
	CPU1K[$id]=$(median $cpus)
	CPUST[$id]=$cpu_s
	ROW[$id]=$(printf '%-50s | %9s | %9s | %7s | %6s | %-22s | %-22s | %8s | %8s' \
		"$label" "$done_binds" "${cap_s:--}" "${lost_s:--}" "${ev_s:--}" \
		"$(spread %.3f $ratios)" "$(spread %.3f $cpus)" "$cpu_s" \
		"$( [ -n "$hwm_s" ] && [ "$hwm_s" != - ] && echo "$((hwm_s / 1024)) MB" || echo -)")
}

selected() { [ -z "$ONLY" ] || echo ",$ONLY," | grep -q ",$1,"; }

ORDER=""
while IFS='|' read -r id label kind; do
	[ -n "$id" ] || continue
	selected "$id" || continue
	label=${label//NAP/$NAP}
	if [ "$kind" = ext ] && { [ "$SKIP_EXTERNAL" = 1 ] ||
		! have "$(case $id in tracecmd) echo trace-cmd;; perf*) echo perf;; *) echo "$id";; esac)"; }; then
		ROW[$id]=$(printf '%-50s | not run (not installed or --no-external)' "$label")
		ORDER="$ORDER $id"
		continue
	fi
	if [ "$id" = kbttui ] && ! have tmux; then
		ROW[$id]=$(printf '%-50s | not run (no tmux)' "$label")
		ORDER="$ORDER $id"
		continue
	fi
	run_config "$id" "$label"
	[ -n "${ROW[$id]:-}" ] || ROW[$id]=$(printf '%-50s | failed to run (see --keep outputs)' "$label")
	ORDER="$ORDER $id"
done <<<"$CONFIGS"

# ---- fork churn: every event named? ---------------------------------------------------
CHURN_LINE="not run"
if [ "$CHURN" -gt 0 ] && selected churn; then
	echo "== churn: $CHURN short-lived processes under kbindtop --batch --json --no-stacks" >&2
	d=$WORK/churn
	mkdir -p "$d"
	u=$(storm -m fork -n "$CHURN" -N kbtchurn)
	"$KBT" --batch --json --no-stacks >"$d/json" 2>"$d/err" &
	TPID=$!
	PIDS="$PIDS $TPID"
	while ! grep -q "kbindtop: ready" "$d/err"; do
		kill -0 "$TPID" 2>/dev/null || break
		sleep 0.01
	done
	"$BIN/benchmon" settle "$TPID" 8000 >"$d/cpu0"
	t=$(storm -m fork -n "$CHURN" -N kbtchurn)
	"$BIN/benchmon" settle "$TPID" 10000 >"$d/cpu1"
	smp=$("$BIN/benchmon" sample "$TPID")
	stop_tracer kbt "$d"
	u2=$(storm -m fork -n "$CHURN" -N kbtchurn)
	named=$(grep -c '"comm":"kbtchurn"' "$d/json" || true)
	unnamed=$(grep -c '"comm":"?"' "$d/json" || true)
	other=$(grep -v -c -e '"comm":"kbtchurn"' -e '"comm":"?"' "$d/json" || true)
	line=$(grep "bind calls shown" "$d/err" | tail -1)
	lost=$(echo "$line" | sed -n 's/.*lost: \([0-9]*\).*/\1/p')
	cpu=$(awk -v a="$(kv cpu_ns <"$d/cpu0")" -v b="$(kv cpu_ns <"$d/cpu1")" -v n="$CHURN" \
		'BEGIN { printf "%.3f", (b - a) / 1e6 / n * 1000 }')
	CHURN_LINE=$(printf '%s processes: named %s, "?" %s, other commands %s, lost %s; slowdown %.3fx; CPU %s ms/1k; RSS %s MB' \
		"$(echo "$t" | kv binds)" "$named" "$unnamed" "$other" "${lost:--}" \
		"$(awk -v t="$(echo "$t" | kv elapsed_s)" -v a="$(echo "$u" | kv elapsed_s)" \
		-v b="$(echo "$u2" | kv elapsed_s)" 'BEGIN { print 2 * t / (a + b) }')" \
		"$cpu" "$(($(echo "$smp" | kv hwm_kb) / 1024))")
	CHURN_NAMED=$named; CHURN_UNNAMED=$unnamed; CHURN_LOST=${lost:-?}
fi

# ---- startup and teardown -----------------------------------------------------------
echo "== startup/teardown" >&2
LIFE_KBT=$("$BIN/benchmon" lifetime -r "kbindtop: ready" -w 300 -n 7 -- "$KBT" --batch --json --no-stacks || true)
LIFE_KBTSTK=$("$BIN/benchmon" lifetime -r "kbindtop: ready" -w 300 -n 7 -- "$KBT" --batch --json --stacks || true)
LIFE_FLOOR=$("$BIN/benchmon" lifetime -r "rawfloor: ready" -w 300 -n 7 -- "$BIN/rawfloor" || true)
life() { printf 'startup %s ms [%s-%s], teardown %s ms [%s-%s]' \
	"$(echo "$1" | kv startup_med)" "$(echo "$1" | kv startup_min)" "$(echo "$1" | kv startup_max)" \
	"$(echo "$1" | kv teardown_med)" "$(echo "$1" | kv teardown_min)" "$(echo "$1" | kv teardown_max)"; }

# ---- report ------------------------------------------------------------------------------
echo
echo "kbindtop benchmarks: $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "command: bench/run.sh $ARGS"
echo "overhead: $REPS interleaved pairs of $BINDS binds, 1 worker flat out;" \
	"loss: $STORM_WORKERS workers flat out for $STORM_SECS s; kbindtop $("$KBT" --version 2>/dev/null | head -1)"
echo
printf '%-50s | %9s | %9s | %7s | %6s | %-22s | %-22s | %8s | %8s\n' "consumer" "binds" "captured" \
	"lost" "ev/b" "slowdown med [min-max]" "CPU ms/1k med [min-max]" "@storm" "peak RSS"
printf '%-50s | %9s | %9s | %7s | %6s | %-22s | %-22s | %8s | %8s\n' "" "(storm)" "(storm)" \
	"(storm)" "" "(1 worker)" "(1 worker)" "ms/1k" "(storm)"
printf -- '-%.0s' $(seq 1 170); echo
for id in $ORDER; do
	echo "${ROW[$id]}"
done
echo
echo "fork churn (kbindtop --batch --json --no-stacks): $CHURN_LINE"
KEYS=""
if [ -f "$WORK/kbttui/storm/keys" ]; then
	KEYS=$(median $(cat "$WORK/kbttui/storm/keys"))
	echo "curses under the storm: key answered in $(spread %.0f $(cat "$WORK/kbttui/storm/keys")) ms;" \
		"RSS $(($(kv rss_kb <"$WORK/kbttui/storm/smp0") / 1024)) MB at start," \
		"$(($(kv hwm_kb <"$WORK/kbttui/storm/result") / 1024)) MB peak"
fi
echo "kbindtop --batch --json --no-stacks: $(life "$LIFE_KBT")"
echo "kbindtop --batch --json --stacks:    $(life "$LIFE_KBTSTK")"
echo "rawfloor (reference):                $(life "$LIFE_FLOOR")"

# ---- targets of issue 6 ---------------------------------------------------------------
verdict() { if awk "BEGIN { exit !($1) }"; then echo ok; else echo MISS; fi; }
target() { printf '  %-4s %s\n' "$1" "$2"; }

# ---- --peers: bind-to-output latency and the targets of issue 11 ------------------------
if [ "$PEERS" = 1 ]; then
	LAT=""
	if [ -x "$TOP/tests/progs/bindprog" ] && have python3; then
		echo "== latency: 100 lone binds 50 ms apart under kbindtop --json --no-stacks" >&2
		LAT=$(python3 "$HERE/latency.py" "$KBT" --no-stacks 2>&1 | tail -1)
		echo "bind-to-output latency (kbindtop --json --no-stacks): $LAT"
	else
		echo "bind-to-output latency: not run (make check builds tests/progs/bindprog)"
	fi
	p99=$(echo "$LAT" | sed -n 's/.* p99 \([0-9.]*\).*/\1/p')
	echo
	echo "targets (issue 11):"
	if [ -n "${CPU1K[kbt]:-}" ]; then
		[ -n "${CPU1K[floor]:-}" ] && echo "       kbindtop JSON costs $(awk -v a="${CPU1K[kbt]}" \
			-v b="${CPU1K[floor]}" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')x the raw floor's CPU per bind"
		target "$(verdict "${CPU1K[kbt]} <= 0.8")" \
			"JSON CPU <= 0.8 ms/1k binds (${CPU1K[kbt]} median, 1 worker; ${CPUST[kbt]} under the storm)"
		l=$(kv lost <"$WORK/kbt/storm/result")
		target "$(verdict "\"$l\" == \"0\"")" "JSON: 0 lost under the $STORM_WORKERS-worker storm (lost ${l:--})"
	fi
	if [ -n "${CPU1K[kbttui]:-}" ]; then
		target "$(verdict "${CPU1K[kbttui]} <= 0.5")" \
			"live table with stacks: CPU <= 0.5 ms/1k binds (${CPU1K[kbttui]} median, 1 worker; ${CPUST[kbttui]} under the storm)"
		[ -n "$KEYS" ] && target "$(verdict "$KEYS <= 100")" \
			"live table: a key answered within 100 ms under the storm (median $KEYS ms)"
	fi
	[ -n "$p99" ] && target "$(verdict "$p99 <= 10")" "bind-to-output latency p99 <= 10 ms ($p99 ms)"
	if [ -n "${CHURN_NAMED:-}" ]; then
		target "$(verdict "$CHURN_UNNAMED == 0 && $CHURN_NAMED >= $CHURN")" \
			"fork churn: every process named ($CHURN_NAMED of $CHURN named, $CHURN_UNNAMED '?', lost $CHURN_LOST)"
	fi
	exit 0
fi
echo
echo "targets (issue 6):"
if [ -n "${ROW[kbt]:-}" ] && [ -n "${CPU1K[kbt]:-}" ]; then
	l=$(cat "$WORK/kbt/storm/result" | kv lost)
	target "$(verdict "\"$l\" == \"0\"")" "batch JSON no-stacks: 0 lost under the storm (lost $l)"
	target "$(verdict "${CPU1K[kbt]} <= 1.0 && ${CPUST[kbt]} <= 1.0")" \
		"batch JSON no-stacks: CPU <= 1 ms/1k binds (${CPU1K[kbt]} 1 worker, ${CPUST[kbt]} storm)"
	[ -n "${SLOW[floorkbt]:-}" ] && target "$(verdict "${SLOW[kbt]} <= ${SLOW[floorkbt]} * 1.1")" \
		"batch JSON no-stacks: slowdown ${SLOW[kbt]} within 10% of its floor ${SLOW[floorkbt]} (floorkbt)"
fi
if [ -n "${SLOW[kbtstk]:-}" ] && [ -n "${SLOW[floorkbtstk]:-}" ]; then
	target "$(verdict "${SLOW[kbtstk]} <= ${SLOW[floorkbtstk]} * 1.1")" \
		"batch with stacks: slowdown ${SLOW[kbtstk]} within 10% of its floor ${SLOW[floorkbtstk]} (floorkbtstk)"
fi
if [ -n "${CPU1K[kbttui]:-}" ]; then
	l=$(cat "$WORK/kbttui/storm/result" | kv lost)
	target "$(verdict "${CPU1K[kbttui]} <= 0.25 && ${CPUST[kbttui]} <= 0.25")" \
		"curses: CPU <= 0.25 ms/1k binds (${CPU1K[kbttui]} 1 worker, ${CPUST[kbttui]} storm)"
	target "$(verdict "\"$l\" == \"0\"")" "curses: 0 lost under the storm (lost ${l:--}; '-' = not reported)"
	[ -n "$KEYS" ] && target "$(verdict "$KEYS <= 100")" "curses: a key answered within 100 ms under the storm (median $KEYS ms)"
fi
if [ -n "${CHURN_NAMED:-}" ]; then
	target "$(verdict "\"$CHURN_LOST\" == \"0\" && $CHURN_UNNAMED == 0 && $CHURN_NAMED >= $CHURN")" \
		"fork churn: 0 lost, every event named ($CHURN_NAMED of $CHURN named, $CHURN_UNNAMED '?', lost $CHURN_LOST)"
fi
s=$(echo "$LIFE_KBT" | kv startup_med); t=$(echo "$LIFE_KBT" | kv teardown_med)
[ -n "$s" ] && target "$(verdict "$s <= 150")" "startup to ready <= 150 ms (median $s ms, no stacks)"
s=$(echo "$LIFE_KBTSTK" | kv startup_med); [ -n "$s" ] &&
	target "$(verdict "$s <= 150")" "startup to ready <= 150 ms (median $s ms, stacks)"
[ -n "$t" ] && target "$(verdict "$t <= 100")" "teardown <= 100 ms (median $t ms, no stacks)"
t=$(echo "$LIFE_KBTSTK" | kv teardown_med); [ -n "$t" ] &&
	target "$(verdict "$t <= 100")" "teardown <= 100 ms (median $t ms, stacks)"
exit 0
