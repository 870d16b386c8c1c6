"""Tamper evidence: every record names the hash of the one before it, and checkpoints sign the
chain's head with an Ed25519 key the operator holds.

A record's hash is SHA-256 over its canonical JSON (sorted keys, no whitespace) without the
`hash` field; the first record of a chain links to GENESIS. Changing, deleting, inserting or
reordering records breaks a link; rewriting every hash after a change breaks the signature of
the next checkpoint, which only the key holder can make.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

GENESIS = "0" * 64
CANONICAL = orjson.OPT_SORT_KEYS


def canonical(record: dict[str, Any]) -> bytes:
    body = {k: v for k, v in record.items() if k != "hash"}
    return orjson.dumps(body, option=CANONICAL)


def record_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


def checkpoint_message(chain: str, covers_seq: int, covers_hash: str, ts: float) -> bytes:
    return f"interlock-audit-checkpoint:v1:{chain}:{covers_seq}:{covers_hash}:{ts!r}".encode()


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def sign(private: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(private.sign(message)).decode()


def verify_signature(public: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    try:
        public.verify(base64.b64decode(signature), message)
    except Exception:
        return False
    return True


def generate_key(path: Path) -> Ed25519PrivateKey:
    """A new private key in PEM at `path` (mode 0600) and its public half at `path`.pub."""
    private = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Written whole under a temporary name, then linked into place: a second process starting at
    # the same moment either wins the link or loads the complete key the first one made.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
        f.flush()
        os.fsync(f.fileno())
    pub_tmp = public_path(tmp)
    pub_tmp.write_bytes(public_pem(private.public_key()))
    try:
        os.link(tmp, path)
    finally:
        tmp.unlink()
    os.replace(pub_tmp, public_path(path))
    return private


def public_path(path: Path) -> Path:
    return path.with_name(path.name + ".pub")


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    data = path.read_bytes()
    if b"PRIVATE KEY" in data:
        return load_private(path).public_key()
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key
