"""Two clients of one library against the ferrogram test DC: a user signs in with a phone
number and the DC's login code, a bot (token issued by the DC) messages that user, and the
user's client must receive the message as an update.

Inputs (environment): as bot_flow.py, plus TESTDC_USER_PHONE (default 15550000001, the
DC's user Alice) and TESTDC_LOGIN_CODE (default 22222: the DC id five times).
Prints `OK <client> <transport> <text received>`; any failure is an exception.
"""

import asyncio
import logging
import os

import handshake as hs

TOKEN = os.environ["TESTDC_BOT_TOKEN"]
PHONE = os.environ.get("TESTDC_USER_PHONE", "15550000001")
CODE = os.environ.get("TESTDC_LOGIN_CODE", "22222")
TEXT = os.environ.get("TESTDC_TEXT", "hello from the test DC")
API = dict(api_id=12345, api_hash="0123456789abcdef" * 2)


async def with_telethon():
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
        if not got.done():
            got.set_result(event.raw_text)

    await user.start(phone=PHONE, code_callback=lambda: CODE)
    await bot.start(bot_token=TOKEN)
    me = await user.get_me()
    await bot.send_message(me.id, TEXT)
    text = await asyncio.wait_for(got, 20)
    await bot.disconnect()
    await user.disconnect()
    return text


async def with_kurigram():
    from pyrogram import Client, filters

    factory, protocol = hs.kurigram_factories()
    common = dict(in_memory=True, connection_factory=factory, protocol_factory=protocol, **API)
    user = Client("testdc-user", phone_number=PHONE, phone_code=CODE, **common)
    bot = Client("testdc-bot", bot_token=TOKEN, **common)
    got = asyncio.get_running_loop().create_future()

    @user.on_message(filters.incoming)
    async def on_message(_client, message):
        if not got.done():
            got.set_result(message.text)

    await user.start()
    await bot.start()
    me = await user.get_me()
    await bot.send_message(me.id, TEXT)
    text = await asyncio.wait_for(got, 20)
    await bot.stop()
    await user.stop()
    return text


async def main():
    run = {"telethon": with_telethon, "kurigram": with_kurigram}[hs.CLIENT]
    text = await asyncio.wait_for(run(), 90)
    assert text == TEXT, (text, TEXT)
    print("OK", hs.CLIENT, hs.TRANSPORT, text, flush=True)


if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("TESTDC_LOG", "WARNING"))
    asyncio.run(main())
