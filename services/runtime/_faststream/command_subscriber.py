"""How a service takes commands: a task per command, at most ``max_workers`` at once.

Follows FastStream 0.7.8: ``ConcurrentCoreSubscriber`` (``_create_subscription``,
its ``max_workers``), ``SubscriberUsecase.process_message`` and ``consume``, and
``HandlerItem.is_suitable`` / ``call``. FastStream's concurrent subscriber passes
each message through an anyio memory stream to a task group, taking a semaphore
on each side, and its ``process_message`` wraps every message in context scopes
for log lines, a logging middleware, an exit stack and a publisher made for the
reply. This subscriber starts each command's task straight from nats-py's
callback, on an asyncio semaphore, and takes the command through FastStream's
own parts (its parser, the broker's decoder and middlewares' ``consume_scope``,
the handler, the reply) and nothing else: benchmarks/FINDINGS.md has what that
saves, by ``python -m benchmarks.command_floor``.

It answers only inboxes (``subjects.is_inbox``): a command naming any other
reply subject is refused before its handler runs, so a forged reply can make
a service neither act nor publish with its rights (into ``$KV.*``, ``$JS.*``,
``chat.store.*``). And a reply too large for NATS is answered ``too_large``
instead of failing to publish while the sender waits for its timeout.

Upstream, a ``subscriber_class`` option of ``NatsRegistrator.subscriber`` (or a
lighter ``process_message`` for subscribers without per-message logging and
publishers) would make the class swap in ``take_commands`` unnecessary.
"""

import asyncio
import logging
from typing import Any

from faststream.exceptions import SubscriberNotFound
from faststream.nats.response import NatsPublishCommand
from faststream.nats.subscriber.usecases.core_subscriber import ConcurrentCoreSubscriber
from faststream.response import PublishType, Response, ensure_response
from nats.aio.msg import Msg

from services.contracts import ErrorCode, failure, subjects
from services.runtime.log_budget import LogBudget

log = logging.getLogger("chatbus.commands")

# Lines a subscriber logs about forged reply subjects per minute; the rest are counted.
FORGED_REPLY_LINES_PER_MINUTE = 10
# What a reply's headers may take beyond those counted (see ``header_bytes``).
HEADER_SLACK = 64


class CommandSubscriber(ConcurrentCoreSubscriber):
    """A queue-group subscriber that handles up to ``max_workers`` commands at once.

    FastStream makes it as a ``ConcurrentCoreSubscriber`` and ``take_commands`` gives it
    this class, so FastStream's own registration, AsyncAPI document and start are unchanged.
    """

    _slots: asyncio.Semaphore
    _in_hand: set[asyncio.Task[Any]]

    _forged_replies: LogBudget

    def _prepare(self) -> None:
        self._slots = asyncio.Semaphore(self.max_workers)
        self._in_hand = set()
        self._forged_replies = LogBudget(FORGED_REPLY_LINES_PER_MINUTE, 60.0)

    @property
    def busy(self) -> bool:
        """Whether a command is in hand or waiting for a free slot."""
        return bool(self._in_hand) or self._slots.locked()

    async def _create_subscription(self) -> None:
        if self.subscription:
            return
        self._slots = asyncio.Semaphore(self.max_workers)  # on the loop that runs the broker
        self.subscription = await self.connection.subscribe(
            subject=self.subject.broker_address,
            queue=self.queue,
            cb=self._take,
            **self.extra_options,
        )

    async def _take(self, msg: Msg) -> None:
        # While all slots are taken, nats-py keeps further commands in the subscription's queue.
        await self._slots.acquire()
        task = asyncio.get_running_loop().create_task(self._handle(msg))
        self._in_hand.add(task)
        task.add_done_callback(self._in_hand.discard)

    async def _handle(self, msg: Msg) -> None:
        try:
            await self.process_message(msg)
        except Exception:
            # Handlers' failures are answered (broker.answer_failure); this is the reply
            # itself failing, or the parser: the sender times out and may send again.
            log.warning("command on %s not answered", msg.subject, exc_info=True)
        finally:
            self._slots.release()

    async def process_message(self, msg: Msg) -> Response:
        """One command: parsed, passed through the middlewares to its handler, answered.

        chatbus's middlewares do all their work in ``consume_scope``, the only part
        of them run here. ``TestNatsBroker`` calls this method too.

        A reply subject that is not an inbox is refused first, before any parsing.
        """
        if msg.reply and not subjects.is_inbox(msg.reply):
            return self._refuse_forged_reply(msg)
        (handler,) = self.calls
        message = await handler.is_suitable(msg, {})  # FastStream's parser, our decoder
        if message is None:
            raise SubscriberNotFound(f"no handler takes {msg.subject}")
        context = self._outer_config.context
        middlewares = [make(msg, context=context) for make in self._broker_middlewares]
        with context.scope("message", message):  # broker.answer_failure reads it
            result = await handler.call(
                message=message,
                _extra_middlewares=(m.consume_scope for m in reversed(middlewares)),
            )
        reply = ensure_response(result)
        reply.correlation_id = reply.correlation_id or message.correlation_id
        if message.reply_to and not self._no_reply:
            await self._answer(message.reply_to, reply)
        return reply

    async def _answer(self, reply_to: str, reply: Response) -> None:
        """Publish ``reply``, or ``too_large`` in its place when NATS would refuse its size."""
        # A subscriber has no public way to its broker's producer.
        producer = self._outer_config.producer
        codec = producer.codec
        serializer = getattr(producer, "serializer", None)
        body, content_type = await codec.encode(reply.body, serializer)
        headers = {**reply.headers, "content-type": content_type or ""}
        if reply.correlation_id:
            headers["correlation_id"] = reply.correlation_id
        limit = self.connection.max_payload - header_bytes(headers) - HEADER_SLACK
        if len(body) > limit:
            log.warning(
                "answer on %s is %d bytes, over the %d NATS allows: answered too_large",
                self.subject.broker_address,
                len(body),
                limit,
            )
            too_large = failure(
                ErrorCode.TOO_LARGE, "the answer is too large to send; ask for less at once"
            )
            body, content_type = await codec.encode(too_large, serializer)
            headers["content-type"] = content_type or ""
        await producer.publish(
            NatsPublishCommand(
                body,  # encoded once, here: bytes pass through the producer's codec as they are
                subject=reply_to,
                headers=headers,
                correlation_id=reply.correlation_id,
                _publish_type=PublishType.REPLY,
            )
        )

    def _refuse_forged_reply(self, msg: Msg) -> Response:
        """Nothing handled, nothing published; one warning line, within the log's budget."""
        unlogged = self._forged_replies.take()
        if unlogged is not None:
            log.warning(
                "refused a command on %s: its reply subject %r is not an inbox%s",
                msg.subject,
                msg.reply,
                f" ({unlogged} more refused before this one, not logged)" if unlogged else "",
            )
        return ensure_response(
            failure(ErrorCode.FORBIDDEN, "replies go to inbox subjects (_INBOX.) only")
        )


def header_bytes(headers: dict[str, str]) -> int:
    """What ``headers`` take in a NATS message: ``NATS/1.0``, a line each, a blank line."""
    return len("NATS/1.0\r\n\r\n") + sum(
        len(key.encode()) + len(value.encode()) + len(": \r\n") for key, value in headers.items()
    )


def take_commands(subscriber: ConcurrentCoreSubscriber) -> CommandSubscriber:
    """``subscriber``, as FastStream made it, now taking its commands as above."""
    subscriber.__class__ = CommandSubscriber
    assert isinstance(subscriber, CommandSubscriber)
    subscriber._prepare()
    return subscriber
