import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";

// The server serves dist/ under a strict Content-Security-Policy (self only, no inline scripts):
// keep the build free of inline scripts and styles.
export default defineConfig({
  plugins: [react()],
  // Workspace packages (the contract in @assent/sdk/contract) from their TypeScript sources.
  resolve: { conditions: ["@assent/source", ...defaultClientConditions] },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
  },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:8080",
      "/v1": "http://127.0.0.1:8080",
      "/docs": "http://127.0.0.1:8080",
    },
  },
});
