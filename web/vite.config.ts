import react from "@vitejs/plugin-react";
import { loadEnv } from "vite";
import { defineConfig } from "vitest/config";

export default defineConfig(({ mode }) => {
  // `npm run dev` sends the API and socket.io to a running `make run` (CHATBUS_EDGE to change it).
  const edge = loadEnv(mode, ".", "CHATBUS_").CHATBUS_EDGE ?? "http://127.0.0.1:8000";
  return {
    plugins: [react()],
    build: { outDir: "dist", emptyOutDir: true },
    server: {
      proxy: {
        "/api": edge,
        "/socket.io": { target: edge, ws: true },
      },
    },
    test: { include: ["src/**/*.test.ts"], environment: "node" },
  };
});
