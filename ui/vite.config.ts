// Builds the web UI into dist/ui, served by `marquetry serve` (src/api/ui-route.ts).
// JSX goes through the bundler's own transform with Preact's automatic runtime.

import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  publicDir: 'public',
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
  // `npm run dev:ui`: live reload against a running marquetry (MARQUETRY_API, default :3200).
  server: {
    proxy: { '/api': process.env['MARQUETRY_API'] ?? 'http://127.0.0.1:3200' },
  },
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
});
