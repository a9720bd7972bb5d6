#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""kernel_report.py: section 5 of the bench report (kernel datapath, from
bench/kernel_dp.sh's results) and its row in the targets table.

bench/report.py imports it for a full report.  On its own it merges a
kernel-only run into an existing report, leaving everything else as it was:

    kernel_report.py --merge REPORT.md RESULTS_DIR COMMIT

replaces the text from "## 5. Kernel datapath" up to "## 6." and the
targets row "kernel datapath at the kernel's ESP speed" (bench/run does
this when BENCH_ONLY=kernel and the report exists).

The verdict: the two clients' throughput is compared test by test (median
of the rounds each); the noise of a test is the larger of the two clients'
spreads over their rounds, (max - min) / median.  "met" when every test's
ratio p2s / strongSwan is within 1.0 +- its noise, "NOT met" otherwise.
"""
import math
import os
import sys

from reportlib import iperf_rate, med, ratio, rng

TARGET = 'kernel datapath at the kernel\'s ESP speed'
TESTS = (('tcp-up', 'TCP upload'), ('tcp-down', 'TCP download'),
         ('udp-up', 'UDP upload'))
CLIENTS = (('p2s', 'p2s'), ('sw', 'strongSwan'))


def _lines(res, name):
    p = os.path.join(res, name)
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return [line.split() for line in f if line.strip()]


def _params(res):
    par = {}
    for w in _lines(res, 'kernel-params.txt'):
        par[w[0]] = ' '.join(w[1:])
    return par


def spread(xs):
    """(max - min) / median of the rounds: how much one client varies."""
    m = med(xs)
    return (max(xs) - min(xs)) / m if xs and m else float('nan')


def _collect(res):
    """{(who, test): [(round, Mbit/s, bytes, loss %, client ms, stat)]}."""
    acct = {}
    for w in _lines(res, 'kernel-traffic.txt'):
        acct[(w[0], w[1], w[2])] = w[3:]
    data = {}
    for (who, test, r), a in sorted(acct.items()):
        rate = iperf_rate(os.path.join(
            res, 'iperf.kernel.%s.%s.%s.json' % (who, test, r)))
        if rate is None:
            continue
        data.setdefault((who, test), []).append(
            (int(r), rate[0], rate[1], rate[2], int(a[0]) / 1e6, int(a[1]),
             [int(x) for x in a[2:10]]))
    return data


def _cpu(stat, clk):
    """(busy CPU s, sys+irq+softirq share %, busy share %) of /proc/stat
    deltas: user nice system idle iowait irq softirq steal."""
    total = sum(stat)
    busy = total - stat[3] - stat[4]
    sys_ = stat[2] + stat[5] + stat[6]
    return busy / clk, 100.0 * sys_ / total if total else float('nan'), \
        100.0 * busy / total if total else float('nan')


def section(res, commit=None):
    """The section's lines (Markdown) and the targets row as (target,
    verdict, detail)."""
    data = _collect(res)
    out = ['## 5. Kernel datapath', '']
    p = out.append
    if not any(('p2s', t) in data and ('sw', t) in data for t, _ in TESTS):
        p('Not measured in this run: the kernel datapath benchmark runs in '
          'the kernel lab (`BENCH_ONLY=kernel bench/run`; this host\'s '
          'kernel has no ESP).')
        p('')
        return out, (TARGET, 'not measured', 'not in this run')
    par = _params(res)
    clk = float(par.get('clk_tck', '100'))
    sa = {}
    for w in _lines(res, 'kernel-sa.txt'):
        sa.setdefault(w[0], set()).add('%s, %s' % (
            w[2], 'ESP in UDP' if w[3] == 'espinudp' else w[3]))
    p('Measured in the kernel lab (tests/kernel-lab: QEMU TCG, %s vCPUs, '
      'Debian\'s kernel %s) by `bench/kernel_dp.sh`%s, %s UTC, all in one '
      'guest boot: one strongSwan 5.9.8 responder with kernel-netlink (the '
      'guest kernel\'s ESP) behind the harness\'s NAT (`--nat '
      'masquerade`, so ESP in UDP), and in the client namespace either '
      'p2sd (`datapath: kernel`: XFRM interface, states and policies with '
      'if_id) or strongSwan\'s own client (charon-systemd with '
      'kernel-netlink: policies, routes in table 220), EAP-TLS, %s rounds, '
      'each round one session of each client, the order swapped every '
      'round.  Per session: iperf3 TCP upload and download (%s s each) and '
      'UDP upload (%s s, %sbit/s offered, 1300-byte datagrams) from the '
      'client namespace to the VNet host.  Guest load average before: '
      '`%s`, after: `%s`.' % (
          par.get('cpus', '?'), par.get('kernel', '?'),
          ' (driven by `BENCH_ONLY=kernel bench/run` at commit `%s`)' % commit
          if commit else '', par.get('date', '?'), par.get('rounds', '?'),
          par.get('t_tcp', '?'), par.get('t_udp', '?'),
          par.get('udp_rate', '?'), par.get('load_before', '?'),
          par.get('load_after', '?')))
    p('')
    p('**Under TCG the absolute numbers are low**: the guest\'s every '
      'instruction, AES-GCM included, is emulated on a host shared with '
      'other work, so Mbit/s here say nothing about real hardware.  Both '
      'clients hand ESP to the same kernel and the ratio p2s / '
      'strongSwan is what counts.  Client CPU = the client process\'s CPU '
      '(all threads, schedstat) during the test: with the kernel doing ESP '
      'it should be near zero for both.  Guest CPU = the guest\'s '
      '/proc/stat over the test (all vCPUs; includes iperf3 at both ends '
      'and the responder\'s ESP, the same for both clients): busy CPU '
      'seconds per GB received, and the share of the guest\'s CPU time '
      'that was system + irq + softirq (where ESP runs).  ESP bytes = the '
      'client\'s XFRM states\' byte counters over the test divided by the '
      'bytes iperf3 received (about 1 or more: the traffic went through '
      'the kernel\'s states).')
    p('')
    p('| test | client | Mbit/s | client CPU ms | guest CPU s/GB | guest '
      'sys+irq+softirq % | ESP bytes / received | UDP loss % |')
    p('|---|---|---|---|---|---|---|---|')
    ratios = []
    for test, label in TESTS:
        for who, name in CLIENTS:
            rows = data.get((who, test), [])
            if not rows:
                continue
            cpu = [_cpu(x[6], clk) for x in rows]
            p('| %s | %s | %s | %s | %s | %s | %s | %s |' % (
                label, name, rng([x[1] for x in rows], '%.1f'),
                rng([x[4] for x in rows], '%.2f'),
                rng([c[0] / (x[2] / 1e9) for c, x in zip(cpu, rows)
                     if x[2] > 0], '%.1f'),
                rng([c[1] for c in cpu], '%.0f'),
                rng([x[5] / x[2] for x in rows if x[2] > 0], '%.2f'),
                rng([x[3] for x in rows], '%.1f')
                if test.startswith('udp') else ''))
        a = [x[1] for x in data.get(('p2s', test), [])]
        b = [x[1] for x in data.get(('sw', test), [])]
        if a and b:
            per_round = {x[0]: x[1] for x in data[('sw', test)]}
            pr = [x[1] / per_round[x[0]] for x in data[('p2s', test)]
                  if per_round.get(x[0])]
            ratios.append((label, ratio(med(a), med(b)),
                           max(spread(a), spread(b)), pr))
    p('')
    p('| test | ratio p2s / strongSwan (medians) | ratios round by round '
      '| noise: larger spread of the two clients\' rounds | within the '
      'noise of 1.0 |')
    p('|---|---|---|---|---|')
    for label, r, noise, pr in ratios:
        p('| %s | %.2f | %s | %.0f%% | %s |' % (
            label, r, ', '.join('%.2f' % x for x in pr), 100 * noise,
            'yes' if abs(r - 1) <= noise else 'no'))
    p('')
    pairs = [x for _, _, _, pr in ratios for x in pr]
    gmean = math.exp(sum(math.log(x) for x in pairs) / len(pairs)) \
        if pairs and min(pairs) > 0 else float('nan')
    if pairs:
        p('All tests pooled: the geometric mean of the %d round-by-round '
          'ratios is %.2f [%.2f-%.2f]; p2s was ahead in %d of them, behind '
          'in %d.  Per test, p2s was ahead in %s of %s rounds.' % (
              len(pairs), gmean, min(pairs), max(pairs),
              sum(x > 1 for x in pairs), sum(x < 1 for x in pairs),
              ', '.join('%d (%s)' % (sum(x > 1 for x in pr), lb)
                        for lb, _, _, pr in ratios),
              par.get('rounds', '?')))
        p('')
    p('ESP each client used (from its XFRM states): %s.' % '; '.join(
        '%s: %s' % (name, ' / '.join(sorted(sa.get(who, {'?'}))))
        for who, name in CLIENTS))
    p('')
    p('How the noise is judged: a test\'s noise is the larger of the two '
      'clients\' spreads, (max - min) / median of its %s rounds; the '
      'target is met when every test\'s median ratio is within 1.0 +- its '
      'noise.  With this few rounds under TCG on a shared host the spread '
      'is a rough measure; the round-by-round ratios (each pair ran back '
      'to back) show how far a single comparison can swing.'
      % par.get('rounds', '?'))
    p('')
    ok = all(abs(r - 1) <= noise for _, r, noise, _ in ratios)
    p2s_ms = med([x[4] for t, _ in TESTS for x in data.get(('p2s', t), [])])
    sw_ms = med([x[4] for t, _ in TESTS for x in data.get(('sw', t), [])])
    prefix = ''
    if ok and ratios:
        prefix = ('equal within the noise, which is %.0f-%.0f%% here (see '
                  'section 5); ' % (100 * min(n for _, _, n, _ in ratios),
                                    100 * max(n for _, _, n, _ in ratios)))
    detail = prefix + (
        'in the kernel lab under TCG (the ratio counts, not the Mbit/s): '
        'p2s / strongSwan (kernel-netlink) %s; median client CPU per test '
        'p2s %.2f ms, strongSwan %.2f ms' % (
            ', '.join('%s %.2f (noise %.0f%%)' % (lb, r, 100 * n)
                      for lb, r, n, _ in ratios), p2s_ms, sw_ms))
    if pairs:
        detail += '; all %d paired rounds pooled: geometric mean %.2f' % (
            len(pairs), gmean)
    return out, (TARGET, 'met' if ok else 'NOT met', detail)


def row(v):
    return '| %s | **%s** | %s |' % v


def merge(report, res, commit):
    with open(report) as f:
        text = f.read()
    i = text.find('## 5. Kernel datapath')
    j = text.find('## 6.', i)
    if i < 0 or j < 0:
        sys.exit('kernel_report.py: %s has no "## 5. Kernel datapath" '
                 'followed by "## 6.": run the whole bench instead' % report)
    lines, v = section(res, commit)
    text = text[:i] + '\n'.join(lines) + '\n' + text[j:]
    key = '| %s |' % TARGET
    out = [row(v) if line.startswith(key) else line
           for line in text.split('\n')]
    if not any(line.startswith(key) for line in text.split('\n')):
        sys.exit('kernel_report.py: %s has no targets row "%s"'
                 % (report, TARGET))
    with open(report, 'w') as f:
        f.write('\n'.join(out))


if __name__ == '__main__':
    if len(sys.argv) != 5 or sys.argv[1] != '--merge':
        sys.exit('usage: kernel_report.py --merge REPORT.md RESULTS_DIR '
                 'COMMIT')
    merge(*sys.argv[2:5])
