#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""ikepcap.py: count a client's IKE round trips in a tcpdump capture.

Usage: ikepcap.py PCAP CLIENT_ADDR GATEWAY_ADDR

Reads a classic pcap (Ethernet or Linux cooked) taken on the client's link
and prints one line of KEY=VALUE pairs:

  rtt          distinct IKE requests the client sent: the round trips
  init         of those, IKE_SA_INIT requests (2 = one INVALID_KE/COOKIE)
  auth         of those, IKE_AUTH requests
  dgrams       IKE datagrams client -> gateway (requests and responses)
  frag_dgrams  of those, RFC 7383 fragments (SKF)
  retx         datagrams identical to one sent before (retransmits)
  resp         IKE responses the client received (distinct messages)
  t_first      time of the client's first IKE request (epoch s)
  t_last       time of the last IKE datagram from the gateway (epoch s)
  think_ms     client think time: the sum, over the client's requests, of
               the time from the gateway's response datagram just before
               it to the request (the rest of the wire time is the gateway's and the
               network's)

How requests are counted: UDP 500, and UDP 4500 behind the non-ESP marker
(RFC 3948; keepalives and ESP are skipped).  A request is a message
without the Response flag.  Fragments of one message share its SPIs and
Message ID, so a request sent as 2 fragments counts once.  Two
IKE_SA_INIT requests (SPIr zero, Message ID 0) are told apart by their
contents: the retry after INVALID_KE_PAYLOAD carries another KE payload.
A datagram byte-for-byte identical to an earlier one is a retransmit and
adds no round trip.
"""
import socket
import struct
import sys

IKE_SA_INIT, IKE_AUTH = 34, 35
FLAG_RESPONSE = 0x20
NP_SKF = 53


def packets(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        end = '<'
    else:
        end = '>'
        magic = struct.unpack('>I', data[:4])[0]
    nano = magic == 0xa1b23c4d
    linktype = struct.unpack(end + 'I', data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(end + 'IIII', data[off:off + 16])
        off += 16
        frame = data[off:off + caplen]
        off += caplen
        ts = sec + frac / (1e9 if nano else 1e6)
        if linktype == 1:        # Ethernet
            etype = struct.unpack('>H', frame[12:14])[0]
            ip = frame[14:]
        elif linktype == 113:    # Linux cooked (any)
            etype = struct.unpack('>H', frame[14:16])[0]
            ip = frame[16:]
        else:
            raise SystemExit('ikepcap: link type %d not handled' % linktype)
        if etype != 0x0800 or len(ip) < 20 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
        udp = ip[ihl:]
        sport, dport = struct.unpack('>HH', udp[:4])
        yield ts, src, dst, sport, dport, udp[8:]


def ike_of(sport, dport, payload):
    """The IKE message in a datagram, or None (ESP, keepalive, other)."""
    if 4500 in (sport, dport):
        if len(payload) < 4 or payload[:4] != b'\0\0\0\0':
            return None
        payload = payload[4:]
    elif 500 not in (sport, dport):
        return None
    return payload if len(payload) >= 28 else None


def main():
    path, client, gw = sys.argv[1:4]
    seen_dgram = set()
    requests = set()
    responses = set()
    c = dict(rtt=0, init=0, auth=0, dgrams=0, frag_dgrams=0, retx=0, resp=0)
    t_first = t_last = 0.0
    think = 0.0
    t_gw = None     # the gateway's last datagram so far
    for ts, src, dst, sport, dport, pl in packets(path):
        ike = ike_of(sport, dport, pl)
        if ike is None:
            continue
        spii, spir = ike[0:8], ike[8:16]
        np, exch, flags = ike[16], ike[18], ike[19]
        msgid = struct.unpack('>I', ike[20:24])[0]
        if spir == b'\0' * 8:
            key = (spii, exch, msgid, ike)   # each IKE_SA_INIT try differs
        else:
            key = (spii, spir, exch, msgid)
        if src == client and dst == gw:
            c['dgrams'] += 1
            if np == NP_SKF:
                c['frag_dgrams'] += 1
            if ike in seen_dgram:
                c['retx'] += 1
                continue
            seen_dgram.add(ike)
            if flags & FLAG_RESPONSE or key in requests:
                continue
            requests.add(key)
            if t_gw is not None:
                think += ts - t_gw
                t_gw = None
            c['rtt'] += 1
            c['init'] += exch == IKE_SA_INIT
            c['auth'] += exch == IKE_AUTH
            if not t_first:
                t_first = ts
        elif src == gw and dst == client:
            if flags & FLAG_RESPONSE and key not in responses:
                responses.add(key)
                c['resp'] += 1
            t_last = ts
            # a request from the gateway (a DELETE) starts no think time
            t_gw = ts if flags & FLAG_RESPONSE else None
    c['t_first'] = '%.6f' % t_first
    c['t_last'] = '%.6f' % t_last
    c['think_ms'] = '%.3f' % (think * 1e3)
    print(' '.join('%s=%s' % kv for kv in c.items()))


if __name__ == '__main__':
    main()
