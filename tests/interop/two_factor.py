"""A user with a 2FA password signs in to the ferrogram test DC: the login code, then
`SESSION_PASSWORD_NEEDED`, then the client's own SRP proof from `account.getPassword`
(`auth.checkPassword`). A wrong password must be refused first (Telethon only: Kurigram
asks again interactively on a wrong one).

Inputs (environment): as handshake.py, plus TESTDC_PASSWORD (the DC's `--password`),
TESTDC_USER_PHONE (default 15550000001, Alice) and TESTDC_LOGIN_CODE (default 22222).
Prints `OK <client> <transport> <user id>`; any failure is an exception.
"""

import asyncio
import logging
import os

import handshake as hs

PASSWORD = os.environ["TESTDC_PASSWORD"]
PHONE = os.environ.get("TESTDC_USER_PHONE", "15550000001")
CODE = os.environ.get("TESTDC_LOGIN_CODE", "22222")
API = dict(api_id=12345, api_hash="0123456789abcdef" * 2)


async def with_telethon():
    from telethon import TelegramClient, errors
    from telethon.sessions import StringSession

    session = StringSession()
    session.set_dc(2, hs.HOST, hs.PORT)
    client = TelegramClient(session, API["api_id"], API["api_hash"],
                            connection=hs.telethon_transport(), connection_retries=1,
                            retry_delay=0, timeout=10)
    await client.connect()
    await client.send_code_request(PHONE)
    try:
        await client.sign_in(PHONE, CODE)
        raise AssertionError("signed in without the password")
    except errors.SessionPasswordNeededError:
        pass
    try:
        await client.sign_in(password=PASSWORD + "-wrong")
        raise AssertionError("a wrong password was accepted")
    except errors.PasswordHashInvalidError:
        pass
    await client.sign_in(password=PASSWORD)
    me = await client.get_me()
    await client.disconnect()
    return me.id


async def with_kurigram():
    from pyrogram import Client

    factory, protocol = hs.kurigram_factories()
    client = Client("testdc-2fa", phone_number=PHONE, phone_code=CODE, password=PASSWORD,
                    in_memory=True, connection_factory=factory, protocol_factory=protocol,
                    **API)
    await client.start()
    me = await client.get_me()
    await client.stop()
    return me.id


async def main():
    run = {"telethon": with_telethon, "kurigram": with_kurigram}[hs.CLIENT]
    user_id = await asyncio.wait_for(run(), 90)
    print("OK", hs.CLIENT, hs.TRANSPORT, user_id, flush=True)


if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("TESTDC_LOG", "WARNING"))
    asyncio.run(main())
