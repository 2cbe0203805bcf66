// The map page's first script (prefetch.js) asks for the first view's tiles
// and labels while MapLibre still downloads, and guesses them right: every
// tile the map asks for first was asked for by prefetch.js before, and
// prefetch.js asked for no tile the map did not want (a wrong guess would
// cost a slow network bytes). On a phone, on a desktop and for a view in
// the address. With the old page (no prefetch) each tile is asked for once.

import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {BASE, launch} from './helpers.mjs';

const FIRST = /\/(tiles|basemap)\/.*\.mvt(\?|$)|\/api\/labels(\?|$)/;

for (const [name, viewport, hash] of [
    ['phone', {width: 390, height: 844}, ''],
    ['desktop', {width: 1366, height: 768}, ''],
    ['a view in the address', {width: 1366, height: 768}, '#11/11.0000/106.6500&date=2021-06-20'],
]) {
    describe(`prefetch: ${name}`, () => {
        let browser;
        before(async () => {
            browser = await launch({viewport});
        });
        after(async () => {
            await browser?.close();
        });

        test('the map asks again for exactly the tiles prefetch.js asked for', async () => {
            browser.reset();
            const page = await browser.newPage();
            await page.goto(`${BASE}/${hash}`, {waitUntil: 'domcontentloaded'});
            await page.waitForSelector('body[data-ready="true"]', {timeout: 60000});
            const asked = new Map();
            for (const r of browser.requests) {
                if (FIRST.test(r.url)) asked.set(r.url, (asked.get(r.url) ?? 0) + 1);
            }
            assert.ok([...asked.keys()].some((u) => /\.mvt/.test(u)), 'no tile asked for at all');
            // Once by prefetch.js, once by the map (from the HTTP cache on a slow network).
            const odd = [...asked].filter(([, n]) => n !== 2).map(([u, n]) => `${u.replace(BASE, '')} ×${n}`);
            assert.deepEqual(odd, [], 'tiles prefetch.js and the map did not both ask for');
            if (hash) assert.ok([...asked.keys()].every((u) => !/\/tiles\//.test(u) || u.includes('date=2021-06-20')), 'the address\'s date left out');
            await page.close();
        });
    });
}
