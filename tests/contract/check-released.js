// Compares the schema with the schema as last released (schema.released.graphql): a client written
// against the release must keep working, so every breaking change is refused unless what it
// removes or changes was already @deprecated in the release. That is the change policy of the
// README ("Changing the schema"); copying schema.graphql over schema.released.graphql is a step of
// making a release.
// usage: node check-released.js RELEASED SCHEMA
// needs the npm package graphql, pinned in tests/js/package.json: NODE_PATH=target/js/node_modules
const fs = require("fs");
const {
  buildSchema, findBreakingChanges, findDangerousChanges, getNamedType,
  isObjectType, isInterfaceType, isInputObjectType, isEnumType,
} = require("graphql");
const [releasedPath, projectPath] = process.argv.slice(2);
const read = (path) => {
  try {
    return buildSchema(fs.readFileSync(path, "utf8"));
  } catch (e) {
    console.log(`${path} missing or invalid: ${e.message.split("\n")[0]}`);
    process.exit(1);
  }
};
const released = read(releasedPath);
const project = read(projectPath);

// Whether the release deprecated the type member a change names ("Meeting.title", "Query.meetings
// arg first", "MeetingOrder.START_DATE_ASC"), or the field an argument belongs to.
function deprecatedInRelease(typeName, member, arg) {
  const type = released.getType(typeName);
  if (!type) return false;
  if (isEnumType(type)) return Boolean(type.getValue(member)?.deprecationReason);
  if (!(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))) return false;
  const field = type.getFields()[member];
  if (!field) return false;
  if (field.deprecationReason) return true;
  return arg !== undefined && Boolean(field.args?.find((a) => a.name === arg)?.deprecationReason);
}

// A removed type is allowed once nothing in the release reaches it except through deprecated
// fields and arguments (GraphQL has no @deprecated on types).
function unreachableInRelease(typeName) {
  for (const type of Object.values(released.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    if (!(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      if (getNamedType(field.type).name === typeName && !field.deprecationReason) return false;
      for (const a of field.args ?? []) {
        if (getNamedType(a.type).name === typeName && !a.deprecationReason && !field.deprecationReason) return false;
      }
    }
  }
  return true;
}

function allowed(change) {
  const d = change.description;
  if (change.type === "TYPE_REMOVED") return unreachableInRelease(d.split(" ")[0]);
  const value = /^(\w+) was removed from enum type (\w+)\.$/.exec(d);
  if (value) return deprecatedInRelease(value[2], value[1]);
  const member = /^(\w+)\.(\w+)(?: arg (\w+))?\b/.exec(d);
  return member !== null && deprecatedInRelease(member[1], member[2], member[3]);
}

const changes = findBreakingChanges(released, project)
  // A changed default silently changes what an unchanged client gets.
  .concat(findDangerousChanges(released, project).filter((c) => c.type === "ARG_DEFAULT_VALUE_CHANGE"))
  .filter((c) => !allowed(c));
for (const c of changes.slice(0, 15)) console.log(`${c.type}: ${c.description}`);
console.log(`${changes.length} breaking changes against the released schema`);
process.exit(changes.length === 0 ? 0 : 1);
