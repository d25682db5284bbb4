"""Telethon follows `PHONE_MIGRATE_X` inside a test-DC cluster: it starts at DC 2, sends
the code request, is told Alice lives on another DC, looks that DC up in help.getConfig
(the cluster's dc_options), makes a key there and signs in with that DC's code.

Inputs (environment): as handshake.py (TESTDC_PORT is DC 2's port), plus
TESTDC_HOME_DC (Alice's home) and TESTDC_USER_PHONE (default 15550000001).
Prints `OK telethon <transport> <user id> <dc id the client ended on>`.
"""

import asyncio
import logging
import os

import handshake as hs

HOME = int(os.environ["TESTDC_HOME_DC"])
PHONE = os.environ.get("TESTDC_USER_PHONE", "15550000001")
API = dict(api_id=12345, api_hash="0123456789abcdef" * 2)


async def main():
    assert hs.CLIENT == "telethon", "only Telethon's migration is driven here"
    from telethon import TelegramClient
    from telethon.sessions import StringSession

    session = StringSession()
    session.set_dc(2, hs.HOST, hs.PORT)
    client = TelegramClient(session, API["api_id"], API["api_hash"],
                            connection=hs.telethon_transport(), connection_retries=1,
                            retry_delay=0, timeout=10)
    # The test DC's login code is the DC's digit five times: the home DC's, after the move.
    await client.start(phone=PHONE, code_callback=lambda: str(HOME) * 5)
    me = await client.get_me()
    dc = client.session.dc_id
    await client.disconnect()
    print("OK", hs.CLIENT, hs.TRANSPORT, me.id, dc, flush=True)


if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("TESTDC_LOG", "WARNING"))
    asyncio.run(asyncio.wait_for(main(), 90))
