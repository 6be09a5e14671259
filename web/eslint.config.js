// ESLint for the web client: the TypeScript rules (typescript-eslint, with type information)
// and React's rules of hooks. `make test` runs it (`npm run lint`) with no warning allowed.
// typescript-eslint needs TypeScript's JS API, which TypeScript 7 does not ship: package.json
// makes `typescript` TypeScript 6's API (@typescript/typescript6) for it, and `tsc` (the
// typecheck) TypeScript 7's compiler, installed as @typescript/native.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["dist/", "node_modules/"] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  reactHooks.configs.flat.recommended,
  {
    languageOptions: {
      globals: globals.browser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `const { [key]: _gone, ...rest } = value` is how a key is left out of a copy.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
    },
  },
  {
    // Generated from services/contracts: a model without fields is an empty interface.
    files: ["src/protocol.ts"],
    rules: { "@typescript-eslint/no-empty-object-type": "off" },
  },
  {
    files: ["**/*.{js,mjs}"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  { files: ["vite.config.ts"], languageOptions: { globals: globals.node } },
);
