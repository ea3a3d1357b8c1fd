// Runs every graphql-http server audit against the URL given and prints one JSON line per audit:
// {"id", "name", "status", "reason"}. The exit code is 0 when the audit ran, whatever its results
// (the pytest test judges them); a crash of the audit itself exits non-zero.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://host:port/graphql');
  process.exit(2);
}
const results = await auditServer({ url });
for (const result of results) {
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') line.reason = result.reason;
  console.log(JSON.stringify(line));
}
