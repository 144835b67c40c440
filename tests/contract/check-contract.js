// Compares the project's schema.graphql with the contract: every breaking change from the contract
// to the project's schema is a name that clients rely on and the project lacks or changed.
// usage: node check-contract.js CONTRACT SCHEMA [--defer]   (--defer: skip the writes and the journalists' queries)
// needs the npm package graphql, pinned in tests/js/package.json: NODE_PATH=target/js/node_modules
const fs = require("fs");
const { buildSchema, findBreakingChanges, findDangerousChanges } = require("graphql");
const [contractPath, projectPath, flag] = process.argv.slice(2);
const DEFERRED = [/^Mutation\b/, /^Subscription\b/, /^Query\.(search|chairOn|coHostPairs|meetingCounts|commitmentCoverage)\b/,
  /^(SourceInput|ParticipationInput|CreateMeetingInput|UpdateMeetingInput|CreateChairmanshipInput|Deleted|ChangeOperation|Change|ActorPair|MeetingGrouping|MeetingCount|CommitmentCoverage)\b/];
let project;
try {
  project = buildSchema(fs.readFileSync(projectPath, "utf8"));
} catch (e) {
  console.log(`schema.graphql missing or invalid: ${e.message.split("\n")[0]}`);
  process.exit(1);
}
const contract = buildSchema(fs.readFileSync(contractPath, "utf8"));
let changes = findBreakingChanges(contract, project).concat(
  // a changed default is a silent change for clients; added enum values, union members and optional args are fine
  findDangerousChanges(contract, project).filter((c) => c.type === "ARG_DEFAULT_VALUE_CHANGE"));
if (flag === "--defer") changes = changes.filter((c) => !DEFERRED.some((re) => re.test(c.description)));
for (const c of changes.slice(0, 15)) console.log(`${c.type}: ${c.description}`);
const total = Object.keys(contract.getTypeMap()).filter((t) => !t.startsWith("__")).length;
console.log(`${changes.length} departures from the contract (${total} contract types checked)`);
process.exit(changes.length === 0 ? 0 : 1);
