// The health workers' tracing screen at /admin/tracing, against the real
// server with the accounts run.sh creates (BANDO_E2E_ACCOUNTS=1). The admin
// makes a tracer account; the tracer seeds a small world through the real
// API (two venues and their check-ins, an enterprise's roster with a shared
// boarding-house room and a shared line and shift, a bus and its rides),
// then, in the browser, runs the tracing on the F0's phone and sees the
// contacts with their reasons in plain words (F1 by check-in overlap, room,
// line and ride; F2 through the F1's later check-in; the epidemiological
// factor of a short overlap), filters them by tier, downloads the CSV,
// sends the suggested zone as a draft (201) and publishes the contacts; on
// a 390×844 phone it runs on the F0's ID number (an alias of the phone) and
// nothing scrolls sideways; a typed mistake and the server's 400 are said
// at the field; an editor has no tracing tab and the API answers 403.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import {after, afterEach, before, beforeEach, describe, test} from 'node:test';
import {assertOnlyHosts, BASE, launch, shot, unlabelledControls, waitIdle} from './helpers.mjs';

const skip = process.env.BANDO_E2E_ACCOUNTS ? false : 'needs the accounts run.sh creates (BANDO_E2E_ACCOUNTS=1)';

/** The accounts run.sh creates (as in admin.test.mjs, which is not imported: its tests would run twice). */
const ADMIN = {name: 'e2e-admin', password: 'e2e-admin-password-1'};
const EDITOR = {name: 'e2e-district', password: 'e2e-district-password-1'};

/** run is this run's tag: the world's numbers, names and ids are new each time, so a server can be tested again. */
const run = crypto.randomBytes(3).toString('hex');
const digits = String(parseInt(run, 16) % 100000).padStart(5, '0');
const TRACER = {name: `e2e-tracer-${run}`, password: `e2e-tracer-password-${run}`};

const DAY = 86400e3;
const VN = 7 * 3600e3;
/** vnDate is the Vietnam date of an instant, YYYY-MM-DD. */
const vnDate = (t) => new Date(t + VN).toISOString().slice(0, 10);
const today = vnDate(Date.now());
/** D is yesterday in Vietnam: every exposure happens that day. */
const D = vnDate(Date.parse(`${today}T00:00:00Z`) - DAY);
const D2 = vnDate(Date.parse(`${today}T00:00:00Z`) - 2 * DAY);
/** at is a Vietnam time on day D as RFC 3339. */
const at = (hhmm) => `${D}T${hhmm}:00+07:00`;

/**
 * The world. P0 is the F0 (phone and, in the roster, an ID number).
 * P1 checks in with P0 for 30 minutes at the restaurant (F1) and later at
 * the gym with P6 (who is F2 through P1); P5 arrives as P0's aerosol tail
 * ends (10 minutes: the epidemiological factor); P2 shares P0's boarding-house
 * room, P3 P0's line and shift, P4 P0's morning bus.
 */
const person = (i, name) => ({phone: `09${digits}${String(i).padStart(3, '0')}`, name: `${name} E2E ${run}`});
const P = [
    person(0, 'Trần Văn Nguồn'), person(1, 'Nguyễn Thị Quán'), person(2, 'Lê Văn Phòng'), person(3, 'Phạm Thị Chuyền'),
    person(4, 'Võ Văn Xe'), person(5, 'Đỗ Thị Ghé'), person(6, 'Hoàng Văn Gym'),
];
/** F0_ID is the F0's citizen ID number (CCCD: 12 digits from a province code), an alias of P0's phone in the roster. */
const F0_ID = `079${digits}${String(parseInt(run, 16) % 10000).padStart(4, '0')}`;
const ENTERPRISE = `e2e-tracing-${run}`;
const BUS = `61B-${digits.slice(0, 3)}.${digits.slice(3)}`;
const RESTAURANT = `Quán cơm E2E ${run}`;
const GYM = `Phòng tập E2E ${run}`;
const HOUSE = `Bình An ${run}`;

/** call sends a request from a signed-in page with the session's CSRF token; body is JSON or, with type, text. */
async function call(page, method, path, body, type) {
    return page.evaluate(async ([m, p, b, ty]) => {
        const me = await fetch('/api/auth/me').then((r) => (r.ok ? r.json() : {}));
        const headers = {'X-CSRF-Token': me.csrf ?? '', 'Content-Type': ty ?? 'application/json'};
        const res = await fetch(p, {method: m, headers, body: b === undefined ? undefined : ty ? b : JSON.stringify(b)});
        const text = await res.text();
        let json = null;
        try {
            json = JSON.parse(text);
        } catch {
            // not JSON
        }
        return {status: res.status, body: json, text, type: res.headers.get('Content-Type'), retry: res.headers.get('Retry-After')};
    }, [method, path, body, type]);
}

/** apiPage opens a page signed in as account through the API (no map). */
async function apiPage(browser, account) {
    const page = await browser.newPage();
    await page.goto(`${BASE}/readyz`, {waitUntil: 'domcontentloaded'});
    const status = await page.evaluate(async ([name, password]) => (await fetch('/api/auth/signin', {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({name, password})})).status, [account.name, account.password]);
    assert.equal(status, 200, `sign-in of ${account.name}`);
    return page;
}

/** created asserts a 2xx answer and returns its body. */
function ok(r, what) {
    assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.text}`);
    return r.body;
}

/** seed makes the tracer and writes the world through the real API. */
async function seed(browser) {
    const admin = await apiPage(browser, ADMIN);
    ok(await call(admin, 'POST', '/api/users', {name: TRACER.name, role: 'tracer', password: TRACER.password}), 'tracer account');
    await admin.close();
    await browser.context.clearCookies();

    const page = await apiPage(browser, TRACER);
    const venue = async (name, category, lon, lat) => ok(await call(page, 'POST', '/api/venues',
        {name, category, address: `1 Đường Thử ${run}, Thủ Dầu Một`, ward: '71805', lon, lat, default_stay_minutes: 60}), `venue ${name}`).id;
    const restaurant = await venue(RESTAURANT, 'restaurant', 106.6583, 10.9812);
    const gym = await venue(GYM, 'gym', 106.6601, 10.9826);
    const visit = (v, p, from, to) => ({venue: v, identity: p.phone, name: p.name, at: at(from), end: at(to)});
    ok(await call(page, 'POST', '/api/checkins', {checkins: [
        visit(restaurant, P[0], '09:00', '10:00'),
        visit(restaurant, P[1], '09:20', '09:50'),
        visit(restaurant, P[5], '10:20', '10:40'),
        visit(gym, P[1], '14:00', '15:00'),
        visit(gym, P[6], '14:10', '14:50'),
    ]}), 'check-ins');

    const roster = [
        'employee_id,name,phone,id_number,boarding_house,room,ward,lon,lat,site,line,shift',
        `e0,${P[0].name},${P[0].phone},${F0_ID},${HOUSE},12,71805,106.6590,10.9805,X1,L3,ca1`,
        `e2,${P[2].name},${P[2].phone},,${HOUSE},12,71805,106.6590,10.9805,,,`,
        `e3,${P[3].name},${P[3].phone},,Hòa Lợi ${run},5,71805,106.6620,10.9840,X1,L3,ca1`,
        `e4,${P[4].name},${P[4].phone},,,,,,,X2,L9,ca2`,
    ].join('\n');
    ok(await call(page, 'POST', `/api/enterprises/${ENTERPRISE}/workers:import?as_of=${D2}`, roster, 'text/csv'), 'roster');
    ok(await call(page, 'POST', `/api/enterprises/${ENTERPRISE}/buses`, {id: BUS, route: `Thủ Dầu Một – KCN ${run}`, seats: 45}), 'bus');
    ok(await call(page, 'POST', `/api/enterprises/${ENTERPRISE}/rides`, `date,trip,bus,employee_id,seat\n${D},am,${BUS},e0,1\n${D},am,${BUS},e4,2\n`, 'text/csv'), 'rides');
    return {page, restaurant, gym};
}

/** runBody is the API run of the F0 on the world's days. */
function runBody(f0 = {phone: P[0].phone}) {
    return {f0: [{...f0, onset: at('12:00'), isolation: `${today}T00:00:00+07:00`}], depth: 2, reason: `kiểm thử E2E ${run}`};
}

/** expected tells whether a run found the whole world (the engine's live feed may lag the writes). */
function complete(body) {
    const names = new Set((body?.contacts ?? []).map((c) => c.name));
    return P.slice(1).every((p) => names.has(p.name));
}

/** signIn opens /admin/tracing and signs in through the form. */
async function signIn(browser, account, path = '/admin/tracing') {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${BASE}${path}`, {waitUntil: 'domcontentloaded'});
    await page.getByLabel('Tên đăng nhập').fill(account.name);
    await page.getByLabel('Mật khẩu').fill(account.password);
    await page.getByRole('button', {name: 'Đăng nhập'}).click();
    await page.waitForSelector('body[data-ready="true"]', {timeout: 60000});
    await waitIdle(page);
    return {page, errors};
}

/** fillRun fills the tracing form in Vietnamese with the F0 lines. */
async function fillRun(part, lines) {
    await part.getByLabel(/^Ca F0/).fill(lines);
    await part.getByLabel(/^Khởi phát triệu chứng/).fill(`${D}T12:00`);
    await part.getByLabel(/^Thời điểm cách ly/).fill(`${today}T00:00`);
    await part.getByLabel('Độ sâu truy vết').selectOption('2');
    await part.getByLabel(/^Lý do truy vết/).fill(`Điều tra ca F0 E2E ${run}`);
}

/** row is the contacts table's row of a person. */
function row(part, p) {
    return part.locator('#tr-contacts tbody tr', {hasText: p.name});
}

describe('the health workers’ tracing screen', {skip}, () => {
    let browser;
    let world;

    before(async () => {
        browser = await launch({viewport: {width: 1366, height: 768}});
        world = await seed(browser);
        // The world must be in the engine before the screen is tested: the
        // live feed sends each write at once, a loading engine answers 503.
        const deadline = Date.now() + 90000;
        let last;
        for (;;) {
            last = await call(world.page, 'POST', '/api/tracing/runs', runBody());
            if (last.status === 201 && complete(last.body)) break;
            // Only a loading engine (503) or a lagging feed (201, not all yet) is worth waiting for.
            if (Date.now() > deadline || (last.status !== 503 && last.status !== 201)) break;
            await new Promise((r) => setTimeout(r, last.status === 503 ? 1000 * Math.min(Number(last.retry) || 2, 5) : 1000));
        }
        world.api = last;
        await world.page.close();
        await browser.context.clearCookies();
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

    test('the runs API finds the seeded world: F1 by check-in, room, line and ride; F2 through the F1; the short overlap as the epidemiological factor', () => {
        const r = world.api;
        assert.equal(r.status, 201, `POST /api/tracing/runs: ${r.status} ${r.text}`);
        const byName = Object.fromEntries((r.body.contacts ?? []).map((c) => [c.name, c]));
        const tiers = Object.fromEntries(P.slice(1).map((p) => [p.name, byName[p.name]?.tier]));
        assert.deepEqual(tiers, {[P[1].name]: 'F1', [P[2].name]: 'F1', [P[3].name]: 'F1', [P[4].name]: 'F1', [P[5].name]: 'epi', [P[6].name]: 'F2'});
        assert.deepEqual(byName[P[2].name].reasons.map((x) => x.kind), ['room']);
        assert.deepEqual(byName[P[3].name].reasons.map((x) => x.kind), ['line']);
        assert.deepEqual(byName[P[4].name].reasons.map((x) => x.kind), ['ride']);
        assert.equal(byName[P[1].name].reasons[0].venue.overlap_minutes, 30);
        assert.equal(byName[P[5].name].reasons[0].venue.overlap_minutes, 10);
        assert.equal(byName[P[1].name].phone.replace(/\D/g, '').slice(-8), P[1].phone.slice(-8), 'a tracer reads the phone');
        assert.deepEqual([r.body.summary.f1, r.body.summary.f2, r.body.summary.epi], [4, 1, 1]);
    });

    test('a tracer runs the tracing on the F0’s phone from the keyboard, reads the reasons, filters by tier, downloads the CSV, sends the zone as a draft and publishes the contacts', async () => {
        const {page, errors} = await signIn(browser, TRACER);
        assert.equal(new URL(page.url()).pathname, '/admin/tracing');
        assert.equal(await page.getByRole('button', {name: 'Truy vết', exact: true}).getAttribute('aria-pressed'), 'true', 'the tracing tab is open');
        const part = page.locator('[data-part="tracing"]');
        await fillRun(part, `# F0 của lượt kiểm thử\n${P[0].phone}`);
        // From the reason, the keyboard reaches the run button and presses it.
        await part.getByLabel(/^Lý do truy vết/).focus();
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement?.dataset.action), 'run');
        const answer = page.waitForResponse((r) => r.url().endsWith('/api/tracing/runs') && r.request().method() === 'POST');
        await page.keyboard.press('Enter');
        assert.equal((await answer).status(), 201);
        await page.waitForSelector('[data-part="tracing"][data-state="done"]');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'tr-result-title', 'focus moves to the result');

        const summary = async (k) => Number(await part.locator(`[data-summary="${k}"] dd`).textContent());
        assert.deepEqual([await summary('f1'), await summary('f2'), await summary('epi')], [4, 1, 1]);
        assert.ok(await summary('clusters') >= 1);
        // Each contact with its reason and evidence in plain words.
        const expect = [
            [P[1], 'F1', new RegExp(`Qua .+: check-in trùng 30 phút tại ${RESTAURANT} \\(Nhà hàng, quán ăn\\)`)],
            [P[2], 'F1', new RegExp(`cùng phòng trọ 12, nhà trọ ${HOUSE}, \\d ngày`)],
            [P[3], 'F1', /cùng chuyền L3\/ca ca1, xưởng X1 của e2e-tracing-\w+, \d ngày/],
            [P[4], 'F1', new RegExp(`đi chung xe đưa đón ${BUS.replace('.', '\\.')} của ${ENTERPRISE}, chuyến sáng ngày \\d\\d/\\d\\d/\\d{4}, ghế 2 \\(nguồn ghế 1\\)`)],
            [P[5], 'Yếu tố dịch tễ', new RegExp(`check-in trùng 10 phút tại ${RESTAURANT}`)],
            [P[6], 'F2', new RegExp(`Qua F1:[0-9a-f]{8}: check-in trùng 40 phút tại ${GYM}`)],
        ];
        for (const [p, tier, reason] of expect) {
            const r = row(part, p);
            assert.equal(await r.count(), 1, `${p.name} listed once`);
            assert.equal((await r.locator('.tr-tier').textContent()).trim(), tier, `${p.name}'s tier`);
            assert.match(await r.locator('.tr-reasons').textContent(), reason, `${p.name}'s reason`);
            assert.match(await r.textContent(), new RegExp(p.phone.slice(-6)), `${p.name}'s phone is shown`);
        }
        assert.match(await row(part, P[1]).locator('td').last().textContent(), /\d\d\/\d\d\/\d{4}/, 'an F1 has a quarantine end');

        // The exposure map: both venues drawn.
        assert.equal(await part.getAttribute('data-venues'), '2');
        await waitIdle(page);
        const drawn = await page.evaluate(() => ({
            venues: window.bandoMap.queryRenderedFeatures({layers: ['tr-venues']}).map((f) => f.properties.name),
            zone: window.bandoMap.queryRenderedFeatures({layers: ['tr-zone-fill']}).length,
        }));
        assert.deepEqual([...new Set(drawn.venues)].sort(), [GYM, RESTAURANT].sort());
        await shot(page, 'tracing-result');

        // Filter by tier.
        const filter = part.getByLabel('Lọc theo phân loại');
        await filter.selectOption('F2');
        assert.equal(await part.locator('#tr-contacts tbody tr').count(), 1);
        assert.equal(await row(part, P[6]).count(), 1);
        await filter.selectOption('epi');
        assert.deepEqual(await part.locator('#tr-contacts tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.tier)), ['epi']);
        await filter.selectOption('F1');
        assert.equal(await part.locator('#tr-contacts tbody tr').count(), 4);
        await filter.selectOption('');
        assert.equal(await part.locator('#tr-contacts tbody tr').count(), 6);

        // The CSV: UTF-8 with a BOM, a header, one row per contact, personal details and reasons.
        const download = page.waitForEvent('download');
        await part.getByRole('link', {name: 'Tải danh sách tiếp xúc (CSV)'}).click();
        const file = await (await download).path();
        const csv = fs.readFileSync(file, 'utf8');
        assert.ok(csv.startsWith('\uFEFF'), 'the CSV starts with a BOM');
        const lines = csv.slice(1).trim().split(/\r?\n/);
        const header = lines[0].toLowerCase();
        for (const col of ['key', 'name', 'phone', 'id_number', 'tier', 'via', 'quarantine_end']) assert.ok(header.includes(col), `CSV column ${col}: ${lines[0]}`);
        assert.equal(lines.length, 1 + 6, `one row per contact:\n${csv}`);
        for (const p of P.slice(1)) {
            const line = lines.find((l) => l.includes(p.name));
            assert.ok(line, `${p.name} in the CSV`);
            assert.match(line, new RegExp(p.phone.slice(-6)));
        }
        assert.match(lines.find((l) => l.includes(P[6].name)), /F2/);
        assert.match(lines.find((l) => l.includes(P[5].name)), /epi/i);

        // The run is among the recent ones and opens again.
        const id = await part.locator('.tr-result').getAttribute('data-run');
        await part.locator(`.tr-runs li[data-run="${id}"] button`).waitFor();
        await part.getByRole('button', {name: 'Tải lại danh sách'}).click();
        await part.locator(`.tr-runs li[data-run="${id}"] button`).click();
        await page.waitForFunction((x) => document.querySelector('.tr-result')?.dataset.run === x, id);
        assert.equal(await part.locator('#tr-contacts tbody tr').count(), 6);

        // In English the reasons read in English.
        await page.getByLabel('Ngôn ngữ').selectOption('en');
        await part.getByRole('heading', {name: 'Contact tracing'}).waitFor();
        assert.match(await row(part, P[2]).locator('.tr-reasons').textContent(), new RegExp(`same boarding-house room 12 at ${HOUSE}`));
        assert.match(await row(part, P[4]).locator('.tr-reasons').textContent(), /rode the same shuttle bus .+ morning trip on/);
        assert.equal((await row(part, P[5]).locator('.tr-tier').textContent()).trim(), 'Epidemiological factor');
        await page.getByLabel('Language').selectOption('vi');
        assert.deepEqual(await unlabelledControls(page), []);
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 1366, 'the page scrolls sideways at 1366×768');

        // The suggested zone (around the F0's room and the restaurant) is drawn ...
        assert.equal(await part.getAttribute('data-zone'), 'true', 'the run suggests a zone');
        assert.ok(drawn.zone > 0, 'the suggested zone is drawn');
        await part.locator('[data-msg="zone-wards"]', {hasText: 'Phường Nghĩa Phong (71805)'}).waitFor();
        // ... and goes to the editors as a draft.
        const zone = page.waitForResponse((r) => /\/api\/tracing\/runs\/[^/]+\/zone$/.test(r.url()));
        await part.getByRole('button', {name: 'Gửi vùng cách ly đề xuất (bản nháp)'}).click();
        const zr = await zone;
        assert.equal(zr.status(), 201, await zr.text());
        const zid = (await zr.json()).id;
        await part.locator('[data-msg="actions"]', {hasText: 'Đã gửi vùng cách ly bản nháp'}).waitFor();

        // The contacts go to the map's contacts layer (after a confirmation).
        const pub = page.waitForResponse((r) => /\/api\/tracing\/runs\/[^/]+\/contacts$/.test(r.url()) && r.request().method() === 'POST');
        await part.getByRole('button', {name: 'Công bố F1/F2 lên bản đồ'}).click();
        const pr = await pub;
        assert.ok(pr.status() >= 200 && pr.status() < 300, `publish: ${pr.status()} ${await pr.text()}`);
        await part.locator('[data-msg="actions"]', {hasText: 'Đã công bố'}).waitFor();
        assert.deepEqual(errors, []);
        await assertOnlyHosts(browser, [BASE]);

        // An editor finds the zone as a draft; the public contacts layer holds no name or number.
        await page.close();
        await browser.context.clearCookies();
        const admin = await apiPage(browser, ADMIN);
        const draft = await call(admin, 'GET', `/api/editor/collections/quarantine_zones/items/${encodeURIComponent(zid)}`);
        assert.equal(draft.status, 200, draft.text);
        assert.equal(draft.body.properties?.status, 'draft', 'the zone is a draft');
        const open = await call(admin, 'GET', '/ogc/collections/contacts/items?limit=10000');
        assert.equal(open.status, 200);
        for (const p of P) {
            assert.ok(!open.text.includes(p.name) && !open.text.includes(p.phone), `the public contacts show ${p.name}`);
        }
    });

    test('on a 390×844 phone a tracer runs on the F0’s ID number (an alias of the phone) and reads the contacts as cards; nothing scrolls sideways, every control is named', async () => {
        const {page, errors} = await signIn(browser, TRACER);
        await page.setViewportSize({width: 390, height: 844});
        await page.evaluate(() => window.bandoMap.resize());
        const part = page.locator('[data-part="tracing"]');
        await fillRun(part, `cccd: ${F0_ID}`);
        await part.getByRole('button', {name: 'Chạy truy vết'}).click();
        await page.waitForSelector('[data-part="tracing"][data-state="done"]');
        assert.equal(await part.locator('#tr-contacts tbody tr').count(), 6);
        assert.equal((await row(part, P[2]).locator('.tr-tier').textContent()).trim(), 'F1');
        // The result scrolls into the panel, not the page: the map stays on screen.
        const onScreen = () => document.scrollingElement.scrollTop === 0 && document.getElementById('map').getBoundingClientRect().bottom > 200;
        await page.waitForFunction(onScreen, null, {timeout: 5000}).catch(() => {});
        assert.ok(await page.evaluate(onScreen), 'the page scrolled the map away');
        // A tracer has no editing tabs (they would only be refused).
        assert.deepEqual(await page.locator('#ed-tabs button').evaluateAll((bs) => bs.map((b) => b.dataset.tab).filter((k) => !['tracing', 'venues'].includes(k))), []);
        const wide = await page.evaluate(() => ({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,
            panel: document.querySelector('.ed-panel-body').scrollWidth - document.querySelector('.ed-panel-body').clientWidth}));
        assert.ok(wide.doc <= 390 && wide.body <= 390, `the page scrolls sideways: ${JSON.stringify(wide)}`);
        assert.ok(wide.panel <= 1, `the panel scrolls sideways: ${JSON.stringify(wide)}`);
        // Every visible control is named and big enough for a finger.
        assert.deepEqual(await unlabelledControls(page), []);
        const small = await page.evaluate(() => [...document.querySelectorAll('[data-part="tracing"] button, [data-part="tracing"] select, [data-part="tracing"] input:not([type=checkbox]), [data-part="tracing"] a.tr-button')]
            .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height < 43.5).map((el) => el.outerHTML.slice(0, 80)));
        assert.deepEqual(small, []);
        await row(part, P[1]).scrollIntoViewIfNeeded();
        await shot(page, 'tracing-phone');
        assert.deepEqual(errors, []);
        await assertOnlyHosts(browser, [BASE]);
    });

    test('mistakes are said at the field: a line that is no number or code, a missing reason (nothing sent), the server’s refusals of an unknown case code and of one person given twice (phone and ID number); the day’s cases can be picked', async () => {
        const {page, errors} = await signIn(browser, TRACER);
        const part = page.locator('[data-part="tracing"]');
        let posted = 0;
        page.on('request', (r) => {
            if (r.url().endsWith('/api/tracing/runs') && r.method() === 'POST') posted++;
        });
        await part.getByLabel(/^Ca F0/).fill(`${P[0].phone}\nkhông phải số`);
        await part.getByRole('button', {name: 'Chạy truy vết'}).click();
        const f0err = part.locator('.ed-field-error[data-field="f0"]');
        assert.match(await f0err.textContent(), /Dòng 2: không nhận ra “không phải số”/);
        assert.match(await part.locator('.ed-field-error[data-field="reason"]').textContent(), /Ghi lý do truy vết/);
        assert.equal(await part.getByLabel(/^Ca F0/).getAttribute('aria-invalid'), 'true');
        assert.equal(await page.evaluate(() => document.activeElement?.name), 'f0', 'focus on the first field in error');
        assert.equal(posted, 0, 'nothing was sent');

        // The server refuses an unknown case code: the reason is said, at its line.
        await part.getByLabel(/^Ca F0/).fill(`KHONGCO-${run}`);
        await part.getByLabel(/^Lý do truy vết/).fill(`Kiểm tra mã ca sai ${run}`);
        const answer = page.waitForResponse((r) => r.url().endsWith('/api/tracing/runs') && r.request().method() === 'POST');
        await part.getByRole('button', {name: 'Chạy truy vết'}).click();
        const res = await answer;
        assert.equal(res.status(), 400, await res.text());
        await page.waitForSelector('[data-part="tracing"][data-state="error"]');
        assert.match(await part.locator('.ed-field-error[data-field="f0"]').textContent(), new RegExp(`Dòng 1: .*“KHONGCO-${run}”`));
        assert.equal(await part.locator('.tr-form .ed-form-msg').textContent(), 'Máy chủ không chạy lượt này: xem lỗi ở từng ô.');
        assert.match(await page.locator('#ed-status').getAttribute('data-kind'), /error/);

        // The F0's phone and ID number are one person (the roster says so): the engine refuses the pair.
        await fillRun(part, `${P[0].phone}\ncccd: ${F0_ID}`);
        const twice = page.waitForResponse((r) => r.url().endsWith('/api/tracing/runs') && r.request().method() === 'POST');
        await part.getByRole('button', {name: 'Chạy truy vết'}).click();
        assert.equal((await twice).status(), 400);
        await part.locator('.ed-field-error[data-field="f0"]', {hasText: 'một người được nhập hai lần'}).waitFor();

        // A number the engine has never met (no other test uses it) runs, with no contacts, and says so.
        await fillRun(part, `0399${String(Date.now()).slice(-6)}`);
        await part.getByRole('button', {name: 'Chạy truy vết'}).click();
        await page.waitForSelector('[data-part="tracing"][data-state="done"]');
        await part.locator('li[data-known="false"]', {hasText: 'không có dữ liệu truy vết của người này'}).waitFor();

        // The demo bulletin's day (5 July 2021) has new cases to pick from.
        await part.getByText('Chọn từ các ca mới trong ngày').click();
        await part.getByLabel('Ngày công bố').fill('2021-07-05');
        const cases = page.waitForResponse((r) => r.url().includes('/api/tracing/cases?'));
        await part.getByRole('button', {name: 'Xem các ca của ngày này'}).click();
        assert.equal((await cases).status(), 200);
        const first = part.locator('[data-case]').first();
        await first.waitFor();
        const code = await first.getAttribute('data-case');
        await first.check();
        await part.getByRole('button', {name: 'Thêm các ca đã chọn'}).click();
        assert.match(await part.getByLabel(/^Ca F0/).inputValue(), new RegExp(`^${code.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
        assert.deepEqual(await unlabelledControls(page), []);
        assert.deepEqual(errors, []);
    });

    test('a large run shows its contacts 200 at a time; “show more” adds the rest and moves focus to the first new one', async () => {
        // Another F0 and 230 visitors of one office over the same hour.
        const page0 = await apiPage(browser, TRACER);
        const office = ok(await call(page0, 'POST', '/api/venues', {name: `Văn phòng E2E ${run}`, category: 'office', address: '', ward: '71805',
            lon: 106.6570, lat: 10.9800, default_stay_minutes: 60}), 'office').id;
        const f0 = `08${digits}999`;
        const visitors = Array.from({length: 230}, (_, i) => ({venue: office, identity: `08${digits}${String(i).padStart(3, '0')}`, at: at('08:00'), end: at('09:00')}));
        ok(await call(page0, 'POST', '/api/checkins', {checkins: [{venue: office, identity: f0, at: at('08:00'), end: at('09:00')}, ...visitors]}), 'office check-ins');
        await page0.close();
        await browser.context.clearCookies();

        const {page, errors} = await signIn(browser, TRACER);
        const part = page.locator('[data-part="tracing"]');
        await fillRun(part, f0);
        await part.getByLabel('Độ sâu truy vết').selectOption('1');
        await part.getByRole('button', {name: 'Chạy truy vết'}).click();
        await page.waitForSelector('[data-part="tracing"][data-state="done"]');
        assert.equal(await part.locator('[data-summary="f1"] dd').textContent(), '230');
        assert.equal(await part.locator('#tr-contacts tbody tr').count(), 200);
        assert.equal(await part.locator('[data-msg="shown"]').textContent(), 'Đang hiện 200 trên 230 người.');
        await part.getByRole('button', {name: 'Hiện thêm 30 người (còn 30)'}).click();
        assert.equal(await part.locator('#tr-contacts tbody tr').count(), 230);
        assert.equal(await page.evaluate(() => [...document.querySelectorAll('#tr-contacts tbody tr')].indexOf(document.activeElement)), 200);
        assert.equal(await part.locator('[data-action="more"]').count(), 0);
        assert.deepEqual(errors, []);
    });

    test('an editor has no tracing tab (/admin/tracing opens the editor) and the runs API answers 403', async () => {
        const {page, errors} = await signIn(browser, EDITOR);
        assert.equal(await page.getByRole('button', {name: 'Truy vết', exact: true}).count(), 0);
        assert.equal(await page.locator('[data-part="tracing"]').count(), 0);
        assert.equal(new URL(page.url()).pathname, '/admin', 'the address falls back to the editor');
        assert.equal((await call(page, 'POST', '/api/tracing/runs', runBody())).status, 403);
        assert.equal((await call(page, 'GET', '/api/tracing/runs')).status, 403);
        assert.equal((await call(page, 'GET', `/api/tracing/cases?date=${today}`)).status, 403);
        assert.deepEqual(errors, []);
    });
});
