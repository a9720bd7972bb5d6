#!/usr/bin/python3
# gen_esp_kat.py: ESP packets (RFC 4303 tunnel mode) built by an
# independent implementation (Python's cryptography package), for
# tests/unit/test_esp.c to open.  Run with Debian's python3 and
# python3-cryptography:  /usr/bin/python3 gen_esp_kat.py > esp_kat.txt
#
# Each case: algorithm, keys, SPI, sequence number, IV, the inner packet,
# and the ESP packet (SPI | seq | IV | ciphertext | ICV).
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def ipv4_packet(payload):
    # A minimal IPv4/ICMP echo header is enough: ESP does not parse it.
    total = 20 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0x1234, 0, 64, 1, 0,
                      bytes([172, 16, 201, 3]), bytes([10, 1, 0, 4]))
    return hdr + payload


def trailer(n, align, nh):
    pad = (-(n + 2)) % align
    return bytes(range(1, pad + 1)) + bytes([pad, nh])


def gcm_case(name, key, salt, spi, seq, iv, inner, icv_len=16):
    hdr = struct.pack("!II", spi, seq)
    plain = inner + trailer(len(inner), 4, 4)
    ct = AESGCM(key).encrypt(salt + iv, plain, hdr)
    # AESGCM always makes a 16-byte tag; shorter ICVs are its prefix.
    ct = ct[:len(plain)] + ct[len(plain):len(plain) + icv_len]
    return dict(name=name, encr=20, key_bits=len(key) * 8,
                encr_key=key + salt, integ=0, integ_key=b"", spi=spi,
                seq=seq, inner=inner, packet=hdr + iv + ct)


def cbc_case(name, key, integ, ikey, trunc, spi, seq, iv, inner):
    hdr = struct.pack("!II", spi, seq)
    plain = inner + trailer(len(inner), 16, 4)
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ct = enc.update(plain) + enc.finalize()
    digest = {2: hashlib.sha1, 12: hashlib.sha256, 13: hashlib.sha384,
              14: hashlib.sha512}[integ]
    icv = hmac.new(ikey, hdr + iv + ct, digest).digest()[:trunc]
    return dict(name=name, encr=12, key_bits=len(key) * 8, encr_key=key,
                integ=integ, integ_key=ikey, spi=spi, seq=seq, inner=inner,
                packet=hdr + iv + ct + icv)


def key(n, start):
    return bytes((start + i) & 0xff for i in range(n))


def main():
    inner1 = ipv4_packet(b"p2s userspace datapath " * 3)
    inner2 = ipv4_packet(b"x")
    cases = [
        gcm_case("gcm256", key(32, 0x10), b"\xde\xad\xbe\xef", 0xc0ffee01,
                 1, key(8, 0x80), inner1),
        gcm_case("gcm128-seq7", key(16, 0x20), b"\x01\x02\x03\x04",
                 0x00001234, 7, key(8, 0x90), inner2),
        cbc_case("cbc256-sha256", key(32, 0x30), 12, key(32, 0x50), 16,
                 0xa1b2c3d4, 1, key(16, 0xa0), inner1),
        cbc_case("cbc128-sha1", key(16, 0x40), 2, key(20, 0x60), 12,
                 0x0badcafe, 2, key(16, 0xb0), inner2),
        cbc_case("cbc256-sha384", key(32, 0x41), 13, key(48, 0x61), 24,
                 0x10203040, 3, key(16, 0xc0), inner1),
    ]
    print("# ESP known-answer packets made by gen_esp_kat.py; do not edit.")
    for c in cases:
        print("name=%s" % c["name"])
        print("encr=%d key_bits=%d integ=%d spi=%d seq=%d" %
              (c["encr"], c["key_bits"], c["integ"], c["spi"], c["seq"]))
        print("encr_key=%s" % c["encr_key"].hex())
        print("integ_key=%s" % (c["integ_key"].hex() or "-"))
        print("inner=%s" % c["inner"].hex())
        print("packet=%s" % c["packet"].hex())
        print("end")


main()
