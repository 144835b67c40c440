// Runs the GraphQL-over-HTTP conformance audits of the npm package graphql-http (its
// `serverAudits`) against a running server, and prints one JSON array: each audit's id, name,
// status ("ok", or "notice"/"warn"/"error" with a reason).
//
//   node tests/js/audit.mjs <graphql endpoint URL>
//
// JS_DEPS_DIR names the folder whose node_modules holds the packages of tests/js/package.json
// (tests/api/js.rs installs them under target/js with `npm ci`).
import { createRequire } from 'node:module';
import { join } from 'node:path';

const depsDir = process.env.JS_DEPS_DIR;
if (!depsDir) throw new Error('JS_DEPS_DIR is not set');
const require = createRequire(join(depsDir, 'package.json'));
const { serverAudits } = require('graphql-http');

const url = process.argv[2];
if (!url) throw new Error('usage: node audit.mjs <url>');

const results = [];
// One after the other: the audits are small, and a sequential run keeps the server's log readable.
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  results.push({ id: result.id, name: result.name, status: result.status, reason: result.reason ?? null });
}
console.log(JSON.stringify(results));
