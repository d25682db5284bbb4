"""A document round trip with two clients of one library against the ferrogram test DC: a
bot uploads a file of seeded random bytes and sends it to the user Alice as a document, then
downloads it again from the sent message; Alice's client (signed in with her phone and the
DC's login code) receives the message as an update and downloads it too.

Inputs (environment): as receive.py, plus TESTDC_SIZE (bytes, default 3000000) and
TESTDC_SEED (default 1).
Prints `OK <client> <transport> <md5 sent> <md5 bot download> <md5 user download> <file
name Alice saw> <size Alice saw>`; any failure is an exception.
"""

import asyncio
import hashlib
import io
import logging
import os
import random

import handshake as hs

TOKEN = os.environ["TESTDC_BOT_TOKEN"]
PHONE = os.environ.get("TESTDC_USER_PHONE", "15550000001")
CODE = os.environ.get("TESTDC_LOGIN_CODE", "22222")
SIZE = int(os.environ.get("TESTDC_SIZE", "3000000"))
SEED = int(os.environ.get("TESTDC_SEED", "1"))
NAME = "report.bin"
API = dict(api_id=12345, api_hash="0123456789abcdef" * 2)


def payload() -> bytes:
    return random.Random(SEED).randbytes(SIZE)


def named(data: bytes) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = NAME
    return f


async def with_telethon(data: bytes):
    from telethon import TelegramClient, events
    from telethon.sessions import StringSession

    connection = hs.telethon_transport()

    def client():
        session = StringSession()
        session.set_dc(2, hs.HOST, hs.PORT)
        return TelegramClient(session, API["api_id"], API["api_hash"], connection=connection,
                              connection_retries=1, retry_delay=0, timeout=10)

    user, bot = client(), client()
    got = asyncio.get_running_loop().create_future()

    @user.on(events.NewMessage(incoming=True))
    async def on_message(event):
        if event.message.document and not got.done():
            got.set_result(event.message)

    await user.start(phone=PHONE, code_callback=lambda: CODE)
    await bot.start(bot_token=TOKEN)
    me = await user.get_me()
    sent = await bot.send_file(me.id, named(data), force_document=True)
    bot_copy = await bot.download_media(sent, file=bytes)
    received = await asyncio.wait_for(got, 20)
    user_copy = await user.download_media(received, file=bytes)
    doc = received.document
    await bot.disconnect()
    await user.disconnect()
    return bot_copy, user_copy, received.file.name, doc.size


async def with_kurigram(data: bytes):
    from pyrogram import Client, filters

    factory, protocol = hs.kurigram_factories()
    common = dict(in_memory=True, connection_factory=factory, protocol_factory=protocol, **API)
    user = Client("testdc-user", phone_number=PHONE, phone_code=CODE, **common)
    bot = Client("testdc-bot", bot_token=TOKEN, **common)
    got = asyncio.get_running_loop().create_future()

    @user.on_message(filters.incoming & filters.document)
    async def on_message(_client, message):
        if not got.done():
            got.set_result(message)

    await user.start()
    await bot.start()
    me = await user.get_me()
    sent = await bot.send_document(me.id, named(data), file_name=NAME, force_document=True)
    bot_copy = (await bot.download_media(sent, in_memory=True)).getvalue()
    received = await asyncio.wait_for(got, 20)
    user_copy = (await user.download_media(received, in_memory=True)).getvalue()
    doc = received.document
    await bot.stop()
    await user.stop()
    return bot_copy, user_copy, doc.file_name, doc.file_size


async def main():
    data = payload()
    run = {"telethon": with_telethon, "kurigram": with_kurigram}[hs.CLIENT]
    bot_copy, user_copy, name, size = await asyncio.wait_for(run(data), 60)
    md5 = lambda b: hashlib.md5(b).hexdigest()
    print("OK", hs.CLIENT, hs.TRANSPORT, md5(data), md5(bot_copy), md5(user_copy), name, size,
          flush=True)


if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("TESTDC_LOG", "WARNING"))
    asyncio.run(main())
