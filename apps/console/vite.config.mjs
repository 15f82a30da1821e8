// Builds the console into apps/console/dist (served by the control plane at `/`). Everything is bundled: no CDN.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  // Absolute asset paths: the console also loads on nested paths such as the SSO redirect URL /auth/oidc/callback.
  base: '/',
  resolve: {
    alias: [{ find: /^@vigil\/domain\/([^/]+)$/, replacement: resolve(here, '../../libs/domain/$1/src/index.ts') }],
  },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: resolve(here, 'dist'), emptyOutDir: true, sourcemap: true, target: 'es2022', assetsInlineLimit: 0 },
  server: {
    // `VIGIL_URL=http://localhost:3000 npx vite --config apps/console/vite.config.mjs` proxies the API while developing.
    proxy: { '/api': { target: process.env.VIGIL_URL ?? 'http://127.0.0.1:3000', changeOrigin: true } },
  },
});
