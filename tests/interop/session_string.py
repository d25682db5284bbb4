"""A bot logs in with a real Python client against the ferrogram test DC and prints the
library's own session string, for ferrogram's client to continue from
(client-std/tests/interop.rs).

Inputs (environment): as bot_flow.py (TESTDC_PORT, TESTDC_RSA_N, TESTDC_RSA_E, TESTDC_CLIENT,
TESTDC_TRANSPORT, TESTDC_BOT_TOKEN).
Prints `BOT <bot id>`, `KEY <auth_key_id as 16 hex digits>` and `SESSION <string>`: Telethon's
`StringSession.save()` or Kurigram's `export_session_string()`. Any failure is an exception.
"""

import asyncio
import logging
import os

import handshake as hs  # the key injection and transport tables

TOKEN = os.environ["TESTDC_BOT_TOKEN"]


async def with_telethon():
    from telethon import TelegramClient
    from telethon.sessions import StringSession

    session = StringSession()
    session.set_dc(2, hs.HOST, hs.PORT)
    client = TelegramClient(session, 12345, "0123456789abcdef" * 2,
                            connection=hs.telethon_transport(), connection_retries=1,
                            retry_delay=0, timeout=10)
    await client.start(bot_token=TOKEN)
    me = await client.get_me()
    string = client.session.save()
    key = client.session.auth_key.key
    await client.disconnect()
    return me.id, key, string


async def with_kurigram():
    from pyrogram import Client

    factory, protocol = hs.kurigram_factories()
    app = Client("testdc-session", api_id=12345, api_hash="0123456789abcdef" * 2,
                 bot_token=TOKEN, in_memory=True, connection_factory=factory,
                 protocol_factory=protocol)
    await app.start()
    me = await app.get_me()
    string = await app.export_session_string()
    key = await app.storage.auth_key()
    await app.stop()
    return me.id, key, string


async def main():
    run = {"telethon": with_telethon, "kurigram": with_kurigram}[hs.CLIENT]
    me, key, string = await asyncio.wait_for(run(), 60)
    print("BOT", me, flush=True)
    print("KEY", hs.key_id(key), flush=True)
    print("SESSION", string, flush=True)


if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("TESTDC_LOG", "WARNING"))
    asyncio.run(main())
