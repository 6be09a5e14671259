// Copies the AsyncAPI viewer (@asyncapi/react-component's standalone bundle and its
// stylesheet, installed from npm) into dist/docs/, so the edge serves /docs with every
// asset from its own origin: the page renders with no internet and loads nothing from a CDN.
// Runs after `vite build`, which empties dist/.
import { copyFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const viewer = dirname(require.resolve("@asyncapi/react-component/package.json"));
const target = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "docs");

// Source inside the package -> name the edge serves it under (services/edge/api_docs.py).
const assets = {
  "browser/standalone/index.js": "asyncapi-viewer.js",
  "browser/standalone/index.js.LICENSE.txt": "asyncapi-viewer.js.LICENSE.txt",
  "styles/default.min.css": "asyncapi-viewer.css",
};

await mkdir(target, { recursive: true });
for (const [source, name] of Object.entries(assets)) {
  await copyFile(join(viewer, source), join(target, name));
}
console.log(`copied the AsyncAPI viewer into ${target}`);
