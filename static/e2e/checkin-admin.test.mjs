// The editor's "Venues & QR" part at /admin, against a server with the
// accounts run.sh creates (BANDO_E2E_ACCOUNTS=1): an admin registers a venue
// with a point picked on the map (the ward filled from the map), has a bad
// contact phone refused at its field, opens its QR image and poster, copies
// the staff link (which opens the scanner), renews the codes (the printed
// one stops working), withdraws it, and shows the QR coverage layer; an
// enterprise sees and registers only its own venues and no coverage; a
// viewer has no such part.

import assert from 'node:assert/strict';
import {after, afterEach, before, beforeEach, describe, test} from 'node:test';
import {assertOnlyHosts, BASE, launch, shot, unlabelledControls, waitIdle} from './helpers.mjs';
import {ADMIN, api, ENTERPRISE, pixelsOf, readQR, VIEWER} from './checkin-lib.mjs';

const skip = process.env.BANDO_E2E_ACCOUNTS ? false : 'needs the accounts run.sh creates (BANDO_E2E_ACCOUNTS=1)';

/** signIn opens /admin and signs in as account through the form. */
async function signIn(browser, account) {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${BASE}/admin`, {waitUntil: 'domcontentloaded'});
    await page.getByLabel('Tên đăng nhập').fill(account.name);
    await page.getByLabel('Mật khẩu').fill(account.password);
    await page.getByRole('button', {name: 'Đăng nhập'}).click();
    await page.waitForSelector('body[data-ready="true"]', {timeout: 60000});
    await waitIdle(page);
    return {page, errors};
}

/** venuesTab opens the part and waits for its list. */
async function venuesTab(page) {
    await page.getByRole('button', {name: 'Địa điểm & QR', exact: true}).click();
    await page.locator('[data-part="venues"] .ed-venue-list > *').first().waitFor();
    return page.locator('[data-part="venues"]');
}

/** tokenOf reads the check-in token from a venue's QR code. */
async function tokenOf(page, id) {
    const svg = await api(page, 'GET', `/api/venues/${id}/qr.svg`);
    assert.equal(svg.status, 200, svg.text);
    return /\/c\/([^/?#]+)$/.exec(readQR(await pixelsOf(page, svg.text)))[1];
}

describe('the editor’s venues and QR codes', {skip}, () => {
    let browser;

    before(async () => {
        browser = await launch({viewport: {width: 1280, height: 800}});
        await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: BASE});
    });
    after(async () => {
        await browser?.close();
    });
    beforeEach(async () => {
        await browser.context.clearCookies();
        browser.reset();
    });
    afterEach(async () => {
        for (const p of browser.context.pages()) await p.close();
    });

    test('an admin registers a venue on the map, opens its QR and poster, copies the staff link, renews and withdraws it, and shows the coverage', async () => {
        const {page, errors} = await signIn(browser, ADMIN);
        const part = await venuesTab(page);
        const at = [106.6583, 10.9812];
        await page.evaluate(([c]) => window.bandoMap.jumpTo({center: c, zoom: 16}), [at]);
        await waitIdle(page);

        await part.getByRole('button', {name: 'Đăng ký địa điểm'}).click();
        const name = `Siêu thị bản đồ E2E ${Date.now()}`;
        await part.getByLabel('Tên địa điểm').fill(name);
        await part.getByLabel('Loại địa điểm').selectOption('supermarket');
        await part.getByLabel('Địa chỉ').fill('2 Đường Thử, Thủ Dầu Một');
        await part.getByLabel('Điện thoại liên hệ').fill('12');
        await part.getByRole('button', {name: 'Chọn vị trí trên bản đồ'}).click();
        const box = await page.evaluate(() => {
            const r = window.bandoMap.getCanvas().getBoundingClientRect();
            return {x: r.left + r.width / 2, y: r.top + r.height / 2};
        });
        await page.mouse.click(box.x, box.y);
        await page.locator('.ed-venue-marker').waitFor();
        // The ward under the click (the demo's Phường Nghĩa Phong) is filled in.
        await page.waitForFunction(() => document.querySelector('[data-part="venues"] [name="ward"]')?.value !== '');
        assert.equal(await part.getByLabel('Mã phường, xã').inputValue(), '71805');
        const lon = Number(await part.getByLabel('Kinh độ').inputValue());
        const lat = Number(await part.getByLabel('Vĩ độ').inputValue());
        assert.ok(Math.abs(lon - at[0]) < 1e-4 && Math.abs(lat - at[1]) < 1e-4, `picked ${lon},${lat}, clicked ${at}`);
        assert.deepEqual(await unlabelledControls(page), []);

        // A bad contact phone is refused by the server at its field; nothing is registered.
        await part.getByRole('button', {name: 'Lưu địa điểm'}).click();
        const phoneErr = part.locator('.ed-field-error[data-field="contact_phone"]');
        await phoneErr.filter({hasText: /./}).waitFor();
        assert.equal(await part.getByLabel('Điện thoại liên hệ').getAttribute('aria-invalid'), 'true');
        await part.getByLabel('Điện thoại liên hệ').fill('0274 3822 000');
        await part.getByRole('button', {name: 'Lưu địa điểm'}).click();
        const item = part.locator('.ed-venue', {hasText: name});
        await item.waitFor();
        await shot(page, 'admin-venues');
        const id = await item.getAttribute('data-venue');
        const stored = await api(page, 'GET', `/api/venues/${id}`);
        assert.equal(stored.status, 200);
        assert.equal(stored.body.category, 'supermarket');
        assert.ok(Math.abs(stored.body.lon - lon) < 1e-6 && Math.abs(stored.body.lat - lat) < 1e-6);
        const all = await api(page, 'GET', '/api/venues');
        assert.ok(JSON.stringify(all.body).includes(name));

        // QR image and poster links.
        for (const [link, type] of [['qr.png', 'image/png'], ['qr.svg', 'image/svg+xml'], ['poster', 'text/html']]) {
            const href = await item.locator(`a[data-link="${link}"]`).getAttribute('href');
            const r = await api(page, 'GET', href);
            assert.equal(r.status, 200, `${href}: ${r.status}`);
            assert.ok(r.type.startsWith(type), `${href}: ${r.type}`);
        }
        const poster = await api(page, 'GET', `/api/venues/${id}/poster`);
        assert.ok(poster.text.includes(name), 'the poster names the venue');
        // It prints on one A4 page, and names the page's own buttons.
        const print = await browser.newPage();
        await print.goto(`${BASE}/api/venues/${id}/poster`, {waitUntil: 'load'});
        const pdf = (await print.pdf({format: 'A4', preferCSSPageSize: true})).toString('latin1');
        assert.equal((pdf.match(/\/Type\s*\/Page[^s]/g) || []).length, 1, 'the poster prints on one A4 page');
        assert.ok(poster.text.includes('Xác nhận đến') && poster.text.includes('Xác nhận rời đi'), 'the poster names the check-in page\'s buttons');
        await print.close();

        // The staff link: copied, shown, and it opens the scanner.
        await item.getByRole('button', {name: 'Sao chép link nhân viên quét'}).click();
        const link = item.getByLabel('Link trang quét của nhân viên');
        await link.waitFor();
        const url = await link.inputValue();
        assert.match(url, /\/s\/[^/]+$/);
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
        const staff = await browser.newPage();
        await staff.goto(`${BASE}${new URL(url).pathname}`, {waitUntil: 'domcontentloaded'});
        await staff.getByRole('heading', {name: 'Quét mã QR cá nhân'}).waitFor();
        await staff.close();

        // The coverage layer: wards from the server, drawn on the map; the new venue's ward has it.
        await part.getByLabel(/Lớp độ phủ QR/).check();
        await page.waitForFunction(() => Number(document.querySelector('[data-part="venues"]')?.dataset.coverage ?? 0) > 0, null, {timeout: 30000});
        await page.evaluate(() => window.bandoMap.jumpTo({center: [106.65, 11.05], zoom: 9}));
        await waitIdle(page);
        const drawn = await page.evaluate(() => window.bandoMap.queryRenderedFeatures(undefined, {layers: ['ed-qr-coverage-fill']}).map((f) => f.properties));
        assert.ok(drawn.length > 0, 'no coverage polygon drawn');
        const nghiaPhong = drawn.find((p) => p.ward === '71805');
        assert.ok(nghiaPhong && nghiaPhong.registered >= 1, `the venue's ward is drawn with its venues: ${JSON.stringify(nghiaPhong)}`);
        await part.locator('.ed-legend').waitFor();
        await shot(page, 'admin-qr-coverage');

        // Renew: the printed code stops working, the new one works.
        const before = await tokenOf(page, id);
        assert.equal((await api(page, 'GET', `/api/c/${before}`)).status, 200);
        await item.getByRole('button', {name: 'Cấp mã mới'}).click();
        await part.locator('.ed-venue', {hasText: name}).locator('.ed-form-msg', {hasText: 'Đã cấp mã mới'}).waitFor();
        const renewed = await tokenOf(page, id);
        assert.notEqual(renewed, before);
        assert.ok([404, 410].includes((await api(page, 'GET', `/api/c/${before}`)).status), 'the old printed code still works');
        assert.equal((await api(page, 'GET', `/api/c/${renewed}`)).status, 200);

        // Withdraw: gone from the list, shown with the withdrawn ones, its code refused.
        await part.locator('.ed-venue', {hasText: name}).getByRole('button', {name: 'Thu hồi'}).click();
        await part.locator('.ed-venue', {hasText: name}).waitFor({state: 'detached'});
        await part.getByLabel('Hiện cả địa điểm đã thu hồi').check();
        await part.locator('.ed-venue', {hasText: name}).locator('.ed-badge', {hasText: 'Đã thu hồi'}).waitFor();
        assert.equal((await api(page, 'GET', `/api/c/${renewed}`)).status, 410);

        assert.deepEqual(errors, []);
        await assertOnlyHosts(browser, [BASE]);
    });

    test('an enterprise registers and sees only its own venues, with no coverage layer; a viewer has no venues part', async () => {
        const {page: adminPage} = await signIn(browser, ADMIN);
        const other = `Chợ của quận E2E ${Date.now()}`;
        const r = await api(adminPage, 'POST', '/api/venues', {name: other, category: 'market', address: '', ward: '71805', lon: 106.66, lat: 10.98, default_stay_minutes: 30});
        assert.equal(r.status, 201, r.text);
        await adminPage.close();
        await browser.context.clearCookies();

        const {page, errors} = await signIn(browser, ENTERPRISE);
        const part = await venuesTab(page);
        assert.equal(await part.getByLabel(/Lớp độ phủ QR/).count(), 0, 'an enterprise sees the coverage');
        assert.equal(await part.getByLabel('Mã doanh nghiệp (nếu thuộc doanh nghiệp)').count(), 0);
        assert.equal(await part.locator('.ed-venue', {hasText: other}).count(), 0, 'an enterprise sees an official’s venue');
        await part.getByRole('button', {name: 'Đăng ký địa điểm'}).click();
        const name = `Nhà máy E2E ${Date.now()}`;
        await part.getByLabel('Tên địa điểm').fill(name);
        await part.getByLabel('Loại địa điểm').selectOption('factory');
        await part.getByLabel('Mã phường, xã').fill('71805');
        await part.getByLabel('Kinh độ').fill('106.66');
        await part.getByLabel('Vĩ độ').fill('10.98');
        await part.getByRole('button', {name: 'Lưu địa điểm'}).click();
        const item = part.locator('.ed-venue', {hasText: name});
        await item.waitFor();
        const stored = await api(page, 'GET', `/api/venues/${await item.getAttribute('data-venue')}`);
        assert.equal(stored.body.enterprise, ENTERPRISE.enterprise);
        assert.deepEqual(errors, []);
        await page.close();
        await browser.context.clearCookies();

        const viewer = await signIn(browser, VIEWER);
        assert.equal(await viewer.page.getByRole('button', {name: 'Địa điểm & QR', exact: true}).count(), 0);
    });
});
