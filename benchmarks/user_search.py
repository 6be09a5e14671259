"""``python -m benchmarks.user_search``: users:search latency with many users.

Seeds ``--users`` accounts (each with a display name) into the users bucket of a
nats-server of its own, starts the status service in this process, waits until it
has loaded them (in the background), and sends ``--searches`` users:search requests
over NATS, one at a time, for prefixes of one to four characters of existing
usernames and display names (limit 20). Prints when the status service takes
commands and when it has loaded the users, and p50/p99 of the round trip and of the
index alone (the status service's in-memory search, without NATS). Every answer is
checked: each user found starts with the query.
"""

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import nats
from nats.js import JetStreamContext

from services.contracts import SEARCH_USERS, SearchUsers, storage, utc_now
from services.core.settings import Settings
from services.ops.embedded_nats import EmbeddedNats
from services.status.app import create_status_service
from services.status.user_index import UsersCopy
from services.storage.account_records import AccountRecord
from services.storage.jetstream import open_bucket

from .measure import percentile

SEARCHER = "searcher"
FIRST = ["Ada", "Bob", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivo", "Jun"]
LAST = ["Lee", "Ng", "Okafor", "Petrov", "Quinn", "Rossi", "Sato", "Tanaka", "Umar", "Vega"]
SEED_BATCH = 2000


def _record(n: int, rng: random.Random) -> AccountRecord:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}{n % 97}"
    return AccountRecord(username=f"u{n:06d}", created_at=utc_now(), display_name=name)


async def seed(js: JetStreamContext, count: int, rng: random.Random) -> list[AccountRecord]:
    """``count`` accounts in the users bucket, written a batch at a time."""
    await open_bucket(js, storage.USERS_BUCKET)
    records = [_record(n, rng) for n in range(count)]
    records.append(AccountRecord(username=SEARCHER, created_at=utc_now()))
    for start in range(0, len(records), SEED_BATCH):
        batch = records[start : start + SEED_BATCH]
        await asyncio.gather(
            *(
                js.publish(f"$KV.{storage.USERS_BUCKET}.{r.username}", r.model_dump_json().encode())
                for r in batch
            )
        )
    return records


def queries(records: list[AccountRecord], count: int, rng: random.Random) -> list[str]:
    """Prefixes of one to four characters of usernames and display names."""
    found = []
    for _ in range(count):
        record = rng.choice(records)
        name = rng.choice([record.username, record.display_name or record.username])
        found.append(name[: rng.randint(1, 4)].strip() or name[0])
    return found


async def measure(users: int, searches: int) -> dict[str, float]:
    """Seed, start, search; the figures in milliseconds (load in seconds)."""
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="chatbus-user-search-") as store:
        async with EmbeddedNats(0, store) as server:
            nc = await nats.connect(server.url)
            js = nc.jetstream()
            records = await seed(js, users, rng)
            # No command budget: one user asks far more often than a person would.
            settings = Settings(
                nats_url=server.url,
                data_dir=Path(store) / "var",
                secret="b" * 40,
                command_rate_per_second=0,
            )
            asked = queries(records, searches, rng)
            started = time.perf_counter()
            async with create_status_service(settings):
                serving = time.perf_counter() - started
                # The users load in the background: searching starts once the last is found.
                while not await _search(nc, records[-2].username):
                    await asyncio.sleep(0.05)
                loaded = time.perf_counter() - started
                round_trips = [await _round_trip(nc, query) for query in asked]
            copy = UsersCopy(await js.key_value(storage.USERS_BUCKET))
            began = time.perf_counter()
            await copy.start()
            copy_loaded = time.perf_counter() - began
            index = []
            for query in asked:
                began = time.perf_counter()
                copy.search(query, 20)
                index.append((time.perf_counter() - began) * 1000)
            await copy.stop()
            await nc.close()
    return {
        "serving_s": serving,
        "load_s": loaded,
        "copy_load_s": copy_loaded,
        "p50_ms": percentile(round_trips, 0.5) or 0.0,
        "p99_ms": percentile(round_trips, 0.99) or 0.0,
        "index_p50_ms": percentile(index, 0.5) or 0.0,
        "index_p99_ms": percentile(index, 0.99) or 0.0,
    }


async def _search(nc: nats.NATS, query: str) -> list[dict[str, object]]:
    body = SearchUsers(query=query, limit=1).model_dump_json().encode()
    reply = await nc.request(SEARCH_USERS.subject_for(SEARCHER), body, timeout=10)
    found: list[dict[str, object]] = json.loads(reply.data)["data"]
    return found


async def _round_trip(nc: nats.NATS, query: str) -> float:
    body = SearchUsers(query=query, limit=20).model_dump_json().encode()
    began = time.perf_counter()
    reply = await nc.request(SEARCH_USERS.subject_for(SEARCHER), body, timeout=10)
    elapsed = (time.perf_counter() - began) * 1000
    envelope = json.loads(reply.data)
    if not envelope.get("ok"):
        raise AssertionError(f"users:search failed: {envelope}")
    folded = query.casefold()
    for user in envelope["data"]:
        names = (user["username"].casefold(), user["display_name"].casefold())
        if not any(name.startswith(folded) for name in names):
            raise AssertionError(f"{user} does not start with {query!r}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.user_search", description=__doc__)
    parser.add_argument("--users", type=int, default=100_000, help="accounts to seed")
    parser.add_argument("--searches", type=int, default=2_000, help="searches to time")
    args = parser.parse_args()
    f = asyncio.run(measure(args.users, args.searches))
    sys.stdout.write(
        f"users:search with {args.users:,} users ({args.searches:,} searches, limit 20):\n"
        f"| the status service takes commands after | {f['serving_s']:.1f} s |\n"
        f"| it has loaded every user (searches find them) after | {f['load_s']:.1f} s |\n"
        f"| a copy of the users bucket alone loads in | {f['copy_load_s']:.1f} s |\n"
        f"| round trip over NATS p50 / p99 | {f['p50_ms']:.2f} / {f['p99_ms']:.2f} ms |\n"
        f"| index alone p50 / p99 | {f['index_p50_ms']:.3f} / {f['index_p99_ms']:.3f} ms |\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
