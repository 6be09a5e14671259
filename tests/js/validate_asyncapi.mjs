// Validates an AsyncAPI document with the official parser.
// Usage: node validate_asyncapi.mjs <file | http(s) URL>
// A URL is fetched as is (e.g. a live edge's /asyncapi.json), so what is checked is
// exactly what the server sends.
// Prints the diagnostics as JSON (severity 0 = error, 1 = warning, 2 = info, 3 = hint)
// and exits non-zero when there is any error or warning.
import { readFile } from "node:fs/promises";
import { Parser } from "@asyncapi/parser";

const source = process.argv[2];
if (!source) {
  console.error("usage: node validate_asyncapi.mjs <asyncapi.yaml|asyncapi.json|URL>");
  process.exit(2);
}

async function load(where) {
  if (!/^https?:\/\//.test(where)) return readFile(where, "utf8");
  const response = await fetch(where);
  if (!response.ok) {
    console.error(`${where} answered ${response.status}`);
    process.exit(2);
  }
  return response.text();
}

const parser = new Parser();
const { document, diagnostics } = await parser.parse(await load(source), { source });
const report = diagnostics.map(({ code, message, path, severity }) => ({
  code,
  message,
  path,
  severity,
}));
console.log(JSON.stringify(report, null, 2));
const failing = report.filter(({ severity }) => severity <= 1);
process.exit(document && failing.length === 0 ? 0 : 1);
