// zone.js flags for the Node-side Angular specs. Jest's node environment shares the host's EventTarget and
// MessagePort prototypes with every sandbox, so zone.js's browser patches of those would outlive this file and
// run Node's own MessagePort traffic through a torn-down zone ("Cannot read properties of undefined"). The specs
// use `ws` sockets (EventEmitters), so neither patch is needed here; the browser suite keeps them on in Chromium.
const flags = globalThis as Record<string, unknown>;
flags.__Zone_disable_EventTarget = true;
flags.__Zone_disable_on_property = true;
flags.__Zone_disable_MessagePort = true;
export {};
