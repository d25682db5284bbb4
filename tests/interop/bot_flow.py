"""A bot's first steps with a real Python client against the ferrogram test DC: log in with
a token the DC issued, get_me, and message the DC's user Alice (id 1000001).

Inputs (environment): TESTDC_PORT, TESTDC_RSA_N, TESTDC_RSA_E (default 10001),
TESTDC_CLIENT (telethon | kurigram), TESTDC_TRANSPORT (as in handshake.py),
TESTDC_BOT_TOKEN, TESTDC_CHAT_ID (default 1000001), TESTDC_TEXT.
Prints `OK <client> <transport> <bot id> <message id>`; any failure is an exception.
"""

import asyncio
import logging
import os

import handshake as hs  # the key injection and transport tables

TOKEN = os.environ["TESTDC_BOT_TOKEN"]
CHAT = int(os.environ.get("TESTDC_CHAT_ID", "1000001"))
TEXT = os.environ.get("TESTDC_TEXT", "hello from the test DC")


async def with_telethon():
    from telethon import TelegramClient
    from telethon.sessions import StringSession

    connection = hs.telethon_transport()
    session = StringSession()
    session.set_dc(2, hs.HOST, hs.PORT)
    client = TelegramClient(session, 12345, "0123456789abcdef" * 2, connection=connection,
                            connection_retries=1, retry_delay=0, timeout=10)
    await client.start(bot_token=TOKEN)
    me = await client.get_me()
    msg = await client.send_message(CHAT, TEXT)
    await client.disconnect()
    return me.id, msg.id


async def with_kurigram():
    from pyrogram import Client

    factory, protocol = hs.kurigram_factories()
    app = Client("testdc-bot", api_id=12345, api_hash="0123456789abcdef" * 2,
                 bot_token=TOKEN, in_memory=True, connection_factory=factory,
                 protocol_factory=protocol)
    await app.start()
    me = await app.get_me()
    msg = await app.send_message(CHAT, TEXT)
    await app.stop()
    return me.id, msg.id


async def main():
    run = {"telethon": with_telethon, "kurigram": with_kurigram}[hs.CLIENT]
    me, msg = await asyncio.wait_for(run(), 60)
    print("OK", hs.CLIENT, hs.TRANSPORT, me, msg, flush=True)


if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("TESTDC_LOG", "WARNING"))
    asyncio.run(main())
