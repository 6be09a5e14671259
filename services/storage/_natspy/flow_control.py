"""A bucket watch without nats-py's task that looks four times a second for flow control.

Follows nats-py 2.16.0 ``JetStreamContext.subscribe`` (which starts
``_JSI.check_flow_control_response`` for every ordered consumer, ``_JSI._fctask``)
and ``Client._process_msg``. nats-server asks a push consumer with flow control to
answer once it has taken what came before the request; nats-py answers at once when
``_JSI.get_js_delivered()`` has reached the messages received before it, and leaves
the answer to that task otherwise. A watch (``KeyValue.watchall``) is a
subscription with a callback, for which ``get_js_delivered()`` counts a message as
soon as it arrives: every request is answered at once, and the task, which wakes
every 0.25 s for the watch's whole life, never has anything to send. It is most of
an idle service's wake-ups, so the watch goes without it.
``tests/integration/storage/test_bucket_copy.py`` checks that a watch still takes in more than the
flow-control window (a request left unanswered stalls it) and that an idle watch
does not wake its process.

Upstream, ``subscribe`` starting that task only for subscriptions without a
callback (or the task waiting on an ``asyncio.Event`` that
``schedule_flow_control_response`` sets) would make this module unnecessary.
"""

from nats.js import JetStreamContext
from nats.js.kv import KeyValue

__all__ = ["stop_flow_control_polling", "stop_subscription_flow_control_polling"]


def stop_flow_control_polling(watcher: KeyValue.KeyWatcher) -> None:
    """Cancel ``watcher``'s flow-control task: nats-py answers every request on arrival."""
    stop_subscription_flow_control_polling(watcher._sub)


def stop_subscription_flow_control_polling(
    subscription: JetStreamContext.PushSubscription,
) -> None:
    """The same for an ordered consumer with a callback (a stream followed like a bucket)."""
    jsi = subscription._sub._jsi
    if jsi is not None and jsi._fctask is not None:
        jsi._fctask.cancel()
