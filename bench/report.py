#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""report.py: turn bench/run's raw results into the Markdown report.

Usage: report.py RESULTS_DIR TOTAL_S ROUNDS T_TCP T_UDP T_FLOOD UDP_RATE
                 FLOOD_RATE T_LONG COMMIT

Reads connect.txt, mem.txt, traffic-cpu.txt, iperf.*.json, routes.txt,
ipbatch.txt and load-*.txt from RESULTS_DIR (see bench/run) and prints the
report on stdout.  Medians everywhere; [min-max] next to them.  The
design.md section 7 verdicts are computed here from the same medians and
say "met", "NOT met" or "not measured" -- nothing is hidden or rounded in
p2s's favour.
"""
import glob
import os
import sys

from reportlib import iperf_rate, med, ratio, rng
import kernel_report

res, total_s, rounds, t_tcp, t_udp, t_flood, udp_rate, flood_rate, \
    t_long, commit = sys.argv[1:11]


def read_lines(name):
    p = os.path.join(res, name)
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return [l.split() for l in f if l.strip()]


# ---- connect ----
conn = {}      # (client, case) -> list of dicts
launch = []
for w in read_lines('connect.txt'):
    if w[0] == 'launch':
        launch.append(int(w[1]) / 1e6)
        continue
    d = dict(kv.split('=', 1) for kv in w[2:])
    conn.setdefault((w[0], w[1]), []).append(d)
launch_ms = med(launch) if launch else 0.0


def col(client, case, key, f=float):
    return [f(d[key]) for d in conn.get((client, case), [])]


def cpu_ms(client, case):
    return [int(d['cpu_ns']) / 1e6 for d in conn.get((client, case), [])]


def wall_ms(client, case):
    return [(float(d['t_last']) - float(d['t0'])) * 1e3
            for d in conn.get((client, case), []) if float(d['t0']) > 0]


def wire_ms(client, case):
    return [(float(d['t_last']) - float(d['t_first'])) * 1e3
            for d in conn.get((client, case), [])]


def think_ms(client, case):
    return [float(d['think_ms']) for d in conn.get((client, case), [])
            if 'think_ms' in d]


def rtt_str(client, case):
    r = col(client, case, 'rtt', int)
    if not r:
        return 'n/a'
    s = str(sorted(set(r))[0]) if len(set(r)) == 1 else \
        '%g [%d-%d]' % (med(r), min(r), max(r))
    return s


def frag_str(client, case):
    f = col(client, case, 'frag_dgrams', int)
    x = col(client, case, 'retx', int)
    d = col(client, case, 'dgrams', int)
    if not f:
        return 'n/a'
    return '%g / %g / %g' % (med(d), med(f), med(x))


out = []
p = out.append
load_b = open(os.path.join(res, 'load-before.txt')).read().strip() \
    if os.path.exists(os.path.join(res, 'load-before.txt')) else '?'
load_a = open(os.path.join(res, 'load-after.txt')).read().strip() \
    if os.path.exists(os.path.join(res, 'load-after.txt')) else '?'

p('# p2s benchmark report (p2s vs strongSwan\'s client, same responder)')
p('')
p('Produced by `bench/run` (see bench/README.md) at commit `%s` (p2sd is '
  'the one in the build directory given to bench/run, built from the '
  'working tree, which on a shared tree can hold others\' uncommitted '
  'work), %s rounds '
  'per connect case, total run time %s s.  Both clients ran in the same '
  'run against the same strongSwan 5.9.8 responder (charon-systemd, '
  'kernel-libipsec) in network namespaces, alternating round by round. '
  'The strongSwan client is the harness\'s reference client '
  '(charon-systemd with kernel-libipsec, log level 1).' %
  (commit, rounds, total_s))
p('')
p('**The machine was busy.** 2 vCPUs shared with other engineers\' builds and '
  'tests during the run; load before: `%s`; after: `%s`. Round trips and '
  'memory do not depend on load; CPU times are inflated a little by cache '
  'and scheduler contention; wall times and throughput can be much worse '
  'than on an idle machine and vary from round to round, which is why the '
  'clients alternate and medians are given.' % (load_b, load_a))
p('')

verdicts = []


def verdict(target, ok, detail):
    if ok is None:
        verdicts.append((target, 'not measured', detail))
    else:
        verdicts.append((target, 'met' if ok else 'NOT met', detail))


p('## 1. Connect')
p('')
p('Round trips = distinct IKE requests the client sent (tcpdump on the '
  'client\'s link in the client namespace, parsed by bench/ikepcap.py: '
  'a request sent as several RFC 7383 fragments counts once, a '
  'byte-identical retransmit counts zero).  "datagrams / fragments / '
  'retransmits" are the client\'s IKE datagrams to the gateway.  CPU = '
  'user+sys of the client process, all threads (schedstat, ns '
  'resolution), from connect start until the tunnel is installed: for '
  'p2sd the whole process from exec to the "-> established" log line '
  '(so it includes start-up, reading the profile and loading the '
  'credentials, which strongSwan\'s client did before the connect), minus '
  'nothing; for strongSwan the charon delta around `swanctl --initiate`. '
  '"cold" = p2sd\'s first connect, process start included; strongSwan\'s '
  'first `swanctl --initiate` after its daemon started and loaded its '
  'configuration.  "warm" = the next connect of the same running client: '
  'for p2sd the gateway deletes the IKE SA (`swanctl --terminate` on the '
  'responder) and p2sd (reconnect: always) connects again by itself after '
  'its 1 s back-off, CPU counted from just before the DELETE (so it also '
  'pays for the DELETE and tearing the tunnel down); for strongSwan a '
  'second `swanctl --initiate` after `--terminate`.  '
  'Wall = from the start command (p2sd spawn / swanctl) to the gateway\'s '
  'last IKE datagram; wire = the client\'s first IKE request to the '
  'gateway\'s last IKE datagram; client think = the part of the wire '
  'time between a gateway datagram and the client\'s next request (the '
  'rest is the gateway\'s own time, which on this busy machine varies '
  'most).')
p('')
p('| case | client | round trips | IKE_SA_INIT | datagrams / fragments / retransmits | CPU ms | wall ms | wire ms | client think ms |')
p('|---|---|---|---|---|---|---|---|---|')
cases = [('eap-tls', 'EAP-TLS (TLS 1.2, EAP frag 1024, EAP identity asked): cold'),
         ('eap-tls-warm', 'EAP-TLS: warm (second connect of a running client)'),
         ('pubkey', 'pubkey: cold'),
         ('pubkey-warm', 'pubkey: warm'),
         ('ike-first', 'EAP-TLS, gateway takes only MODP-2048: first connect'),
         ('ike-reconnect', 'same, reconnect after the gateway deleted the IKE SA')]
for case, label in cases:
    for client, name in (('p2s', 'p2s'), ('sw', 'strongSwan')):
        if (client, case) not in conn:
            continue
        w = wall_ms(client, case)
        p('| %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
            label, name, rtt_str(client, case),
            '%g' % med(col(client, case, 'init', int)),
            frag_str(client, case), rng(cpu_ms(client, case), '%.1f'),
            rng(w, '%.0f') if w else 'n/a (p2sd reconnects by itself 1 s '
            'after the DELETE; see wire)',
            rng(wire_ms(client, case), '%.0f'),
            rng(think_ms(client, case), '%.1f')))
p('')
p('Ratios p2s / strongSwan (medians):')
p('')
p('| case | round trips | CPU | wall | wire | client think |')
p('|---|---|---|---|---|---|')
for case, label in cases:
    if ('p2s', case) not in conn or ('sw', case) not in conn:
        continue
    p('| %s | %.2f | %.2f | %s | %.2f | %.2f |' % (
        label,
        ratio(med(col('p2s', case, 'rtt', int)), med(col('sw', case, 'rtt', int))),
        ratio(med(cpu_ms('p2s', case)), med(cpu_ms('sw', case))),
        '%.2f' % ratio(med(wall_ms('p2s', case)), med(wall_ms('sw', case)))
        if wall_ms('p2s', case) else 'n/a',
        ratio(med(wire_ms('p2s', case)), med(wire_ms('sw', case))),
        ratio(med(think_ms('p2s', case)), med(think_ms('sw', case)))))
p('')
if launch:
    p('p2sd\'s CPU above includes `ip netns exec` + `env` before p2sd\'s '
      'main() (the PID is the same across the execs): measured separately '
      'as %.1f ms (median of %d).  Without it, p2sd\'s EAP-TLS connect is '
      '%.1f ms.' % (launch_ms, len(launch),
                    med(cpu_ms('p2s', 'eap-tls')) - launch_ms
                    if ('p2s', 'eap-tls') in conn else float('nan')))
    p('')

if ('p2s', 'eap-tls') in conn:
    r = med(col('p2s', 'eap-tls', 'rtt', int))
    verdict('EAP-TLS connect in 8 round trips', r <= 8,
            'p2s %g, strongSwan %g' % (r, med(col('sw', 'eap-tls', 'rtt', int))))
    c_p, c_s = med(cpu_ms('p2s', 'eap-tls')), med(cpu_ms('sw', 'eap-tls'))
    verdict('client CPU per connect at most half of strongSwan\'s (EAP-TLS, '
            'cold: p2sd\'s process start included)',
            c_p <= c_s / 2, 'p2s %.1f ms, strongSwan %.1f ms: '
            'ratio %.2f' % (c_p, c_s, ratio(c_p, c_s)))
if ('p2s', 'eap-tls-warm') in conn:
    c_p = med(cpu_ms('p2s', 'eap-tls-warm'))
    c_s = med(cpu_ms('sw', 'eap-tls-warm'))
    verdict('client CPU per connect at most half of strongSwan\'s (EAP-TLS, '
            'warm)', c_p <= c_s / 2, 'p2s %.1f ms, strongSwan %.1f ms: '
            'ratio %.2f' % (c_p, c_s, ratio(c_p, c_s)))
    r = med(col('p2s', 'eap-tls-warm', 'rtt', int))
    verdict('EAP-TLS reconnect resumes TLS: 6 round trips', r <= 6,
            'p2s %g round trips on a warm reconnect: p2s offers its last '
            'session, but strongSwan\'s EAP-TLS server keeps no TLS session '
            'cache (its eap-tls plugin makes the TLS stack without one), so '
            'it never resumes; against an OpenSSL EAP-TLS server that does, '
            'p2s reconnects in 6 (test_ike_engine, test_eap_resumed)' % r)
if ('p2s', 'pubkey') in conn:
    r = med(col('p2s', 'pubkey', 'rtt', int))
    verdict('pubkey connect in 2 round trips', r <= 2, 'p2s %g, strongSwan %g'
            % (r, med(col('sw', 'pubkey', 'rtt', int))))
    for case, what in (('pubkey', 'cold'), ('pubkey-warm', 'warm')):
        if ('p2s', case) not in conn:
            continue
        c_p, c_s = med(cpu_ms('p2s', case)), med(cpu_ms('sw', case))
        verdict('client CPU per connect at most half of strongSwan\'s '
                '(pubkey, %s)' % what, c_p <= c_s / 2,
                'p2s %.1f ms, strongSwan %.1f ms: ratio %.2f'
                % (c_p, c_s, ratio(c_p, c_s)))
if ('p2s', 'ike-reconnect') in conn:
    i = med(col('p2s', 'ike-reconnect', 'init', int))
    verdict('no INVALID_KE round trip on a reconnect (group remembered)',
            i == 1, 'p2s sends %g IKE_SA_INIT on the reconnect (within one '
            'p2sd run; across a restart p2sd remembers it in its state file, '
            'tested by test_p2sd_dh_state.sh, not measured here), '
            'strongSwan %g' % (i, med(col('sw', 'ike-reconnect', 'init', int))))

# ---- memory ----


def smaps_top(path, n=8):
    """The n mappings (by name) with the most private memory, kB."""
    if not os.path.exists(path):
        return []
    by = {}
    name = None
    with open(path) as f:
        for line in f:
            w = line.split()
            if '-' in w[0] and len(w) >= 5 and not w[0].endswith(':'):
                name = os.path.basename(w[5]) if len(w) > 5 else '[anon]'
            elif w[0] in ('Private_Clean:', 'Private_Dirty:'):
                by[name] = by.get(name, 0) + int(w[1])
    top = sorted(by.items(), key=lambda kv: -kv[1])
    rest = sum(v for _, v in top[n:])
    out = [(k, str(v)) for k, v in top[:n] if v > 0]
    out.append(('(all others)', str(rest)))
    return out

mem = {}
for w in read_lines('mem.txt'):
    mem[(w[0], w[1])] = tuple(int(x) for x in w[2:6]) + (0,) * (6 - len(w))
if mem:
    p('## 2. Memory')
    p('')
    p('VmRSS from /proc/PID/status; private = Private_Clean + Private_Dirty '
      'from /proc/PID/smaps_rollup (memory no other process shares).  '
      '"idle": strongSwan\'s client started and configuration loaded; p2sd '
      'started, profile and credentials loaded, its IKE_SA_INIT held back '
      'by an nftables drop rule for 1.5 s.  "tunnel up": 1 s after the '
      'tunnel came up, no traffic yet.  "after traffic k": after round k '
      'of the throughput tests below (%s s TCP up, %s s TCP down, %s s UDP '
      'at %sbit/s offered), each round a new session.  "after %s s '
      'traffic": the last round\'s session continued with a TCP upload '
      'until it had carried %s s of traffic.  Flood: iperf3 -u -b %s -l 1300 for %s s through the '
      'tunnel, RSS sampled every 0.5 s; "after flood" 2 s after it ended.'
      % (t_tcp, t_tcp, t_udp, udp_rate, t_long, t_long, flood_rate, t_flood))
    p('')
    p('| state | p2s RSS kB | p2s private kB | p2s private dirty kB | p2s threads | strongSwan RSS kB | strongSwan private kB | strongSwan private dirty kB | strongSwan threads | RSS ratio | private ratio | private dirty ratio |')
    p('|---|---|---|---|---|---|---|---|---|---|---|---|')
    states = ['idle', 'tunnel-up'] + sorted(
        {k[1] for k in mem if k[1].startswith('after-traffic')}) + \
        ['after-%ss-traffic' % t_long, 'flood-peak', 'after-flood']
    for s in states:
        a, b = mem.get(('p2s', s)), mem.get(('sw', s))
        if not a or not b:
            continue
        if s == 'flood-peak':
            p('| flood, peak RSS | %d | | | | %d | | | | %.2f | | |' %
              (a[0], b[0], ratio(a[0], b[0])))
            continue
        p('| %s | %d | %d | %d | %d | %d | %d | %d | %d | %.2f | %.2f | %.2f |' % (
            s, a[0], a[1], a[3], a[2], b[0], b[1], b[3], b[2],
            ratio(a[0], b[0]), ratio(a[1], b[1]), ratio(a[3], b[3])))
    p('')
    tops = {who: smaps_top(os.path.join(res, 'smaps.' + who))
            for who in ('p2s', 'sw')}
    if tops['p2s'] and tops['sw']:
        p('Where the private memory is, tunnel up (largest mappings, '
          'Private_Clean + Private_Dirty, kB):')
        p('')
        p('| p2s mapping | kB | strongSwan mapping | kB |')
        p('|---|---|---|---|')
        for i in range(max(len(tops['p2s']), len(tops['sw']))):
            a = tops['p2s'][i] if i < len(tops['p2s']) else ('', '')
            b = tops['sw'][i] if i < len(tops['sw']) else ('', '')
            p('| %s | %s | %s | %s |' % (a[0], a[1], b[0], b[1]))
        p('')
    a, b = mem.get(('p2s', 'tunnel-up')), mem.get(('sw', 'tunnel-up'))
    if a and b:
        verdict('private memory with a tunnel up at most 1/4 of strongSwan\'s',
                a[1] * 4 <= b[1], 'p2s %d kB, strongSwan %d kB: ratio %.2f'
                % (a[1], b[1], ratio(a[1], b[1])))
        verdict('(same, private dirty only: see section 2)',
                a[3] * 4 <= b[3], 'p2s %d kB, strongSwan %d kB: ratio %.2f'
                % (a[3], b[3], ratio(a[3], b[3])))
        verdict('resident memory with a tunnel up below strongSwan\'s',
                a[0] < b[0], 'p2s %d kB, strongSwan %d kB' % (a[0], b[0]))
    a, b = mem.get(('p2s', 'flood-peak')), mem.get(('sw', 'flood-peak'))
    if a and b:
        t = mem.get(('p2s', 'tunnel-up'), (0,))[0]
        verdict('bounded memory under a flood', a[0] < t + 8192,
                'p2s peak %d kB (tunnel up: %d kB), strongSwan peak %d kB'
                % (a[0], t, b[0]))

# ---- throughput ----


cpu_t = {}
for w in read_lines('traffic-cpu.txt'):
    cpu_t[(w[0], w[1], w[2])] = int(w[3])
if cpu_t:
    p('## 3. Userspace datapath throughput')
    p('')
    p('iperf3 from the client namespace to the VNet host (10.1.0.4) '
      'through the tunnel; p2sd\'s userspace datapath (TUN + ESP in UDP in '
      'p2sd) vs strongSwan\'s kernel-libipsec client, the same ESP proposal '
      '(AES-256-GCM) chosen by the same responder (itself kernel-libipsec, '
      'so the responder\'s userspace ESP is in the path for both and may be '
      'the bottleneck).  Mbit/s received (UDP: at the receiver); CPU per '
      'GB = client CPU during the test / GB received.  iperf3 runs on the '
      'same 2 vCPUs.')
    p('')
    p('| test | p2s Mbit/s | strongSwan Mbit/s | ratio | p2s CPU s/GB | strongSwan CPU s/GB | CPU ratio | UDP loss p2s / strongSwan |')
    p('|---|---|---|---|---|---|---|---|')
    for t, label in (('tcp-up', 'TCP upload'), ('tcp-down', 'TCP download'),
                     ('udp-up', 'UDP upload, %sbit/s offered' % udp_rate)):
        row = {}
        for who in ('p2s', 'sw'):
            rates, cpgb, loss = [], [], []
            for f in sorted(glob.glob(os.path.join(res, 'iperf.%s.%s.*.json' % (who, t)))):
                k = f.rsplit('.', 2)[1]
                r = iperf_rate(f)
                if r is None:
                    continue
                rates.append(r[0])
                loss.append(r[2])
                c = cpu_t.get((who, t, k))
                if c is not None and r[1] > 0:
                    cpgb.append(c / 1e9 / (r[1] / 1e9))
            row[who] = (rates, cpgb, loss)
        pr, sr = row['p2s'], row['sw']
        p('| %s | %s | %s | %.2f | %s | %s | %.2f | %s |' % (
            label, rng(pr[0], '%.0f'), rng(sr[0], '%.0f'),
            ratio(med(pr[0]), med(sr[0])), rng(pr[1], '%.2f'),
            rng(sr[1], '%.2f'), ratio(med(pr[1]), med(sr[1])),
            '%.1f%% / %.1f%%' % (med(pr[2]), med(sr[2])) if t.startswith('udp') else ''))
        tp = ratio(med(pr[0]), med(sr[0]))
        verdict('userspace datapath at least 1.5x strongSwan\'s '
                'kernel-libipsec client (%s)' % label, tp >= 1.5,
                'p2s %.0f Mbit/s, strongSwan %.0f: ratio %.2f'
                % (med(pr[0]), med(sr[0]), tp))
    fl = {}
    for who in ('p2s', 'sw'):
        r = iperf_rate(os.path.join(res, 'iperf.%s.flood.json' % who))
        if r:
            fl[who] = r
    if len(fl) == 2:
        p('| UDP flood, %sbit/s offered, %s s | %.0f | %.0f | %.2f | | | | %.1f%% / %.1f%% |' % (
            flood_rate, t_flood, fl['p2s'][0], fl['sw'][0],
            ratio(fl['p2s'][0], fl['sw'][0]), fl['p2s'][2], fl['sw'][2]))
    p('')

# ---- routes ----
routes = read_lines('routes.txt')
if routes:
    ipb = {}
    for n, us in read_lines('ipbatch.txt'):
        ipb.setdefault(n, []).append(int(us) / 1e3)
    p('## 4. Route scale')
    p('')
    p('bench/route_scale: in a private network namespace, N distinct /24 '
      'prefixes through a TUN link, installed the way the userspace '
      'datapath does it (one netlink batch of RTM_NEWROUTE replace '
      'requests, protocol 162, every ACK collected), checked by a dump, '
      'deleted in one batch; 7 rounds, median [min-max].  For reference, '
      'iproute2 `ip -batch` with the same prefixes on a TUN link made by '
      '`ip tuntap` (the time includes starting `ip`).')
    p('')
    p('| prefixes | p2s install ms | p2s delete ms | `ip -batch` install ms |')
    p('|---|---|---|---|')
    for n, m, lo, hi, d in routes:
        p('| %s | %s [%s-%s] | %s | %s |' % (
            n, m, lo, hi, d, rng(ipb.get(n, []), '%.1f')))
        if n == '1000':
            verdict('1,000 route prefixes installed in under 100 ms',
                    float(m) < 100, '%s ms median, %s ms worst' % (m, hi))
    p('')

kernel_lines, kernel_verdict = kernel_report.section(res)
out.extend(kernel_lines)
verdicts.append(kernel_verdict)

p('## 6. design.md section 7 targets')
p('')
p('| target | verdict | measured |')
p('|---|---|---|')
for t, v, d in verdicts:
    p('| %s | **%s** | %s |' % (t, v, d))
p('')
print('\n'.join(out))
