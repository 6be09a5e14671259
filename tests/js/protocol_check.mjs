// The client protocol, checked from outside Python: the official socket.io client
// (websocket and long-polling) and nats.js, written from DESIGN.md alone.
// Usage: node protocol_check.mjs <edge url> <nats url>   (exit 0: every check held)
import { io } from "socket.io-client";
import { connect as natsConnect, JSONCodec } from "nats";

const [edgeUrl, natsUrl] = process.argv.slice(2);
const json = JSONCodec();
const failures = [];
let checks = 0;

function check(name, condition, detail) {
  checks += 1;
  if (!condition) failures.push(`${name}: ${JSON.stringify(detail)}`);
}

async function post(path, body) {
  const response = await fetch(edgeUrl + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function login(username) {
  const password = "correct horse battery";
  const registered = await post("/api/register", { username, password });
  check(`register ${username}`, registered.status === 201, registered);
  const session = await post("/api/login", { username, password });
  check(`login ${username}`, session.status === 200 && session.body.token, session);
  return session.body.token;
}

function connectSocket(token, transports) {
  const socket = io(edgeUrl, { auth: { token }, transports, reconnection: false });
  const received = { message: [], chat: [], member: [], presence: [], typing: [] };
  for (const event of Object.keys(received)) socket.on(event, (data) => received[event].push(data));
  socket.received = received;
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => reject(error));
  });
}

function call(socket, event, payload) {
  return socket.timeout(5000).emitWithAck(event, payload);
}

async function until(condition, what) {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const run = Date.now().toString(36);
const [alice, bob, carol, botName] = ["alice", "bob", "carol", "bot"].map((n) => `${n}-${run}`);
const tokens = {};
for (const name of [alice, bob, carol, botName]) tokens[name] = await login(name);

// A missing token is refused with connect_error data {code: "unauthorized"}.
const refused = await connectSocket(undefined, ["websocket"]).then(
  () => null,
  (error) => error,
);
check("no token refused", refused && refused.data && refused.data.code === "unauthorized", refused && refused.data);

const aliceSocket = await connectSocket(tokens[alice], ["websocket"]);
const bobSocket = await connectSocket(tokens[bob], ["polling"]); // long-polling works too
const carolSocket = await connectSocket(tokens[carol], ["websocket"]);

// A private chat: alice and bob only.
const created = await call(aliceSocket, "chats:create", { name: "secret", private: true, members: [bob] });
check("create private chat", created.ok && created.data.private && created.data.owner === alice, created);
const chatId = created.data.id;
await until(() => bobSocket.received.chat.some((c) => c.id === chatId), "bob's chat event");

const carolList = await call(carolSocket, "chats:list", {});
check("outsider does not list it", carolList.ok && !carolList.data.some((c) => c.id === chatId), carolList);
for (const [event, payload] of [
  ["chats:join", { chat_id: chatId }],
  ["messages:history", { chat_id: chatId }],
  ["messages:send", { chat_id: chatId, text: "let me in" }],
  ["chats:invite", { chat_id: chatId, username: carol }],
]) {
  const answer = await call(carolSocket, event, payload);
  check(`outsider ${event} forbidden`, !answer.ok && answer.error.code === "forbidden", answer);
}

// Second edition chats: no member lists in a Chat, own chats in chats:list, the rest paged.
check("a chat carries no members", !("members" in created.data) && created.data.member_count === 2 && created.data.kind === "channel", created.data);
const bobList = await call(bobSocket, "chats:list", {});
const bobView = bobList.ok && bobList.data.find((c) => c.id === chatId);
check("chats:list gives own chats as views", bobView && bobView.role === "member" && "read_seq" in bobView && "muted" in bobView, bobList);
check("outsider lists none of them", carolList.ok && carolList.data.length === 0, carolList);
const members = await call(bobSocket, "chats:members", { chat_id: chatId, limit: 1 });
check("members paged by username", members.ok && members.data.members.length === 1 && members.data.more === true, members);
const rest = await call(bobSocket, "chats:members", { chat_id: chatId, after: members.data.members[0].username });
check("members after the cursor", rest.ok && rest.data.members.length === 1 && rest.data.more === false, rest);
const roles = [...members.data.members, ...rest.data.members].map((m) => `${m.username}:${m.role}`).sort();
check("members and roles", roles.join() === [`${alice}:owner`, `${bob}:member`].sort().join(), roles);
check("outsider cannot page members", !(await call(carolSocket, "chats:members", { chat_id: chatId })).ok, null);
check("outsider cannot get it", (await call(carolSocket, "chats:get", { chat_id: chatId })).error?.code === "forbidden", null);
const open = await call(aliceSocket, "chats:create", { name: `lobby ${run}`, topic: "all welcome" });
check("create public with topic", open.ok && open.data.topic === "all welcome", open);
await until(() => carolSocket.received.chat.some((c) => c.id === open.data.id), "carol hears of the public chat");
const found = await call(carolSocket, "chats:browse", { query: `LOBBY ${run}` });
check("browse finds it by name, ignoring case", found.ok && found.data.chats.length === 1 && found.data.chats[0].id === open.data.id && found.data.more === false, found);
check("anyone gets a public chat", (await call(carolSocket, "chats:get", { chat_id: open.data.id })).ok, null);
const carolJoined = await call(carolSocket, "chats:join", { chat_id: open.data.id });
check("join answers the chat", carolJoined.ok && carolJoined.data.member_count === 2, carolJoined);
await until(() => aliceSocket.received.member.some((m) => m.chat_id === open.data.id && m.username === carol), "alice hears carol join");
const joinEvent = aliceSocket.received.member.find((m) => m.chat_id === open.data.id && m.username === carol);
check("member event", joinEvent.action === "joined" && joinEvent.member_count === 2 && joinEvent.revision === carolJoined.data.revision, joinEvent);
check("bob, not a member, hears no join", !bobSocket.received.member.some((m) => m.chat_id === open.data.id), bobSocket.received.member);

// Messages: contiguous seqs, in order, to members only; a retry is stored once.
const sent = [];
for (const text of ["one", "<b>two</b>", "three ✓"]) {
  const answer = await call(aliceSocket, "messages:send", { chat_id: chatId, text, client_id: `c-${text.length}` });
  check(`send ${text}`, answer.ok && answer.data.text === text && answer.data.via === "web", answer);
  sent.push(answer.data);
}
check("seqs 1,2,3", sent.map((m) => m.seq).join() === "1,2,3", sent.map((m) => m.seq));
const retry = await call(aliceSocket, "messages:send", { chat_id: chatId, text: "one", client_id: "c-3" });
check("retry stored once", retry.ok && retry.data.id === sent[0].id && retry.data.seq === 1, retry);
await until(() => bobSocket.received.message.length >= 3, "bob's messages");
check("bob got them in order, once", bobSocket.received.message.map((m) => m.seq).join() === "1,2,3", bobSocket.received.message);

const page = await call(bobSocket, "messages:history", { chat_id: chatId, after: 1, limit: 1 });
check("history after", page.ok && page.data.messages[0].seq === 2 && page.data.more === true, page);

// Errors are envelopes and the connection survives them.
const invalid = await call(aliceSocket, "messages:send", { chat_id: chatId, text: 42 });
check("wrong type invalid", !invalid.ok && invalid.error.code === "invalid", invalid);
const unknown = await call(aliceSocket, "chats:explode", {});
check("unknown event answered", !unknown.ok && unknown.error.code === "invalid", unknown);
const missing = await call(aliceSocket, "chats:join", { chat_id: "no-such-chat" });
check("missing chat not_found", !missing.ok && missing.error.code === "not_found", missing);

// Presence across tabs.
const bobSecondTab = await connectSocket(tokens[bob], ["websocket"]);
const presence = await call(aliceSocket, "presence:list", {});
check("presence lists bob online", presence.ok && presence.data.some((p) => p.username === bob && p.status === "online"), presence);
bobSecondTab.disconnect();
const status = await call(bobSocket, "status:set", { status: "away" });
check("status set", status.ok && status.data.status === "away", status);
await until(() => aliceSocket.received.presence.some((p) => p.username === bob && p.status === "away"), "bob away");

// Typing reaches members only.
check("typing ok", (await call(bobSocket, "typing", { chat_id: chatId })).ok, null);
await until(() => aliceSocket.received.typing.some((t) => t.username === bob), "typing event");

// A bot on plain NATS acts as itself, under the same rules, and its messages say via nats.
const nc = await natsConnect({ servers: natsUrl });
const request = async (verb, payload) =>
  json.decode((await nc.request(`chat.cmd.${botName}.${verb}`, json.encode(payload), { timeout: 5000 })).data);
const roomEvents = nc.subscribe(`chat.room.${chatId}.message`);
const outsider = await request("messages.send", { chat_id: chatId, text: "hi" });
check("bot outsider forbidden", !outsider.ok && outsider.error.code === "forbidden", outsider);
check("alice invites bot", (await call(aliceSocket, "chats:invite", { chat_id: chatId, username: botName })).ok, null);
const impersonation = await request("messages.send", { chat_id: chatId, text: "hi", sender: alice });
check("payload cannot name the sender", !impersonation.ok && impersonation.error.code === "invalid", impersonation);
const botMessage = await request("messages.send", { chat_id: chatId, text: "beep" });
check("bot message via nats", botMessage.ok && botMessage.data.via === "nats" && botMessage.data.sender === botName && botMessage.data.seq === 4, botMessage);
for await (const event of roomEvents) {
  const message = json.decode(event.data);
  check("room event is the stored message", message.id === botMessage.data.id, message);
  break;
}
await until(() => aliceSocket.received.message.some((m) => m.id === botMessage.data.id), "alice hears the bot");
await nc.close();

for (const socket of [aliceSocket, bobSocket, carolSocket]) socket.disconnect();
console.log(JSON.stringify({ checks, failures }));
process.exit(failures.length ? 1 : 0);
