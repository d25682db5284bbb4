"""Generate an auth key with a real Python client against the ferrogram test DC.

Inputs (environment):
  TESTDC_PORT       the test DC's port on 127.0.0.1
  TESTDC_RSA_N      its RSA modulus, hex;  TESTDC_RSA_E  its exponent, hex (default 10001)
  TESTDC_CLIENT     telethon | kurigram
  TESTDC_TRANSPORT  full | abridged | intermediate | padded |
                    obf-abridged | obf-intermediate | obf-padded
Prints one line `OK <client> <transport> <auth_key_id as 16 hex digits>` on success; any
failure is an exception and a non-zero exit status.

Only the client's own auth-key code runs here: Telethon's `authenticator.do_authentication`
over its plain sender, Kurigram's `session.auth.Auth.create`. Both trust the test DC's key by
adding it to the client's own key table.
"""

import asyncio
import sys
import hashlib
import logging
import os
import struct

HOST = "127.0.0.1"
PORT = int(os.environ["TESTDC_PORT"])
N = int(os.environ["TESTDC_RSA_N"], 16)
E = int(os.environ.get("TESTDC_RSA_E", "10001"), 16)
CLIENT = os.environ["TESTDC_CLIENT"]
TRANSPORT = os.environ["TESTDC_TRANSPORT"]
DC_ID = 2


def tl_bytes(data: bytes) -> bytes:
    """TL `bytes`: a 1-byte length (or 0xfe and 3 bytes), the data, zero padding to 4."""
    head = bytes([len(data)]) if len(data) < 254 else b"\xfe" + len(data).to_bytes(3, "little")
    return head + data + b"\0" * (-(len(head) + len(data)) % 4)


def fingerprint(n: int, e: int) -> int:
    """Low 64 bits of SHA-1 over `rsa_public_key n:bytes e:bytes`, signed little-endian."""
    def magnitude(x: int) -> bytes:
        return x.to_bytes((x.bit_length() + 7) // 8, "big")
    digest = hashlib.sha1(tl_bytes(magnitude(n)) + tl_bytes(magnitude(e))).digest()
    return struct.unpack("<q", digest[-8:])[0]


def key_id(auth_key: bytes) -> str:
    """auth_key_id: the low 64 bits of SHA-1(auth_key), as the little-endian u64 in hex."""
    return "%016x" % struct.unpack("<Q", hashlib.sha1(auth_key).digest()[-8:])[0]


def telethon_transport():
    """Trusts the test DC's key in Telethon and returns its connection class for TRANSPORT."""
    import rsa
    from telethon.crypto import rsa as telethon_rsa
    from telethon.network import connection as c
    from telethon.network.connection.tcpintermediate import (
        IntermediatePacketCodec, RandomizedIntermediatePacketCodec)

    # The PEM the DC prints, read by python-rsa's own PKCS #1 parser, must be (N, E).
    pem_key = rsa.PublicKey.load_pkcs1(os.environ["TESTDC_RSA_PEM"].encode())
    assert (pem_key.n, pem_key.e) == (N, E), "the DC's PEM is not its key"
    telethon_rsa._server_keys[fingerprint(N, E)] = (pem_key, False)

    # Telethon ships full, abridged, intermediate and obfuscated abridged; the other framings
    # are its own codecs recombined (padded intermediate's tag is dd dd dd dd).
    class PaddedCodec(RandomizedIntermediatePacketCodec):
        tag = b"\xdd\xdd\xdd\xdd"

    class Padded(c.ConnectionTcpIntermediate):
        packet_codec = PaddedCodec

    class ObfIntermediate(c.ConnectionTcpObfuscated):
        packet_codec = IntermediatePacketCodec

    class ObfPadded(c.ConnectionTcpObfuscated):
        packet_codec = RandomizedIntermediatePacketCodec

    kinds = {"full": c.ConnectionTcpFull, "abridged": c.ConnectionTcpAbridged,
             "intermediate": c.ConnectionTcpIntermediate, "padded": Padded,
             "obf-abridged": c.ConnectionTcpObfuscated, "obf-intermediate": ObfIntermediate,
             "obf-padded": ObfPadded}
    return kinds[TRANSPORT]


async def with_telethon() -> bytes:
    from telethon.network import MTProtoPlainSender, authenticator

    class Loggers(dict):
        def __missing__(self, name):
            return logging.getLogger(name)

    from telethon.errors.common import SecurityError

    loggers = Loggers()
    # Telethon builds the key from the minimal big-endian bytes of g^ab: about one exchange
    # in 200 has g^ab < 2^2040, its key is 255 bytes and its own new_nonce_hash1 check fails
    # ("Step 3 invalid new nonce hash"; research/interop-peers.md). Its client then simply
    # makes a new key; so does this driver, for that error only, at most twice more.
    for attempt in range(3):
        conn = telethon_transport()(HOST, PORT, DC_ID, loggers=loggers)
        await conn.connect(timeout=10)
        try:
            auth_key, _time_offset = await authenticator.do_authentication(
                MTProtoPlainSender(conn, loggers=loggers))
            return auth_key.key
        except SecurityError as e:
            if "new nonce hash" not in str(e) or attempt == 2:
                raise
            print(f"telethon: {e}; a new key (Telethon's short-key quirk)", file=sys.stderr)
        finally:
            await conn.disconnect()


def kurigram_factories():
    """Trusts the test DC's key in Kurigram; returns (connection factory, protocol class)."""
    import pyrogram.connection.transport as transport
    from pyrogram.connection import Connection
    from pyrogram.crypto import rsa as pyrogram_rsa

    pyrogram_rsa.server_public_keys[fingerprint(N, E)] = pyrogram_rsa.PublicKey(N, E)
    kinds = {"abridged": "TCPAbridged", "intermediate": "TCPIntermediate", "full": "TCPFull",
             "obf-abridged": "TCPAbridgedO", "obf-intermediate": "TCPIntermediateO",
             "padded": "TCPIntermediatePadded"}

    class Local(Connection):
        """Kurigram builds every socket through this factory, always with keywords."""
        def __init__(self, **kwargs):
            kwargs["server_address"], kwargs["port"] = HOST, PORT
            super().__init__(**kwargs)

    return Local, getattr(transport, kinds[TRANSPORT])


async def with_kurigram() -> bytes:
    from pyrogram import Client
    from pyrogram.session.auth import Auth

    Local, protocol = kurigram_factories()
    client = Client("testdc-interop", api_id=12345, api_hash="0123456789abcdef" * 2,
                    in_memory=True, connection_factory=Local, protocol_factory=protocol)
    return await Auth(client, DC_ID, HOST, PORT, False).create()


async def main() -> None:
    make = {"telethon": with_telethon, "kurigram": with_kurigram}[CLIENT]
    auth_key = await asyncio.wait_for(make(), 60)
    assert len(auth_key) == 256, len(auth_key)
    print("OK", CLIENT, TRANSPORT, key_id(auth_key), flush=True)


if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("TESTDC_LOG", "WARNING"))
    asyncio.run(main())
