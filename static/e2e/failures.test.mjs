// Honest failures: tiles or the bulletin that fail to load are said in a
// banner with a Retry button (the server is made to fail by intercepting
// its answers with 503); the figures of a previous date are cleared while a
// newly chosen date loads; and with the service worker an offline reload
// shows the map and the last bulletin, marked with its date, from the
// worker's copy instead of the browser's error page.

import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {BASE, countNear, decodePNG, distinctColours, hex, launch, shot, waitIdle} from './helpers.mjs';

/** open opens the map page without waiting for the tiles, which may fail on purpose. */
async function open(browser, pathAndQuery) {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(BASE + pathAndQuery, {waitUntil: 'domcontentloaded'});
    return {page, errors};
}

describe('failures', () => {
    let browser;
    before(async () => {
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
    });

    test('failed tiles show a banner; Retry loads them', async () => {
        browser.reset();
        const page = await browser.newPage();
        let failing = true;
        await page.route(/\/tiles\/[^?]*\.mvt/, (route) => (failing
            ? route.fulfill({status: 503, contentType: 'application/problem+json', body: '{"detail":"busy"}'})
            : route.continue()));
        await page.goto(`${BASE}/#11/10.9900/106.6700`, {waitUntil: 'domcontentloaded'});
        const failure = page.locator('#failures .failure[data-kind="bando"]');
        await failure.waitFor({timeout: 60000});
        assert.match(await failure.textContent(), /Không tải được dữ liệu bản đồ \(lỗi 503\)/);
        assert.equal(await page.locator('#failures').getAttribute('role'), 'alert');
        // Every tile has failed by now (a failed tile counts as loaded).
        await page.waitForFunction(() => window.bandoMap?.loaded(), null, {timeout: 60000});
        failing = false;
        browser.reset();
        await failure.locator('button.retry').click();
        await waitIdle(page);
        assert.equal(await page.locator('#failures .failure').count(), 0, 'the banner stays after a good retry');
        const tiles = browser.requests.filter((r) => /\/tiles\/[^?]*\.mvt/.test(r.url));
        assert.ok(tiles.length > 0 && tiles.every((r) => r.status === 200 || r.status === 204), 'Retry did not load the tiles');
        await page.close();
    });

    test('a failed bulletin shows a banner; Retry loads the figures', async () => {
        browser.reset();
        const page = await browser.newPage();
        await page.route(/\/api\/stats\?date=/, (route) => route.fulfill({status: 503, contentType: 'application/problem+json', body: '{"detail":"busy"}'}));
        await page.goto(`${BASE}/?lang=en#11/10.9900/106.6700`, {waitUntil: 'domcontentloaded'});
        const failure = page.locator('#failures .failure[data-kind="bulletin"]');
        await failure.waitFor({timeout: 60000});
        assert.equal((await failure.locator('span').textContent()).trim(), 'The bulletin of 05/07/2021 failed to load.');
        assert.equal(await page.locator('#stat-cumulative').count(), 0, 'figures shown although the bulletin failed');
        await page.unroute(/\/api\/stats\?date=/);
        await failure.locator('button.retry').click();
        await page.locator('#stat-cumulative .figure-value').waitFor();
        assert.equal(await page.locator('#stat-cumulative .figure-value').textContent(), '812');
        assert.equal(await page.locator('#failures .failure').count(), 0);
        await page.close();
    });

    test('a newly chosen date clears the old figures until its own arrive', async () => {
        browser.reset();
        const {page} = await open(browser, '/#11/10.9900/106.6700');
        await page.locator('#stat-cumulative .figure-value').waitFor({timeout: 60000});
        assert.equal(await page.locator('#stat-cumulative .figure-value').textContent(), '812');
        let release;
        const held = new Promise((r) => { release = r; });
        await page.route(/\/api\/stats\?date=2021-06-20/, async (route) => {
            await held;
            await route.continue();
        });
        await page.fill('#date', '2021-06-20');
        await page.dispatchEvent('#date', 'change');
        await page.waitForFunction(() => !document.querySelector('#stat-cumulative'));
        assert.equal(await page.locator('#stats [role=status]').first().textContent(), 'Đang tải số liệu…');
        release();
        await page.locator('#stat-cumulative .figure-value').waitFor();
        assert.match(await page.locator('#stats-asof').textContent(), /20\/06\/2021/);
        assert.notEqual(await page.locator('#stat-cumulative .figure-value').textContent(), '812');
        await page.close();
    });
});

describe('offline', () => {
    let browser;
    before(async () => {
        browser = await launch({serviceWorkers: 'allow'});
    });
    after(async () => {
        await browser?.close();
    });

    test('an offline reload shows the map and the last bulletin from the service worker', async () => {
        const page = await browser.newPage();
        await page.goto(`${BASE}/#11/10.9900/106.6700`, {waitUntil: 'domcontentloaded'});
        await page.waitForSelector('body[data-ready="true"]', {timeout: 60000});
        await page.evaluate(async () => {
            await navigator.serviceWorker.ready;
            if (!navigator.serviceWorker.controller) {
                await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, {once: true}));
            }
        });
        // Now controlled: this load passes through the worker, which keeps it.
        await page.reload({waitUntil: 'domcontentloaded'});
        await page.waitForSelector('body[data-ready="true"]', {timeout: 60000});
        await waitIdle(page);
        assert.equal(await page.locator('#stats-offline').count(), 0, 'marked offline while online');

        await browser.context.setOffline(true);
        try {
            await page.reload({waitUntil: 'domcontentloaded'});
            await page.waitForSelector('body[data-ready="true"]', {timeout: 60000});
            await waitIdle(page);
            assert.equal(await page.locator('#stat-cumulative .figure-value').textContent(), '812');
            assert.equal((await page.locator('#stats-offline').textContent()).trim(),
                'Đang ngoại tuyến: số liệu của bản tin ngày 05/07/2021 đã lưu trên máy.');
            const img = decodePNG(await shot(page.locator('#map canvas'), 'offline'));
            const background = hex(await page.evaluate(() => window.bandoMap.getPaintProperty('background', 'background-color') ?? '#f3f1ec'));
            const share = 1 - countNear(img, background, 6) / (img.width * img.height);
            assert.ok(share > 0.01 && distinctColours(img) > 10, `the offline map is blank (${(share * 100).toFixed(2)}% drawn)`);
        } finally {
            await browser.context.setOffline(false);
        }
        await page.close();
    });
});
