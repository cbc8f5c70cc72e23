// build.mjs - "builds" the test app: copies src/ into $FD_WEB_OUT, giving the
// script a hashed name under assets/ as a bundler would.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
const out = process.env.FD_WEB_OUT;
if (!out) { console.error('build.mjs: FD_WEB_OUT is not set'); process.exit(1); }
const js = readFileSync('src/app.js');
const name = `app-${createHash('sha256').update(js).digest('hex').slice(0, 8)}.js`;
mkdirSync(`${out}/assets`, { recursive: true });
writeFileSync(`${out}/assets/${name}`, js);
writeFileSync(`${out}/index.html`, readFileSync('src/index.html', 'utf8').replace('APP_JS', `assets/${name}`));
cpSync('src/logo.svg', `${out}/logo.svg`);
