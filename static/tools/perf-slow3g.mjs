// perf-slow3g.mjs measures what a phone on slow 3G waits for: the time until
// /embed shows the banner's numbers, and the time until / shows its first
// map (style loaded, every visible tile drawn), with the bytes each page
// loads until then (bytes on the wire with headers: scripts, the MapLibre
// worker, glyphs, tiles, all). Network throttling is
// Chrome DevTools' "Slow 3G" profile through CDP
// Network.emulateNetworkConditions: 2,000 ms round trip, 50 kB/s down and
// up (400 kbit/s); the CPU is not throttled. Each run starts with an empty
// cache (a new browser context, as a first visit; the cache works within
// the load, so that a worker the page preloads comes from it); targets take
// turns run by run, so that they share the machine's load alike.
//
// Usage: node tools/perf-slow3g.mjs [--runs N] name=URL [name=URL ...]
//   e.g. node tools/perf-slow3g.mjs before=http://127.0.0.1:18562 after=http://127.0.0.1:18563

import http from 'node:http';
import os from 'node:os';
import {chromium} from 'playwright-core';

const SLOW_3G = {offline: false, latency: 2000, downloadThroughput: 50_000, uploadThroughput: 50_000};
const PHONE = {width: 390, height: 844};

function parseArgs(argv) {
    let runs = 3;
    const targets = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--runs') runs = Number(argv[++i]);
        else {
            const [name, url] = argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i], argv[i]];
            targets.push({name, url: url.replace(/\/+$/, '')});
        }
    }
    if (!targets.length || !(runs > 0)) {
        console.error('usage: node tools/perf-slow3g.mjs [--runs N] name=URL [name=URL ...]');
        process.exit(2);
    }
    return {runs, targets};
}

/** wireBytes is the size of url's body as the server sends it (not decoded) to a client taking acceptEncoding. */
function wireBytes(url, acceptEncoding) {
    return new Promise((resolve, reject) => {
        http.get(url, {headers: {'Accept-Encoding': acceptEncoding}}, (res) => {
            let n = 0;
            res.on('data', (b) => { n += b.length; });
            res.on('end', () => resolve(n));
            res.on('error', reject);
        }).on('error', reject);
    });
}

/** measure opens url in a fresh throttled context and waits until done() holds in the page. */
async function measure(browser, url, done) {
    const context = await browser.newContext({viewport: PHONE, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', serviceWorkers: 'block'});
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW_3G);
    // Playwright hears the requests of MapLibre's worker too (tiles, glyphs,
    // the style's TileJSON), which the page's CDP session does not.
    // The worker's own script is the exception: Chrome reports no body
    // bytes for the worker's request, so unless the page preloaded it (and
    // the preload's bytes count), its body is fetched once more as the
    // browser asked for it (same Accept-Encoding) and counted as it comes
    // off the wire.
    const bytes = {script: 0, worker: 0, glyphs: 0, tiles: 0, total: 0};
    const pending = [];
    const workerAsked = [];
    context.on('requestfinished', (req) => pending.push((async () => {
        const sz = await req.sizes();
        const u = req.url();
        const worker = /maplibre-gl-worker[^/]*\.m?js(\?|$)/.test(u);
        if (worker && sz.responseBodySize === 0) {
            workerAsked.push(req);
            return;
        }
        const n = sz.responseBodySize + sz.responseHeadersSize;
        const k = worker ? 'worker' : u.includes('/fonts/') ? 'glyphs' : /\.mvt(\?|$)/.test(u) ? 'tiles' : /\.m?js(\?|$)/.test(u) ? 'script' : undefined;
        if (k) bytes[k] += n;
        bytes.total += n;
    })().catch(() => undefined)));
    const start = Date.now();
    await page.goto(url, {waitUntil: 'commit', timeout: 180_000});
    await page.waitForFunction(done, null, {timeout: 180_000, polling: 100});
    const ms = Date.now() - start;
    await Promise.all(pending);
    if (bytes.worker === 0 && workerAsked.length) {
        const req = workerAsked[0];
        const n = await wireBytes(req.url(), (await req.allHeaders())['accept-encoding'] ?? '') + (await req.sizes()).responseHeadersSize;
        bytes.worker += n;
        bytes.total += n;
    }
    await context.close();
    return {ms, bytes};
}

const numbersShown = () => /\d/.test(document.querySelector('#banner-community .fig-value')?.textContent ?? '');
const mapShown = () => Boolean(window.bandoMap?.loaded() && window.bandoMap.isStyleLoaded() && document.body.dataset.ready === 'true');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n) => `${(n / 1000).toFixed(0)} kB`;

const {runs, targets} = parseArgs(process.argv.slice(2));
const browser = await chromium.launch({executablePath: process.env.BANDO_CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run']});
const results = new Map(targets.map((t) => [t.name, {embed: [], map: []}]));
for (let r = 0; r < runs; r++) {
    for (const t of targets) {
        const res = results.get(t.name);
        res.embed.push(await measure(browser, `${t.url}/embed`, numbersShown));
        res.map.push(await measure(browser, `${t.url}/`, mapShown));
        console.error(`run ${r + 1}/${runs} ${t.name}: embed ${res.embed.at(-1).ms} ms, map ${res.map.at(-1).ms} ms`);
    }
}
await browser.close();

console.log(`slow 3G (2000 ms RTT, 50 kB/s), phone ${PHONE.width}×${PHONE.height}, ${runs} runs each, median; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('target      | /embed numbers | / first map | / scripts | / worker | / glyphs | / tiles | / total');
for (const [name, res] of results) {
    const m = res.map[0].bytes;
    console.log(`${name.padEnd(11)} | ${(median(res.embed.map((x) => x.ms)) / 1000).toFixed(1).padStart(12)} s | ${(median(res.map.map((x) => x.ms)) / 1000).toFixed(1).padStart(9)} s | ${kb(m.script).padStart(9)} | ${kb(m.worker).padStart(8)} | ${kb(m.glyphs).padStart(8)} | ${kb(m.tiles).padStart(7)} | ${kb(m.total).padStart(7)}`);
}
if (targets.length === 2) {
    const [a, b] = [...results.values()];
    const ratio = (k) => (median(b[k].map((x) => x.ms)) / median(a[k].map((x) => x.ms))).toFixed(2);
    console.log(`${targets[1].name}/${targets[0].name}: /embed numbers ×${ratio('embed')}, / first map ×${ratio('map')}`);
}
