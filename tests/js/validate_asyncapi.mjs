// Validates an AsyncAPI document with the official parser.
// Usage: node validate_asyncapi.mjs <file>
// Prints the diagnostics as JSON (severity 0 = error, 1 = warning, 2 = info, 3 = hint)
// and exits non-zero when there is any error or warning.
import { readFile } from "node:fs/promises";
import { Parser } from "@asyncapi/parser";

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate_asyncapi.mjs <asyncapi.yaml|asyncapi.json>");
  process.exit(2);
}

const parser = new Parser();
const { document, diagnostics } = await parser.parse(await readFile(file, "utf8"), {
  source: file,
});
const report = diagnostics.map(({ code, message, path, severity }) => ({
  code,
  message,
  path,
  severity,
}));
console.log(JSON.stringify(report, null, 2));
const failing = report.filter(({ severity }) => severity <= 1);
process.exit(document && failing.length === 0 ? 0 : 1);
