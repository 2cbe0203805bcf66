// The street base map: without an archive the map says there is none; with
// one (BANDO_BASEMAP_PMTILES, a second server over the small archive of
// Bình Dương that tiles/basemap/basemaptest/mkfixture writes, see run.sh)
// the browser draws its earth, water, roads and places beneath the
// epidemic layers, every request to the server's own origin.

import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {validateStyleMin} from '@maplibre/maplibre-gl-style-spec';
import {assertOnlyHosts, BASE, decodePNG, distinctColours, launch, openMap, shot, waitIdle} from './helpers.mjs';

describe('street base map', () => {
    let browser;
    before(async () => {
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
    });

    test('without an archive the map says there is no street map', async () => {
        browser.reset();
        const {page, errors} = await openMap(browser, '/#11/10.9900/106.6700');
        await page.locator('#basemap-notice').waitFor();
        assert.equal((await page.locator('#basemap-notice').textContent()).trim(), 'Chưa có bản đồ nền');
        await page.selectOption('#lang', 'en');
        assert.equal((await page.locator('#basemap-notice').textContent()).trim(), 'No street map configured');
        assert.equal(await page.evaluate(() => Boolean(window.bandoMap.getSource('basemap'))), false);
        assert.deepEqual(errors, []);
        await page.close();
    });

    test('with an archive the browser draws the street map from our origin', {skip: !process.env.BANDO_E2E_BASEMAP && 'run through run.sh (BANDO_E2E_BASEMAP)'}, async (t) => {
        const base = await startBaseMapServer(t);
        const style = await (await fetch(`${base}/style.json`)).json();
        const invalid = validateStyleMin(style).map((e) => e.message);
        assert.deepEqual(invalid, [], `the style with the street map breaks the style specification:\n${invalid.join('\n')}`);
        assert.equal(style.sprite, undefined, 'a sprite the server does not serve');
        browser.reset();
        const page = await browser.newPage();
        const errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`${base}/#11/10.9900/106.6700`, {waitUntil: 'domcontentloaded'});
        await page.waitForSelector('body[data-ready="true"]', {timeout: 60000});
        await waitIdle(page);
        assert.equal(await page.locator('#basemap-notice').count(), 0, 'the "no street map" notice shows beside a street map');
        const drawn = await page.evaluate(() => {
            const map = window.bandoMap;
            const ids = map.getStyle().layers.filter((l) => l.source === 'basemap').map((l) => l.id);
            const fs = map.queryRenderedFeatures({layers: ids});
            return {
                layers: [...new Set(fs.map((f) => f.sourceLayer))].sort(),
                roads: [...new Set(fs.filter((f) => f.sourceLayer === 'roads').map((f) => f.properties.name))],
                firstEpidemic: map.getStyle().layers.findIndex((l) => l.source === 'bando'),
                lastBase: map.getStyle().layers.map((l) => l.id).lastIndexOf(ids[ids.length - 1]),
            };
        });
        for (const layer of ['earth', 'roads', 'water']) {
            assert.ok(drawn.layers.includes(layer), `the base map's ${layer} is not drawn (drawn: ${drawn.layers.join(', ')})`);
        }
        assert.deepEqual(drawn.roads, ['Đại lộ Bình Dương']);
        assert.ok(drawn.lastBase < drawn.firstEpidemic, 'the base map is drawn above the epidemic layers');
        const img = decodePNG(await shot(page.locator('#map canvas'), 'basemap'));
        assert.ok(distinctColours(img) > 20, `only ${distinctColours(img)} colours on the canvas`);
        const tiles = browser.requests.filter((r) => r.url.includes('/basemap/') && r.url.endsWith('.mvt'));
        assert.ok(tiles.length > 0, 'no street tile was requested');
        assert.ok(tiles.every((r) => r.status === 200 || r.status === 204), `street tiles failed: ${tiles.map((r) => `${r.url} ${r.status}`).join(', ')}`);
        assert.deepEqual(errors, []);
        await assertOnlyHosts(browser, [base]);
        await page.close();
    });
});

/** startBaseMapServer starts the server binary over the fixture archive, on the port after BASE's. */
async function startBaseMapServer(t) {
    const port = Number(new URL(BASE).port || 80) + 1;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bando-basemap-'));
    const env = {...process.env, BANDO_ADDR: `127.0.0.1:${port}`, BANDO_DATA_DIR: dir, BANDO_BASEMAP_PMTILES: process.env.BANDO_E2E_BASEMAP,
        // The operators' listener is not under test here, and its default port may be taken on a shared machine.
        BANDO_METRICS_ADDR: 'off'};
    delete env.BANDO_DATABASE_URL;
    delete env.BANDO_REDIS_URL;
    const log = [];
    const server = spawn(process.env.BANDO_E2E_BIN, [], {env, stdio: ['ignore', 'pipe', 'pipe']});
    server.stdout.on('data', (b) => log.push(String(b)));
    server.stderr.on('data', (b) => log.push(String(b)));
    t.after(() => {
        server.kill();
        fs.rmSync(dir, {recursive: true, force: true});
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 120; i++) {
        if (server.exitCode !== null) break;
        try {
            if ((await fetch(`${base}/readyz`)).ok) return base;
        } catch {
            // not listening yet
        }
        await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the base map server did not start:\n${log.join('')}`);
}
