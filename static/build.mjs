// build.mjs bundles the web app into dist/, which is committed so that the
// Go binary embeds it without an npm step. `npm ci && npm run build`
// reproduces dist/ from package-lock.json.
//
// dist/index.html, embed.html, admin.html  pages ({{lang}} is filled by the server)
// dist/checkin.html, staff.html             the light QR check-in pages (no map)
// dist/assets/*-HASH.*                      scripts, styles, the MapLibre worker, the icon
// dist/embed.js                             the loader portals include (stable name)
// dist/fonts/<stack>/<range>.pbf            SDF glyphs for map labels
// dist/**/*.br                              Brotli copies the server sends when taken

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import zlib from 'node:zlib';
import * as esbuild from 'esbuild';
import {FONTS, renderFont} from './tools/glyphs.mjs';
import {basemapLayers, OUT as BASEMAP_LAYERS} from './tools/basemap-layers.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, 'dist');
const assets = path.join(dist, 'assets');
const TARGET = ['chrome103', 'firefox102', 'safari15.4', 'edge103'];

/** hashed copies a file into assets/ under a content-hashed name and returns its URL. */
function hashed(src, name, ext) {
    const data = fs.readFileSync(src);
    const h = crypto.createHash('sha256').update(data).digest('hex').slice(0, 10);
    const file = `${name}-${h}${ext}`;
    fs.writeFileSync(path.join(assets, file), data);
    return `/assets/${file}`;
}

fs.rmSync(dist, {recursive: true, force: true});
fs.mkdirSync(assets, {recursive: true});

const urls = {
    'icon.svg': hashed(path.join(root, 'src/pages/icon.svg'), 'icon', '.svg'),
};
const worker = hashed(path.join(root, 'node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs'), 'maplibre-gl-worker', '.mjs');
urls['worker.mjs'] = worker;

const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: {app: 'src/app.ts', embed: 'src/embed.ts', admin: 'src/admin.ts', checkin: 'src/checkin.ts', staff: 'src/staff.ts'},
    bundle: true,
    splitting: true,
    format: 'esm',
    outdir: assets,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    minify: true,
    target: TARGET,
    legalComments: 'eof',
    define: {BANDO_WORKER_URL: JSON.stringify(worker)},
    metafile: true,
    logLevel: 'warning',
});

// preloads: for each entry, <link rel=modulepreload> of the chunks it
// imports statically, so that a slow network fetches them beside the entry
// instead of one round trip later. Lazy (dynamic) imports are left out.
const preloads = {};
// shell lists what the map page needs to open offline: its script with the
// chunks it imports statically, its style sheet, the map worker and the icon
// (the service worker caches them on install).
const shell = new Set([worker, urls['icon.svg']]);
for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint) continue;
    const name = path.basename(meta.entryPoint, '.ts');
    urls[`${name}.js`] = `/assets/${path.basename(out)}`;
    if (name === 'app') {
        shell.add(urls['app.js']);
        if (meta.cssBundle) shell.add(`/assets/${path.basename(meta.cssBundle)}`);
        for (const i of meta.imports) if (i.kind === 'import-statement') shell.add(`/assets/${path.basename(i.path)}`);
    }
    if (meta.cssBundle) urls[`${name}.css`] = `/assets/${path.basename(meta.cssBundle)}`;
    // The largest chunk (MapLibre) first: over HTTP/1.1 a browser sends six
    // requests at a time to a site, and the one that takes longest should
    // not wait for a connection behind small ones.
    preloads[name] = meta.imports.filter((i) => i.kind === 'import-statement')
        .sort((a, b) => result.metafile.outputs[b.path].bytes - result.metafile.outputs[a.path].bytes)
        .map((i) => `<link rel="modulepreload" href="/assets/${path.basename(i.path)}">\n`);
}

// prefetch.js, the map page's first script, stands alone (no shared
// chunks): each chunk it waited for would cost it a round trip on a slow
// network. It holds the few functions it shares with app.js twice.
{
    const pre = await esbuild.build({
        absWorkingDir: root,
        entryPoints: {prefetch: 'src/prefetch.ts'},
        bundle: true,
        format: 'esm',
        outdir: assets,
        entryNames: '[name]-[hash]',
        minify: true,
        target: TARGET,
        legalComments: 'eof',
        metafile: true,
        logLevel: 'warning',
    });
    const out = Object.keys(pre.metafile.outputs).find((o) => o.endsWith('.js'));
    urls['prefetch.js'] = `/assets/${path.basename(out)}`;
    shell.add(urls['prefetch.js']);
}

for (const page of ['index', 'embed', 'admin', 'checkin', 'staff']) {
    const html = fs.readFileSync(path.join(root, `src/pages/${page}.html`), 'utf8')
        .replace(/\{\{asset:([\w.]+)\}\}/g, (_, k) => {
            if (!urls[k]) throw new Error(`build: ${page}.html asks for unknown asset ${k}`);
            return urls[k];
        })
        // {{data:icon.svg}}: the icon inline, a data: URL, so that the
        // browser's late request for it takes none of the six connections
        // the first map's tiles need on a slow network.
        .replace(/\{\{data:icon\.svg\}\}/g, () => `data:image/svg+xml,${encodeURIComponent(fs.readFileSync(path.join(root, 'src/pages/icon.svg'), 'utf8').trim())}`)
        // {{preload:ENTRY:N}}: only the N largest of them.
        .replace(/\{\{preload:(\w+)(?::(\d+))?\}\}/g, (_, k, n) => {
            if (!(k in preloads)) throw new Error(`build: ${page}.html asks for the preloads of unknown entry ${k}`);
            return n === undefined ? preloads[k].join('') : preloads[k].slice(0, Number(n)).join('');
        });
    fs.writeFileSync(path.join(dist, `${page}.html`), html);
}

await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/embed-loader.ts'],
    bundle: true,
    format: 'iife',
    minify: true,
    target: TARGET,
    outfile: path.join(dist, 'embed.js'),
    logLevel: 'warning',
});

// The service worker keeps a stable name at the root (its scope is the
// site); its version changes with the shell, so a deploy replaces it.
const shellList = [...shell].sort();
await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/sw.ts'],
    bundle: true,
    format: 'iife',
    minify: true,
    target: TARGET,
    outfile: path.join(dist, 'sw.js'),
    define: {
        BANDO_SHELL: JSON.stringify(shellList),
        BANDO_SW_VERSION: JSON.stringify(crypto.createHash('sha256').update(shellList.join('\n')).digest('hex').slice(0, 10)),
    },
    logLevel: 'warning',
});

for (const font of FONTS) {
    const n = renderFont(font, path.join(dist, 'fonts'));
    console.log(`build: ${font.stack}: ${n} glyphs`);
}
// Brotli copies (name.br) of the scripts, style sheets and glyphs, which the
// server sends to browsers that take br: a fifth less than gzip. A copy that
// saves less than a tenth is not written.
let brotliSaved = 0;
for (const dir of [assets, path.join(dist, 'fonts')]) {
    for (const f of fs.readdirSync(dir, {recursive: true})) {
        if (!/\.(m?js|css|svg|pbf)$/.test(f)) continue;
        const file = path.join(dir, f);
        const data = fs.readFileSync(file);
        const br = zlib.brotliCompressSync(data, {params: {
            [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
            [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        }});
        if (br.length > data.length * 0.9) continue;
        fs.writeFileSync(`${file}.br`, br);
        brotliSaved += data.length - br.length;
    }
}
console.log(`build: brotli copies save ${(brotliSaved / 1e6).toFixed(1)} MB`);
// The street base map's layers go to the Go style (tiles/tilehttp), not dist/.
fs.writeFileSync(BASEMAP_LAYERS, JSON.stringify(basemapLayers(), null, 1) + '\n');
console.log(`build: ${Object.keys(result.metafile.outputs).length} bundle files, worker ${worker}`);
