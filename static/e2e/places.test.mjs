// Browser tests of issue 14's places: "near me" never sends people into an
// isolation zone without saying so, the chosen point's own zone, the open-now
// and free-beds filters, and search results told apart and picked by
// keyboard. Desktop 1366×768 and phone 390×844, in Vietnamese and English,
// against the demo province (BANDO_URL).

import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {assertOnlyHosts, BASE, launch, openMap, shot, unlabelledControls, waitIdle} from './helpers.mjs';

// THUAN_AN is someone in Thuận An, outside any zone, whose nearest shop
// (Satrafoods, 237 m) lies inside the published zone of the Apex Footwear
// company (features/storetest ThuanAnPoint); STORE is that shop.
const THUAN_AN = {longitude: 106.69755, latitude: 10.95564};
const STORE = {longitude: 106.6991328, latitude: 10.9571029};
const ZONE = 'Vùng cách ly Công ty TNHH Apex Footwear Việt Nam';

const WORDS = {
    vi: {
        warning: /^Cảnh báo: \d+ nơi trong danh sách nằm trong khu vực cách ly, phong tỏa/,
        inZone: `Nằm trong vùng cách ly “${ZONE}”, chưa có ngày gỡ bỏ`,
        hereFree: 'Điểm đã chọn không nằm trong vùng cách ly hay gần điểm phong tỏa nào đang áp dụng.',
        hereIn: `Điểm đã chọn nằm trong khu vực cách ly: Nằm trong vùng cách ly “${ZONE}”`,
        openNow: /Đang mở cửa · (đến \d\d:\d\d|24\/7)/,
        closed: /Đóng cửa|Đang đóng cửa/,
        freeBeds: /Còn \d+ giường trống/,
        results: /\d+ dịch vụ gần nhất|Không có dịch vụ nào/,
    },
    en: {
        warning: /^Warning: \d+ of these places lie in an isolation or lockdown area/,
        inZone: `Inside the isolation zone “${ZONE}”, no end announced`,
        hereFree: 'The chosen point is not in any isolation zone in force, nor near a lockdown point.',
        hereIn: `The chosen point lies in an isolation area: Inside the isolation zone “${ZONE}”`,
        openNow: /Open now · (until \d\d:\d\d|24\/7)/,
        closed: /Closed/,
        freeBeds: /\d+ free beds/,
        results: /\d+ nearest services|No services within/,
    },
};

const SCREENS = [
    {name: 'desktop', viewport: {width: 1366, height: 768}},
    {name: 'phone', viewport: {width: 390, height: 844}},
];

for (const screen of SCREENS) {
    for (const lang of ['vi', 'en']) {
        describe(`places, ${screen.name}, ${lang}`, () => {
            const w = WORDS[lang];
            let browser;
            before(async () => {
                browser = await launch({viewport: screen.viewport});
                await browser.context.grantPermissions(['geolocation'], {origin: BASE});
            });
            after(async () => {
                await browser?.close();
            });

            /** openNear opens the map in the language and unfolds the lookup panel (folded on a phone). */
            const openNear = async () => {
                const {page, errors} = await openMap(browser, `/?lang=${lang}#14/10.9560/106.6985`);
                const toggle = page.locator('#lookup-toggle');
                if (await toggle.isVisible() && await toggle.getAttribute('aria-expanded') === 'false') await toggle.click();
                await page.locator('#near-me').waitFor({state: 'visible'});
                return {page, errors};
            };

            /** nearMe asks "near me" at a position and waits for the list. */
            const nearMe = async (page, at) => {
                await browser.context.setGeolocation(at);
                const answered = page.waitForResponse((r) => r.url().includes('/api/zones/at?'));
                await page.locator('#near-me').click();
                await answered;
                await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('.near-status')?.textContent ?? ''),
                    w.results.source, {timeout: 15000});
            };

            test('near me warns that the nearest shop lies in an isolation zone', async () => {
                const {page, errors} = await openNear();
                await nearMe(page, THUAN_AN);
                const first = page.locator('.near-list li').first();
                assert.match(await first.locator('.near-name').textContent(), /^Satrafoods 228 Lý Thường Kiệt$/);
                assert.match(await first.locator('.near-meta').textContent(), /237 m/);
                assert.equal(await first.locator('.near-zone').textContent(), `⚠ ${w.inZone}`);
                const warning = page.locator('.near-warning');
                assert.ok(await warning.isVisible(), 'no warning over the list');
                assert.equal(await warning.getAttribute('role'), 'alert');
                assert.match(await warning.textContent(), w.warning);
                // The chosen point itself is outside every zone, and says so.
                assert.equal(await page.locator('.near-here').textContent(), w.hereFree);
                assert.equal(await page.locator('.near-here').evaluate((el) => el.classList.contains('near-here-inside')), false);
                // The flagged place is drawn apart on the map.
                await waitIdle(page);
                const flagged = await page.evaluate(() => window.bandoMap.querySourceFeatures('nearby')
                    .filter((f) => f.properties.flagged).map((f) => f.properties.name));
                assert.ok(flagged.includes('Satrafoods 228 Lý Thường Kiệt'), `flagged on the map: ${flagged}`);
                await shot(page, `places-warning-${screen.name}-${lang}`);
                assert.deepEqual(errors, []);
                await assertOnlyHosts(browser);
                await page.close();
            });

            test('the phone\'s position inside a zone is answered with the zone and its end', async () => {
                const {page} = await openNear();
                await nearMe(page, STORE);
                const here = page.locator('.near-here');
                assert.ok((await here.textContent()).startsWith(w.hereIn), await here.textContent());
                assert.ok(await here.evaluate((el) => el.classList.contains('near-here-inside')));
                const call = browser.requests.find((r) => r.url.includes('/api/zones/at?'));
                assert.equal(call?.status, 200);
                assert.match(call.url, /date=\d{4}-\d\d-\d\d/, 'the zones are asked for the map\'s date');
                await shot(page, `places-inside-${screen.name}-${lang}`);
                await page.close();
            });

            test('filters: open now, then has free beds', async () => {
                const {page} = await openNear();
                await nearMe(page, THUAN_AN);
                const items = page.locator('.near-list li');
                assert.ok((await items.allTextContents()).some((t) => w.closed.test(t)), 'nothing closed before filtering');
                // Open now, from the keyboard: focus stays on the checkbox.
                let asked = page.waitForResponse((r) => r.url().includes('/api/nearby?') && r.url().includes('open_now=true'));
                await page.locator('#near-open-now').focus();
                await page.keyboard.press('Space');
                await asked;
                await page.waitForFunction(() => !document.querySelector('.near-status')?.textContent?.includes('…'));
                assert.equal(await page.evaluate(() => document.activeElement?.id), 'near-open-now');
                for (const text of await items.allTextContents()) {
                    assert.match(text, w.openNow, `not open now: “${text}”`);
                    assert.doesNotMatch(text, w.closed, `closed yet listed: “${text}”`);
                }
                // Free beds only.
                await page.locator('#near-open-now').uncheck();
                asked = page.waitForResponse((r) => r.url().includes('/api/nearby?') && r.url().includes('free_beds=true') && !r.url().includes('open_now'));
                await page.locator('#near-free-beds').check();
                await asked;
                await page.waitForFunction(() => !document.querySelector('.near-status')?.textContent?.includes('…'));
                const beds = await items.allTextContents();
                assert.ok(beds.length >= 1, 'no facility with a free bed within 5 km of Thuận An');
                for (const text of beds) assert.match(text, w.freeBeds, `no free bed in “${text}”`);
                assert.deepEqual(await unlabelledControls(page), []);
                await shot(page, `places-filters-${screen.name}-${lang}`);
                await page.close();
            });

            test('search tells two markets of one name apart and keeps keyboard focus', async () => {
                const {page} = await openMap(browser, `/?lang=${lang}`);
                const input = page.locator('#search-input');
                await input.fill('chợ tdm');
                const same = page.locator('.search-result', {has: page.locator('.search-name', {hasText: /^Chợ Thủ Dầu Một$/})});
                await page.waitForFunction(() => document.querySelectorAll('.search-result').length > 0, null, {timeout: 10000});
                assert.equal(await same.count(), 2, 'the two “Chợ Thủ Dầu Một” are not both found by “chợ tdm”');
                const where = await same.locator('.search-where').allTextContents();
                assert.equal(where.length, 2);
                assert.notEqual(where[0], where[1], 'the two markets read alike');
                for (const text of where) assert.match(text, /Phường .+Thủ Dầu Một/, `no ward or district in “${text}”`);
                await shot(page, `places-search-${screen.name}-${lang}`);
                // The keyboard picks the first result; focus comes back to the box.
                const centre = await page.evaluate(() => window.bandoMap.getCenter().toArray());
                await input.focus();
                await page.keyboard.press('ArrowDown');
                assert.equal(await page.evaluate(() => document.activeElement?.className), 'search-result');
                await page.keyboard.press('Enter');
                assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-input');
                await page.waitForFunction((c) => {
                    const m = window.bandoMap;
                    return !m.isMoving() && Math.abs(m.getCenter().lng - c[0]) + Math.abs(m.getCenter().lat - c[1]) > 0.001;
                }, centre, {timeout: 10000});
                // An address finds its place, accents aside.
                await input.fill('huynh van luy bao dinh');
                await page.locator('.search-result', {hasText: 'Huỳnh Văn Lũy'}).first().waitFor({timeout: 10000});
                await assertOnlyHosts(browser);
                await page.close();
            });
        });
    }
}
