import type { IncomingMessage } from "node:http";

import react from "@vitejs/plugin-react";
import { loadEnv, type ProxyOptions } from "vite";
import { defineConfig } from "vitest/config";

/**
 * The dev server's proxy to the edge, which answers only its own host names (DNS rebinding)
 * and, by default, its own origin: requests go with the edge's Host, and a page of the dev
 * server itself speaks with the edge's origin. Any other origin stays as it is, and foreign.
 */
function toEdge(edge: string, ws = false): ProxyOptions {
  const sameOrigin = (req: IncomingMessage) => req.headers.origin === `http://${req.headers.host}`;
  return {
    target: edge,
    ws,
    changeOrigin: true,
    configure: (proxy) => {
      proxy.on("proxyReq", (proxyReq, req) => {
        if (sameOrigin(req)) proxyReq.setHeader("origin", edge);
      });
      proxy.on("proxyReqWs", (proxyReq, req) => {
        if (sameOrigin(req)) proxyReq.setHeader("origin", edge);
      });
    },
  };
}

export default defineConfig(({ mode }) => {
  // `npm run dev` sends the API and socket.io to a running `make run` (CHATBUS_EDGE to change it).
  const edge = loadEnv(mode, ".", "CHATBUS_").CHATBUS_EDGE ?? "http://127.0.0.1:8000";
  return {
    plugins: [react()],
    build: { outDir: "dist", emptyOutDir: true },
    server: {
      proxy: {
        "/api": toEdge(edge),
        "/socket.io": toEdge(edge, true),
      },
    },
    test: { include: ["src/**/*.test.ts"], environment: "node" },
  };
});
