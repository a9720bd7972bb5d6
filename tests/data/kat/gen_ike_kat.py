#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Generate known-answer vectors for the IKEv2 key schedule and SK payloads.

An implementation independent of p2s's C code: Debian's python3-cryptography
(HMAC, ECDH, X25519, finite-field DH, AES-GCM, AES-CBC) plus the RFC 7296
formulas written out again below.  The MODP primes of groups 2 and 14 are
computed from their definition in RFC 2409 6.2 / RFC 3526 (from pi), not
copied from OpenSSL; group 24 comes from RFC 5114 2.3 and is checked
against the RFC 5114 A.3 test data.

Everything is deterministic: private keys, nonces, SPIs and IVs are fixed
(derived with SHAKE-256 from labels), so the output only changes when this
script does.

Regenerate (from the top of the source tree) with Debian's Python, which has
python3-cryptography, not a pyenv one:

    /usr/bin/python3 tests/data/kat/gen_ike_kat.py > tests/data/kat/ike_kat_vectors.h

tests/unit/test_ike_keys.c, test_ike_sk.c and test_kex.c include the output.
"""

import hashlib
import hmac as py_hmac
import struct
import sys

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric import dh, ec, x25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import (Encoding,
                                                          PublicFormat)

# --------------------------------------------------------------------------
# Groups.


def pi_fixed(bits):
    """floor(pi * 2^bits), by Machin's formula in integer arithmetic."""
    guard = 64
    one = 1 << (bits + guard)

    def atan_inv(x):
        total, term, n, sign = 0, one // x, 1, 1
        while term:
            total += sign * (term // n)
            term //= x * x
            n += 2
            sign = -sign
        return total

    return (16 * atan_inv(5) - 4 * atan_inv(239)) >> guard


def oakley_prime(bits, offset):
    """RFC 2409 6.2 / RFC 3526: 2^b - 2^(b-64) - 1 + 2^64 * (floor(2^(b-130) pi) + offset)."""
    return (1 << bits) - (1 << (bits - 64)) - 1 + \
        (1 << 64) * (pi_fixed(bits - 130) + offset)


MODP_1024_P = oakley_prime(1024, 129093)
MODP_2048_P = oakley_prime(2048, 124476)
# RFC 2409 and RFC 3526 print the primes' first and last words.
assert hex(MODP_1024_P).startswith("0xffffffffffffffffc90fdaa22168c234")
assert hex(MODP_1024_P).endswith("ffffffffffffffff")
assert hex(MODP_2048_P).endswith("15728e5a8aacaa68ffffffffffffffff")


def rfc_hex(s):
    return int("".join(s.split()), 16)


# RFC 5114 2.3.
G24_P = rfc_hex("""
87A8E61D B4B6663C FFBBD19C 65195999 8CEEF608 660DD0F2 5D2CEED4 435E3B00
E00DF8F1 D61957D4 FAF7DF45 61B2AA30 16C3D911 34096FAA 3BF4296D 830E9A7C
209E0C64 97517ABD 5A8A9D30 6BCF67ED 91F9E672 5B4758C0 22E0B1EF 4275BF7B
6C5BFC11 D45F9088 B941F54E B1E59BB8 BC39A0BF 12307F5C 4FDB70C5 81B23F76
B63ACAE1 CAA6B790 2D525267 35488A0E F13C6D9A 51BFA4AB 3AD83477 96524D8E
F6A167B5 A41825D9 67E144E5 14056425 1CCACB83 E6B486F6 B3CA3F79 71506026
C0B857F6 89962856 DED4010A BD0BE621 C3A3960A 54E710C3 75F26375 D7014103
A4B54330 C198AF12 6116D227 6E11715F 693877FA D7EF09CA DB094AE9 1E1A1597""")
G24_G = rfc_hex("""
3FB32C9B 73134D0B 2E775066 60EDBD48 4CA7B18F 21EF2054 07F4793A 1A0BA125
10DBC150 77BE463F FF4FED4A AC0BB555 BE3A6C1B 0C6B47B1 BC3773BF 7E8C6F62
901228F8 C28CBB18 A55AE313 41000A65 0196F931 C77A57F2 DDF463E5 E9EC144B
777DE62A AAB8A862 8AC376D2 82D6ED38 64E67982 428EBC83 1D14348F 6F2F9193
B5045AF2 767164E1 DFC967C1 FB3F2E55 A4BD1BFF E83B9C80 D052B985 D182EA0A
DB2A3B73 13D3FE14 C8484B1E 052588B9 B7D2BBD2 DF016199 ECD06E15 57CD0915
B3353BBB 64E0EC37 7FD02837 0DF92B52 C7891428 CDC67EB6 184B523D 1DB246C3
2F630784 90F00EF8 D647D148 D4795451 5E2327CF EF98C582 664B4C0F 6CC41659""")
G24_Q = rfc_hex("8CF83642 A709A097 B4479976 40129DA2 99B1A47D 1EB3750B "
                "A308B0FE 64F5FBD3")

# RFC 5114 A.3: the group's own test data, checked here and emitted for
# test_kex.c.
A3 = {
    "xA": rfc_hex("0881382C DB87660C 6DC13E61 4938D5B9 C8B2F248 581CC5E3 "
                  "1B354543 97FCE50E"),
    "yA": rfc_hex("""
2E9380C8 323AF975 45BC4941 DEB0EC37 42C62FE0 ECE824A6 ABDBE66C 59BEE024
2911BFB9 67235CEB A35AE13E 4EC752BE 630B92DC 4BDE2847 A9C62CB8 15274542
1FB7EB60 A63C0FE9 159FCCE7 26CE7CD8 523D7450 667EF840 E4919121 EB5F01C8
C9B0D3D6 48A93BFB 75689E82 44AC134A F544711C E79A02DC C3422668 4780DDDC
B4985941 06C37F5B C7985648 7AF5AB02 2A2E5E42 F09897C1 A85A11EA 0212AF04
D9B4CEBC 937C3C1A 3E15A8A0 342E3376 15C84E7F E3B8B9B8 7FB1E73A 15AF12A3
0D746E06 DFC34F29 0D797CE5 1AA13AA7 85BF6658 AFF5E4B0 93003CBE AF665B3C
2E113A3A 4E905269 341DC071 1426685F 4EF37E86 8A8126FF 3F2279B5 7CA67E29"""),
    "xB": rfc_hex("7D62A7E3 EF36DE61 7B13D1AF B82C780D 83A23BD4 EE670564 "
                  "5121F371 F546A53D"),
    "yB": rfc_hex("""
575F0351 BD2B1B81 7448BDF8 7A6C362C 1E289D39 03A30B98 32C5741F A250363E
7ACBC7F7 7F3DACBC 1F131ADD 8E03367E FF8FBBB3 E1C57844 24809B25 AFE4D226
2A1A6FD2 FAB64105 CA30A674 E07F7809 85208863 2FC04923 3791AD4E DD083A97
8B883EE6 18BC5E0D D047415F 2D95E683 CF14826B 5FBE10D3 CE41C6C1 20C78AB2
0008C698 BF7F0BCA B9D7F407 BED0F43A FB2970F5 7F8D1204 3963E66D DD320D59
9AD9936C 8F44137C 08B180EC 5E985CEB E186F3D5 49677E80 607331EE 17AF3380
A725B078 2317D7DD 43F59D7A F9568A9B B63A84D3 65F92244 ED120988 219302F4
2924C7CA 90B89D24 F71B0AB6 97823D7D EB1AFF5B 0E8E4A45 D49F7F53 757E1913"""),
    "Z": rfc_hex("""
86C70BF8 D0BB81BB 01078A17 219CB7D2 7203DB2A 19C877F1 D1F19FD7 D77EF225
46A68F00 5AD52DC8 4553B78F C60330BE 51EA7C06 72CAC151 5E4B35C0 47B9A551
B88F39DC 26DA14A0 9EF74774 D47C762D D177F9ED 5BC2F11E 52C879BD 95098504
CD9EECD8 A8F9B3EF BD1F008A C5853097 D9D1837F 2B18F77C D7BE01AF 80A7C7B5
EA3CA54C C02D0C11 6FEE3F95 BB873993 85875D7E 86747E67 6E728938 ACBFF709
8E05BE4D CFB24052 B83AEFFB 14783F02 9ADBDE7F 53FAE920 84224090 E007CEE9
4D4BF2BA CE9FFD4B 57D2AF7C 724D0CAA 19BF0501 F6F17B4A A10F425E 3EA76080
B4B9D6B3 CEFEA115 B2CEB878 9BB8A3B0 EA87FEBE 63B6C8F8 46EC6DB0 C26C5D7C"""),
}
assert pow(G24_G, A3["xA"], G24_P) == A3["yA"]
assert pow(G24_G, A3["xB"], G24_P) == A3["yB"]
assert pow(A3["yB"], A3["xA"], G24_P) == A3["Z"]
assert pow(G24_G, G24_Q, G24_P) == 1

MODP = {
    2: (MODP_1024_P, 2, None),
    14: (MODP_2048_P, 2, None),
    24: (G24_P, G24_G, G24_Q),
}

# RFC 5903 8.1 and 8.2 private keys (their public values and shared
# secrets are checked by test_kex.c against the RFC text).
RFC5903 = {
    19: (0xC88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433,
         0xC6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53),
    20: (0x099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655E35B538041E649EE3FAEF896783AB194,
         0x41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942E0308312916B8ED2960E4BD55A7448FC),
}
CURVES = {19: (ec.SECP256R1(), 32), 20: (ec.SECP384R1(), 48)}


def det(label, n):
    """n deterministic bytes named by label."""
    return hashlib.shake_256(b"p2s-kat " + label.encode()).digest(n)


def kex_pair(group, label, which):
    """(private bytes, public wire bytes, key object) for one side."""
    if group in MODP:
        p, g, q = MODP[group]
        plen = (p.bit_length() + 7) // 8
        x = int.from_bytes(det(f"{label} dh {which}", 32), "big")
        if q is not None:
            x %= q
        y = pow(g, x, p)
        pn = dh.DHParameterNumbers(p, g, q)
        key = dh.DHPrivateNumbers(x, dh.DHPublicNumbers(y, pn)).private_key()
        return x.to_bytes(32, "big"), y.to_bytes(plen, "big"), key
    if group in CURVES:
        curve, flen = CURVES[group]
        d = RFC5903[group][0 if which == "i" else 1]
        key = ec.derive_private_key(d, curve)
        pt = key.public_key().public_bytes(Encoding.X962,
                                           PublicFormat.UncompressedPoint)
        return d.to_bytes(flen, "big"), pt[1:], key
    assert group == 31
    raw = det(f"{label} x25519 {which}", 32)
    key = x25519.X25519PrivateKey.from_private_bytes(raw)
    pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return raw, pub, key


def kex_shared(group, mine, peer_pub):
    """g^ir from our key object and the peer's wire bytes."""
    if group in MODP:
        p, g, q = MODP[group]
        plen = (p.bit_length() + 7) // 8
        y = int.from_bytes(peer_pub, "big")
        nums = mine.private_numbers()
        s = pow(y, nums.x, p).to_bytes(plen, "big")
        pn = dh.DHParameterNumbers(p, g, q)
        other = dh.DHPublicNumbers(y, pn).public_key()
        lib = mine.exchange(other)
        assert lib.rjust(plen, b"\0") == s
        return s
    if group in CURVES:
        curve, _ = CURVES[group]
        other = ec.EllipticCurvePublicKey.from_encoded_point(
            curve, b"\x04" + peer_pub)
        return mine.exchange(ec.ECDH(), other)
    other = x25519.X25519PublicKey.from_public_bytes(peer_pub)
    return mine.exchange(other)


# --------------------------------------------------------------------------
# Transforms: (name, hash) for PRFs and integrity; lengths per RFC 4868.

PRFS = {"IKE_PRF_HMAC_SHA1": hashes.SHA1, "IKE_PRF_HMAC_SHA2_256": hashes.SHA256,
        "IKE_PRF_HMAC_SHA2_384": hashes.SHA384,
        "IKE_PRF_HMAC_SHA2_512": hashes.SHA512}
HASHLIB = {"IKE_PRF_HMAC_SHA1": "sha1", "IKE_PRF_HMAC_SHA2_256": "sha256",
           "IKE_PRF_HMAC_SHA2_384": "sha384",
           "IKE_PRF_HMAC_SHA2_512": "sha512"}
INTEGS = {"IKE_INTEG_NONE": None,
          "IKE_INTEG_HMAC_SHA1_96": (hashes.SHA1, 20, 12),
          "IKE_INTEG_HMAC_SHA2_256_128": (hashes.SHA256, 32, 16),
          "IKE_INTEG_HMAC_SHA2_384_192": (hashes.SHA384, 48, 24),
          "IKE_INTEG_HMAC_SHA2_512_256": (hashes.SHA512, 64, 32)}
GCM_ICV = {"IKE_ENCR_AES_GCM_8": 8, "IKE_ENCR_AES_GCM_12": 12,
           "IKE_ENCR_AES_GCM_16": 16}


def prf(name, key, data):
    h = hmac.HMAC(key, PRFS[name]())
    h.update(data)
    out = h.finalize()
    # A second implementation (the standard library) must agree.
    assert out == py_hmac.new(key, data, HASHLIB[name]).digest()
    return out


def prf_plus(name, key, seed, n):
    """RFC 7296 2.13."""
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = prf(name, key, t + seed + bytes([i]))
        out += t
        i += 1
    return out[:n]


def encr_key_len(encr, bits):
    return bits // 8 + (4 if encr in GCM_ICV else 0)


def integ_key_len(integ):
    return INTEGS[integ][1] if INTEGS[integ] else 0


def integ_icv(integ, key, data):
    hcls, _, icv = INTEGS[integ]
    h = hmac.HMAC(key, hcls())
    h.update(data)
    return h.finalize()[:icv]


# --------------------------------------------------------------------------
# SK payloads (RFC 7296 3.14, RFC 5282, RFC 7383 2.5).

def sk_message(suite, ekey, akey, spi_i, spi_r, flags, msgid, inner, iv,
               pad, frag=None):
    """A whole message: IKE header | SK or SKF header | IV | ct | ICV."""
    encr, bits, integ = suite["encr"], suite["encr_bits"], suite["integ"]
    aead = encr in GCM_ICV
    icv_len = GCM_ICV[encr] if aead else INTEGS[integ][2]
    plain = inner + pad + bytes([len(pad)])
    if not aead:
        assert len(plain) % 16 == 0
    pld_type = 46 if frag is None else 53
    extra = b"" if frag is None else struct.pack(">HH", *frag)
    sk_len = 4 + len(extra) + len(iv) + len(plain) + icv_len
    total = 28 + sk_len
    hdr = spi_i + spi_r + bytes([pld_type, 0x20, 35, flags]) + \
        struct.pack(">II", msgid, total)
    skh = bytes([35, 0]) + struct.pack(">H", sk_len) + extra
    aad = hdr + skh
    if aead:
        key, salt = ekey[:-4], ekey[-4:]
        ct = AESGCM(key).encrypt(salt + iv, plain, aad)
        body = ct[:len(plain)] + ct[len(plain):len(plain) + icv_len]
        return aad + iv + body, len(aad)
    enc = Cipher(algorithms.AES(ekey), modes.CBC(iv)).encryptor()
    ct = enc.update(plain) + enc.finalize()
    covered = aad + iv + ct
    return covered + integ_icv(integ, akey, covered), len(aad)


def sk_pad(suite, inner_len, label):
    """Non-minimal, non-zero padding: receivers must accept any value."""
    if suite["encr"] in GCM_ICV:
        return det(label, 3)
    n = (16 - (inner_len + 1) % 16) % 16 + 16
    return det(label, n)


# --------------------------------------------------------------------------
# One IKE SA scenario.

CASES = [
    # name, DH group, IKE suite, new PRF for the rekeyed SA, ESP suite
    ("ecp384_aes256gcm16_prfsha384", 20,
     dict(encr="IKE_ENCR_AES_GCM_16", encr_bits=256, integ="IKE_INTEG_NONE",
          prf="IKE_PRF_HMAC_SHA2_384"), "IKE_PRF_HMAC_SHA2_256",
     dict(encr="IKE_ENCR_AES_GCM_16", encr_bits=256, integ="IKE_INTEG_NONE")),
    ("modp2048_aes256_sha256", 14,
     dict(encr="IKE_ENCR_AES_CBC", encr_bits=256,
          integ="IKE_INTEG_HMAC_SHA2_256_128", prf="IKE_PRF_HMAC_SHA2_256"),
     "IKE_PRF_HMAC_SHA2_384",
     dict(encr="IKE_ENCR_AES_CBC", encr_bits=256,
          integ="IKE_INTEG_HMAC_SHA2_256_128")),
    ("ecp256_aes128gcm12_prfsha256", 19,
     dict(encr="IKE_ENCR_AES_GCM_12", encr_bits=128, integ="IKE_INTEG_NONE",
          prf="IKE_PRF_HMAC_SHA2_256"), "IKE_PRF_HMAC_SHA2_256",
     dict(encr="IKE_ENCR_AES_CBC", encr_bits=128,
          integ="IKE_INTEG_HMAC_SHA1_96")),
    ("x25519_aes128_sha1", 31,
     dict(encr="IKE_ENCR_AES_CBC", encr_bits=128,
          integ="IKE_INTEG_HMAC_SHA1_96", prf="IKE_PRF_HMAC_SHA1"),
     "IKE_PRF_HMAC_SHA2_512",
     dict(encr="IKE_ENCR_AES_GCM_8", encr_bits=128, integ="IKE_INTEG_NONE")),
    ("modp1024_aes192_sha512", 2,
     dict(encr="IKE_ENCR_AES_CBC", encr_bits=192,
          integ="IKE_INTEG_HMAC_SHA2_512_256", prf="IKE_PRF_HMAC_SHA2_512"),
     "IKE_PRF_HMAC_SHA1",
     dict(encr="IKE_ENCR_AES_CBC", encr_bits=192,
          integ="IKE_INTEG_HMAC_SHA2_384_192")),
    ("modp2048s256_aes256gcm8_prfsha512", 24,
     dict(encr="IKE_ENCR_AES_GCM_8", encr_bits=256, integ="IKE_INTEG_NONE",
          prf="IKE_PRF_HMAC_SHA2_512"), "IKE_PRF_HMAC_SHA2_384",
     dict(encr="IKE_ENCR_AES_GCM_12", encr_bits=192, integ="IKE_INTEG_NONE")),
]


def ike_keys(suite, skeyseed, ni, nr, spi_i, spi_r, prf_name=None):
    prf_name = prf_name or suite["prf"]
    n_prf = PRFS[prf_name].digest_size
    n_a = integ_key_len(suite["integ"])
    n_e = encr_key_len(suite["encr"], suite["encr_bits"])
    km = prf_plus(prf_name, skeyseed, ni + nr + spi_i + spi_r,
                  3 * n_prf + 2 * n_a + 2 * n_e)
    out, off = {}, 0
    for name, n in (("sk_d", n_prf), ("sk_ai", n_a), ("sk_ar", n_a),
                    ("sk_ei", n_e), ("sk_er", n_e), ("sk_pi", n_prf),
                    ("sk_pr", n_prf)):
        out[name] = km[off:off + n]
        off += n
    out["keymat"] = km
    return out


def make_case(name, group, suite, rekey_prf, esp):
    v = {"name": name, "group": group, "suite": suite, "esp": esp,
         "rekey_prf": rekey_prf}
    priv_i, pub_i, key_i = kex_pair(group, name, "i")
    priv_r, pub_r, key_r = kex_pair(group, name, "r")
    g_ir = kex_shared(group, key_i, pub_r)
    assert g_ir == kex_shared(group, key_r, pub_i)
    v.update(priv_i=priv_i, pub_i=pub_i, priv_r=priv_r, pub_r=pub_r,
             g_ir=g_ir)
    ni, nr = det(name + " Ni", 32), det(name + " Nr", 48)
    spi_i, spi_r = det(name + " SPIi", 8), det(name + " SPIr", 8)
    v.update(ni=ni, nr=nr, spi_i=spi_i, spi_r=spi_r)
    p = suite["prf"]
    # SKEYSEED = prf(Ni | Nr, g^ir)
    v["skeyseed"] = prf(p, ni + nr, g_ir)
    k = ike_keys(suite, v["skeyseed"], ni, nr, spi_i, spi_r)
    v.update(k)

    # CHILD_SA: KEYMAT = prf+(SK_d, Ni | Nr), and with PFS
    # prf+(SK_d, g^ir (new) | Ni | Nr) with a CREATE_CHILD_SA's nonces.
    n_child = 2 * (encr_key_len(esp["encr"], esp["encr_bits"]) +
                   integ_key_len(esp["integ"]))
    v["child_keymat"] = prf_plus(p, k["sk_d"], ni + nr, n_child)
    _, cpub_i, ckey_i = kex_pair(group, name + " child", "i")
    _, cpub_r, _ = kex_pair(group, name + " child", "r")
    v["pfs_g_ir"] = kex_shared(group, ckey_i, cpub_r)
    v["child_ni"], v["child_nr"] = det(name + " cNi", 16), det(name + " cNr", 64)
    v["child_keymat_pfs"] = prf_plus(
        p, k["sk_d"], v["pfs_g_ir"] + v["child_ni"] + v["child_nr"], n_child)

    # AUTH (2.15, 2.16).
    pad = b"Key Pad for IKEv2"
    v["real_msg1"], v["real_msg2"] = det(name + " msg1", 312), det(name + " msg2", 297)
    v["id_i"] = bytes([2, 0, 0, 0]) + b"client.p2s.example"
    v["id_r"] = bytes([2, 0, 0, 0]) + b"gateway.p2s.example"
    v["msk"] = det(name + " MSK", 64)
    v["signed_i"] = v["real_msg1"] + nr + prf(p, k["sk_pi"], v["id_i"])
    v["signed_r"] = v["real_msg2"] + ni + prf(p, k["sk_pr"], v["id_r"])
    v["auth_i"] = prf(p, prf(p, v["msk"], pad), v["signed_i"])
    v["auth_r"] = prf(p, prf(p, v["msk"], pad), v["signed_r"])

    # SK: one message each way with padding the receiver must accept, one
    # SKF fragment, and the exact bytes ike_sk_seal must produce for the
    # first GCM message (IV counter 0, no padding).
    aead = suite["encr"] in GCM_ICV
    ivl = 8 if aead else 16
    inner = det(name + " inner", 77)
    v["inner"] = inner
    v["msg_i"], v["msg_i_iv_off"] = sk_message(
        suite, k["sk_ei"], k["sk_ai"], spi_i, spi_r, 0x08, 1, inner,
        det(name + " iv i", ivl), sk_pad(suite, len(inner), name + " pad i"))
    v["msg_r"], v["msg_r_iv_off"] = sk_message(
        suite, k["sk_er"], k["sk_ar"], spi_i, spi_r, 0x20, 1, inner,
        det(name + " iv r", ivl), sk_pad(suite, len(inner), name + " pad r"))
    v["msg_skf"], v["msg_skf_iv_off"] = sk_message(
        suite, k["sk_er"], k["sk_ar"], spi_i, spi_r, 0x20, 2, inner,
        det(name + " iv f", ivl), sk_pad(suite, len(inner), name + " pad f"),
        frag=(1, 3))
    if aead:
        v["seal_i"], _ = sk_message(suite, k["sk_ei"], None, spi_i, spi_r,
                                    0x08, 1, inner, bytes(8), b"")
    else:
        v["seal_i"] = b""

    # IKE SA rekey (2.18): the old PRF makes SKEYSEED, the new one prf+.
    new_suite = dict(suite, prf=rekey_prf)
    _, rpub_i, rkey_i = kex_pair(group, name + " rekey", "i")
    _, rpub_r, _ = kex_pair(group, name + " rekey", "r")
    v["rekey_g_ir"] = kex_shared(group, rkey_i, rpub_r)
    v["rekey_ni"], v["rekey_nr"] = det(name + " rNi", 32), det(name + " rNr", 32)
    v["rekey_spi_i"], v["rekey_spi_r"] = det(name + " rSPIi", 8), det(name + " rSPIr", 8)
    v["rekey_skeyseed"] = prf(p, k["sk_d"], v["rekey_g_ir"] + v["rekey_ni"] +
                              v["rekey_nr"])
    v["rekey_keymat"] = ike_keys(new_suite, v["rekey_skeyseed"], v["rekey_ni"],
                                 v["rekey_nr"], v["rekey_spi_i"],
                                 v["rekey_spi_r"])["keymat"]
    return v


# --------------------------------------------------------------------------
# Output.

GROUP_NAMES = {2: "IKE_DH_MODP_1024", 14: "IKE_DH_MODP_2048",
               19: "IKE_DH_ECP_256", 20: "IKE_DH_ECP_384",
               24: "IKE_DH_MODP_2048_256", 31: "IKE_DH_CURVE25519"}

HEX_FIELDS = ["priv_i", "pub_i", "priv_r", "pub_r", "g_ir", "ni", "nr",
              "spi_i", "spi_r", "skeyseed", "sk_d", "sk_ai", "sk_ar", "sk_ei",
              "sk_er", "sk_pi", "sk_pr", "child_keymat", "pfs_g_ir",
              "child_ni", "child_nr", "child_keymat_pfs", "real_msg1",
              "real_msg2", "id_i", "id_r", "msk", "signed_i", "signed_r",
              "auth_i", "auth_r", "inner", "msg_i", "msg_r", "msg_skf",
              "seal_i", "rekey_g_ir", "rekey_ni", "rekey_nr", "rekey_spi_i",
              "rekey_spi_r", "rekey_skeyseed", "rekey_keymat"]


def c_hex(b):
    h = b.hex()
    if len(h) <= 64:
        return f'"{h}"'
    return "\n\t    ".join(f'"{h[i:i + 64]}"' for i in range(0, len(h), 64))


def emit(cases):
    w = sys.stdout.write
    w("/* SPDX-License-Identifier: ISC */\n")
    w("/*\n * ike_kat_vectors.h: GENERATED by tests/data/kat/gen_ike_kat.py"
      " (python3-cryptography);\n * do not edit.  Key schedule, AUTH and SK"
      " payload vectors from an\n * implementation independent of p2s.\n */\n")
    w("#ifndef P2S_IKE_KAT_VECTORS_H\n#define P2S_IKE_KAT_VECTORS_H\n\n")
    # Generated layout: clang-format would only re-wrap the hex strings.
    w("/* clang-format off */\n\n")
    w('#include "ike.h"\n\n')
    w("struct ike_kat_suite {\n\tenum ike_encr\t encr;\n\tunsigned\t encr_bits;\n"
      "\tenum ike_integ\t integ;\n\tenum ike_prf\t prf;\n};\n\n")
    w("struct ike_kat {\n\tconst char\t\t*name;\n\tenum ike_dh\t\t group;\n"
      "\tstruct ike_kat_suite\t suite;\n\tstruct ike_kat_suite\t esp;\n"
      "\tenum ike_prf\t\t rekey_prf;\n\tsize_t\t\t\t msg_i_iv_off;\n"
      "\tsize_t\t\t\t msg_r_iv_off;\n\tsize_t\t\t\t msg_skf_iv_off;\n")
    for f in HEX_FIELDS:
        w(f"\tconst char\t\t*{f};\n")
    w("};\n\nstatic const struct ike_kat ike_kats[] = {\n")
    for v in cases:
        s, e = v["suite"], v["esp"]
        w("\t{\n")
        w(f'\t\t.name = "{v["name"]}",\n')
        w(f'\t\t.group = {GROUP_NAMES[v["group"]]},\n')
        w(f'\t\t.suite = {{ {s["encr"]}, {s["encr_bits"]}, {s["integ"]},\n'
          f'\t\t    {s["prf"]} }},\n')
        w(f'\t\t.esp = {{ {e["encr"]}, {e["encr_bits"]}, {e["integ"]},\n'
          f'\t\t    {s["prf"]} }},\n')
        w(f'\t\t.rekey_prf = {v["rekey_prf"]},\n')
        for f in ("msg_i_iv_off", "msg_r_iv_off", "msg_skf_iv_off"):
            w(f"\t\t.{f} = {v[f]},\n")
        for f in HEX_FIELDS:
            w(f"\t\t.{f} = {c_hex(v[f])},\n")
        w("\t},\n")
    w("};\n\n")
    w("/* RFC 5114 A.3 (group 24), checked by the generator. */\n")
    for k in ("xA", "yA", "xB", "yB", "Z"):
        n = 32 if k.startswith("x") else 256
        w(f"static const char rfc5114_a3_{k}[] =\n\t    "
          f"{c_hex(A3[k].to_bytes(n, 'big'))};\n")
    w("\n/* MODP primes, for the public-value range tests. */\n")
    for g, (p, _, _) in sorted(MODP.items()):
        n = (p.bit_length() + 7) // 8
        w(f"static const char modp_p_{g}[] =\n\t    {c_hex(p.to_bytes(n, 'big'))};\n")
    w("\n/* clang-format on */\n")
    w("\n#endif /* P2S_IKE_KAT_VECTORS_H */\n")


if __name__ == "__main__":
    emit([make_case(*c) for c in CASES])
