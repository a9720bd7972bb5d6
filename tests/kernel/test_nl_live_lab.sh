#!/bin/sh
# test_nl_live_lab.sh: tests/unit/test_nl_live inside the kernel lab (a
# QEMU guest booting Debian's kernel, tests/kernel-lab/README.md), with
# --esp: there the kernel has ESP, AES-GCM, ESP in UDP and XFRM interfaces,
# and the test installs real states behind an XFRM interface, reads the
# ESP packets back and checks counters and EXPIRE events.  On the host the
# same binary runs without them (its own entry in TESTS).
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
bin=$top_builddir/tests/unit/test_nl_live
[ -x "$bin" ] || { echo "$bin: not built" >&2; exit 99; }
# Debian builds TUN as a module, and the guest has no udev to make
# /dev/net/tun before something loads it.
exec "$top_srcdir/tests/kernel-lab/run" --timeout 600 -- \
	sh -c '"$1" && exec "$0" --esp' "$bin" "$top_srcdir/tests/kernel-lab/preload"
