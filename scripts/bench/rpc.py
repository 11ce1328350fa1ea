#!/usr/bin/env python3
"""Helpers for the RPC read benchmark of scripts/bench.sh (standard library only).

  rpc.py account-key SS58     the System.Account storage key of an address:
                              twox128("System") ++ twox128("Account")
                              ++ blake2_128(pubkey) ++ pubkey, as 0x hex
  rpc.py expect KIND          checks the JSON-RPC response on stdin and prints
                              what it holds; exits 1 on an error or a wrong shape.
      ect-balance   `ect_balance`: an object whose "free" is a decimal > 0; prints free
      account-info  `state_getStorage` of System.Account: SCALE AccountInfo
                    (nonce, consumers, providers, sufficients: u32; free: u128 …); prints free
      eth-balance   `eth_getBalance`: a hex quantity > 0; prints it in decimal
      first         a non-empty list (`eth_accounts`); prints its first entry
      number        a JSON number >= 0 (`system_accountNextIndex`); prints it
      header        a header object with a hex "number" (`chain_getHeader`); prints the number
  rpc.py expect-batch N KIND  the same for a batch answer: N answers, ids 1..N in order, each KIND
"""

import hashlib
import json
import sys

MASK = (1 << 64) - 1
P1, P2, P3, P4, P5 = (
    11400714785074694791,
    14029467366897019727,
    1609587929392839161,
    9650029242287828579,
    2870177450012600261,
)


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & MASK


def xxh64_short(data, seed):
    """XXH64 of fewer than 32 bytes (all that pallet and item names need)."""
    assert len(data) < 32, "xxh64_short: only inputs under 32 bytes"
    h = (seed + P5 + len(data)) & MASK
    i = 0
    while i + 8 <= len(data):
        lane = int.from_bytes(data[i : i + 8], "little")
        k = _rotl((lane * P2) & MASK, 31) * P1 & MASK
        h = (_rotl(h ^ k, 27) * P1 + P4) & MASK
        i += 8
    if i + 4 <= len(data):
        h = (_rotl(h ^ (int.from_bytes(data[i : i + 4], "little") * P1 & MASK), 23) * P2 + P3) & MASK
        i += 4
    while i < len(data):
        h = _rotl(h ^ (data[i] * P5 & MASK), 11) * P1 & MASK
        i += 1
    h ^= h >> 33
    h = h * P2 & MASK
    h ^= h >> 29
    h = h * P3 & MASK
    h ^= h >> 32
    return h


def twox128(data):
    return b"".join(xxh64_short(data, seed).to_bytes(8, "little") for seed in (0, 1))


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def ss58_public_key(address):
    """The 32-byte key of an SS58 address with a one-byte network prefix."""
    n = 0
    for c in address:
        n = n * 58 + B58.index(c)
    raw = n.to_bytes(35, "big")  # prefix (1) + key (32) + checksum (2)
    if hashlib.blake2b(b"SS58PRE" + raw[:33]).digest()[:2] != raw[33:]:
        raise ValueError(f"{address}: bad SS58 checksum")
    return raw[1:33]


SYSTEM_ACCOUNT_PREFIX = "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9"


def account_key(address):
    public = ss58_public_key(address)
    prefix = twox128(b"System") + twox128(b"Account")
    assert prefix.hex() == SYSTEM_ACCOUNT_PREFIX, "twox128 is wrong"
    return "0x" + (prefix + hashlib.blake2b(public, digest_size=16).digest() + public).hex()


def expect(kind, response):
    if "error" in response:
        raise ValueError(f"JSON-RPC error: {json.dumps(response['error'])}")
    result = response.get("result")
    if result is None:
        raise ValueError(f"no result: {json.dumps(response)}")
    if kind == "ect-balance":
        free = int(result["free"])
    elif kind == "account-info":
        data = bytes.fromhex(result[2:])
        if len(data) < 32:
            raise ValueError(f"AccountInfo too short: {result}")
        free = int.from_bytes(data[16:32], "little")
    elif kind == "eth-balance":
        free = int(result, 16)
    elif kind == "first":
        if not result:
            raise ValueError("empty list")
        return result[0]
    elif kind == "number":
        if not isinstance(result, int) or result < 0:
            raise ValueError(f"not a number: {json.dumps(response)}")
        return result
    elif kind == "header":
        return int(result["number"], 16)
    else:
        raise ValueError(f"unknown kind {kind}")
    if free <= 0:
        raise ValueError(f"balance is {free}: {json.dumps(response)}")
    return free


def main(argv):
    try:
        if len(argv) == 3 and argv[1] == "account-key":
            print(account_key(argv[2]))
        elif len(argv) == 4 and argv[1] == "expect-batch":
            answers = json.load(sys.stdin)
            n = int(argv[2])
            if not isinstance(answers, list) or [a.get("id") for a in answers] != list(range(1, n + 1)):
                raise ValueError(f"expected {n} answers with ids 1..{n}: {json.dumps(answers)[:300]}")
            print(",".join(str(expect(argv[3], a)) for a in answers))
        elif len(argv) == 3 and argv[1] == "expect":
            text = sys.stdin.read()
            try:
                response = json.loads(text)
            except ValueError:
                raise ValueError(f"not JSON: {text[:200]!r}")
            print(expect(argv[2], response))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (ValueError, KeyError, TypeError) as e:
        print(f"rpc.py {' '.join(argv[1:2])}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
