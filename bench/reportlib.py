# SPDX-License-Identifier: ISC
"""reportlib.py: what bench/report.py and bench/kernel_report.py share:
medians with their range, ratios, and iperf3's JSON read."""
import json
import statistics


def med(xs):
    return statistics.median(xs) if xs else float('nan')


def rng(xs, fmt):
    if not xs:
        return 'n/a'
    return (fmt + ' [' + fmt + '-' + fmt + ']') % (med(xs), min(xs), max(xs))


def ratio(a, b):
    return a / b if b else float('nan')


def iperf_rate(path):
    """(Mbit/s received, bytes received, loss %) from iperf3 JSON."""
    try:
        with open(path) as f:
            j = json.load(f)
    except (OSError, ValueError):
        return None
    e = j.get('end', {})
    if 'sum_received' in e and 'sum' not in e:       # TCP
        s = e['sum_received']
        return s['bits_per_second'] / 1e6, s['bytes'], 0.0
    s = e.get('sum', {})
    if 'lost_percent' in s:                           # UDP
        recv = e.get('sum_received')
        if recv and recv.get('bytes'):
            return recv['bits_per_second'] / 1e6, recv['bytes'], \
                s['lost_percent']
        got = s['bytes'] * (1 - s['lost_percent'] / 100)
        return got * 8 / s['seconds'] / 1e6, got, s['lost_percent']
    if 'sum_received' in e:
        s = e['sum_received']
        return s['bits_per_second'] / 1e6, s['bytes'], 0.0
    return None
