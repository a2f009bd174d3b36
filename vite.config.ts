import { defineConfig } from 'vite'
import tailwindcss from '@tailwindcss/vite'
import adonisjs from '@adonisjs/vite/client'

export default defineConfig({
  plugins: [
    tailwindcss(),
    adonisjs({
      entryPoints: ['resources/css/app.css', 'resources/js/app.js'],
      reload: ['resources/views/**/*.edge'],
    }),
  ],
  // Crawl every script at start: a dependency found later (a page's own chunk importing
  // tus-js-client or MediaPipe) makes the dev server re-bundle and reload open pages.
  optimizeDeps: {
    entries: ['resources/js/**/*.js'],
  },
  server: {
    // Two dev servers (or test runs) on one machine each need their own hot-reload socket.
    hmr: process.env.VITE_HMR_PORT ? { port: Number(process.env.VITE_HMR_PORT) } : undefined,
    watch: {
      ignored: ['**/storage/**', '**/tmp/**'],
    },
  },
})
