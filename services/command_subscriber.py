"""How a service takes commands: a task per command, at most ``max_workers`` at once.

FastStream's concurrent subscriber passes each message through an anyio memory
stream to a task group, taking a semaphore on each side. This subscriber starts
each command's task straight from nats-py's callback instead, on an asyncio
semaphore; the command then goes through FastStream's ``consume`` as before
(middlewares, decoding, the handler, the reply).
"""

import asyncio
from typing import Any

from faststream.nats.subscriber.usecases.core_subscriber import ConcurrentCoreSubscriber
from nats.aio.msg import Msg


class CommandSubscriber(ConcurrentCoreSubscriber):
    """A queue-group subscriber that handles up to ``max_workers`` commands at once.

    FastStream makes it as a ``ConcurrentCoreSubscriber`` and ``take_commands`` gives it
    this class, so FastStream's own registration, AsyncAPI document and start are unchanged.
    """

    _slots: asyncio.Semaphore
    _in_hand: set[asyncio.Task[Any]]
    _log_context: dict[str, str]

    def _prepare(self) -> None:
        self._slots = asyncio.Semaphore(self.max_workers)
        self._in_hand = set()
        self._log_context = {}

    @property
    def busy(self) -> bool:
        """Whether a command is in hand or waiting for a free slot."""
        return bool(self._in_hand) or self._slots.locked()

    def get_log_context(self, message: Any) -> dict[str, str]:
        return self._log_context

    async def _create_subscription(self) -> None:
        if self.subscription:
            return
        self._slots = asyncio.Semaphore(self.max_workers)  # on the loop that runs the broker
        # FastStream builds it for every message from the subject template (a Python loop
        # over its characters), for log lines that, at chatbus's log level, are not written.
        self._log_context = self.build_log_context(None, self.subject.template, queue=self.queue)
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
            await self.consume(msg)  # answers every failure itself (see broker.answer_failure)
        finally:
            self._slots.release()


def take_commands(subscriber: ConcurrentCoreSubscriber) -> CommandSubscriber:
    """``subscriber``, as FastStream made it, now taking its commands as above."""
    subscriber.__class__ = CommandSubscriber
    assert isinstance(subscriber, CommandSubscriber)
    subscriber._prepare()
    return subscriber
