// Subscribe with the graphql-ws reference client, print the first N results as JSON lines.
// Usage: node subscribe.mjs WS_URL TOKEN COUNT QUERY [VARIABLES_JSON]
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, token, count, query, variables] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
});
let seen = 0;
const timer = setTimeout(() => { console.error("timeout"); process.exit(2); }, 20000);
client.subscribe(
  { query, variables: variables ? JSON.parse(variables) : {} },
  {
    next: (result) => {
      console.log(JSON.stringify(result));
      seen += 1;
      if (seen >= Number(count)) { clearTimeout(timer); client.dispose(); process.exit(0); }
    },
    error: (err) => { console.log(JSON.stringify({ error: String(err.code ?? err.message ?? err) })); process.exit(0); },
    complete: () => { clearTimeout(timer); process.exit(0); },
  },
);
console.error("subscribed");
