// Browser tests of the public map at /, against a seeded server (BANDO_URL).
// Every test checks that no request went to a host other than the server.

import assert from 'node:assert/strict';
import {after, before, beforeEach, describe, test} from 'node:test';
import {
    assertOnlyHosts, BASE, changedNear, clickableFeature, countNear, decodePNG, diffShare, distinctColours, hex,
    launch, openMap, shot, unlabelledControls, waitIdle,
} from './helpers.mjs';

describe('public map', () => {
    let browser;
    beforeEach(() => {
        browser?.reset();
    });
    before(async () => {
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
    });

    test('renders the tiles (the canvas is not blank) with Vietnamese labels', async () => {
        // Zoom 11 over Thủ Dầu Một, where district and ward names carry diacritics.
        const {page, errors} = await openMap(browser, '/#11/10.9900/106.6700');
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
        // last_update is a day: shown as one, with no invented time of day.
        assert.equal(await page.locator('#stats-updated').textContent(), 'Cập nhật ngày 05/07/2021');
        assert.deepEqual(errors, []);
        await assertOnlyHosts(browser);
        await page.close();
    });

    test('a malformed address does not stop the map', async () => {
        // A truncated escape in the layers and a day that does not exist:
        // both are dropped, the position is kept.
        const {page, errors} = await openMap(browser, '/#11/10.9900/106.6700&layers=cases%2&date=2021-02-30');
        assert.ok(Math.abs(await page.evaluate(() => window.bandoMap.getZoom()) - 11) < 0.01, 'the position of the address was lost');
        assert.equal(await page.evaluate(() => window.bandoMap.getLayoutProperty('cases', 'visibility')), 'visible');
        assert.equal(await page.inputValue('#date'), '05/07/2021');
        assert.equal(await page.locator('#stat-cumulative .figure-value').textContent(), '812');
        // The same on a hashchange after the page is up.
        await page.evaluate(() => {
            location.hash = '#12.00/10.9900/106.6700&layers=%E0%A4%A&date=2021-13-01';
        });
        await page.waitForFunction(() => Math.abs(window.bandoMap.getZoom() - 12) < 0.01, null, {timeout: 10000});
        await waitIdle(page);
        assert.equal(await page.inputValue('#date'), '05/07/2021');
        assert.deepEqual(errors, []);
        await assertOnlyHosts(browser);
        await page.close();
    });

    test('toggling a layer changes what is drawn', async () => {
        const {page} = await openMap(browser, '/#10/11.0500/106.6500');
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
        await assertOnlyHosts(browser);
        await page.close();
    });

    test('the legend keeps keyboard focus on a checkbox across zoom and language changes', async () => {
        // Zoom 9: the lookup layers are drawn from zoom 10, so their toggles say "zoom in to see".
        const {page, errors} = await openMap(browser, '/#9/11.0500/106.6500');
        const focus = () => page.evaluate(() => {
            const el = document.activeElement;
            return {id: el?.id ?? '', checked: el instanceof HTMLInputElement ? el.checked : null};
        });
        const note = page.locator('label[for="toggle-markets"] .toggle-note');
        const zoom = (z) => page.evaluate((z) => window.bandoMap.jumpTo({zoom: z}), z);
        // The keyboard reaches the first lookup toggle from the control's button and checks it.
        await page.locator('#lookup-toggle').focus();
        for (let i = 0; i < 5 && (await focus()).id !== 'toggle-markets'; i++) await page.keyboard.press('Tab');
        assert.deepEqual(await focus(), {id: 'toggle-markets', checked: false});
        await page.keyboard.press('Space');
        assert.deepEqual(await focus(), {id: 'toggle-markets', checked: true});
        assert.equal(await note.textContent(), 'phóng to để xem');
        assert.ok(await note.isVisible(), 'no zoom hint at zoom 9');
        // Zooming in drops the hint, zooming out brings it back; the checkbox keeps focus and state.
        await zoom(12);
        assert.ok(await note.isHidden(), 'the zoom hint stayed at zoom 12');
        assert.deepEqual(await focus(), {id: 'toggle-markets', checked: true});
        await zoom(9);
        assert.ok(await note.isVisible(), 'no zoom hint back at zoom 9');
        assert.deepEqual(await focus(), {id: 'toggle-markets', checked: true});
        // The language switch re-translates the label in place.
        await page.evaluate(() => {
            const lang = document.getElementById('lang');
            lang.value = 'en';
            lang.dispatchEvent(new Event('change'));
        });
        assert.equal(await page.locator('label[for="toggle-markets"]').textContent(), 'Marketszoom in to see');
        assert.deepEqual(await focus(), {id: 'toggle-markets', checked: true});
        assert.equal(await page.evaluate(() => window.bandoMap.getLayoutProperty('markets', 'visibility')), 'visible');
        assert.deepEqual(errors, []);
        await assertOnlyHosts(browser);
        await page.close();
    });

    test('a popup opens on a click and shows public attributes', async () => {
        const {page} = await openMap(browser, '/#10/11.0500/106.6500');
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
        // At street level cases are still counted groups of at least k = 5
        // (BANDO_MIN_PUBLIC_COUNT), never one person's code or dates.
        await page.locator('.maplibregl-popup-close-button').click();
        await page.evaluate(([x, y]) => {
            const map = window.bandoMap;
            const box = map.getCanvas().getBoundingClientRect();
            map.jumpTo({zoom: 14.5, center: map.unproject([x - box.left, y - box.top])});
        }, [target.x, target.y]);
        await waitIdle(page);
        const single = await clickableFeature(page, ['cases'], {alone: true});
        assert.ok(single, 'no case cell drawn on its own at zoom 14.5 around the cell clicked at zoom 10');
        assert.equal(single.properties.code, undefined, 'a case code at zoom 14.5: people are public only as counted groups');
        assert.equal(typeof single.properties.count, 'number');
        assert.ok(single.properties.count >= 5 && single.properties.count % 5 === 0, `a cell counts ${single.properties.count}, not a multiple of k = 5`);
        assert.deepEqual(Object.keys(single.properties), ['count'], 'a case cell carries more than its count');
        await page.mouse.click(single.x, single.y);
        await popup.waitFor({state: 'visible', timeout: 10000});
        // innerText keeps the lines apart, so numbers of two lines do not run together.
        const street = await popup.innerText();
        const section = popup.locator('section').first();
        assert.match(street, /\d+ ca dương tính trong khu vực này/);
        assert.equal(await section.locator('.popup-name').count(), 0);
        // The demo's people have phones (0 and nine digits), 12-digit ID
        // numbers and home or dormitory addresses: none may show.
        assert.doesNotMatch(street, /\b0\d{9}\b/);
        assert.doesNotMatch(street, /\b\d{12}\b/);
        assert.doesNotMatch(street, /Điện thoại|Địa chỉ|Phòng \d/);
        assert.doesNotMatch(street, /undefined|null|NaN/);
        await shot(page, 'popup-street');
        await assertOnlyHosts(browser);
        await page.close();
    });

    test('search finds a district, accents optional', async () => {
        const {page} = await openMap(browser, '/');
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
        await assertOnlyHosts(browser);
        await page.close();
    });

    test('near me lists services around a clicked point and keeps keyboard focus', async () => {
        const {page} = await openMap(browser, '/#13/10.9800/106.6550');
        const focus = () => page.evaluate(() => {
            const el = document.activeElement;
            return {tag: el?.tagName ?? '', id: el?.id ?? '', inPanel: Boolean(el?.closest('#near'))};
        });
        // The keyboard starts picking; focus stays on the button it used.
        await page.locator('#near-pick').focus();
        await page.keyboard.press('Enter');
        assert.equal(await page.locator('#near-pick').getAttribute('aria-pressed'), 'true');
        assert.deepEqual(await focus(), {tag: 'BUTTON', id: 'near-pick', inPanel: true});
        const box = await page.locator('#map canvas').boundingBox();
        await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.55);
        const items = page.locator('.near-list li');
        await items.first().waitFor({timeout: 15000});
        const n = await items.count();
        assert.ok(n >= 1 && n <= 10, `${n} places listed`);
        for (const text of await items.allTextContents()) {
            assert.match(text, /\d+(,\d)? (m|km)/, `no distance in “${text}”`);
        }
        assert.equal(await page.locator('.near-status').textContent(), `${n} dịch vụ gần nhất`);
        await waitIdle(page);
        const markers = await page.evaluate(() => window.bandoMap.queryRenderedFeatures(undefined, {layers: ['nearby-places']}).length);
        assert.ok(markers >= 1, 'no place marked on the map');
        await shot(page, 'near-me');
        const call = browser.requests.find((r) => r.url.includes('/api/nearby?'));
        assert.ok(call, 'the nearby API was not called');
        assert.equal(call.status, 200);
        // Another radius from the keyboard reloads the list in place; focus stays on the radius.
        const radius = page.locator('#near-radius');
        await radius.focus();
        const reloaded = page.waitForResponse((r) => r.url().includes('/api/nearby?') && r.url().includes('radius=10000'));
        await page.keyboard.press('ArrowDown');
        await reloaded;
        await page.waitForFunction(() => /\d+ dịch vụ gần nhất/.test(document.querySelector('.near-status')?.textContent ?? ''));
        assert.equal(await radius.inputValue(), '10000');
        assert.deepEqual(await focus(), {tag: 'SELECT', id: 'near-radius', inPanel: true});
        assert.deepEqual(await unlabelledControls(page), []);
        // Clearing hides the clear button: focus goes back to picking, not to the page.
        await page.locator('#near-clear').focus();
        await page.keyboard.press('Enter');
        assert.equal(await items.count(), 0);
        assert.deepEqual(await focus(), {tag: 'BUTTON', id: 'near-pick', inPanel: true});
        await assertOnlyHosts(browser);
        await page.close();
    });

    test('the date control changes the case count and the tiles', async () => {
        const {page} = await openMap(browser, '/');
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
        await assertOnlyHosts(browser);
        await page.close();
    });

    test('switches to English', async () => {
        const {page} = await openMap(browser, '/');
        await page.locator('#lang').selectOption('en');
        assert.match(await page.locator('#title').textContent(), /COVID-19 epidemic information map/);
        assert.match(await page.locator('#situation').textContent(), /Positive cases \(F0\)/);
        assert.match(await page.locator('#stats').textContent(), /Total cases/);
        assert.equal(await page.evaluate(() => new URLSearchParams(location.search).get('lang')), 'en');
        await shot(page, 'map-en');
        await assertOnlyHosts(browser);
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
        const {page} = await openMap(browser, '/');
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
        assert.deepEqual(await unlabelledControls(page), []);
        await assertOnlyHosts(browser, [BASE]);
        await page.close();
    });
});
