"""Faults against chatbus as real processes, short forms (`python -m chaos` runs the full ones).

Each test starts nats-server, the three services and the edge as separate
processes, has socket.io users send with ``client_id``s (retrying whatever
was not acknowledged) and breaks something mid-burst. What was acknowledged
must be in history once, seqs contiguous, and every send stored once in the end.
"""

from pathlib import Path

import nats
import pytest

from chaos import Figures, Options, run_scenario
from services.ops.embedded_nats import EmbeddedNats
from services.storage.bucket_copy import BucketCopy
from services.storage.jetstream import open_bucket
from tests.support.polling import wait_until

pytestmark = pytest.mark.timeout(120)

# The bounds, asserted as given: service resumes within 5 s, a stop takes under 10 s.
RESUME_WITHIN = 5.0
EXIT_WITHIN = 10.0


def assert_nothing_lost_or_doubled(figures: Figures) -> None:
    print("\n" + figures.table())
    assert figures.sent > 0
    assert figures.acked == figures.sent, "a client gave up on a send"
    assert figures.lost == 0, "an acknowledged message is missing from history"
    assert figures.stored == figures.sent and figures.never_stored == 0
    assert figures.duplicates == 0, "a message is stored twice"
    assert figures.gaps == 0, "seqs are not 1..n without gaps"
    assert figures.wrong_acks == 0, "an ack named a seq that holds another message"
    assert figures.visible_duplicates == 0, "a client was pushed a message twice"
    assert figures.tracebacks == 0, "a process logged a traceback (see the logs dir)"


async def test_nats_server_killed_mid_burst_loses_and_doubles_nothing(tmp_path: Path) -> None:
    figures = await run_scenario(
        "nats-kill", Options(messages=500, clients=10, down_seconds=0.5, root=tmp_path)
    )
    assert_nothing_lost_or_doubled(figures)
    assert figures.extra["acked when killed"] < figures.sent, "the kill came after the burst"
    # De-duplication outlives the restart: acked messages sent again keep their seq.
    assert figures.extra["re-sent after restart"] > 0
    assert figures.extra["re-sent after restart, got another seq"] == 0
    assert figures.resume_seconds[0] < RESUME_WITHIN


async def test_each_handler_killed_mid_burst_loses_and_doubles_nothing(tmp_path: Path) -> None:
    figures = await run_scenario(
        "handler-kill", Options(messages=600, clients=6, burst_seconds=6, root=tmp_path)
    )
    assert_nothing_lost_or_doubled(figures)
    for role in ("chats", "messages", "status"):
        assert figures.extra[f"acked when {role} was killed"] < figures.sent, "killed too late"


async def test_every_consumer_resumes_within_5_s_of_each_nats_restart(tmp_path: Path) -> None:
    figures = await run_scenario(
        "nats-restarts",
        Options(messages=300, clients=5, restarts=3, period=0, burst_seconds=6, root=tmp_path),
    )
    assert_nothing_lost_or_doubled(figures)
    assert len(figures.resume_seconds) == 3
    assert max(figures.resume_seconds) < RESUME_WITHIN, figures.extra


async def test_a_user_offline_while_others_post_catches_up_once_in_order(tmp_path: Path) -> None:
    figures = await run_scenario(
        "offline", Options(messages=150, clients=3, offline_seconds=2, root=tmp_path)
    )
    assert_nothing_lost_or_doubled(figures)
    assert figures.extra["caught up"] == 150
    assert figures.extra["caught up in order, once"] is True


async def test_sigterm_lets_work_in_hand_finish_and_exits_within_10_s(tmp_path: Path) -> None:
    figures = await run_scenario(
        "sigterm", Options(messages=600, clients=6, burst_seconds=10, root=tmp_path)
    )
    assert_nothing_lost_or_doubled(figures)
    for role in ("chats", "messages", "status", "edge", "nats"):
        assert figures.extra[f"acked when {role} got SIGTERM"] < figures.sent, "stopped too late"
    assert set(figures.exit_seconds) == {"chats", "messages", "status", "edge", "nats"}
    assert max(figures.exit_seconds.values()) < EXIT_WITHIN, figures.exit_seconds
    # Nothing a stopping service or edge had taken on had to be sent again. (What is in
    # transit inside nats-server when it stops is lost with it; clients resend that, printed.)
    for role in ("chats", "messages", "status", "edge"):
        assert figures.extra[f"redeliveries around {role} SIGTERM"] == 0, role


async def test_a_copy_whose_watch_died_with_nats_catches_up_despite_its_own_writes(
    nats_server: EmbeddedNats,
) -> None:
    ours = await nats.connect(nats_server.url, max_reconnect_attempts=-1, reconnect_time_wait=0.1)
    theirs = await nats.connect(nats_server.url, max_reconnect_attempts=-1, reconnect_time_wait=0.1)
    try:
        bucket = await open_bucket(ours.jetstream(), "copy_after_restart")
        copy = BucketCopy(bucket, "copy_after_restart", bytes)
        await copy.start()
        await nats_server.stop()
        await nats_server.start()  # the copy's watch is gone with the old server

        other_program = await theirs.jetstream().key_value("copy_after_restart")
        await other_program.put("theirs", b"1")
        # A write of our own after theirs, applied at once as the services' writers do.
        revision = await bucket.put("ours", b"2")
        copy.apply("ours", b"2", revision)

        async def has_theirs() -> bool:
            return copy.get("theirs") == b"1"

        seconds = await wait_until(has_theirs, timeout=RESUME_WITHIN)
        print(f"\ncopy caught up {seconds:.2f} s after the other program's write")
        await copy.stop()
    finally:
        await ours.close()
        await theirs.close()
