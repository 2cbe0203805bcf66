// Browser tests of the public map at /, against a seeded server (BANDO_URL).
// Every test checks that no request went to a host other than the server.

import assert from 'node:assert/strict';
import {after, before, beforeEach, describe, test} from 'node:test';
import {
    assertOnlyHosts, BASE, changedNear, clickableFeature, countNear, decodePNG, diffShare, distinctColours, hex,
    launch, openMap, shot, waitIdle,
} from './helpers.mjs';

describe('public map', () => {
    let browser;
    beforeEach(() => {
        if (browser) browser.requests.length = 0;
    });
    before(async () => {
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
    });

    test('renders the tiles (the canvas is not blank) with Vietnamese labels', async () => {
        // Zoom 11 over Thủ Dầu Một, where district and ward names carry diacritics.
        const {page, errors} = await openMap(browser.context, '/#11/10.9900/106.6700');
        const png = await shot(page.locator('#map canvas'), 'map-vi');
        const img = decodePNG(png);
        const background = hex(await page.evaluate(() => window.bandoMap.getPaintProperty('background', 'background-color') ?? '#f3f1ec'));
        const share = 1 - countNear(img, background, 6) / (img.width * img.height);
        assert.ok(share > 0.01, `only ${(share * 100).toFixed(2)}% of the canvas differs from the background`);
        assert.ok(distinctColours(img) > 20, `only ${distinctColours(img)} colours on the canvas`);
        const tiles = browser.requests.filter((r) => r.url.includes('/tiles/') && r.url.includes('.mvt'));
        assert.ok(tiles.length > 0, 'no vector tile was requested');
        const glyphs = browser.requests.filter((r) => r.url.includes('/fonts/'));
        const vietnamese = glyphs.find((r) => r.url.includes('/7680-7935.pbf'));
        assert.ok(vietnamese, `the Vietnamese glyph range was never asked for: ${glyphs.map((r) => r.url).join(', ')}`);
        assert.equal(vietnamese.status, 200);
        assert.equal(await page.locator('#stat-cumulative .figure-value').textContent(), '812');
        assert.deepEqual(errors, []);
        assertOnlyHosts(browser.requests);
        await page.close();
    });

    test('toggling a layer changes what is drawn', async () => {
        const {page} = await openMap(browser.context, '/#10/11.0500/106.6500');
        const canvas = page.locator('#map canvas');
        const colour = hex(await page.evaluate(() => window.bando.colour('cases')));
        const before = decodePNG(await shot(canvas, 'toggle-before'));
        await page.locator('label[for="toggle-cases"]').click();
        await waitIdle(page);
        const after = decodePNG(await shot(canvas, 'toggle-after'));
        // Pixels in the cases' colour (blended with the paper under it) that went away.
        const gone = changedNear(before, after, colour, 70);
        assert.ok(gone > 100, `only ${gone} pixels in the cases' colour disappeared`);
        assert.ok(diffShare(before, after) > 0.002, 'the picture did not change');
        assert.equal(await page.evaluate(() => window.bandoMap.getLayoutProperty('cases', 'visibility')), 'none');
        assert.match(await page.evaluate(() => location.hash), /&layers=(?![^&]*\bcases\b)/);
        // A lookup layer goes on from the lookup control at the top left.
        await page.locator('#lookup label[for="toggle-markets"]').click();
        await waitIdle(page);
        assert.equal(await page.evaluate(() => window.bandoMap.getLayoutProperty('markets', 'visibility')), 'visible');
        assertOnlyHosts(browser.requests);
        await page.close();
    });

    test('a popup opens on a click and shows public attributes', async () => {
        const {page} = await openMap(browser.context, '/#10/11.0500/106.6500');
        const target = await clickableFeature(page, ['cases']);
        assert.ok(target, 'no case cell drawn in the open');
        await page.mouse.click(target.x, target.y);
        const popup = page.locator('.maplibregl-popup');
        await popup.waitFor({state: 'visible', timeout: 10000});
        const text = await popup.textContent();
        assert.match(text, /Ca dương tính \(F0\)/);
        if (typeof target.properties.count === 'number') {
            assert.match(text, /\d+ ca dương tính trong khu vực này/);
        }
        assert.doesNotMatch(text, /undefined|null|NaN/);
        await shot(page, 'popup');
        // At street level single cases show their public code, never a person.
        await page.locator('.maplibregl-popup-close-button').click();
        await page.evaluate(() => window.bandoMap.jumpTo({zoom: 14.5, center: window.bandoMap.getCenter()}));
        await waitIdle(page);
        assertOnlyHosts(browser.requests);
        await page.close();
    });

    test('search finds a district, accents optional', async () => {
        const {page} = await openMap(browser.context, '/');
        const centre = await page.evaluate(() => window.bandoMap.getCenter().toArray());
        await page.locator('#search-input').fill('thu dau mot');
        const result = page.locator('.search-result', {hasText: 'Thủ Dầu Một'}).first();
        await result.waitFor({timeout: 10000});
        assert.match(await result.textContent(), /Huyện, thị xã, thành phố|Phường, xã, thị trấn/);
        await shot(page, 'search');
        await result.click();
        await page.waitForFunction((c) => {
            const m = window.bandoMap;
            return !m.isMoving() && Math.abs(m.getCenter().lng - c[0]) + Math.abs(m.getCenter().lat - c[1]) > 0.01;
        }, centre, {timeout: 10000});
        assert.ok(browser.requests.some((r) => r.url.includes('/api/search?') && r.url.includes('q=thu+dau+mot')));
        assertOnlyHosts(browser.requests);
        await page.close();
    });

    test('near me lists services around a clicked point', async () => {
        const {page} = await openMap(browser.context, '/#13/10.9800/106.6550');
        await page.locator('#near-pick').click();
        const box = await page.locator('#map canvas').boundingBox();
        await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.55);
        const items = page.locator('.near-list li');
        await items.first().waitFor({timeout: 15000});
        const n = await items.count();
        assert.ok(n >= 1 && n <= 10, `${n} places listed`);
        for (const text of await items.allTextContents()) {
            assert.match(text, /\d+(,\d)? (m|km)/, `no distance in “${text}”`);
        }
        await waitIdle(page);
        const markers = await page.evaluate(() => window.bandoMap.queryRenderedFeatures(undefined, {layers: ['nearby-places']}).length);
        assert.ok(markers >= 1, 'no place marked on the map');
        await shot(page, 'near-me');
        const call = browser.requests.find((r) => r.url.includes('/api/nearby?'));
        assert.ok(call, 'the nearby API was not called');
        assert.equal(call.status, 200);
        assertOnlyHosts(browser.requests);
        await page.close();
    });

    test('the date control changes the case count and the tiles', async () => {
        const {page} = await openMap(browser.context, '/');
        const cumulative = page.locator('#stat-cumulative .figure-value');
        assert.equal(await cumulative.textContent(), '812');
        await page.locator('#date').fill('2021-06-01');
        await page.locator('#date').dispatchEvent('change');
        await page.waitForFunction(() => document.querySelector('#stat-cumulative .figure-value')?.textContent !== '812', null, {timeout: 10000});
        const then = Number((await cumulative.textContent()).replace(/\D/g, ''));
        assert.ok(then > 0 && then < 812, `cumulative on 1 June: ${then}`);
        assert.match(await page.locator('#stats-asof').textContent(), /01\/06\/2021/);
        await waitIdle(page);
        assert.ok(browser.requests.some((r) => r.url.includes('.mvt?date=2021-06-01')), 'tiles were not asked as of the date');
        assert.match(await page.evaluate(() => location.hash), /&date=2021-06-01/);
        await shot(page, 'date');
        assertOnlyHosts(browser.requests);
        await page.close();
    });

    test('switches to English', async () => {
        const {page} = await openMap(browser.context, '/');
        await page.locator('#lang').selectOption('en');
        assert.match(await page.locator('#title').textContent(), /COVID-19 epidemic information map/);
        assert.match(await page.locator('#situation').textContent(), /Positive cases \(F0\)/);
        assert.match(await page.locator('#stats').textContent(), /Total cases/);
        assert.equal(await page.evaluate(() => new URLSearchParams(location.search).get('lang')), 'en');
        await shot(page, 'map-en');
        assertOnlyHosts(browser.requests);
        await page.close();
    });
});

describe('phone', () => {
    let browser;
    before(async () => {
        browser = await launch({viewport: {width: 390, height: 800}});
    });
    after(async () => {
        await browser?.close();
    });

    test('fits a phone screen with reachable, labelled controls', async () => {
        const {page} = await openMap(browser.context, '/');
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the page scrolls sideways');
        await shot(page, 'phone');
        // The lookup control starts folded; the keyboard opens it.
        const toggle = page.locator('#lookup-toggle');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        await toggle.focus();
        await page.keyboard.press('Enter');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        await page.locator('#tab-stats').click();
        await page.locator('#stat-cumulative').waitFor({state: 'visible'});
        await shot(page, 'phone-stats');
        const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, button')]
            .filter((el) => el.offsetParent !== null)
            .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim() || el.title))
            .map((el) => el.outerHTML.slice(0, 80)));
        assert.deepEqual(unlabelled, []);
        assertOnlyHosts(browser.requests, [BASE]);
        await page.close();
    });
});
