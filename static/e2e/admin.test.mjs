// The officials' editor at /admin, against a server with the accounts
// run.sh creates (BANDO_E2E_ACCOUNTS=1): sign-in, a self-crossing zone
// refused at the shape before anything is sent, fixed, saved, published and
// on the public map at once; a district editor kept out of another district
// (the UI disables, the server's 403 is shown); a viewer with no edit
// controls whom the API refuses; a stale edit in a second tab that gets the
// conflict and loses nothing; the editor at tablet sizes.

import assert from 'node:assert/strict';
import {after, afterEach, before, beforeEach, describe, test} from 'node:test';
import {assertOnlyHosts, BASE, launch, shot, unlabelledControls, waitIdle} from './helpers.mjs';

/** ACCOUNTS are the users run.sh creates before it starts the server. */
export const ACCOUNTS = {
    admin: {name: 'e2e-admin', password: 'e2e-admin-password-1'},
    district: {name: 'e2e-district', password: 'e2e-district-password-1', district: '718'},
    viewer: {name: 'e2e-viewer', password: 'e2e-viewer-password-1'},
};

const skip = process.env.BANDO_E2E_ACCOUNTS ? false : 'needs the accounts run.sh creates (BANDO_E2E_ACCOUNTS=1)';

/** today is the day in Vietnam, as the server counts zones' days. */
function today() {
    return new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
}

/** openAdmin opens /admin in a fresh page and signs in as account. */
async function signIn(browser, account, {query = ''} = {}) {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${BASE}/admin${query}`, {waitUntil: 'domcontentloaded'});
    await page.getByLabel('Tên đăng nhập').fill(account.name);
    await page.getByLabel('Mật khẩu').fill(account.password);
    await page.getByRole('button', {name: 'Đăng nhập'}).click();
    await page.waitForSelector('body[data-ready="true"]', {timeout: 60000});
    await waitIdle(page);
    return {page, errors};
}

/** goTo moves the editor's map and waits until it is drawn. */
async function goTo(page, center, zoom) {
    await page.evaluate(([c, z]) => window.bandoMap.jumpTo({center: c, zoom: z}), [center, zoom]);
    await waitIdle(page);
}

/** pixel is where lon, lat is on the page. */
async function pixel(page, lonlat) {
    return page.evaluate((p) => {
        const map = window.bandoMap;
        const box = map.getCanvas().getBoundingClientRect();
        const q = map.project(p);
        return {x: box.left + q.x, y: box.top + q.y};
    }, lonlat);
}

/** mapCentre is the centre of the visible map on the page. */
async function mapCentre(page) {
    return page.evaluate(() => {
        const box = window.bandoMap.getCanvas().getBoundingClientRect();
        return {x: box.left + box.width / 2, y: box.top + box.height / 2};
    });
}

/** drawPolygon clicks the corners on the map and closes the ring on the first one. */
async function drawPolygon(page, corners) {
    for (const p of corners) {
        await page.mouse.click(p.x, p.y);
        await page.waitForTimeout(60);
    }
    await page.mouse.click(corners[0].x, corners[0].y);
}

/** api calls the server from the page, with the session's CSRF token. */
async function api(page, method, path, body, headers = {}) {
    return page.evaluate(async ([m, p, b, hs]) => {
        const me = await fetch('/api/auth/me').then((r) => r.json());
        const res = await fetch(p, {method: m, headers: {'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf ?? '', ...hs}, body: b === undefined ? undefined : JSON.stringify(b)});
        const text = await res.text();
        let json = null;
        try {
            json = JSON.parse(text);
        } catch {
            // not JSON
        }
        return {status: res.status, etag: res.headers.get('ETag'), body: json};
    }, [method, path, body, headers]);
}

/** aZone finds a stored zone of the editor list that passes keep. */
async function aZone(page, keep) {
    const r = await page.evaluate(() => fetch('/api/editor/collections/quarantine_zones/items?limit=1000').then((x) => x.json()));
    const found = (r.features ?? []).find(keep);
    assert.ok(found, 'no zone fits the test');
    return found;
}

function centroid(g) {
    const ring = g.type === 'MultiPolygon' ? g.coordinates[0][0] : g.coordinates[0];
    const n = ring.length - 1;
    return [ring.slice(0, n).reduce((s, p) => s + p[0], 0) / n, ring.slice(0, n).reduce((s, p) => s + p[1], 0) / n];
}

describe('the officials’ editor', {skip}, () => {
    let browser;

    before(async () => {
        browser = await launch({viewport: {width: 1024, height: 768}});
    });
    after(async () => {
        await browser?.close();
    });
    // Each test starts signed out, with its own session.
    beforeEach(async () => {
        await browser.context.clearCookies();
        browser.reset();
    });
    afterEach(async () => {
        for (const p of browser.context.pages()) await p.close();
    });

    test('signs in (a wrong password is refused with the reason) and says who; an admin adds, drags, edits and deletes a point, edits a case, has a bad CSV refused line by line in the dry run, sees the accounts; all at tablet sizes', async () => {
        const page = await browser.newPage();
        const errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('dialog', (d) => void d.accept());
        await page.goto(`${BASE}/admin`, {waitUntil: 'domcontentloaded'});
        await page.getByLabel('Tên đăng nhập').fill(ACCOUNTS.admin.name);
        await page.getByLabel('Mật khẩu').fill('not the password');
        await page.getByRole('button', {name: 'Đăng nhập'}).click();
        await page.getByText('Sai tên đăng nhập hoặc mật khẩu.').waitFor();
        await page.getByLabel('Mật khẩu').fill(ACCOUNTS.admin.password);
        await page.getByRole('button', {name: 'Đăng nhập'}).click();
        await page.waitForSelector('body[data-ready="true"]', {timeout: 60000});
        assert.match(await page.locator('#ed-who').textContent(), /e2e-admin · Quản trị · toàn tỉnh/);
        for (const tab of ['Vùng cách ly', 'Điểm', 'Ca bệnh', 'Tài khoản']) {
            assert.ok(await page.getByRole('button', {name: tab, exact: true}).isVisible(), `tab ${tab}`);
        }
        // The language switch turns the editor into English.
        await page.getByLabel('Ngôn ngữ').selectOption('en');
        await page.getByRole('button', {name: 'Draw a new zone'}).waitFor();
        assert.match(await page.locator('#ed-who').textContent(), /Administrator · whole province/);
        await page.getByLabel('Language').selectOption('vi');
        await page.getByRole('button', {name: 'Vẽ vùng mới'}).waitFor();
        // Admins see the accounts.
        await page.getByRole('button', {name: 'Tài khoản', exact: true}).click();
        await page.locator('[data-part="users"] tbody th', {hasText: 'e2e-viewer'}).waitFor();
        assert.equal(await page.locator('[data-part="users"] tr', {hasText: 'e2e-district'}).getByLabel('Mã huyện của e2e-district').inputValue(), '718');
        // An admin adds an account, makes it a district editor and disables it.
        const users = page.locator('[data-part="users"]');
        const temp = `e2e-tmp-${Date.now()}`;
        await users.getByLabel('Tên đăng nhập').fill(temp);
        await users.getByLabel('Vai trò', {exact: true}).selectOption('viewer');
        await users.getByLabel('Mật khẩu').fill('e2e-temporary-password-1');
        await users.getByRole('button', {name: 'Thêm tài khoản'}).click();
        const userRow = users.locator('tbody tr', {hasText: temp});
        await userRow.waitFor();
        await userRow.getByLabel(`Vai trò của ${temp}`).selectOption('editor');
        await userRow.getByLabel(`Mã huyện của ${temp}`).fill('721');
        await userRow.getByRole('button', {name: 'Lưu'}).click();
        await users.locator('.ed-form-msg', {hasText: 'Đã thực hiện.'}).waitFor();
        await userRow.getByRole('button', {name: 'Khóa'}).click();
        await userRow.getByText('Đã khóa').waitFor();
        const account = (await page.evaluate(() => fetch('/api/users').then((r) => r.json()))).users.find((u) => u.name === temp);
        assert.deepEqual([account.role, account.district, account.disabled], ['editor', '721', true]);
        await waitIdle(page);
        await page.getByRole('button', {name: 'Điểm', exact: true}).click();
        await page.getByLabel('Lớp điểm').selectOption('lockdown_points');
        await goTo(page, [106.6583, 10.9812], 16);
        const c = await mapCentre(page);
        await page.getByRole('button', {name: 'Thêm điểm'}).click();
        await page.mouse.click(c.x, c.y);
        const name = `E2E điểm ${Date.now()}`;
        await page.getByLabel('Tên', {exact: true}).fill(name);
        const points = page.locator('[data-part="points"]');
        await points.locator('[data-action="save-point"]').click();
        await points.locator('.ed-form-msg', {hasText: 'Đã lưu (lần sửa 1)'}).waitFor();
        const marker = await page.locator('.ed-point-marker').boundingBox();
        await page.mouse.move(marker.x + marker.width / 2, marker.y + marker.height / 2);
        await page.mouse.down();
        for (let i = 1; i <= 8; i++) await page.mouse.move(marker.x + marker.width / 2 + 8 * i, marker.y + marker.height / 2 + 4 * i);
        await page.mouse.up();
        await page.getByLabel('Địa chỉ').fill('Số 1, Đường thử');
        await points.locator('[data-action="save-point"]').click();
        await points.locator('.ed-form-msg', {hasText: 'Đã lưu (lần sửa 2)'}).waitFor();
        const list = await page.evaluate(() => fetch('/api/editor/collections/lockdown_points/items?limit=5000').then((r) => r.json()));
        const stored = list.features.find((f) => f.properties.name === name);
        assert.ok(stored, 'the new point is not stored');
        assert.equal(stored.properties.address, 'Số 1, Đường thử');
        const moved = await pixel(page, stored.geometry.coordinates);
        assert.ok(Math.abs(moved.x - (c.x + 64)) < 4 && Math.abs(moved.y - (c.y + 32)) < 4, `the point is at ${JSON.stringify(moved)}, dragged to ${c.x + 64},${c.y + 32}`);
        await points.locator('[data-action="delete-point"]').click();
        await page.locator('#ed-status', {hasText: 'Đã xóa.'}).waitFor();

        // A case's status, changed and changed back (other tests read the bulletin's figures).
        await page.getByRole('button', {name: 'Ca bệnh', exact: true}).click();
        const row = page.locator('.ed-table tbody tr').first();
        await row.waitFor();
        const status = row.locator('select');
        const was = await status.inputValue();
        for (const value of [was === 'recovered' ? 'under_treatment' : 'recovered', was]) {
            await status.selectOption(value);
            await row.getByRole('button', {name: 'Lưu'}).click();
            await row.locator('.ed-meta', {hasText: 'Đã lưu'}).waitFor();
            await row.locator('.ed-meta').evaluate((el) => (el.textContent = ''));
        }
        await page.getByLabel('Tệp CSV').setInputFiles({name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('code,report_date\nBN1,2021-07-05\n')});
        await page.locator('[data-action="csv-dryrun"]').click();
        await page.locator('.ed-csv-errors tbody tr').first().waitFor();
        assert.match(await page.locator('.ed-csv-errors tbody tr').first().textContent(), /^1/);
        assert.ok(await page.locator('[data-action="csv-import"]').isDisabled(), 'a refused file may be imported');
        await shot(page, 'admin-cases');
        // At tablet sizes: named, finger-sized controls, no sideways scroll, a panel that folds.
        await page.getByRole('button', {name: 'Vùng cách ly', exact: true}).click();
        for (const [w, hgt, name] of [[1024, 768, 'admin-tablet-landscape'], [768, 1024, 'admin-tablet-portrait']]) {
            await page.setViewportSize({width: w, height: hgt});
            await page.evaluate(() => window.bandoMap.resize());
            await waitIdle(page);
            const z = await aZone(page, (f) => f.properties.status === 'published');
            await page.locator(`[data-zone="${z.id}"]`).click();
            await page.locator('[data-part="zones"] .ed-form').waitFor();
            await waitIdle(page);
            await shot(page, name);
            assert.deepEqual(await unlabelledControls(page), []);
            const small = await page.evaluate(() => [...document.querySelectorAll('.ed-panel button, .ed-panel select, .ed-panel input, .ed-top button, .ed-top select')]
                .filter((el) => el.offsetParent !== null)
                .map((el) => ({el: el.outerHTML.slice(0, 80), h: el.getBoundingClientRect().height}))
                .filter((x) => x.h < 44));
            assert.deepEqual(small, [], 'controls under 44 px');
            const sideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
            assert.equal(sideways, false, 'the page scrolls sideways');
            // The panel folds away and comes back.
            await page.locator('#ed-collapse').click();
            assert.equal(await page.locator('#ed-panel-body').isVisible(), false);
            await page.locator('#ed-collapse').click();
            assert.equal(await page.locator('#ed-panel-body').isVisible(), true);
        }
        assert.deepEqual(errors, []);
        await assertOnlyHosts(browser);
    });

    test('a self-crossing zone is refused at the shape before it is sent; fixed, saved and published, it is on the public map at once', async () => {
        const {page, errors} = await signIn(browser, ACCOUNTS.admin);
        await goTo(page, [106.655, 10.985], 15);
        const c = await mapCentre(page);
        const d = 70;
        const writes = [];
        page.on('request', (r) => {
            if (r.method() !== 'GET' && /\/ogc\/collections\/quarantine_zones\/items/.test(r.url())) writes.push(r.method());
        });
        await page.getByRole('button', {name: 'Vẽ vùng mới'}).click();
        // A bow tie: top left, bottom right, top right, bottom left.
        const bow = [{x: c.x - d, y: c.y - d}, {x: c.x + d, y: c.y + d}, {x: c.x + d, y: c.y - d}, {x: c.x - d, y: c.y + d}];
        await drawPolygon(page, bow);
        const mark = page.locator('.ed-shape-error');
        await mark.first().waitFor();
        assert.match(await mark.first().textContent(), /tự cắt/);
        // The message sits where the edges cross: the middle of the bow tie.
        const box = await mark.first().locator('.ed-shape-dot').boundingBox();
        assert.ok(Math.abs(box.x + box.width / 2 - c.x) < 6 && Math.abs(box.y + box.height / 2 - c.y) < 6, `marker at ${JSON.stringify(box)}, crossing at ${JSON.stringify(c)}`);
        const name = `E2E vùng ${Date.now()}`;
        await page.getByLabel('Tên', {exact: true}).fill(name);
        await page.locator('.ed-actions [data-action="save"]').click();
        await page.getByText('Chưa gửi: hãy sửa các lỗi được đánh dấu.').first().waitFor();
        assert.deepEqual(writes, [], 'a refused shape was sent');
        await shot(page, 'admin-crossing');

        // Fix it: drag the first corner below the bottom edge; the ring no longer crosses.
        await page.mouse.move(bow[0].x, bow[0].y);
        await page.mouse.down();
        for (let i = 1; i <= 10; i++) await page.mouse.move(bow[0].x + (d * i) / 10, bow[0].y + (2.6 * d * i) / 10);
        await page.mouse.up();
        await page.waitForFunction(() => document.querySelectorAll('.ed-shape-error').length === 0, null, {timeout: 5000}).catch(async () => {
            // Reshaping by dragging did not take: redraw a simple shape instead.
            await page.locator('[data-action="redraw"]').click();
            await drawPolygon(page, [bow[0], bow[2], bow[1], bow[3]]);
        });
        await page.locator('.ed-actions [data-action="save"]').click();
        await page.locator('.ed-form-msg', {hasText: 'Đã lưu (lần sửa 1)'}).waitFor();
        assert.deepEqual(writes, ['POST']);
        await page.locator('.ed-actions [data-action="publish"]').click();
        await page.locator('.ed-form-msg', {hasText: 'Đã lưu (lần sửa 2)'}).waitFor();
        assert.equal(await page.getByLabel('Tình trạng', {exact: true}).inputValue(), 'published');
        await shot(page, 'admin-published');

        // The public items of today have it...
        const day = today();
        const pub = await page.evaluate(async (dd) => (await fetch(`/ogc/collections/quarantine_zones/items?datetime=${dd}&limit=1000`)).json(), day);
        const mine = pub.features.find((f) => f.properties.name === name);
        assert.ok(mine, 'the published zone is not among the public items of today');
        // ...and so do the public map's tiles.
        const at = centroid(mine.geometry);
        const pubPage = await browser.newPage();
        await pubPage.goto(`${BASE}/#15/${at[1]}/${at[0]}&layers=quarantine_zones&date=${day}`, {waitUntil: 'domcontentloaded'});
        await pubPage.waitForSelector('body[data-ready="true"]', {timeout: 60000});
        await waitIdle(pubPage);
        const names = await pubPage.evaluate(() => window.bandoMap.queryRenderedFeatures({layers: ['quarantine_zones-fill']}).map((f) => f.properties.name));
        assert.ok(names.includes(name), `the public map's tiles do not draw the new zone: ${names.join(', ')}`);
        await pubPage.close();
        // Lifting ends it today and keeps it.
        await page.locator('.ed-actions [data-action="lift"]').click();
        await page.locator('.ed-form-msg', {hasText: 'Đã lưu (lần sửa 3)'}).waitFor();
        assert.equal(await page.getByLabel('Tình trạng', {exact: true}).inputValue(), 'lifted');
        assert.equal(await page.getByLabel('Gỡ bỏ', {exact: true}).inputValue(), day);
        assert.ok(await page.locator('.ed-actions [data-action="save"]').isDisabled(), 'a lifted zone is still editable');
        assert.deepEqual(errors, []);
        await assertOnlyHosts(browser);
        await page.close();
    });

    test('a bulletin CSV uploaded in the browser is checked (dry run), then imported', async () => {
        const {page, errors} = await signIn(browser, ACCOUNTS.admin);
        // A stored case written back as a file row: the same case, so that
        // the figures other tests read stay as they are.
        // The personal fields come only with a reason (the read is logged).
        const list = await page.evaluate(() => fetch('/api/editor/collections/cases/items?limit=1', {headers: {'X-Bando-Reason': 'e2e%20bulletin%20round%20trip'}}).then((r) => r.json()));
        const c = list.features[0];
        const p = c.properties;
        const cols = ['code', 'report_date', 'report_session', 'origin', 'detected_in', 'cluster', 'status', 'status_date', 'district_code', 'ward_code'];
        const quote = (v) => `"${String(v ?? '').replaceAll('"', '""')}"`;
        const row = [...cols.map((k) => quote(p[k])), c.geometry.coordinates[0], c.geometry.coordinates[1],
            ...['name', 'phone', 'id_number', 'address'].map((k) => quote(c.person?.[k]))];
        const csv = `${cols.join(',')},lon,lat,name,phone,id_number,address\n${row.join(',')}\n`;
        await page.getByRole('button', {name: 'Ca bệnh', exact: true}).click();
        await page.locator('.ed-table tbody tr').first().waitFor();
        await page.getByLabel('Tệp CSV').setInputFiles({name: 'bulletin.csv', mimeType: 'text/csv', buffer: Buffer.from(csv)});
        assert.ok(await page.locator('[data-action="csv-import"]').isDisabled(), 'a file not yet checked may be imported');
        await page.locator('[data-action="csv-dryrun"]').click();
        await page.locator('.ed-ok', {hasText: 'Tệp hợp lệ. 1 dòng: 0 ca mới'}).waitFor();
        await page.locator('[data-action="csv-import"]').click();
        await page.locator('.ed-ok', {hasText: 'Đã nhập. 1 dòng: 0 ca mới'}).waitFor();
        assert.match(await page.locator('.ed-ok').textContent(), /0 bị xóa/);
        const after = await page.evaluate((id) => fetch(`/api/editor/collections/cases/items/${encodeURIComponent(id)}`).then((r) => r.json()), c.id);
        for (const k of ['report_date', 'origin', 'status', 'district_code']) assert.equal(after.properties[k], p[k], k);
        await shot(page, 'admin-csv-imported');
        assert.deepEqual(errors, []);
        await page.close();
    });

    test('a zone the server refuses (outside the province) shows the server’s Vietnamese reason at the shape', async () => {
        const {page, errors} = await signIn(browser, ACCOUNTS.admin);
        // Well beyond the province (Long An), which the browser does not check.
        const away = [105.9, 10.75];
        await goTo(page, away, 15);
        const c = await pixel(page, away);
        const answers = [];
        page.on('response', (r) => {
            if (r.request().method() === 'POST' && /\/ogc\/collections\/quarantine_zones\/items$/.test(r.url())) answers.push(r.status());
        });
        await page.getByRole('button', {name: 'Vẽ vùng mới'}).click();
        const corners = [{x: c.x - 40, y: c.y - 40}, {x: c.x + 40, y: c.y - 40}, {x: c.x + 40, y: c.y + 40}, {x: c.x - 40, y: c.y + 40}];
        await drawPolygon(page, corners);
        assert.equal(await page.locator('.ed-shape-error').count(), 0, 'the browser refused a shape it cannot judge');
        await page.getByLabel('Tên', {exact: true}).fill('E2E ngoài tỉnh');
        await page.locator('.ed-actions [data-action="save"]').click();
        const mark = page.locator('.ed-shape-error', {hasText: 'ngoài địa bàn tỉnh'});
        await mark.first().waitFor();
        assert.deepEqual(answers, [422]);
        // The message sits at a corner of the shape, where the server says.
        const dot = await mark.first().locator('.ed-shape-dot').boundingBox();
        const at = {x: dot.x + dot.width / 2, y: dot.y + dot.height / 2};
        assert.ok(corners.some((p) => Math.abs(p.x - at.x) < 6 && Math.abs(p.y - at.y) < 6), `marker at ${JSON.stringify(at)}, corners ${JSON.stringify(corners)}`);
        assert.match(await page.locator('.ed-form-msg').first().textContent(), /\S/);
        await shot(page, 'admin-outside-province');
        assert.deepEqual(errors, []);
        await page.close();
    });

    test('a district editor cannot touch another district: the UI disables it and the server’s 403 is shown', async () => {
        const {page} = await signIn(browser, ACCOUNTS.district);
        assert.match(await page.locator('#ed-who').textContent(), /huyện 718/);
        const other = await aZone(page, (f) => f.properties.district_code && f.properties.district_code !== '718' && f.properties.status === 'published');
        await page.locator(`[data-zone="${other.id}"]`).click();
        await page.locator('[data-why="readonly"]').waitFor();
        for (const a of ['save', 'publish', 'lift', 'redraw', 'delete']) {
            assert.ok(await page.locator(`.ed-actions [data-action="${a}"]`).isDisabled(), `${a} is not disabled`);
        }
        assert.ok(await page.getByLabel('Tên', {exact: true}).isDisabled());
        await page.locator('.ed-actions [data-action="close"]').click();
        // Drawn inside the other district, a new zone is the server's to refuse.
        const at = centroid(other.geometry);
        await goTo(page, at, 16);
        const c = await pixel(page, at);
        await page.getByRole('button', {name: 'Vẽ vùng mới'}).click();
        await drawPolygon(page, [{x: c.x - 40, y: c.y - 40}, {x: c.x + 40, y: c.y - 40}, {x: c.x + 40, y: c.y + 40}, {x: c.x - 40, y: c.y + 40}]);
        await page.getByLabel('Tên', {exact: true}).fill('E2E ngoài huyện');
        await page.locator('.ed-actions [data-action="save"]').click();
        const msg = page.locator('.ed-form-msg');
        await msg.filter({hasText: 'Bạn không có quyền'}).waitFor();
        assert.match(await page.locator('#ed-status').textContent(), /Bạn không có quyền/);
        await shot(page, 'admin-district-403');
        // A ward of their own district, found by name, becomes a draft they may save.
        page.on('dialog', (d) => void d.accept());
        await page.getByLabel('Tìm phường, xã').fill('Bảo Định');
        await page.locator('form.ed-ward-search button[type="submit"]').click();
        await page.locator('[data-ward="71801"]').click();
        await page.locator('.ed-form h3, [data-part="zones"] h3', {hasText: 'Vùng cách ly mới'}).first().waitFor();
        // The refused zone's form is also a new zone's: wait for the ward's
        // name to replace its name rather than reading it at once.
        const wardName = page.getByLabel('Tên', {exact: true});
        await page.waitForFunction((el) => /Bảo Định/.test(el.value), await wardName.elementHandle(), {timeout: 10000});
        assert.match(await wardName.inputValue(), /Bảo Định/);
        await page.locator('.ed-actions [data-action="save"]').click();
        await page.locator('.ed-form-msg', {hasText: 'Đã lưu (lần sửa 1)'}).waitFor();
        await page.close();
    });

    test('a viewer sees no edit controls and the API refuses their writes', async () => {
        const {page} = await signIn(browser, ACCOUNTS.viewer);
        assert.equal(await page.getByRole('button', {name: 'Vẽ vùng mới'}).count(), 0);
        assert.equal(await page.getByRole('button', {name: 'Lấy ranh giới phường, xã'}).count(), 0);
        assert.ok(await page.locator('.ed-readonly').first().isVisible());
        const z = await aZone(page, (f) => f.properties.status === 'published');
        await page.locator(`[data-zone="${z.id}"]`).click();
        await page.locator('[data-part="zones"] .ed-form').waitFor();
        assert.equal(await page.locator('.ed-actions [data-action="save"]').count(), 0);
        assert.ok(await page.getByLabel('Tên', {exact: true}).isDisabled());
        assert.equal(await page.getByLabel('Tên', {exact: true}).inputValue(), z.properties.name);
        // Another zone's form shows that zone, not what the last one held.
        const z2 = await aZone(page, (f) => f.id !== z.id && f.properties.name !== z.properties.name);
        await page.locator(`[data-zone="${z2.id}"]`).click();
        await page.locator('[data-part="zones"] h3', {hasText: z2.properties.name}).waitFor();
        assert.equal(await page.getByLabel('Tên', {exact: true}).inputValue(), z2.properties.name);
        await page.getByRole('button', {name: 'Ca bệnh', exact: true}).click();
        await page.locator('.ed-table tbody tr').first().waitFor();
        assert.equal(await page.locator('[data-action="csv-dryrun"]').count(), 0);
        assert.equal(await page.getByRole('button', {name: 'Tài khoản', exact: true}).count(), 0);
        const r = await api(page, 'PATCH', `/ogc/collections/quarantine_zones/items/${z.id}`, {properties: {name: 'viewer was here'}}, {'If-Match': z.etag ?? '"r1"', 'Content-Type': 'application/merge-patch+json'});
        assert.equal(r.status, 403, JSON.stringify(r.body));
        const c = await api(page, 'POST', '/ogc/collections/lockdown_points/items', {type: 'Feature', geometry: {type: 'Point', coordinates: [106.65, 10.98]}, properties: {name: 'x'}});
        assert.equal(c.status, 403);
        await page.close();
    });

    test('a stale edit in a second tab gets the conflict and loses nothing', async () => {
        // Signed in through the API (the form has its own test); both tabs share the session.
        const http = browser.context.request;
        const si = await http.post(`${BASE}/api/auth/signin`, {data: {name: ACCOUNTS.admin.name, password: ACCOUNTS.admin.password}});
        assert.equal(si.status(), 200);
        const created = await http.post(`${BASE}/ogc/collections/quarantine_zones/items`, {
            headers: {'X-CSRF-Token': (await si.json()).csrf, 'Content-Type': 'application/geo+json', Origin: BASE},
            data: {type: 'Feature',
                geometry: {type: 'MultiPolygon', coordinates: [[[[106.650, 10.980], [106.654, 10.980], [106.654, 10.984], [106.650, 10.984], [106.650, 10.980]]]]},
                properties: {name: 'E2E xung đột', status: 'draft', start: today()}}});
        assert.equal(created.status(), 201, await created.text());
        const id = (await created.json()).id;
        const [a, b] = await Promise.all([browser.newPage(), browser.newPage()]);
        await Promise.all([a, b].map((p) => p.goto(`${BASE}/admin`, {waitUntil: 'domcontentloaded'})));
        for (const p of [a, b]) await p.waitForSelector('body[data-ready="true"]', {timeout: 60000});
        for (const p of [a, b]) {
            await p.locator(`[data-zone="${id}"]`).click();
            await p.locator('[data-part="zones"] .ed-form').waitFor();
        }
        // Tab B changes the level and saves first.
        await b.getByLabel('Cấp').selectOption('hamlet');
        await b.locator('.ed-actions [data-action="save"]').click();
        await b.locator('.ed-form-msg', {hasText: 'Đã lưu'}).waitFor();
        // Tab A, still on the first version, renames it.
        await a.getByLabel('Tên', {exact: true}).fill('E2E xung đột, tên của tab A');
        await a.getByLabel('Ghi chú').fill('đổi tên theo công văn');
        await a.locator('.ed-actions [data-action="save"]').click();
        await a.locator('.ed-conflict').waitFor();
        assert.match(await a.locator('.ed-conflict').textContent(), /e2e-admin/);
        assert.equal(await a.getByLabel('Tên', {exact: true}).inputValue(), 'E2E xung đột, tên của tab A', 'the conflict lost what was typed');
        assert.equal(await a.getByLabel('Ghi chú').inputValue(), 'đổi tên theo công văn');
        await shot(a, 'admin-conflict');
        await a.getByRole('button', {name: 'Tải bản mới nhất và áp dụng lại thay đổi của tôi'}).click();
        await a.locator('.ed-form-msg', {hasText: 'Đã áp dụng thay đổi của bạn lên bản mới nhất'}).waitFor();
        assert.equal(await a.getByLabel('Tên', {exact: true}).inputValue(), 'E2E xung đột, tên của tab A');
        assert.equal(await a.getByLabel('Cấp').inputValue(), 'hamlet', 'the other tab’s change is not shown');
        await a.locator('.ed-actions [data-action="save"]').click();
        await a.locator('.ed-form-msg', {hasText: 'Đã lưu (lần sửa 3)'}).waitFor();
        const stored = await a.evaluate((zid) => fetch(`/api/editor/collections/quarantine_zones/items/${zid}`).then((r) => r.json()), id);
        assert.equal(stored.properties.name, 'E2E xung đột, tên của tab A');
        assert.equal(stored.properties.level, 'hamlet');
        // The history lists the three revisions.
        await a.locator('.ed-actions [data-action="history"]').click();
        await a.locator('.ed-history-list li').nth(2).waitFor();
        // Revert to the first revision: a new revision with the first name.
        await a.locator('[data-revert="1"]').click();
        await a.locator('#ed-status', {hasText: 'Đã khôi phục theo lần sửa 1'}).waitFor();
        assert.equal(await a.getByLabel('Tên', {exact: true}).inputValue(), 'E2E xung đột');
        const reverted = await a.evaluate((zid) => fetch(`/api/editor/collections/quarantine_zones/items/${zid}`).then((r) => r.json()), id);
        assert.equal(reverted.properties.name, 'E2E xung đột');
        assert.equal(reverted.revision, 4);
        await a.close();
        await b.close();
    });
});
