#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# docs-check.sh - the documentation cannot drift from the program:
#   - every option in --help is described in man/kbindtop.8 OPTIONS, and
#     the man page describes no option --help lacks;
#   - every JSON field (--list-fields) is described, in order, in the man
#     page's JSON FIELDS section, and nothing else is;
#   - every key of the live table (--list-keys) is in the man page's
#     LIVE TABLE section;
#   - the LIVE TABLE section's column list, --sort names and default, the
#     order in which columns give way (--list-columns) and the row limits
#     (include/model.h) are the program's;
#   - every --option the README mentions exists;
#   - the packages README's first command installs are all in tests/run's
#     list (the newcomer's build and the test machine's cannot drift).
# No root needed.
set -eu
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
KBINDTOP=${KBINDTOP:-$top_builddir/kbindtop}
MAN=$top_srcdir/man/kbindtop.8
README=$top_srcdir/README.md

[ -x "$KBINDTOP" ] || { echo "FAIL: $KBINDTOP not built"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$KBINDTOP" --help >"$tmp/help"
"$KBINDTOP" --list-fields >"$tmp/fields"
"$KBINDTOP" --list-keys >"$tmp/keys" 2>/dev/null || : >"$tmp/keys"
"$KBINDTOP" --list-columns >"$tmp/columns"

python3 - "$tmp/help" "$tmp/fields" "$tmp/keys" "$MAN" "$README" "$tmp/columns" "$top_srcdir/include/model.h" "$top_srcdir/tests/run" <<'PY'
import re, sys
help_txt, fields_txt, keys_txt = (open(f).read() for f in sys.argv[1:4])
columns_txt, model_h, run_sh = (open(f).read() for f in sys.argv[6:9])
man = open(sys.argv[4]).read().replace('\\-', '-').replace('\\e', '\\')
readme = open(sys.argv[5]).read()
fails = []

def section(name):
    m = re.search(r'^\.SH "?' + re.escape(name) + r'"?\n(.*?)(?=^\.SH |\Z)', man, re.S | re.M)
    if not m:
        fails.append('man page has no section ' + name)
        return ''
    return m.group(1)

def tp_heads(sec):
    # the line after each .TP is the tag being described
    lines = sec.splitlines()
    return [lines[i + 1] for i, l in enumerate(lines[:-1]) if l.startswith('.TP')]

help_opts = set(re.findall(r'^\s+(?:-\w, )?\s*--([a-z][a-z-]*)', help_txt, re.M))
man_opts = set()
for h in tp_heads(section('OPTIONS')):
    man_opts |= set(re.findall(r'--([a-z][a-z-]*)', h))
for o in sorted(help_opts - man_opts):
    fails.append('--%s is in --help but not described in the man page OPTIONS' % o)
for o in sorted(man_opts - help_opts):
    fails.append('--%s is in the man page OPTIONS but not in --help' % o)

fields = [l.split('\t')[0] for l in fields_txt.splitlines() if l.strip()]
man_fields = []
for h in tp_heads(section('JSON FIELDS')):
    m = re.match(r'\.B\s+(\S+)', h)
    if m:
        man_fields.append(m.group(1))
if fields != man_fields:
    for f in fields:
        if f not in man_fields:
            fails.append('JSON field %s is not described in the man page' % f)
    for f in man_fields:
        if f not in fields:
            fails.append('man page describes JSON field %s that kbindtop does not print' % f)
    if set(fields) == set(man_fields):
        fails.append('man page JSON FIELDS are not in output order: %s vs %s' % (man_fields, fields))

if keys_txt.strip():
    live = section('LIVE TABLE')
    for l in keys_txt.splitlines():
        key = l.split('\t')[0].strip()
        if key and key not in live.replace('\\(rq', '').replace('\\fB', '').replace('\\fR', ''):
            fails.append('key %r of the live table is not in the man page LIVE TABLE section' % key)

# the live table's columns: names, titles, narrow-terminal order, default sort
cols = [l.split('\t') for l in columns_txt.splitlines() if l.strip()]
live = re.sub(r'\\f[BIR]|^\.[A-Z]+ ?|"', '', section('LIVE TABLE'), flags=re.M)
titles = [c[1].split()[0] for c in cols]
m = re.search(r'has a row:(.*?)\.\n', live, re.S)
said = re.findall(r'\b[A-Z]{2,}\b', m.group(1)) if m else None
if said != titles:
    fails.append('man page LIVE TABLE lists the columns %s; the column table has %s' % (said, titles))
m = re.search(r'On narrow terminals(.*?)give way', live, re.S)
said = re.findall(r'\b[A-Z]{2,}\b', m.group(1)) if m else None
gives = [c[1].split()[0] for c in sorted((c for c in cols if int(c[2])), key=lambda c: -int(c[2]))]
if said != gives:
    fails.append('man page LIVE TABLE says %s give way on narrow terminals; the column table drops %s'
                 % (said, gives))
m = re.search(r'takes a column name:(.*?)\(default\s+(\w+)', live, re.S)
names = [c[0] for c in cols]
default = [c[0] for c in cols if c[3] == 'default']
if not m or re.findall(r'[a-z]+', m.group(1)) != names or [m.group(2)] != default:
    fails.append('man page LIVE TABLE --sort names %s (default %s); the column table has %s (default %s)'
                 % (re.findall(r'[a-z]+', m.group(1)) if m else None, m.group(2) if m else None,
                    names, default))
limits = {k: re.search(r'#define\s+KB_MODEL_%s\s+(\d+)' % k, model_h) for k in
          ('MAX_PROCS', 'MAX_TARGETS', 'TARGET_STACKS')}
m = re.search(r'At most (\d+) processes, (\d+) targets and (\d+) stacks per target', live)
want = tuple(v.group(1) if v else '?' for v in limits.values())
if not m or m.groups() != want:
    fails.append('man page LIVE TABLE limits %s; include/model.h has %s (processes, targets, stacks)'
                 % (m.groups() if m else None, want))

# options on lines that run kbindtop (not configure or tests/run)
readme_opts = set()
for l in readme.splitlines():
    if re.search(r'\bkbindtop\b', l) and 'configure' not in l and 'tests/run' not in l:
        readme_opts |= set(re.findall(r'(?<![\w-])--([a-z][a-z-]*)', l))
for o in sorted(readme_opts - help_opts):
    fails.append('README mentions kbindtop --%s, which does not exist' % o)

# README's first command installs a subset of what tests/run installs
m = re.search(r'apt-get install -y ([a-z0-9+. -]+?) &&', readme)
pkgs = re.search(r'^PKGS="([^"]*)"', run_sh, re.M)
if not m or not pkgs:
    fails.append("README's first command or tests/run's PKGS not found")
else:
    for p in sorted(set(m.group(1).split()) - set(pkgs.group(1).split())):
        fails.append("README's first command installs %s, which tests/run's PKGS lacks" % p)

if fails:
    print('\n'.join('FAIL: ' + f for f in fails))
    sys.exit(1)
print('docs agree: %d options, %d JSON fields, %d keys, %d columns'
      % (len(help_opts), len(fields), len(keys_txt.splitlines()), len(cols)))
PY
