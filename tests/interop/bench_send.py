"""The Python side of the end-to-end bench (scripts/bench-e2e.sh, BENCHMARKS.md): a bot of
Telethon (+cryptg) or Kurigram (+tgcrypto) sends COUNT messages.sendMessage to Alice,
pipelined over its one connection, or idles so its resident memory can be read.

Inputs (environment): TESTDC_PORT, TESTDC_RSA_N, TESTDC_RSA_E, TESTDC_RSA_PEM (Telethon),
TESTDC_CLIENT (telethon | kurigram), TESTDC_TRANSPORT (as in handshake.py; the bench uses
intermediate, what our client speaks), TESTDC_BOT_TOKEN.

Usage: bench_send.py send COUNT TAG STYLE | idle
  STYLE for Telethon: `list` (one `await client([SendMessageRequest, ...])`: the library
  queues them all and packs them into containers) or `gather` (asyncio.gather over one
  `await client(request)` each); for Kurigram: `gather` (asyncio.gather over
  `app.invoke(raw.functions.messages.SendMessage(...))`) or `window` (the same, at most
  WINDOW (default 256) in flight).
Prints `RESULT <client>-<style> sent=... failed=... secs=... per_sec=...` (timed from the
first send to the last answer; the request objects are built before) or `RSS <client>
kib=...` (VmRSS of this process after connect, login, get_me and 2 s idle).
"""

import asyncio
import logging
import os
import random
import sys
import time

import handshake as hs  # the key injection and transport tables

TOKEN = os.environ["TESTDC_BOT_TOKEN"]


def vm_rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def report(name, count, failed, secs, first_error):
    if first_error is not None:
        print("first failure:", repr(first_error), file=sys.stderr)
    print(f"RESULT {name} sent={count - failed} failed={failed} secs={secs:.3f} "
          f"per_sec={count / secs:.0f}", flush=True)


async def telethon_client():
    import cryptg  # noqa: F401  (Telethon uses it when importable; fail loudly if missing)
    from telethon import TelegramClient
    from telethon.sessions import StringSession

    connection = hs.telethon_transport()
    session = StringSession()
    session.set_dc(2, hs.HOST, hs.PORT)
    client = TelegramClient(session, 12345, "0123456789abcdef" * 2, connection=connection,
                            connection_retries=1, retry_delay=0, timeout=60)
    await client.start(bot_token=TOKEN)
    return client


async def telethon_send(count, tag, style):
    from telethon.tl.functions.messages import SendMessageRequest

    client = await telethon_client()
    alice = await client.get_input_entity("alice")
    base = random.getrandbits(62)
    requests = [SendMessageRequest(alice, f"{tag} {i}", random_id=base + i)
                for i in range(count)]
    failed, first_error = 0, None
    start = time.perf_counter()
    if style == "list":
        try:
            await client(requests)
        except Exception as e:  # MultiError: some failed
            results = getattr(e, "results", None)
            failed = count if results is None else sum(r is None for r in results)
            first_error = e
    elif style == "gather":
        outcomes = await asyncio.gather(*(client(r) for r in requests), return_exceptions=True)
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        failed, first_error = len(errors), (errors[0] if errors else None)
    else:
        raise SystemExit(f"telethon style {style!r}: list | gather")
    secs = time.perf_counter() - start
    report(f"telethon-{style}", count, failed, secs, first_error)
    await client.disconnect()


async def kurigram_client():
    import tgcrypto  # noqa: F401  (Kurigram uses it when importable; fail loudly if missing)
    from pyrogram import Client

    factory, protocol = hs.kurigram_factories()
    app = Client("testdc-bench", api_id=12345, api_hash="0123456789abcdef" * 2,
                 bot_token=TOKEN, in_memory=True, connection_factory=factory,
                 protocol_factory=protocol)
    await app.start()
    return app


async def kurigram_send(count, tag, style):
    from pyrogram import raw

    app = await kurigram_client()
    resolved = await app.invoke(raw.functions.contacts.ResolveUsername(username="alice"))
    user = resolved.users[0]
    alice = raw.types.InputPeerUser(user_id=user.id, access_hash=user.access_hash)
    base = random.getrandbits(62)
    queries = [raw.functions.messages.SendMessage(peer=alice, message=f"{tag} {i}",
                                                  random_id=base + i)
               for i in range(count)]
    start = time.perf_counter()
    if style == "gather":
        outcomes = await asyncio.gather(*(app.invoke(q) for q in queries),
                                        return_exceptions=True)
    elif style == "window":
        window = asyncio.Semaphore(int(os.environ.get("WINDOW", "256")))

        async def one(q):
            async with window:
                return await app.invoke(q)
        outcomes = await asyncio.gather(*(one(q) for q in queries), return_exceptions=True)
    else:
        raise SystemExit(f"kurigram style {style!r}: gather | window")
    secs = time.perf_counter() - start
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    report(f"kurigram-{style}", count, len(errors), secs, errors[0] if errors else None)
    await app.stop()


async def idle():
    if hs.CLIENT == "telethon":
        client = await telethon_client()
        await client.get_me()
        await asyncio.sleep(2)
        print("RSS telethon kib=%d" % vm_rss_kib(), flush=True)
        await client.disconnect()
    else:
        app = await kurigram_client()
        await app.get_me()
        await asyncio.sleep(2)
        print("RSS kurigram kib=%d" % vm_rss_kib(), flush=True)
        await app.stop()


async def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "send"
    if mode == "idle":
        await idle()
        return
    count, tag, style = int(sys.argv[2]), sys.argv[3], sys.argv[4]
    run = {"telethon": telethon_send, "kurigram": kurigram_send}[hs.CLIENT]
    await run(count, tag, style)


if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("TESTDC_LOG", "WARNING"))
    asyncio.run(main())
