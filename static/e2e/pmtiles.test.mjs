// The PMTiles archive of `bando tiles export` as a CDN would serve it: a
// page of this test (not of the product) loads MapLibre with the npm
// `pmtiles` package registered as its pmtiles:// protocol and draws the
// archive, read through HTTP range requests alone; and the same package,
// in Node, reads every tile of the archive, which must be the server's
// /tiles answer byte for byte. run.sh exports the archive (BANDO_E2E_PMTILES)
// from the demo province before it starts the server.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {PMTiles} from 'pmtiles';
import {BASE, launch, shot} from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ARCHIVE = process.env.BANDO_E2E_PMTILES;
/** LAYERS and DATE are what run.sh exported. */
const LAYERS = process.env.BANDO_E2E_PMTILES_LAYERS ?? 'cases,districts';
const DATE = process.env.BANDO_E2E_PMTILES_DATE ?? '2021-07-05';

const skip = ARCHIVE ? false : 'BANDO_E2E_PMTILES is not set (run.sh exports the archive)';

/** FileSource is a pmtiles Source over a local file, for Node. */
class FileSource {
    constructor(file) {
        this.file = file;
        this.fd = fs.openSync(file, 'r');
    }
    getKey() {
        return this.file;
    }
    async getBytes(offset, length) {
        const buf = Buffer.alloc(length);
        const n = fs.readSync(this.fd, buf, 0, length, offset);
        return {data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + n)};
    }
}

/** tilesOf lists z/x/y of the tiles of zooms lo..hi over a bound. */
function tilesOf([w, s, e, n], lo, hi) {
    const out = [];
    const tx = (lon, z) => Math.floor(((lon + 180) / 360) * 2 ** z);
    const ty = (lat, z) => {
        const r = (lat * Math.PI) / 180;
        return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
    };
    for (let z = lo; z <= hi; z++) {
        for (let x = tx(w, z); x <= tx(e, z); x++) {
            for (let y = ty(n, z); y <= ty(s, z); y++) out.push([z, x, y]);
        }
    }
    return out;
}

test('the npm pmtiles reader finds the server\'s tiles in the archive, byte for byte', {skip}, async () => {
    const archive = new PMTiles(new FileSource(ARCHIVE));
    const h = await archive.getHeader();
    assert.equal(h.specVersion, 3);
    const meta = await archive.getMetadata();
    assert.equal(meta.date, DATE);
    assert.deepEqual(meta.vector_layers.map((l) => l.id), LAYERS.split(','));
    let drawn = 0;
    const ts = tilesOf([h.minLon, h.minLat, h.maxLon, h.maxLat], h.minZoom, h.maxZoom);
    assert.ok(ts.length > 10, `${ts.length} tiles in the archive's range`);
    for (const [z, x, y] of ts) {
        const got = await archive.getZxy(z, x, y);
        const res = await fetch(`${BASE}/tiles/${LAYERS}/${z}/${x}/${y}.mvt?date=${DATE}`, {headers: {'Accept-Encoding': 'identity'}});
        const body = Buffer.from(await res.arrayBuffer());
        if (res.status === 204) {
            assert.equal(got, undefined, `${z}/${x}/${y}: empty on the server, in the archive`);
            continue;
        }
        assert.equal(res.status, 200, `${z}/${x}/${y}`);
        assert.ok(got, `${z}/${x}/${y}: not in the archive`);
        // getZxy hands the tile back decompressed (the archive says gzip).
        assert.ok(Buffer.from(got.data).equals(body), `${z}/${x}/${y}: ${got.data.byteLength} bytes in the archive, ${body.length} on the server`);
        drawn++;
    }
    assert.ok(drawn > 0, 'no tile with content');
});

/** servePage serves the test's page, MapLibre, pmtiles and the archive (with ranges) on loopback. */
async function servePage() {
    const maplibre = path.join(here, '../node_modules/maplibre-gl/dist');
    const files = {
        '/pmtiles.js': [path.join(here, '../node_modules/pmtiles/dist/pmtiles.js'), 'text/javascript'],
        '/bd.pmtiles': [ARCHIVE, 'application/vnd.pmtiles'],
    };
    for (const f of fs.readdirSync(maplibre)) {
        files[`/maplibre/${f}`] = [path.join(maplibre, f), f.endsWith('.css') ? 'text/css' : 'text/javascript'];
    }
    const ranges = [];
    const server = http.createServer((req, res) => {
        const url = new URL(req.url, 'http://x');
        if (url.pathname === '/') {
            res.writeHead(200, {'Content-Type': 'text/html; charset=utf-8'});
            res.end(PAGE);
            return;
        }
        const f = files[url.pathname];
        if (!f) {
            res.writeHead(404).end();
            return;
        }
        const data = fs.readFileSync(f[0]);
        const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
        if (url.pathname === '/bd.pmtiles') ranges.push(req.headers.range ?? '(whole file)');
        if (m) {
            const [a, b] = [Number(m[1]), Math.min(Number(m[2]), data.length - 1)];
            res.writeHead(206, {'Content-Type': f[1], 'Content-Range': `bytes ${a}-${b}/${data.length}`, 'Accept-Ranges': 'bytes'});
            res.end(data.subarray(a, b + 1));
            return;
        }
        res.writeHead(200, {'Content-Type': f[1], 'Accept-Ranges': 'bytes'});
        res.end(data);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {url: `http://127.0.0.1:${server.address().port}`, ranges, close: () => server.close()};
}

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>PMTiles</title>
<link rel="stylesheet" href="/maplibre/maplibre-gl.css">
<style>html,body,#map{margin:0;width:100%;height:100%}</style>
<script src="/pmtiles.js"></script></head>
<body><div id="map"></div>
<script type="module">
import {Map, addProtocol, setWorkerUrl} from '/maplibre/maplibre-gl.mjs';
setWorkerUrl(location.origin + '/maplibre/maplibre-gl-worker.mjs');
const protocol = new pmtiles.Protocol();
addProtocol('pmtiles', protocol.tile);
window.map = new Map({
    container: 'map', center: [106.68, 11.05], zoom: 10, attributionControl: false,
    style: {
        version: 8,
        sources: {bando: {type: 'vector', url: 'pmtiles://' + location.origin + '/bd.pmtiles'}},
        layers: [
            {id: 'bg', type: 'background', paint: {'background-color': '#ffffff'}},
            {id: 'districts', type: 'line', source: 'bando', 'source-layer': 'districts', paint: {'line-color': '#333333', 'line-width': 2}},
            {id: 'cases', type: 'circle', source: 'bando', 'source-layer': 'cases', paint: {'circle-color': '#d7191c', 'circle-radius': 6}},
        ],
    },
});
window.map.on('error', (e) => { (window.mapErrors ??= []).push(String(e.error?.message ?? e)); });
</script></body></html>`;

test('MapLibre draws the archive through the pmtiles protocol', {skip}, async () => {
    const page = await servePage();
    const browser = await launch();
    try {
        const tab = await browser.newPage();
        const errors = [];
        tab.on('pageerror', (e) => errors.push(e.message));
        await tab.goto(page.url + '/', {waitUntil: 'domcontentloaded'});
        await tab.waitForFunction(() => window.map && window.map.loaded() && window.map.areTilesLoaded(), null, {timeout: 60000});
        const found = await tab.evaluate(() => ({
            districts: window.map.queryRenderedFeatures(undefined, {layers: ['districts']}).length,
            cases: window.map.queryRenderedFeatures(undefined, {layers: ['cases']}).map((f) => f.properties.count),
            errors: window.mapErrors ?? [],
        }));
        await shot(tab, 'pmtiles');
        assert.deepEqual(errors, []);
        assert.deepEqual(found.errors, []);
        assert.ok(found.districts > 0, 'no district drawn from the archive');
        assert.ok(found.cases.length > 0, 'no case group drawn from the archive');
        assert.ok(found.cases.every((n) => Number.isInteger(n) && n >= 5), `case counts ${found.cases}: groups of at least k`);
        // Everything came from the archive by ranges: no tile server.
        assert.ok(page.ranges.length >= 2 && page.ranges.every((r) => r.startsWith('bytes=')), `requests of the archive: ${page.ranges}`);
        assert.ok(!browser.requests.some((r) => r.url.startsWith(BASE)), 'the page asked the tile server');
    } finally {
        await browser.close();
        page.close();
    }
});

