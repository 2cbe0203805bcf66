// Browser test of /embed inside an iframe served from a second origin: a
// tiny page on another port (or BANDO_URL2) includes the documented
// <script src=".../embed.js">, as the provincial portal would.

import assert from 'node:assert/strict';
import http from 'node:http';
import {after, before, test} from 'node:test';
import {assertOnlyHosts, BASE, launch, openMap, pointerAndPopup, shot, waitIdle} from './helpers.mjs';

let browser;
let portal;
let portalURL;

function portalPage() {
    return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Cổng thông tin tỉnh</title>
<style>body{font-family:sans-serif;margin:0;background:#eef}main{max-width:720px;margin:1rem auto;background:#fff;padding:1rem}</style>
</head><body><main><h1>Cổng thông tin điện tử tỉnh Bình Dương</h1><p>Tin tức…</p>
<script src="${BASE}/embed.js" data-layers="cases,quarantine_zones,medical_facilities" data-zoom="9.5" data-center="106.65,11.15" data-lang="vi"></script>
<p>Chân trang.</p></main></body></html>`;
}

before(async () => {
    // The second origin: BANDO_URL2 names where to listen (port 0 = any), by
    // default another port of the loopback address, so another origin.
    const want = new URL(process.env.BANDO_URL2 ?? 'http://127.0.0.1:0');
    portal = http.createServer((req, res) => {
        res.writeHead(req.url === '/' ? 200 : 404, {'Content-Type': 'text/html; charset=utf-8'});
        res.end(req.url === '/' ? portalPage() : 'not found');
    });
    await new Promise((resolve) => portal.listen(Number(want.port || 0), want.hostname, resolve));
    portalURL = `http://${want.hostname}:${portal.address().port}`;
    assert.notEqual(new URL(portalURL).origin, new URL(BASE).origin, 'the portal must be another origin');
    browser = await launch({viewport: {width: 900, height: 900}});
});

after(async () => {
    await browser?.close();
    await new Promise((resolve) => (portal ? portal.close(resolve) : resolve()));
});

test('/embed works inside an iframe from a second origin', async () => {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${portalURL}/`);
    const iframe = page.locator('iframe');
    await iframe.waitFor({timeout: 10000});
    const src = new URL(await iframe.getAttribute('src'));
    assert.equal(src.origin, new URL(BASE).origin);
    assert.equal(src.pathname, '/embed');
    assert.equal(src.searchParams.get('layers'), 'cases,quarantine_zones,medical_facilities');
    assert.equal(src.searchParams.get('c'), '106.65,11.15');
    const height = (await iframe.boundingBox()).height;
    assert.ok(height >= 380 && height <= 640, `iframe height ${height}`);

    const frame = page.frames().find((f) => f.url().startsWith(`${BASE}/embed`));
    assert.ok(frame, 'the embed frame did not load (is frame-ancestors allowing the portal?)');
    await frame.waitForSelector('body[data-ready="true"]', {timeout: 60000});
    await waitIdle(frame);
    assert.equal((await frame.locator('#banner-community .fig-value').textContent()).replace(/\D/g, ''), '766');
    assert.equal((await frame.locator('#banner-today .fig-value').textContent()).replace(/\D/g, ''), '131');
    assert.equal(await frame.locator('#banner-deaths .fig-value').textContent(), '1');
    // The last update is the bulletin's day, with no invented time of day.
    assert.equal((await frame.locator('#banner-updated').textContent()).trim(), 'Cập nhật05/07/2021');
    assert.equal(await frame.locator('#banner-updated .fig-date').textContent(), '05/07/2021');
    const link = frame.locator('a.full');
    assert.equal(await link.getAttribute('target'), '_blank');
    const full = new URL(await link.getAttribute('href'));
    assert.equal(full.origin, new URL(BASE).origin);
    assert.match(full.hash, /^#9\.50\/11\.\d+\/106\.\d+&layers=cases,medical_facilities,quarantine_zones$/);
    const visible = await frame.evaluate(() => ['cases', 'contacts', 'quarantine_zones-fill']
        .map((id) => window.bandoMap.getLayoutProperty(id, 'visibility')));
    assert.deepEqual(visible, ['visible', 'none', 'visible']);
    await shot(page, 'embed-portal', {fullPage: true});
    assert.deepEqual(errors, []);
    await assertOnlyHosts(browser, [BASE, portalURL]);
    await page.close();
});

test('in /embed the pointer cursor shows exactly where a click opens a popup', async () => {
    const {page, errors} = await openMap(browser, '/embed?z=13&c=106.65,11.0');
    const steps = await pointerAndPopup(page, page, ['cases', 'medical_facilities', 'epidemic_points', 'lockdown_points', 'emergency_stations']);
    assert.ok(steps, 'no point in view stands 30 px clear of everything else');
    assert.ok(steps[0].popup && !steps.at(-1).popup, `the walk does not leave the point: ${JSON.stringify(steps)}`);
    assert.deepEqual(steps.filter((st) => st.pointer !== st.popup), [], 'the cursor and the click disagree at these pixels from the point');
    assert.deepEqual(errors, []);
    await page.close();
});
