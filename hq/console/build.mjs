// build.mjs - builds the head-office console into $FD_WEB_OUT (default dist/):
// index.html, assets/app-HASH.js (+ lazily loaded chunks, the charts among
// them) and assets/app-HASH.css. esbuild bundles and minifies the ES modules
// under src/ and tree-shakes Apache ECharts down to the charts we draw.
// Hashed names let frontdesk-hq cache assets for a year; index.html is the
// only unhashed file and names them. No inline script or style anywhere
// (frontdesk-hq's Content-Security-Policy forbids both).
// Usage: npm run build   (cmake's fd_web_app sets FD_WEB_OUT)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.env.FD_WEB_OUT || join(here, 'dist'));
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: { app: join(here, 'src/main.js') },
  bundle: true,
  splitting: true,          // the reports page loads the charts on demand
  format: 'esm',
  target: ['chrome109', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: false,
  legalComments: 'linked',  // ECharts' and zrender's licence notices beside the bundle
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});

// The entry's file names, for index.html.
let js = null, css = null;
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  if (info.entryPoint && info.entryPoint.endsWith('src/main.js') && file.endsWith('.js')) {
    js = file;
    css = info.cssBundle || null;
  }
}
if (!js) throw new Error('build: no entry script in the output');
// Absolute: index.html also answers /console/ without its trailing parts.
const rel = (f) => '/console/assets/' + f.split('/assets/').pop();
let html = readFileSync(join(here, 'src/index.html'), 'utf8');
html = html.replace('%APP_JS%', rel(js)).replace('%APP_CSS%', css ? rel(css) : '');
writeFileSync(join(out, 'index.html'), html);
copyFileSync(join(here, 'src/favicon.svg'), join(out, 'favicon.svg'));

let bytes = 0;
for (const info of Object.values(result.metafile.outputs)) bytes += info.bytes;
console.log(`console: built ${Object.keys(result.metafile.outputs).length + 1} files, ${Math.round(bytes / 1024)} KiB, into ${out}`);
