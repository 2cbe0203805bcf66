// The QR check-in pages against a server with the accounts run.sh creates
// (BANDO_E2E_ACCOUNTS=1): an admin registers venues through the API and
// reads their QR codes (rasterised and decoded here with jsQR, so the
// tokens come from the codes people scan); a phone opens /c/{token}, checks
// in with a health declaration, sees the time, scans again ("already"),
// checks out, is remembered, forgets; invalid, withdrawn, refused-number,
// too-many and offline answers are said; the page loads on slow 3G; and the
// staff scanner, with a fake camera playing the person's own QR code, records
// the visit that the tracer's view then lists.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, afterEach, before, describe, test} from 'node:test';
import {assertOnlyHosts, BASE, decodePNG, launch, shot, unlabelledControls} from './helpers.mjs';
import {ADMIN, api, pixelsOf, readQR, signInPage, y4m} from './checkin-lib.mjs';

const skip = process.env.BANDO_E2E_ACCOUNTS ? false : 'needs the accounts run.sh creates (BANDO_E2E_ACCOUNTS=1)';

/** PHONE is a small phone's screen. */
const PHONE = {width: 360, height: 740};

/** visitsOf reads a list of visits: an array or {visits} / {checkins}. */
function visitsOf(body) {
    if (Array.isArray(body)) return body;
    return body?.visits ?? body?.checkins ?? body?.features?.map((f) => f.properties) ?? [];
}

/** contrastProblems lists visible text whose contrast with its background is under 4.5:1. */
async function contrastProblems(page) {
    return page.evaluate(() => {
        const rgb = (s) => (s.match(/[\d.]+/g) ?? []).map(Number);
        const lum = ([r, g, b]) => {
            const f = (c) => {
                const v = c / 255;
                return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
            };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        const background = (el) => {
            for (let e = el; e; e = e.parentElement) {
                const c = rgb(getComputedStyle(e).backgroundColor);
                if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c;
            }
            return [255, 255, 255];
        };
        const out = [];
        for (const el of document.querySelectorAll('h1, h2, h3, p, label, button, summary, legend, li, a')) {
            if (!el.offsetParent || !el.textContent.trim()) continue;
            const fg = rgb(getComputedStyle(el).color);
            const bg = background(el);
            const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
            const ratio = (a + 0.05) / (b + 0.05);
            if (ratio < 4.5) out.push(`${el.tagName} “${el.textContent.trim().slice(0, 30)}” ${ratio.toFixed(2)}:1`);
        }
        return out;
    });
}

describe('QR check-in', {skip}, () => {
    let admin;
    let adminPage;
    let phone;
    const venues = {};
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bando-checkin-'));

    /** register adds a venue through the API and reads its QR token from its QR code. */
    async function register(name, extra = {}) {
        const r = await api(adminPage, 'POST', '/api/venues', {
            name, category: 'market', address: '1 Đường Thử, Thủ Dầu Một', ward: '71805', lon: 106.6583, lat: 10.9812,
            contact: 'Chị Lan', contact_phone: '0912 000 111', default_stay_minutes: 45, ...extra,
        });
        assert.equal(r.status, 201, `POST /api/venues: ${r.text}`);
        const id = r.body.id;
        const svg = await api(adminPage, 'GET', `/api/venues/${id}/qr.svg`);
        assert.equal(svg.status, 200);
        const url = readQR(await pixelsOf(adminPage, svg.text));
        const m = /\/c\/([^/?#]+)$/.exec(url);
        assert.ok(m, `the QR code holds ${url}, not …/c/{token}`);
        const staff = await api(adminPage, 'GET', `/api/venues/${id}/staff`);
        assert.equal(staff.status, 200, staff.text);
        const s = /\/s\/([^/?#]+)$/.exec(staff.body.url);
        assert.ok(s, `staff link ${staff.body.url}`);
        return {id, token: m[1], staffToken: s[1], name};
    }

    before(async () => {
        admin = await launch();
        adminPage = await signInPage(admin, ADMIN);
        const stamp = Date.now();
        venues.a = await register(`Chợ E2E ${stamp}`);
        venues.b = await register(`Siêu thị E2E ${stamp}`, {category: 'supermarket'});
        venues.gone = await register(`Quán E2E thu hồi ${stamp}`, {category: 'restaurant'});
        const rev = await api(adminPage, 'POST', `/api/venues/${venues.gone.id}/revoke`);
        assert.ok(rev.status === 200 || rev.status === 204, `revoke: ${rev.status} ${rev.text}`);
        phone = await launch({viewport: PHONE});
    });
    after(async () => {
        await phone?.close();
        await admin?.close();
        fs.rmSync(tmp, {recursive: true, force: true});
    });
    afterEach(async () => {
        for (const p of phone.context.pages()) await p.close();
    });

    /** open opens a check-in page on the phone and waits until it has asked the server. */
    async function open(token, query = '') {
        const page = await phone.newPage();
        const errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`${BASE}/c/${token}${query}`, {waitUntil: 'domcontentloaded'});
        await page.waitForSelector('body[data-ready="true"]');
        return {page, errors};
    }

    test('checks in with a health declaration, sees the time, is already checked in on a repeat scan, checks out; the number is remembered until "not me"', async () => {
        phone.reset();
        const {page, errors} = await open(venues.a.token);
        assert.equal(await page.locator('#ci-venue-name').textContent(), venues.a.name);
        await page.getByText('Chợ', {exact: true}).waitFor();
        assert.deepEqual(await unlabelledControls(page), []);
        // Nothing is sent without a number; the field says so and takes focus.
        await page.getByRole('button', {name: 'Xác nhận đến'}).click();
        await page.locator('#ci-identity-err', {hasText: 'Vui lòng nhập'}).waitFor();
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'ci-identity');

        await page.getByLabel('Số điện thoại hoặc số CCCD/CMND').fill('0912 345 678');
        await page.getByText('Khai báo y tế (không bắt buộc)').click();
        await page.getByLabel('Sốt').check();
        await page.getByLabel('Ho', {exact: true}).check();
        await page.getByLabel('Tôi đã tiếp xúc gần với người mắc COVID-19 (F0)').check();
        await page.getByLabel('Nơi đã đến trong 14 ngày qua (nếu có)').fill('TP. Hồ Chí Minh');
        assert.deepEqual(await unlabelledControls(page), []);
        assert.deepEqual(await contrastProblems(page), []);
        const sent = page.waitForRequest((r) => r.url().endsWith('/checkin') && r.method() === 'POST');
        const answered = page.waitForResponse((r) => r.url().endsWith('/checkin'));
        await page.getByRole('button', {name: 'Xác nhận đến'}).click();
        assert.deepEqual((await sent).postDataJSON(), {
            identity: '0912 345 678',
            declaration: {symptoms: ['fever', 'cough'], contact_f0: true, travel: 'TP. Hồ Chí Minh'},
        });
        assert.equal((await answered).status(), 201);
        await page.getByRole('heading', {name: /Đã khai báo thành công/}).waitFor();
        assert.match(await page.locator('.ci-time').textContent(), /^Giờ đến: \d{2}:\d{2}/);
        await page.getByText('Nếu quên xác nhận rời đi, lượt đến tự kết thúc sau 45 phút.').waitFor();
        assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H2', 'focus goes to the confirmation');
        assert.match(await page.locator('.ci-who').textContent(), /•••• 678/);
        assert.ok(!/0912\s?345\s?678/.test(await page.locator('main').textContent()), 'the number is not shown back');
        assert.deepEqual(await contrastProblems(page), []);
        await shot(page, 'checkin-done');

        // A repeat scan: the page opens again, knows the number, and the server says it is the same visit.
        const again = await open(venues.a.token);
        assert.equal(await again.page.locator('#ci-identity').count(), 0, 'the number is asked again');
        assert.match(await again.page.locator('#ci-who').textContent(), /Khai báo với số •••• 678/);
        await again.page.locator('.ci-open', {hasText: 'Bạn đã khai báo đến đây lúc'}).waitFor();
        const repeat = again.page.waitForResponse((r) => r.url().endsWith('/checkin'));
        await again.page.getByRole('button', {name: 'Xác nhận đến'}).click();
        const rr = await repeat;
        assert.equal(rr.status(), 200);
        assert.equal((await rr.json()).repeat, true);
        await again.page.getByRole('heading', {name: /Bạn đã khai báo tại đây rồi/}).waitFor();
        await shot(again.page, 'checkin-repeat');

        // Check-out, then a second check-out is told there is nothing open.
        await again.page.getByRole('button', {name: 'Xác nhận rời đi'}).click();
        await again.page.getByRole('heading', {name: /Đã ghi nhận rời đi lúc \d{2}:\d{2}/}).waitFor();
        const visits = await api(adminPage, 'GET', `/api/venues/${venues.a.id}/checkins?reason=${encodeURIComponent('e2e: kiểm thử trang khai báo')}`);
        assert.equal(visits.status, 200, visits.text);
        const mine = visitsOf(visits.body).filter((v) => v.source === 'self-scan');
        assert.equal(mine.length, 1, `one visit, the repeat scan included: ${visits.text}`);
        assert.ok(mine[0].end, 'the visit is closed by the check-out');

        // "Not me": the number is forgotten on this phone.
        await again.page.getByRole('button', {name: 'Không phải tôi / quên số này'}).click();
        await again.page.getByLabel('Số điện thoại hoặc số CCCD/CMND').waitFor();
        assert.equal(await again.page.evaluate(() => localStorage.getItem('bando.identity')), null);
        assert.equal(await again.page.evaluate(() => document.activeElement?.id), 'ci-identity');
        assert.deepEqual([...errors, ...again.errors], []);
        await assertOnlyHosts(phone, [BASE]);
    });

    test('says which field is wrong (422), too many requests (429), offline, and switches to English', async () => {
        const {page} = await open(venues.a.token);
        await page.getByLabel('Số điện thoại hoặc số CCCD/CMND').fill('12345');
        await page.getByRole('button', {name: 'Xác nhận đến'}).click();
        const err = page.locator('#ci-identity-err');
        await err.filter({hasText: 'không hợp lệ'}).waitFor();
        assert.match(await err.textContent(), /Số điện thoại hoặc số CCCD\/CMND không hợp lệ/);
        assert.equal(await page.locator('#ci-identity').getAttribute('aria-invalid'), 'true');
        assert.equal(await page.evaluate(() => localStorage.getItem('bando.identity')), null, 'a refused number is not remembered');

        // 429 with Retry-After (the real limit would slow the rest of the suite: its answer is played).
        await page.route('**/api/c/*/checkin', (route) => route.fulfill({status: 429, headers: {'Retry-After': '17', 'Content-Type': 'application/problem+json'}, body: '{"status":429,"detail":"too many requests"}'}));
        await page.getByLabel('Số điện thoại hoặc số CCCD/CMND').fill('0912345679');
        await page.getByRole('button', {name: 'Xác nhận đến'}).click();
        await page.getByRole('alert').filter({hasText: 'thử lại sau 17 giây'}).waitFor();
        await page.unroute('**/api/c/*/checkin');
        await page.getByRole('button', {name: 'Thử lại'}).click();

        // Offline: said plainly; back online the same form works.
        await phone.context.setOffline(true);
        await page.getByRole('button', {name: 'Xác nhận đến'}).click();
        await page.getByRole('alert').filter({hasText: 'Không có kết nối mạng'}).waitFor();
        await phone.context.setOffline(false);
        await page.getByRole('button', {name: 'Thử lại'}).click();
        await page.getByRole('button', {name: 'Xác nhận đến'}).click();
        await page.getByRole('heading', {name: /Đã khai báo thành công/}).waitFor();

        // English.
        await page.getByRole('button', {name: 'Switch to English'}).click();
        await page.getByRole('heading', {name: /You are checked in/}).waitFor();
        assert.match(await page.locator('.ci-time').textContent(), /^Arrived at /);
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
        assert.match(page.url(), /[?&]lang=en/);
        await page.getByRole('button', {name: 'Chuyển sang tiếng Việt'}).click();
        await page.getByRole('heading', {name: /Đã khai báo thành công/}).waitFor();
        await page.getByRole('button', {name: 'Xác nhận rời đi'}).click();
        await page.getByRole('heading', {name: /Đã ghi nhận rời đi/}).waitFor();
    });

    test('an invalid and a withdrawn QR code are said in both languages, with no form', async () => {
        const cases = [
            {token: `${venues.a.token.slice(0, -4)}AAAA`, vi: 'Mã QR này không hợp lệ', en: 'This QR code is not valid', status: '404'},
            {token: 'not-a-token-at-all', vi: 'Mã QR này không hợp lệ', en: 'This QR code is not valid', status: '404'},
            {token: venues.gone.token, vi: 'Mã QR này đã bị địa điểm thu hồi', en: 'This QR code was withdrawn by the venue', status: '410'},
        ];
        for (const c of cases) {
            // ?lang= wins over the language the phone remembers.
            const {page} = await open(c.token, '?lang=vi');
            const alert = page.getByRole('alert');
            await alert.filter({hasText: c.vi}).waitFor();
            assert.equal(await alert.getAttribute('data-status'), c.status);
            assert.equal(await page.locator('form').count(), 0);
            await page.getByRole('button', {name: 'Switch to English'}).click();
            await page.getByRole('alert').filter({hasText: c.en}).waitFor();
            await page.close();
        }
        // The language chosen stays for the next page opened on this phone.
        const {page} = await open(venues.a.token);
        await page.getByRole('button', {name: 'Check in'}).waitFor();
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
        await page.getByRole('button', {name: 'Chuyển sang tiếng Việt'}).click();
        await page.getByRole('button', {name: 'Xác nhận đến'}).waitFor();
    });

    test('loads on slow 3G (400 kbit/s, 400 ms): under 50 KB in all, nothing of the map', async () => {
        const page = await phone.newPage();
        const cdp = await phone.context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.clearBrowserCache');
        await cdp.send('Network.emulateNetworkConditions', {offline: false, latency: 400, downloadThroughput: 400 * 1000 / 8, uploadThroughput: 400 * 1000 / 8});
        const sizes = new Map();
        cdp.on('Network.responseReceived', (e) => sizes.set(e.requestId, {url: e.response.url, bytes: 0}));
        cdp.on('Network.loadingFinished', (e) => {
            const s = sizes.get(e.requestId);
            if (s) s.bytes = e.encodedDataLength;
        });
        const t0 = Date.now();
        await page.goto(`${BASE}/c/${venues.b.token}`, {waitUntil: 'domcontentloaded'});
        await page.locator('#ci-venue-name', {hasText: venues.b.name}).waitFor({timeout: 30000});
        await page.locator('#ci-submit:not([disabled])').waitFor();
        const usable = Date.now() - t0;
        await page.waitForLoadState('load');
        const all = [...sizes.values()];
        const total = all.reduce((s, x) => s + x.bytes, 0);
        console.log(`checkin page on slow 3G: usable after ${usable} ms, ${total} bytes in ${all.length} responses: ${all.map((x) => `${new URL(x.url).pathname.replace(/\/c\/.*/, '/c/…').replace(/\/api\/c\/.*/, '/api/c/…')} ${x.bytes}`).join(', ')}`);
        assert.ok(total < 50 * 1024, `the page took ${total} bytes`);
        assert.deepEqual(all.filter((x) => /maplibre|terra|jsqr|\/fonts\//i.test(x.url)).map((x) => x.url), []);
        await cdp.send('Network.emulateNetworkConditions', {offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1});
    });

    test('the staff page, with a fake camera playing the person’s QR code, records the visit; the tracer sees it', async () => {
        // Another person makes their personal QR code on the check-in page.
        const {page} = await open(venues.a.token, '?lang=vi');
        await page.evaluate(() => localStorage.removeItem('bando.identity'));
        await page.reload({waitUntil: 'domcontentloaded'});
        // (Where the staff scan, the person shows their code without checking in themselves.)
        await page.getByLabel('Số điện thoại hoặc số CCCD/CMND').fill('0987 654 321');
        const made = page.waitForResponse((r) => r.url().endsWith('/pass'));
        await page.getByRole('button', {name: 'Hiện mã QR cá nhân của tôi'}).click();
        const passAnswer = await (await made).json();
        const img = page.getByRole('img', {name: 'Mã QR cá nhân của bạn, để nhân viên quét'});
        await img.waitFor();
        await page.waitForFunction(() => document.getElementById('ci-pass-img')?.complete);
        assert.ok(!JSON.stringify(passAnswer).includes('0987654321'), 'the pass holds no number');
        const picture = decodePNG(await img.screenshot());
        assert.equal(readQR(picture), passAnswer.pass, 'the QR code on the screen is the pass');
        const clip = path.join(tmp, 'pass.y4m');
        y4m(clip, picture, {scale: Math.min(1.6, 400 / picture.width)});

        const staffBrowser = await launch({viewport: PHONE, args: [
            '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${clip}`,
        ]});
        try {
            const sp = await staffBrowser.newPage();
            const errors = [];
            sp.on('pageerror', (e) => errors.push(e.message));
            const scanned = sp.waitForRequest((r) => r.url().endsWith('/checkins') && r.method() === 'POST', {timeout: 30000});
            await sp.goto(`${BASE}/s/${venues.b.staffToken}`, {waitUntil: 'domcontentloaded'});
            await sp.locator('#st-camera-state', {hasText: 'Camera đang bật'}).waitFor();
            assert.deepEqual((await scanned).postDataJSON(), {pass: passAnswer.pass});
            await sp.locator('#st-list li.st-ok', {hasText: 'Đã ghi nhận khách (mã QR cá nhân)'}).waitFor();
            await shot(sp, 'staff-scanned');
            // The pass stays in front of the camera: it is sent once.
            await sp.waitForTimeout(1500);
            assert.equal(await sp.locator('#st-list li').count(), 1);

            // Manual entry: recorded and shown masked.
            await sp.getByLabel('Số điện thoại hoặc số CCCD/CMND của khách').fill('0909 111 222');
            await sp.getByRole('button', {name: 'Ghi nhận'}).click();
            await sp.locator('#st-list li.st-ok', {hasText: 'khách •••• 222'}).waitFor();
            await sp.getByLabel('Số điện thoại hoặc số CCCD/CMND của khách').fill('123');
            await sp.getByRole('button', {name: 'Ghi nhận'}).click();
            await sp.locator('#st-identity-err', {hasText: 'không hợp lệ'}).waitFor();
            // Offline, a scan is kept with its time and sent in a batch once the network is back.
            await staffBrowser.context.setOffline(true);
            await sp.getByLabel('Số điện thoại hoặc số CCCD/CMND của khách').fill('0909 111 444');
            await sp.getByRole('button', {name: 'Ghi nhận'}).click();
            await sp.locator('#st-list li', {hasText: 'Mất mạng: đã lưu khách •••• 444'}).waitFor();
            await sp.locator('#st-queue', {hasText: /\d+ lượt đang chờ gửi/}).waitFor();
            const batch = sp.waitForRequest((r) => r.url().endsWith('/checkins') && r.method() === 'POST' && 'checkins' in (r.postDataJSON() ?? {}), {timeout: 30000});
            await staffBrowser.context.setOffline(false);
            const rows = (await batch).postDataJSON().checkins;
            assert.ok(rows.some((r) => r.identity === '0909 111 444' && !Number.isNaN(Date.parse(r.at))), JSON.stringify(rows));
            await sp.locator('#st-list li.st-ok', {hasText: /Đã gửi \d+ lượt quét lúc mất mạng/}).waitFor();
            assert.equal(await sp.locator('#st-queue').textContent(), '');
            const text = await sp.locator('main').textContent();
            assert.ok(!/0909\s?111\s?(222|444)|0987\s?654\s?321/.test(text), 'no raw number on the staff page');
            assert.deepEqual(await unlabelledControls(sp), []);
            assert.deepEqual(errors, []);
            await assertOnlyHosts(staffBrowser, [BASE]);

            // The tracer's view of venue B lists the three staff-scan visits (the pass, typed, typed offline).
            const visits = await api(adminPage, 'GET', `/api/venues/${venues.b.id}/checkins?reason=${encodeURIComponent('e2e: kiểm thử quét của nhân viên')}`);
            assert.equal(visits.status, 200, visits.text);
            const bySource = visitsOf(visits.body).map((v) => v.source).sort();
            assert.deepEqual(bySource, ['staff-scan', 'staff-scan', 'staff-scan'], visits.text);

            // A withdrawn venue's staff link is said at its first scan, and the camera stops.
            const bad = await staffBrowser.newPage();
            await bad.goto(`${BASE}/s/${venues.gone.staffToken}`, {waitUntil: 'domcontentloaded'});
            await bad.getByRole('alert').filter({hasText: 'Đường dẫn quét này đã bị thu hồi'}).waitFor();
            assert.equal(await bad.locator('video').count(), 0);
        } finally {
            await staffBrowser.close();
        }
    });
});
