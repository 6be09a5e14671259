"""What one workload does, independent of the system it runs against.

A ``Scenario`` names users by index, rooms by their members, the sockets each
user opens and a schedule of sends. A system turns it into real names, chat
ids and credentials (a ``Setup``); ``generator_plans`` then splits the sockets
and sends between the generator processes.
"""

import random
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "HistorySpec",
    "Scenario",
    "Setup",
    "expected_per_message",
    "generator_plans",
    "history_scenario",
    "idle_scenario",
    "room_scenario",
    "zipf_mix_scenario",
]


@dataclass(frozen=True)
class HistorySpec:
    """Chats of user 0 holding stored messages, and the history pages to read from them."""

    messages_per_chat: int
    pages: int
    limit: int = 50


@dataclass
class Scenario:
    """One workload: users, rooms, sockets and sends, by index."""

    name: str
    kind: str
    users: int
    rooms: list[list[int]]
    # The user behind each socket; a user's first socket is the one that sends.
    sockets: list[int]
    # (seconds after the start, sending user, room), in time order; the position is the
    # message's index, written into its text.
    sends: list[tuple[float, int, int]]
    processes: int = 2
    drain_seconds: float = 15.0
    history: HistorySpec | None = None
    baseline: bool = True
    sample_memory: bool = False
    # Runs of each system, alternating; the table shows the median (see ``rounds``).
    rounds: int = 1
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def send_seconds(self) -> float:
        """When the last send is due."""
        return self.sends[-1][0] if self.sends else 0.0


@dataclass
class Setup:
    """A scenario made real on one system."""

    url: str
    chat_ids: list[str]
    auth: list[dict[str, Any]]
    join_rooms: bool


def room_scenario(
    name: str, members: int, senders: int, rate: float, seconds: float, **options: Any
) -> Scenario:
    """One room of ``members`` sockets; ``senders`` of them share ``rate`` messages/s."""
    count = max(1, round(rate * seconds))
    sends = [(i / rate, i % senders, 0) for i in range(count)]
    params = {"members": members, "senders": senders, "rate": rate, "messages": count}
    return Scenario(
        name,
        "room",
        users=members,
        rooms=[list(range(members))],
        sockets=list(range(members)),
        sends=sends,
        params=params,
        **options,
    )


def zipf_mix_scenario(
    name: str, rooms: int, size: int, rate: float, seconds: float, seed: int = 6, **options: Any
) -> Scenario:
    """``rooms`` rooms of ``size`` over ``rooms`` users (each in ``size`` rooms).

    Each message goes to a room drawn from a Zipf law (s = 1.1: a few busy rooms,
    a long quiet tail), from a random member of it.
    """
    chooser = random.Random(seed)
    users = rooms
    members: list[set[int]] = [set() for _ in range(rooms)]
    for _ in range(size):
        order = list(range(users))
        chooser.shuffle(order)
        for room, user in enumerate(order):
            members[room].add(user)
    weights = [1 / (rank + 1) ** 1.1 for rank in range(rooms)]
    count = max(1, round(rate * seconds))
    targets = chooser.choices(range(rooms), weights=weights, k=count)
    sends = [(i / rate, chooser.choice(sorted(members[r])), r) for i, r in enumerate(targets)]
    params = {"rooms": rooms, "size": size, "rate": rate, "messages": count, "zipf_s": 1.1}
    return Scenario(
        name,
        "mix",
        users=users,
        rooms=[sorted(room) for room in members],
        sockets=list(range(users)),
        sends=sends,
        params=params,
        **options,
    )


def generator_plans(scenario: Scenario, setup: Setup, processes: int) -> list[dict[str, Any]]:
    """The plan of each generator process: its sockets, its sends, what it should receive."""
    rooms_of: list[list[int]] = [[] for _ in range(scenario.users)]
    for room, members in enumerate(scenario.rooms):
        for user in members:
            rooms_of[user].append(room)
    room_totals = [0] * len(scenario.rooms)
    for _, _, room in scenario.sends:
        room_totals[room] += 1

    plans: list[dict[str, Any]] = []
    for _ in range(processes):
        plans.append(
            {
                "url": setup.url,
                "sockets": [],
                "sends": [],
                "total_messages": len(scenario.sends),
                "expected_deliveries": 0,
                "send_seconds": scenario.send_seconds,
                "drain_seconds": scenario.drain_seconds,
                "history": [],
                "history_socket": 0,
            }
        )
    # Where each user's first socket lives: (process, index there).
    sender_socket: dict[int, tuple[int, int]] = {}
    for number, user in enumerate(scenario.sockets):
        plan = plans[number % processes]
        chats = [setup.chat_ids[room] for room in rooms_of[user]]
        sender_socket.setdefault(user, (number % processes, len(plan["sockets"])))
        plan["sockets"].append(
            {"auth": setup.auth[user], "join": chats if setup.join_rooms else []}
        )
        plan["expected_deliveries"] += sum(room_totals[room] for room in rooms_of[user])
    for index, (at_s, user, room) in enumerate(scenario.sends):
        process, local = sender_socket[user]
        plans[process]["sends"].append([at_s, local, setup.chat_ids[room], index])
    if scenario.history is not None:
        plans[0]["history"] = history_requests(scenario, setup)
    return plans


def history_requests(scenario: Scenario, setup: Setup) -> list[dict[str, Any]]:
    """Random full pages: the newest of a chat, or one ending before a random seq."""
    spec = scenario.history
    assert spec is not None
    chooser = random.Random(len(setup.chat_ids))
    requests: list[dict[str, Any]] = []
    for page in range(spec.pages):
        request: dict[str, Any] = {"chat_id": chooser.choice(setup.chat_ids), "limit": spec.limit}
        if page % 2:
            request["before"] = chooser.randint(spec.limit + 1, spec.messages_per_chat)
        requests.append(request)
    return requests


def expected_per_message(scenario: Scenario) -> list[int]:
    """How many sockets should receive each message: every socket of every member."""
    sockets_of = [0] * scenario.users
    for user in scenario.sockets:
        sockets_of[user] += 1
    room_sockets = [sum(sockets_of[user] for user in members) for members in scenario.rooms]
    return [room_sockets[room] for _, _, room in scenario.sends]


def idle_scenario(
    name: str, idle: int, members: int, rate: float, seconds: float, **options: Any
) -> Scenario:
    """``idle`` sockets that receive nothing, beside one busy room of ``members``.

    The idle sockets belong to a few users (a thousand sockets each), as tabs do:
    the point is the edge's memory per connection, not a storm of presence events.
    """
    scenario = room_scenario(name, members, 1, rate, seconds, **options)
    idle_users = -(-idle // 1000) if idle else 0
    scenario.kind = "idle"
    scenario.users = members + idle_users
    scenario.sockets += [members + i % idle_users for i in range(idle)] if idle else []
    scenario.params |= {"idle": idle, "idle_users": idle_users}
    return scenario


def history_scenario(name: str, chats: int, per_chat: int, pages: int, **options: Any) -> Scenario:
    """One reader, member of ``chats`` chats of ``per_chat`` stored messages, reading pages."""
    spec = HistorySpec(messages_per_chat=per_chat, pages=pages)
    params = {"chats": chats, "stored": chats * per_chat, "pages": pages, "limit": spec.limit}
    return Scenario(
        name,
        "history",
        users=1,
        rooms=[[0] for _ in range(chats)],
        sockets=[0],
        sends=[],
        history=spec,
        baseline=False,
        params=params,
        processes=1,
        **options,
    )
