#!/bin/sh
# test_p2sd_kernel_netwatch_lab.sh: test_p2sd_kernel_netwatch.sh inside
# the kernel lab (a QEMU guest booting Debian's kernel,
# tests/kernel-lab/README.md), where the kernel has ESP, ESP in UDP and
# XFRM interfaces: network changes on p2sd's kernel datapath.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
export top_srcdir top_builddir
[ -x "$top_builddir/p2sd" ] || { echo "$top_builddir/p2sd: not built" >&2; exit 99; }
exec "$top_srcdir/tests/kernel-lab/run" --timeout 1500 -- \
	sh -c '"$0" && exec bash "$1"' "$top_srcdir/tests/kernel-lab/preload" \
	"$top_srcdir/tests/integration/kernel/test_p2sd_kernel_netwatch.sh"
