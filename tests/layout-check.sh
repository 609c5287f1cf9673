#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# layout-check.sh - the module structure stays as built:
#   - the folders under src/ are layers, util < trace < enrich < ui < main.c;
#     a file includes only headers of its own layer or of a lower one;
#   - no two modules depend on each other, directly or around a loop, by
#     their #includes or by the symbols their objects use from each other
#     (a module is src/<layer>/NAME.c with include/NAME.h);
#   - README.md's "Source layout" table names exactly the files under src/,
#     each in its folder (a row may name a family: `backend_*.c`), and
#     Makefile.am builds each of them.
# A header without a .c (kb_event.h, stats.h: types only) belongs to the
# lowest layer that includes it; what it includes is checked from there.
# Objects are read from $top_builddir when built (make check builds them
# first); the include checks need only the sources.  No root needed.
set -eu
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
NM=${NM:-nm}

exec python3 - "$top_srcdir" "$top_builddir" "$NM" <<'PY'
import fnmatch, os, re, subprocess, sys

src, build, nm = sys.argv[1:4]
LAYERS = ['util', 'trace', 'enrich', 'ui', 'main']
RANK = {l: i for i, l in enumerate(LAYERS)}
fails = []
inc_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

def rel(p):
    return os.path.relpath(p, src)

# --- modules: src/<layer>/NAME.c (+ include/NAME.h); src/main.c is the top ---
cfiles = {}                      # module -> path of its .c
layer = {}                       # module -> layer
for root, dirs, files in os.walk(os.path.join(src, 'src')):
    dirs.sort()
    for f in sorted(files):
        if not f.endswith('.c'):
            continue
        p = os.path.join(root, f)
        parts = rel(p).split(os.sep)
        m = f[:-2]
        if parts == ['src', 'main.c']:
            lay = 'main'
        elif len(parts) == 3 and parts[1] in RANK and parts[1] != 'main':
            lay = parts[1]
        else:
            fails.append('%s: not in a layer folder (src/util, src/trace, src/enrich, src/ui)' % rel(p))
            continue
        if m in cfiles:
            fails.append('%s and %s: two modules named %s' % (rel(cfiles[m]), rel(p), m))
        cfiles[m] = p
        layer[m] = lay

headers = {f[:-2]: os.path.join(src, 'include', f)
           for f in sorted(os.listdir(os.path.join(src, 'include'))) if f.endswith('.h')}

def includes(path):
    with open(path, errors='replace') as fh:
        return [h[:-2] for h in inc_re.findall(fh.read()) if h.endswith('.h') and h[:-2] in headers]

# file -> (module, [included module/header names])
files = []
for m, p in cfiles.items():
    files.append((p, m, includes(p)))
for h, p in headers.items():
    files.append((p, h, includes(p)))

# A header without a .c: the layer of its lowest includer (types shared upward).
users = {}
for p, m, incs in files:
    for h in incs:
        users.setdefault(h, set()).add(m)
changed = True
while changed:                   # a types-only header included only by another one
    changed = False
    for h in headers:
        if h in cfiles:
            continue
        known = [RANK[layer[u]] for u in users.get(h, ()) if u in layer and u != h]
        if known:
            lay = LAYERS[min(known)]
            if layer.get(h) != lay:
                layer[h] = lay
                changed = True
for h in headers:
    if h not in layer:
        fails.append('include/%s.h: no src/*/%s.c and nothing includes it' % (h, h))

# --- upward includes ---
for p, m, incs in files:
    if m not in layer:
        continue
    for h in incs:
        if h in layer and RANK[layer[h]] > RANK[layer[m]]:
            fails.append('%s (layer %s) includes %s.h (layer %s): %s may include only %s headers'
                         % (rel(p), layer[m], h, layer[h], layer[m],
                            ', '.join(LAYERS[:RANK[layer[m]] + 1])))

# --- cycles: strongly connected components of a module graph ---
def cycles(edges, what):
    """edges: {(a, b): reason}.  One failure per group of modules in a loop."""
    nodes = sorted({n for e in edges for n in e})
    succ = {n: sorted(b for (a, b) in edges if a == n) for n in nodes}
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):               # Tarjan; ~50 nodes, recursion is fine
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in succ[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for n in nodes:
        if n not in index:
            strong(n)
    for comp in out:
        inner = ['%s' % edges[(a, b)] for (a, b) in sorted(edges) if a in comp and b in comp]
        fails.append('%s cycle between %s: %s' % (what, ', '.join(comp), '; '.join(inner)))

inc_edges = {}
for p, m, incs in files:
    for h in incs:
        if h != m:
            inc_edges.setdefault((m, h), '%s includes %s.h' % (rel(p), h))
cycles(inc_edges, 'include')

# --- the same on symbols: which module's object uses which module's definitions ---
objs = {}
for root, dirs, fs in os.walk(os.path.join(build, 'src')):
    for f in fs:
        if f.endswith('.o'):
            m = f[:-2].split('-')[-1]          # per-target objects: kbindtop-main.o
            if m in cfiles:
                objs[m] = os.path.join(root, f)
lib = os.path.join(build, 'libkbindtop.a')
defined, used = {}, {}
def read_nm(args, member_of):
    out = subprocess.run([nm, '-A'] + args, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        head, _, rest = line.rpartition(':')
        f = rest.split()
        if len(f) < 2:
            continue
        m = member_of(head)
        if m is None:
            continue
        sym, typ = f[-1], f[-2]
        if typ == 'U':
            used.setdefault(m, set()).add(sym)
        elif typ.isupper() and typ not in 'W':
            defined.setdefault(sym, m)
if os.path.exists(lib) or objs:
    def member(head):
        base = os.path.basename(head.split(':')[-1]).rsplit('.', 1)[0].split('-')[-1]
        return base if base in cfiles else None
    paths = sorted(objs.values())
    if os.path.exists(lib):
        read_nm([lib], member)
    if paths:
        read_nm(paths, member)
    missing = sorted(m for m in cfiles if m not in used and m not in
                     {d for d in defined.values()})
    for m in missing:
        fails.append('%s: no object found in %s (is it in Makefile.am?)' % (rel(cfiles[m]), build))
    sym_edges = {}
    for m, syms in sorted(used.items()):
        for s in sorted(syms):
            d = defined.get(s)
            if d and d != m:
                sym_edges.setdefault((m, d), '%s.c uses %s from %s.c' % (m, s, d))
    for (a, b), why in sorted(sym_edges.items()):
        if RANK[layer[b]] > RANK[layer[a]]:
            fails.append('%s (layer %s) calls up into %s (layer %s): %s' % (rel(cfiles[a]), layer[a],
                                                               rel(cfiles[b]), layer[b], why))
    cycles(sym_edges, 'call')
else:
    print('layout-check: no objects in %s: symbol checks skipped' % build)

# --- README's Source layout table and Makefile.am name every file ---
readme = open(os.path.join(src, 'README.md')).read()
sec = re.search(r'^## Source layout\n(.*?)(?=^## |\Z)', readme, re.S | re.M)
listed = {}
if not sec:
    fails.append('README.md has no "## Source layout" section')
else:
    folder = 'src'
    for line in sec.group(1).splitlines():
        if not line.startswith('|'):
            continue
        cell = line.split('|')[1]
        h = re.search(r'\*\*`(src/[a-z]+)/`\*\*', cell)
        if h:
            folder = h.group(1)
            continue
        for name in re.findall(r'`([^`]+\.c)`', cell):
            path = name if name.startswith('src/') else folder + '/' + name
            listed[path] = listed.get(path, 0) + 1
have = {rel(p) for p in cfiles.values()}
for g in [p for p in listed if '*' in p]:       # backend_*.c: one row for a family of files
    hits = fnmatch.filter(have, g)
    if not hits:
        fails.append("README.md's Source layout table names %s: no such file" % g)
    for h in hits:
        listed[h] = listed.get(h, 0) + listed[g]
    del listed[g]
for p in sorted(have - set(listed)):
    fails.append("%s: not in README.md's Source layout table (add a row under its folder)" % p)
for p in sorted(set(listed) - have):
    fails.append("README.md's Source layout table names %s: no such file" % p)
for p in sorted(p for p, n in listed.items() if n > 1):
    fails.append("README.md's Source layout table names %s twice" % p)
mk = open(os.path.join(src, 'Makefile.am')).read()
for p in sorted(have):
    if not re.search(r'(^|[\s=])' + re.escape(p) + r'(\s|$)', mk, re.M):
        fails.append('%s: not built (add it to its layer list in Makefile.am)' % p)

for f in fails:
    print('FAIL: ' + f)
if fails:
    print('layout-check: %d problem%s; layers: %s' % (len(fails), '' if len(fails) == 1 else 's',
                                                     ' < '.join(LAYERS)))
    sys.exit(1)
print('layout-check: %d modules, %d headers: no upward include, no cycle, README and Makefile.am agree'
      % (len(cfiles), len(headers)))
PY
