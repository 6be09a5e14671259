// Copies Emojibase's English data (emojibase-data, installed from npm) into dist/emojibase/en/,
// where the emoji picker (frimousse) loads it from the edge's own origin: no CDN, works offline.
// Runs after `vite build`, which empties dist/.
import { copyFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const data = join(dirname(require.resolve("emojibase-data/package.json")), "en");
const target = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "emojibase", "en");

await mkdir(target, { recursive: true });
for (const name of ["data.json", "messages.json"]) {
  await copyFile(join(data, name), join(target, name));
}
console.log(`copied the emoji data into ${target}`);
