#!/bin/sh
# Regenerate the autotools build files (configure, Makefile.in) from
# configure.ac and Makefile.am. Run once after a fresh clone.
set -e
cd "$(dirname "$0")"
autoreconf --install --force "$@"
