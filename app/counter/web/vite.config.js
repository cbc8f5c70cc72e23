// Vite builds the counter page into FD_WEB_OUT (see package.json): hashed
// assets under assets/, no inline script (the server's CSP allows none).
export default {
  base: '/',
  build: {
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    target: 'es2020',
  },
};
