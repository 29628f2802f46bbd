import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  plugins: [react()],
  css: { postcss: here },
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    rolldownOptions: {
      // @tremor/react does not declare itself free of side effects, so without this every one of its components
      // (and all of recharts they use) lands in the first page's bundle. Its modules only define components.
      treeshake: { moduleSideEffects: (id: string) => !id.includes('/node_modules/@tremor/react/') },
    },
  },
  // The dev server's proxy says it is one (X-Forwarded-For, xfwd): the local server then asks every request for a
  // token, as it does behind any proxy (review 15, R15-6: `vite --host` would otherwise serve the national user to
  // anyone on the network). Open the sign-in link `sp-outcomes token` prints with the dev server's port.
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8080', xfwd: true } } },
});
