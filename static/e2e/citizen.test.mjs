// Browser tests of the public map as a citizen uses it on a phone
// (390×844) and a desktop (1366×768): popups inside the view and clear of
// the lookup panel, the clicked kind first, tap-to-call phones, plurals,
// dd/mm/yyyy under an en-US browser, the share link and its QR code, the
// day's downloads without personal fields, the timeline and its player,
// the list of what is in view, the chart's table, the legends, near-me's
// markers clear of its own list, and the headline figures on a phone's
// first screen. Against a seeded server (BANDO_URL), demo bulletin of
// 5 July 2021.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {fileURLToPath, pathToFileURL} from 'node:url';
import * as esbuild from 'esbuild';
import jsQR from 'jsqr';
import {assertOnlyHosts, BASE, launch, openMap, pointerAndPopup, shot, waitIdle} from './helpers.mjs';

const PHONE = {width: 390, height: 844};
const DESKTOP = {width: 1366, height: 768};
const POINT_LAYERS = ['cases', 'contacts', 'medical_facilities', 'epidemic_points', 'lockdown_points', 'emergency_stations'];
const PEOPLE_KEYS = new Set(['count', 'district_code', 'ward_code']);
/** PERSONAL matches property names that would name, reach or place a person. */
const PERSONAL = /(^|_)(full_?name|person|patient|phone|mobile|id_?number|id_?card|cccd|cmnd|passport|birth|dob|age|home|residence|household|contact_of|case_code)($|_)/i;

/** rect reads an element's box in page pixels. */
function rectOf(sel) {
    const el = document.querySelector(sel);
    if (!el) return null;
    const b = el.getBoundingClientRect();
    return {left: b.left, top: b.top, right: b.right, bottom: b.bottom, width: b.width, height: b.height};
}

/** popupState waits for a popup and measures it, its close button, the map and the lookup panel. */
async function popupState(page) {
    await page.waitForSelector('.maplibregl-popup', {timeout: 10000});
    // The popup's own placement and the map's pan happen in the same task.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    return page.evaluate((rectSrc) => {
        const rect = new Function(`return ${rectSrc}`)();
        return {
            popup: rect('.maplibregl-popup'), close: rect('.maplibregl-popup-close-button'),
            map: rect('#map'), lookup: rect('#lookup'), vw: innerWidth, vh: innerHeight,
            first: document.querySelector('.maplibregl-popup h2')?.textContent ?? '',
        };
    }, rectOf.toString());
}

const inside = (a, b, tol = 1) => a.left >= b.left - tol && a.top >= b.top - tol && a.right <= b.right + tol && a.bottom <= b.bottom + tol;
const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/**
 * pointTargets lists up to n rendered points of the situation layers that a
 * click reaches (not under a control or panel), hardest first: nearest an
 * edge of the map, or with near (a page rectangle) nearest that. Each is
 * given by its coordinates, to be projected again after the map moved.
 */
async function pointTargets(page, n, near) {
    return page.evaluate(([layers, count, nearRect]) => {
        const map = window.bandoMap;
        const canvas = map.getCanvas();
        const box = canvas.getBoundingClientRect();
        const found = map.queryRenderedFeatures(undefined, {layers: layers.filter((l) => map.getLayer(l))});
        const out = [];
        for (const f of found) {
            if (f.geometry.type !== 'Point') continue;
            const p = map.project(f.geometry.coordinates);
            const x = box.left + p.x;
            const y = box.top + p.y;
            if (p.x < 4 || p.y < 4 || p.x > box.width - 4 || p.y > box.height - 4) continue;
            if (document.elementFromPoint(x, y) !== canvas) continue;
            if (out.some((o) => Math.hypot(o.x - x, o.y - y) < 24)) continue;
            const edge = nearRect
                ? Math.hypot(Math.max(0, x - nearRect.right), Math.max(0, nearRect.top - y, y - nearRect.bottom))
                : Math.min(p.x, p.y, box.width - p.x, box.height - p.y);
            out.push({x, y, edge, lngLat: f.geometry.coordinates, layer: f.layer.id});
        }
        return out.sort((a, b) => a.edge - b.edge).slice(0, count);
    }, [POINT_LAYERS, n, near ?? null]);
}

/** project gives a coordinate's page position, and whether a click there reaches the canvas. */
async function project(page, lngLat) {
    return page.evaluate((ll) => {
        const map = window.bandoMap;
        const canvas = map.getCanvas();
        const box = canvas.getBoundingClientRect();
        const p = map.project(ll);
        const x = box.left + p.x;
        const y = box.top + p.y;
        return {x, y, free: document.elementFromPoint(x, y) === canvas};
    }, lngLat);
}

async function closePopup(page) {
    await page.evaluate(() => document.querySelector('.maplibregl-popup-close-button')?.click());
    await page.waitForSelector('.maplibregl-popup', {state: 'detached', timeout: 5000});
}

/** clickEach clicks the targets from the same view and checks every popup with check. */
async function clickEach(page, targets, check) {
    const view = await page.evaluate(() => ({center: window.bandoMap.getCenter(), zoom: window.bandoMap.getZoom()}));
    let clicked = 0;
    for (const t of targets) {
        await page.evaluate((v) => window.bandoMap.jumpTo(v), view);
        await waitIdle(page);
        const at = await project(page, t.lngLat);
        if (!at.free) continue;
        await page.mouse.click(at.x, at.y);
        const st = await popupState(page);
        check(st, t);
        clicked++;
        await closePopup(page);
    }
    return clicked;
}

describe('citizen on a phone', () => {
    let browser;
    before(async () => {
        browser = await launch({viewport: PHONE});
    });
    after(async () => {
        await browser?.close();
    });

    test('twelve popups stay inside the view, close button included, clear of the lookup panel', async () => {
        const {page, errors} = await openMap(browser, '/');
        const targets = await pointTargets(page, 16);
        assert.ok(targets.length >= 12, `only ${targets.length} clickable points on the phone's map`);
        const clicked = await clickEach(page, targets, (st, t) => {
            const what = `popup of ${t.layer} at ${Math.round(t.x)},${Math.round(t.y)}: ${JSON.stringify(st.popup)}`;
            assert.ok(inside(st.popup, st.map), `${what} runs off the map ${JSON.stringify(st.map)}`);
            assert.ok(inside(st.popup, {left: 0, top: 0, right: st.vw, bottom: st.vh}), `${what} runs off the screen`);
            assert.ok(inside(st.close, st.map) && st.close.width >= 24, `close button ${JSON.stringify(st.close)} not on the map`);
            assert.ok(!overlaps(st.popup, st.lookup), `${what} is under the lookup panel ${JSON.stringify(st.lookup)}`);
        });
        assert.ok(clicked >= 12, `only ${clicked} popups were measured`);
        await shot(page, 'citizen-phone-popup');
        assert.deepEqual(errors, []);
        await page.close();
    });

    test('popups opened from the in-view list stay inside the map, close button included', async () => {
        const {page, errors} = await openMap(browser, '/?lang=en#12/10.98/106.66');
        await page.click('#tab-layers');
        await page.click('#inview-title');
        await page.waitForSelector('.inview-item');
        const n = Math.min(5, await page.locator('.inview-item').count());
        assert.ok(n >= 3, `only ${n} entries in view`);
        for (let i = 0; i < n; i++) {
            await page.locator('.inview-item').nth(i).click();
            await popupState(page);
            // Two frames: the popup is kept inside once more after its layout.
            await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
            const st = await page.evaluate(() => {
                const r = (sel) => document.querySelector(sel)?.getBoundingClientRect().toJSON();
                return {popup: r('.maplibregl-popup'), close: r('.maplibregl-popup-close-button'), map: r('#map')};
            });
            assert.ok(inside(st.popup, st.map), `entry ${i}: popup ${JSON.stringify(st.popup)} runs off the map ${JSON.stringify(st.map)}`);
            assert.ok(inside(st.close, st.map), `entry ${i}: close button ${JSON.stringify(st.close)} is off the map`);
        }
        assert.deepEqual(errors, []);
        await page.close();
    });

    test('the headline figures are on the first screen', async () => {
        const {page} = await openMap(browser, '/');
        const box = await page.evaluate(rectOf, '#headline-new');
        assert.ok(box && box.width > 0 && box.bottom <= PHONE.height && box.top >= 0, `headline at ${JSON.stringify(box)}`);
        assert.equal(await page.locator('#headline-new .headline-value').textContent(), '131');
        assert.equal(await page.locator('#headline-cumulative .headline-value').textContent(), '812');
        assert.equal(await page.locator('#headline-deaths .headline-value').textContent(), '1');
        await page.close();
    });

    test('legend checkboxes are targets of 24 px at least', async () => {
        const {page} = await openMap(browser, '/');
        await page.click('#tab-layers');
        await page.click('#lookup-toggle');
        const sizes = await page.evaluate(() => [...document.querySelectorAll('input[name=layer]')]
            .filter((el) => el.getClientRects().length)
            .map((el) => {
                const b = el.getBoundingClientRect();
                return {id: el.id, w: b.width, h: b.height};
            }));
        assert.ok(sizes.length >= 10, `only ${sizes.length} visible toggles`);
        for (const s of sizes) assert.ok(s.w >= 24 && s.h >= 24, `${s.id} is ${s.w}×${s.h}`);
        await page.close();
    });

    test('near me keeps its markers clear of its own list', async () => {
        const {page, errors} = await openMap(browser, '/#13/10.9804/106.6537');
        await page.click('#lookup-toggle');
        await page.click('#near-pick');
        const map = await page.evaluate(rectOf, '#map');
        // A point in the lower part of the map, below the open panel.
        await page.mouse.click(map.left + map.width / 2, map.bottom - 40);
        await page.waitForSelector('.near-list li', {timeout: 20000});
        await page.waitForFunction(() => !window.bandoMap.isMoving(), null, {timeout: 10000});
        await waitIdle(page);
        const marks = await page.evaluate(() => {
            const map = window.bandoMap;
            const canvas = map.getCanvas();
            const box = canvas.getBoundingClientRect();
            const data = map.getSource('nearby').serialize().data;
            return data.features.map((f) => {
                const p = map.project(f.geometry.coordinates);
                const x = box.left + p.x;
                const y = box.top + p.y;
                const top = document.elementFromPoint(x, y);
                return {kind: f.properties.kind, x, y, onCanvas: top === canvas, under: top?.closest('.lookup') ? 'lookup' : top?.className ?? ''};
            });
        });
        assert.ok(marks.filter((m) => m.kind === 'place').length > 0, 'near me found nothing to check');
        for (const m of marks) assert.ok(m.onCanvas, `${m.kind} marker at ${Math.round(m.x)},${Math.round(m.y)} is covered by ${m.under}`);
        await shot(page, 'citizen-phone-near');
        assert.deepEqual(errors, []);
        await page.close();
    });
});

describe('citizen on a desktop', () => {
    let browser;
    before(async () => {
        browser = await launch({viewport: DESKTOP});
        await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: BASE});
    });
    after(async () => {
        await browser?.close();
    });

    test('popups next to the lookup panel are not covered by it', async () => {
        const {page, errors} = await openMap(browser, '/');
        const lookup = await page.evaluate(rectOf, '#lookup');
        const targets = await pointTargets(page, 10, lookup);
        assert.ok(targets.length >= 7, `only ${targets.length} points near the lookup panel`);
        const clicked = await clickEach(page, targets, (st, t) => {
            const what = `popup of ${t.layer} at ${Math.round(t.x)},${Math.round(t.y)}: ${JSON.stringify(st.popup)}`;
            assert.ok(!overlaps(st.popup, st.lookup), `${what} is under the lookup panel ${JSON.stringify(st.lookup)}`);
            assert.ok(inside(st.popup, st.map), `${what} runs off the map`);
        });
        assert.ok(clicked >= 7, `only ${clicked} popups were measured`);
        assert.deepEqual(errors, []);
        await page.close();
    });

    test('a click on a zone at province zoom lists the zone before the case cells beside it', async () => {
        // The map as a citizen first sees it, every default layer shown: at
        // province zoom a zone is a few pixels wide beside the lockdown point
        // and the counted cells drawn at it.
        const {page, errors} = await openMap(browser, '/');
        assert.ok(await page.evaluate(() => window.bandoMap.getZoom()) < 11, 'the first view is not the province');
        // Chromium delivers a click at whole CSS pixels (clientX 761 for a
        // click sent at 761.64) and the canvas starts part-way down a pixel
        // (top 65.59): the spot is a whole page pixel, hit-tested at the
        // canvas point the click will report (the page pixel less the
        // canvas's offset). A spot hit-tested between pixels was clicked up
        // to a pixel away, on the edge of a lockdown point beside the zone.
        const spot = await page.evaluate(() => {
            const map = window.bandoMap;
            const canvas = map.getCanvas();
            const box = canvas.getBoundingClientRect();
            const bando = map.getStyle().layers.filter((l) => l.source === 'bando').map((l) => l.id);
            const people = ['cases', 'contacts', 'cases-count', 'contacts-count'];
            const zones = map.queryRenderedFeatures(undefined, {layers: ['quarantine_zones-fill']});
            for (const z of zones) {
                const xs = [];
                const ys = [];
                const walk = (c) => (typeof c[0] === 'number' ? (() => {
                    const p = map.project(c);
                    xs.push(p.x);
                    ys.push(p.y);
                })() : c.forEach(walk));
                walk(z.geometry.coordinates);
                const left = Math.ceil(box.left + Math.max(4, Math.min(...xs)));
                const right = Math.floor(box.left + Math.min(box.width - 4, Math.max(...xs)));
                const top = Math.ceil(box.top + Math.max(4, Math.min(...ys)));
                const bottom = Math.floor(box.top + Math.min(box.height - 4, Math.max(...ys)));
                for (let px = left; px <= right; px += 1) {
                    for (let py = top; py <= bottom; py += 1) {
                        const x = px - box.left;
                        const y = py - box.top;
                        const exact = map.queryRenderedFeatures([x, y], {layers: bando});
                        if (!exact.length || exact[0].layer.id !== 'quarantine_zones-fill') continue;
                        if (exact.some((f) => people.includes(f.layer.id))) continue;
                        const near = map.queryRenderedFeatures([[x - 6, y - 6], [x + 6, y + 6]], {layers: people});
                        if (!near.length) continue;
                        if (document.elementFromPoint(px, py) !== canvas) continue;
                        return {x: px, y: py, left: box.left, top: box.top};
                    }
                }
            }
            return null;
        });
        assert.ok(spot, 'no zone with a case cell beside it at province zoom');
        await page.evaluate(() => window.bandoMap.once('click', (e) => {
            window.clickedAt = {x: e.point.x, y: e.point.y};
        }));
        await page.mouse.click(spot.x, spot.y);
        const st = await popupState(page);
        assert.deepEqual(await page.evaluate(() => window.clickedAt), {x: spot.x - spot.left, y: spot.y - spot.top},
            'the click landed elsewhere than the hit-tested point');
        const sections = await page.locator('.maplibregl-popup h2').allTextContents();
        assert.equal(st.first, 'Vùng cách ly', `the popup lists ${sections.join(', ')}`);
        assert.ok(sections.length > 1, `the case cells beside the zone are not listed: ${sections.join(', ')}`);
        assert.deepEqual(errors, []);
        await page.close();
    });

    test('the pointer cursor shows exactly where a click opens a popup', async () => {
        // From a point's centre out past its edge and the click's reach: the
        // cursor said "nothing here" 4 to 6 px beyond a point that a click
        // there still opened.
        const {page, errors} = await openMap(browser, '/#13/11.0/106.65');
        const steps = await pointerAndPopup(page, page, POINT_LAYERS);
        assert.ok(steps, 'no point in view stands 30 px clear of everything else');
        assert.ok(steps[0].popup && !steps.at(-1).popup, `the walk does not leave the point: ${JSON.stringify(steps)}`);
        const broken = steps.filter((s) => s.pointer !== s.popup);
        assert.deepEqual(broken, [], 'the cursor and the click disagree at these pixels from the point');
        assert.deepEqual(errors, []);
        await page.close();
    });

    test('a phone number in a popup is a tel: link', async () => {
        const items = await (await fetch(`${BASE}/ogc/collections/medical_facilities/items?limit=100`)).json();
        const withPhone = items.features.find((x) => x.properties.phone);
        assert.ok(withPhone, 'the demo has no medical facility with a phone');
        const [lon, lat] = withPhone.geometry.coordinates;
        const {page, errors} = await openMap(browser, `/#15/${lat}/${lon}&layers=medical_facilities`);
        const f = await page.evaluate(() => {
            const map = window.bandoMap;
            const canvas = map.getCanvas();
            const box = canvas.getBoundingClientRect();
            for (const x of map.queryRenderedFeatures(undefined, {layers: ['medical_facilities']})) {
                if (!x.properties.phone) continue;
                const p = map.project(x.geometry.coordinates);
                if (document.elementFromPoint(box.left + p.x, box.top + p.y) !== canvas) continue;
                return {x: box.left + p.x, y: box.top + p.y, phone: x.properties.phone};
            }
            return null;
        });
        assert.ok(f, 'no medical facility with a phone in view');
        await page.mouse.click(f.x, f.y);
        await popupState(page);
        const tel = page.locator('.maplibregl-popup a[href^="tel:"]').first();
        assert.equal(await tel.textContent(), f.phone);
        assert.equal(await tel.getAttribute('href'), `tel:${f.phone.replace(/[^\d+]/g, '')}`);
        assert.deepEqual(errors, []);
        await page.close();
    });

    test('English counts agree with their number', async () => {
        const {page, errors} = await openMap(browser, '/?lang=en#10/11.05/106.65&layers=cases');
        const t = (await pointTargets(page, 1))[0];
        assert.ok(t, 'no case cell to click');
        await page.mouse.click(t.x, t.y);
        await popupState(page);
        const counts = await page.locator('.maplibregl-popup .popup-count').allTextContents();
        assert.ok(counts.length > 0, 'the popup has no count');
        for (const c of counts) {
            const n = Number(c.match(/^\d+/)?.[0]);
            assert.ok(Number.isInteger(n), c);
            assert.match(c, n === 1 ? /^1 positive case (in this area|at this point)$/ : /^\d+ positive cases (in this area|at this point)$/);
        }
        assert.deepEqual(errors, []);
        await page.close();
    });

    test('the share button gives the link of the view and a QR code of it', async () => {
        const {page, errors} = await openMap(browser, '/#12.00/10.98/106.65&layers=cases,quarantine_zones');
        await page.click('#share');
        await page.waitForSelector('#share-dialog[open]');
        const link = await page.inputValue('#share-link');
        // The page follows the latest bulletin (no date in its address); the
        // link names the day shown, so that its recipient sees that day.
        const shown = await page.inputValue('#date');
        const [dd, mm, yyyy] = shown.split('/');
        assert.ok(!page.url().includes('date='), `the page's address ${page.url()} should follow the latest bulletin`);
        assert.equal(link, `${page.url()}&date=${yyyy}-${mm}-${dd}`);
        assert.match(link, /#12\.00\/10\.98\d*\/106\.65\d*&layers=cases,quarantine_zones&date=\d{4}-\d{2}-\d{2}$/);
        const img = await page.evaluate(() => {
            const c = document.getElementById('share-qr');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height);
            return {w: c.width, h: c.height, data: Array.from(d.data)};
        });
        const code = jsQR(Uint8ClampedArray.from(img.data), img.w, img.h);
        assert.ok(code, 'the QR code does not decode');
        assert.equal(code.data, link);
        await page.click('#share-copy');
        await page.waitForFunction(() => document.getElementById('share-status').textContent !== '');
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
        await shot(page, 'citizen-share');
        await page.keyboard.press('Escape');
        await page.waitForFunction(() => !document.getElementById('share-dialog').open, null, {timeout: 5000});
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'share', 'focus did not return to the share button');
        assert.deepEqual(errors, []);
        await assertOnlyHosts(browser);
        await page.close();
    });

    test('the day\'s downloads are CSV and GeoJSON of the chosen day, with no personal fields', async () => {
        const {page, errors} = await openMap(browser, '/');
        const links = await page.$$eval('.download-link', (as) => as.map((a) => ({href: a.href, file: a.getAttribute('download'), layer: a.dataset.layer})));
        assert.ok(links.length >= 5, `only ${links.length} download links`);
        for (const l of links) {
            assert.ok(l.href.startsWith(BASE), l.href);
            // Cases are instants: the day's map shows those reported by then.
            assert.match(l.href, l.layer === 'cases' ? /datetime=\.\.\/2021-07-05(&|$)/ : /date(time)?=2021-07-05(&|$)/);
            const res = await fetch(l.href);
            assert.equal(res.status, 200, l.href);
            const body = await res.text();
            if (l.layer === 'stats') {
                assert.match(res.headers.get('content-type'), /text\/csv/);
                assert.match(l.file, /\.csv$/);
                const lines = body.trim().split('\n');
                assert.equal(lines[0], 'metric,key,value');
                assert.ok(lines.includes('date,,2021-07-05'), 'the CSV is not of the chosen day');
                assert.ok(lines.includes('new_cases,total,131'), 'the CSV lacks the day\'s new cases');
                for (const line of lines) assert.doesNotMatch(line.split(',')[1] ?? '', PERSONAL, line);
                continue;
            }
            assert.match(l.file, /\.geojson$/);
            const fc = JSON.parse(body);
            assert.equal(fc.type, 'FeatureCollection', l.href);
            assert.ok(fc.numberMatched === undefined || fc.numberMatched === fc.numberReturned, `${l.href}: ${fc.numberMatched} matched, ${fc.numberReturned} returned`);
            for (const f of fc.features) {
                const keys = Object.keys(f.properties ?? {});
                if (l.layer === 'cases' || l.layer === 'contacts') {
                    for (const k of keys) assert.ok(PEOPLE_KEYS.has(k), `${l.layer} carries ${k}`);
                    assert.ok(f.properties.count >= 1, `${l.layer}: a cell without a count`);
                } else {
                    for (const k of keys) assert.ok(k === 'phone' || !PERSONAL.test(k), `${l.layer} carries ${k}`);
                }
            }
        }
        assert.ok(links.some((l) => l.layer === 'cases'), 'no GeoJSON of the case cells');
        // The cases' download is what the map shows and what its link says:
        // the counted cells of the tiles of the day (cases reported by then),
        // not some other count (it gave 140 people in 26 cells, neither the
        // day's 131 new cases nor the map's cells).
        const cases = links.find((l) => l.layer === 'cases');
        const label = await page.locator('.download-link[data-layer="cases"]').textContent();
        assert.match(label, /05\/07\/2021/, `the link "${label}" does not say up to which day`);
        // The note names the server's k (from the style), not "5 by default".
        const note = await page.locator('#download-note').textContent();
        assert.match(note, /\((5) (người|people)\)/, `the note "${note}" does not name k = 5`);
        assert.doesNotMatch(note, /default|mặc định/, `the note "${note}" guesses k`);
        const cells = (await (await fetch(cases.href)).json()).features.map((f) => f.properties.count);
        // The tiles of a low zoom gather the cells: the people they count are
        // the same. A feature near a tile's edge comes in both tiles: one per place.
        await page.evaluate(() => window.bandoMap.jumpTo({zoom: 8, center: [106.65, 11.2]}));
        await waitIdle(page);
        const drawn = Object.values(await page.evaluate(() => Object.fromEntries(window.bandoMap.querySourceFeatures('bando', {sourceLayer: 'cases'})
            .map((f) => [JSON.stringify(f.geometry.coordinates), f.properties.count]))));
        const sum = (xs) => xs.reduce((a, b) => a + b, 0);
        assert.ok(drawn.length > 0, 'the map draws no case cell');
        assert.equal(sum(cells), sum(drawn), `the download counts ${sum(cells)} people in ${cells.length} cells, the map ${sum(drawn)}`);
        // Another day, other links.
        await page.fill('#date', '01/06/2021');
        await page.press('#date', 'Enter');
        await page.waitForFunction(() => [...document.querySelectorAll('.download-link')].every((a) => /2021-06-01/.test(a.href)), null, {timeout: 10000});
        assert.deepEqual(errors, []);
        await page.close();
    });

    test('the timeline changes the day, the figures and the tiles; the player plays the wave', async () => {
        const {page, errors} = await openMap(browser, '/');
        const day = async (d) => (await fetch(`${BASE}/api/stats?date=${d}`)).json();
        const before4 = await day('2021-07-04');
        assert.equal(await page.inputValue('#date'), '05/07/2021');
        browser.reset();
        await page.focus('#date-slider');
        await page.keyboard.press('ArrowLeft');
        await page.waitForFunction(() => document.getElementById('stats-asof')?.textContent.includes('04/07/2021'), null, {timeout: 15000});
        assert.equal(await page.inputValue('#date'), '04/07/2021');
        assert.equal(await page.locator('#stat-new .figure-value').textContent(), String(before4.new_cases.total));
        assert.notEqual(before4.new_cases.total, 131, 'the demo\'s 4 and 5 July have the same figure; the check proves nothing');
        await waitIdle(page);
        assert.ok(browser.requests.some((r) => r.url.includes('.mvt?date=2021-07-04')), 'the tiles were not asked as of the day');
        assert.match(await page.evaluate(() => location.hash), /&date=2021-07-04/);
        // The player moves on by itself, one day at a time, and stops on a
        // press. It starts at the wave's first day, 70 days from the end, so
        // it is still playing when pressed however slow the machine.
        await page.fill('#date', '27/04/2021');
        await page.press('#date', 'Enter');
        await page.waitForFunction(() => document.getElementById('stats-asof')?.textContent.includes('27/04/2021'), null, {timeout: 15000});
        await page.click('#date-play');
        assert.equal(await page.getAttribute('#date-play', 'aria-pressed'), 'true');
        await page.waitForFunction(() => document.getElementById('date').value === '28/04/2021', null, {timeout: 15000});
        await page.waitForFunction(() => document.getElementById('stats-asof')?.textContent.includes('28/04/2021'), null, {timeout: 15000});
        await page.click('#date-play');
        assert.equal(await page.getAttribute('#date-play', 'aria-pressed'), 'false');
        const stopped = await page.inputValue('#date');
        const iso = stopped.split('/').reverse().join('-');
        assert.ok(iso >= '2021-04-28' && iso < '2021-07-05', `the player stopped at ${stopped}, not on its way`);
        await page.waitForTimeout(2000);
        assert.equal(await page.inputValue('#date'), stopped, 'the player went on after the press');
        assert.deepEqual(errors, []);
        await page.close();
    });

    for (const lang of ['vi', 'en']) {
        test(`a day typed after the data shows their last day and says so (${lang})`, async () => {
            const {page, errors} = await openMap(browser, `/?lang=${lang}`);
            await page.waitForFunction(() => document.getElementById('date-slider').dataset.last, null, {timeout: 15000});
            // The slider's range may still grow (the daily report runs later than the registry).
            await page.waitForTimeout(1000);
            const last = await page.evaluate(() => document.getElementById('date-slider').dataset.last);
            const shown = last.split('-').reverse().join('/');
            assert.equal(await page.locator('#date-note').isVisible(), false, 'a note before anything was typed');
            await page.fill('#date', '01/01/2030');
            await page.press('#date', 'Enter');
            await page.waitForFunction(() => document.getElementById('date-note').textContent !== '', null, {timeout: 5000});
            assert.equal(await page.inputValue('#date'), shown, 'the day is still clamped to the last day with data');
            const note = page.locator('#date-note');
            assert.ok(await note.isVisible(), 'the note is not visible');
            assert.equal(await note.getAttribute('role'), 'status');
            assert.ok((await page.getAttribute('#date', 'aria-describedby')).split(' ').includes('date-note'), 'the field is not described by the note');
            const text = await note.textContent();
            assert.ok(text.includes(shown), `the note "${text}" does not name ${shown}`);
            assert.match(text, lang === 'vi' ? /Dữ liệu chỉ có đến ngày/ : /The data run to/);
            assert.equal(await page.getAttribute('#date', 'aria-invalid'), null, 'a day after the data is not an invalid day');
            // A day within the data clears it.
            await page.fill('#date', '01/07/2021');
            await page.press('#date', 'Enter');
            await page.waitForFunction(() => document.getElementById('date-note').textContent === '', null, {timeout: 5000});
            assert.deepEqual(errors, []);
            await page.close();
        });
    }

    test('the daily report and the statistics agree on the patients of 5 July 2021', async () => {
        const {page, errors} = await openMap(browser, '/#11/11.0000/106.6700&date=2021-07-05');
        await page.waitForFunction(() => ['stats', 'report'].every((id) => (document.getElementById(`${id}-asof`)?.textContent ?? '').includes('05/07/2021')),
            null, {timeout: 15000});
        const digits = (s) => s.replace(/[^\d]/g, '');
        const stats = digits(await page.locator('#stat-treatment .figure-value').textContent());
        const report = digits(await page.locator('#report-treating .figure-value').textContent());
        assert.equal(stats, '763', 'the bulletin of 5 July 2021 counts 763 under treatment');
        assert.equal(report, stats, 'the daily report and the statistics differ');
        assert.match(await page.locator('#report-treating .figure-label').textContent(), /registry|danh sách ca bệnh/);
        assert.deepEqual(errors, []);
        await page.close();
    });

    test('a step of the slider asks for the day\'s figures once, not for the history again', async () => {
        const {page, errors} = await openMap(browser, '/');
        const settled = (d) => page.waitForFunction((dd) => ['stats', 'report'].every((id) => {
            const el = document.getElementById(id);
            return el && !el.hasAttribute('aria-busy') && (document.getElementById(`${id}-asof`)?.textContent ?? '').includes(dd);
        }), d, {timeout: 15000});
        await settled('05/07/2021');
        await page.focus('#date-slider');
        for (const [key, day] of [['ArrowLeft', '04/07/2021'], ['ArrowLeft', '03/07/2021'], ['ArrowRight', '04/07/2021']]) {
            browser.reset();
            await page.keyboard.press(key);
            await settled(day);
            await waitIdle(page);
            const api = browser.requests.map((r) => new URL(r.url)).filter((u) => u.pathname.startsWith('/api/'))
                .map((u) => u.pathname + u.search);
            const count = (path) => api.filter((u) => u.split('?')[0] === path).length;
            const iso = day.split('/').reverse().join('-');
            assert.deepEqual(api.filter((u) => api.indexOf(u) !== api.lastIndexOf(u)), [], `asked twice on ${day}: ${api.join(', ')}`);
            assert.deepEqual(api.filter((u) => u.startsWith('/api/stats')), [`/api/stats?date=${iso}`], `the statistics of ${day}`);
            assert.deepEqual(api.filter((u) => u.startsWith('/api/bulletin/daily')), [`/api/bulletin/daily?date=${iso}`], `the report of ${day}`);
            assert.equal(count('/api/bulletin/series'), 0, `the report's trend was asked again on ${day}: ${api.join(', ')}`);
            // The charts still end on the day chosen.
            assert.equal(await page.locator('#chart-table tbody tr.chosen th').textContent(), day);
            const tiles = browser.requests.filter((r) => r.url.includes('.mvt'));
            assert.ok(tiles.length > 0 && tiles.every((r) => r.url.endsWith(`?date=${iso}`)), 'the tiles were not asked as of the day');
            assert.equal(new Set(tiles.map((r) => r.url)).size, tiles.length, 'a tile was asked twice');
        }
        assert.deepEqual(errors, []);
        await page.close();
    });

    test('what is in view is a keyboard list; Enter opens the popup', async () => {
        const {page, errors} = await openMap(browser, '/#12/10.98/106.66');
        await page.waitForFunction(() => /\((\d+)\)/.test(document.getElementById('inview-title')?.textContent ?? ''));
        const n = Number((await page.textContent('#inview-title')).match(/\((\d+)\)/)[1]);
        const drawn = await page.evaluate(() => new Set(window.bandoMap.queryRenderedFeatures(undefined, {
            layers: ['cases', 'contacts', 'medical_facilities', 'epidemic_points', 'lockdown_points', 'emergency_stations', 'quarantine_zones-fill'],
        }).map((f) => `${f.sourceLayer}/${f.id ?? JSON.stringify(f.properties)}`)).size);
        assert.equal(n, drawn, 'the list does not count what the map draws');
        await page.focus('#inview-title');
        await page.keyboard.press('Enter');
        await page.keyboard.press('Tab');
        await page.keyboard.press('Tab');
        const name = await page.evaluate(() => document.activeElement?.classList.contains('inview-item') ? document.activeElement.querySelector('.inview-name').textContent : null);
        assert.ok(name, 'Tab did not reach the first entry');
        await page.keyboard.press('Enter');
        await popupState(page);
        const text = await page.textContent('.maplibregl-popup');
        assert.ok(text.includes(name), `the popup (${text}) is not of ${name}`);
        assert.ok(await page.evaluate(() => document.activeElement?.closest('.maplibregl-popup') !== null), 'focus did not move into the popup');
        // The list follows the map.
        await page.evaluate(() => window.bandoMap.jumpTo({center: [106.75, 11.25], zoom: 9}));
        await page.waitForFunction((before) => !document.getElementById('inview-title').textContent.includes(`(${before})`), n, {timeout: 15000});
        assert.deepEqual(errors, []);
        await page.close();
    });

    test('the chart has a table; the map\'s focus ring is inside it; legends show sizes', async () => {
        const {page, errors} = await openMap(browser, '/');
        const bars = await page.locator('#stats .chart rect.bar').count();
        await page.click('#chart-table summary');
        assert.equal(await page.locator('#chart-table tbody tr').count(), bars);
        assert.match(await page.textContent('#chart-table tbody tr:last-child'), /^05\/07\/2021131$/);
        // From the last control of the header, Tab goes to the map.
        await page.focus('#lang');
        await page.keyboard.press('Tab');
        const ring = await page.evaluate(() => {
            const c = document.querySelector('#map canvas');
            const s = getComputedStyle(c);
            return {offset: parseFloat(s.outlineOffset), width: parseFloat(s.outlineWidth), style: s.outlineStyle, focus: document.activeElement === c};
        });
        assert.ok(ring.focus && ring.style !== 'none' && ring.offset <= -ring.width, `focus ring ${JSON.stringify(ring)} is drawn outside the clipped map`);
        const radii = await page.$$eval('#size-legend .size-legend-cases circle', (cs) => cs.map((c) => Number(c.getAttribute('r'))));
        assert.equal(radii.length, 3);
        assert.ok(radii[0] < radii[1] && radii[1] < radii[2], `radii ${radii}`);
        const rings = await page.$$eval('#size-legend .size-legend-contacts circle', (cs) => cs.map((c) => [Number(c.getAttribute('r')), c.getAttribute('fill')]));
        assert.ok(rings.every(([r, fill], i) => fill === 'none' && r < radii[i]), `contact rings ${JSON.stringify(rings)}`);
        assert.deepEqual(errors, []);
        await page.close();
    });

    test('the embedded banner has a legend', async () => {
        const {page, errors} = await openMap(browser, '/embed');
        await page.click('#embed-legend summary');
        const items = await page.locator('#embed-legend li').allTextContents();
        assert.ok(items.includes('Ca dương tính (F0)') && items.includes('Vùng cách ly'), items.join(', '));
        assert.equal(await page.locator('#embed-legend .size-legend').count(), 2);
        assert.deepEqual(errors, []);
        await page.close();
    });
});

describe('an en-US browser', () => {
    let browser;
    before(async () => {
        browser = await launch({viewport: DESKTOP, locale: 'en-US'});
    });
    after(async () => {
        await browser?.close();
    });

    test('every date reads dd/mm/yyyy; the attribution follows the language', async () => {
        const {page, errors} = await openMap(browser, '/?lang=en');
        assert.equal(await page.evaluate(() => navigator.language), 'en-US');
        assert.notEqual(await page.getAttribute('#date', 'type'), 'date', 'a native date input shows mm/dd/yyyy under en-US');
        assert.equal(await page.inputValue('#date'), '05/07/2021');
        assert.equal(await page.textContent('#stats-asof'), 'Figures up to 05/07/2021');
        const dates = await page.evaluate(() => [document.body.innerText, ...[...document.querySelectorAll('svg text, svg title, svg desc')].map((t) => t.textContent)].join('\n'));
        const found = dates.match(/\b\d{1,2}\/\d{1,2}\/\d{4}\b/g) ?? [];
        assert.ok(found.length >= 3, `only ${found.length} dates on the page`);
        for (const d of found) assert.match(d, /^\d{2}\/\d{2}\/\d{4}$/);
        assert.ok(found.includes('05/07/2021') && found.includes('27/04/2021'), found.join(' '));
        assert.doesNotMatch(dates, /\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b/);
        // An American typing month first gets the day-first reading, said back.
        await page.fill('#date', '6/1/2021');
        await page.press('#date', 'Enter');
        await page.waitForFunction(() => document.getElementById('stats-asof')?.textContent.includes('06/01/2021'), null, {timeout: 15000});
        assert.equal(await page.inputValue('#date'), '06/01/2021');
        assert.match(await page.textContent('.maplibregl-ctrl-attrib-inner'), /Bando — Bình Dương epidemic map/);
        await page.selectOption('#lang', 'vi');
        await page.waitForFunction(() => document.querySelector('.maplibregl-ctrl-attrib-inner')?.textContent.includes('Bando — bản đồ dịch bệnh Bình Dương'), null, {timeout: 5000});
        assert.deepEqual(errors, []);
        await page.close();
    });
});

describe('plural texts', () => {
    let m;
    before(async () => {
        const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
        const out = await esbuild.build({
            stdin: {contents: `export {Translator} from './src/i18n.ts'; export {parseDay} from './src/timeline.ts';`, resolveDir: root, loader: 'ts'},
            bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'error',
        });
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bando-citizen-')), 'i18n.mjs');
        fs.writeFileSync(file, out.outputFiles[0].text);
        m = await import(pathToFileURL(file).href);
    });

    test('English says 1 case and 2 cases; Vietnamese does not change', () => {
        const en = new m.Translator('en');
        const vi = new m.Translator('vi');
        const tests = [
            [en, 'popup.cell.cases', 1, '1 positive case in this area'],
            [en, 'popup.cell.cases', 2, '2 positive cases in this area'],
            [en, 'popup.here.contacts', 1, '1 close contact at this point'],
            [en, 'popup.more.cases', 1, 'and 1 more case'],
            [en, 'popup.more.contacts', 3, 'and 3 more people'],
            [en, 'popup.more.contacts', 1, 'and 1 more person'],
            [en, 'popup.cell.cases', 1301, '1,301 positive cases in this area'],
            [vi, 'popup.cell.cases', 1, '1 ca dương tính trong khu vực này'],
            [vi, 'popup.cell.cases', 1301, '1.301 ca dương tính trong khu vực này'],
        ];
        for (const [tr, key, n, want] of tests) assert.equal(tr.tn(key, n), want);
    });

    test('days typed as dd/mm/yyyy', () => {
        const tests = [['05/07/2021', '2021-07-05'], ['5/7/2021', '2021-07-05'], ['2021-07-05', '2021-07-05'],
            ['31/02/2021', undefined], ['07/13/2021', undefined], ['yesterday', undefined], ['', undefined]];
        for (const [s, want] of tests) assert.equal(m.parseDay(s), want, s);
    });
});
