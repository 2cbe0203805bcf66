// Shared pieces of the browser tests: Debian's Chromium driven by
// playwright-core, a record of every request a page makes and of every
// request the Content-Security-Policy blocked, pixel access to screenshots,
// and the folder screenshots go to.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {fileURLToPath} from 'node:url';
import {chromium} from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

/** BASE is the server under test, e.g. http://127.0.0.1:8080 (no trailing slash). */
export const BASE = (process.env.BANDO_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');

/** OUT is where screenshots go: test-output/e2e at the repository root. */
export const OUT = path.resolve(here, '../../test-output/e2e');

/** CHROMIUM is the browser binary (Debian's package by default). */
export const CHROMIUM = process.env.BANDO_CHROMIUM ?? '/usr/bin/chromium';

/**
 * ARGS are the Chromium flags CI uses. WebGL still works without a GPU:
 * Chromium falls back to SwiftShader.
 */
export const ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run',
];

/** CSP_MESSAGE tells a console message that reports a Content-Security-Policy violation. */
const CSP_MESSAGE = /Content[- ]Security[- ]Policy/i;

/**
 * recordViolations runs in every page and frame before its own scripts: a
 * request the Content-Security-Policy blocks never reaches the network, so
 * the request recorder cannot see it; the violation event can.
 */
function recordViolations() {
    window.__bandoCSP = [];
    document.addEventListener('securitypolicyviolation', (e) => {
        window.__bandoCSP.push(`${e.effectiveDirective || e.violatedDirective} blocked ${e.blockedURI || '(inline)'} in ${e.documentURI}`);
    }, true);
}

/**
 * launch starts Chromium with a fresh profile. It records every request of
 * every page, frame and worker of the context into requests, and console and
 * browser log messages about the Content-Security-Policy into violations (the
 * pages keep their violation events in window.__bandoCSP); reset empties both
 * records. Open pages with newPage, which listens before the page loads.
 * args are more Chromium flags (the staff scanner's test gives a fake camera);
 * locale is the browser's locale (navigator.language, Intl's default);
 * serviceWorkers is 'block' (the default) or 'allow' (the offline tests).
 */
export async function launch({viewport = {width: 1280, height: 800}, args = [], locale = 'vi-VN', serviceWorkers = 'block'} = {}) {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bando-e2e-'));
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: [...ARGS, ...args],
        viewport,
        deviceScaleFactor: 1,
        locale,
        timezoneId: 'Asia/Ho_Chi_Minh',
        serviceWorkers,
    });
    await context.addInitScript(recordViolations);
    const requests = [];
    const violations = [];
    const record = (r) => requests.push({url: r.url(), type: r.resourceType(), status: undefined, request: r});
    context.on('request', record);
    context.on('response', (res) => {
        const hit = requests.find((x) => x.request === res.request());
        if (hit) hit.status = res.status();
    });
    const heard = (text) => {
        if (CSP_MESSAGE.test(text)) violations.push(`console: ${text}`);
    };
    context.on('console', (msg) => heard(msg.text()));
    // The browser's own log carries what workers (MapLibre's) report, which
    // console events leave out; listen to it from each page's first moment.
    const watching = new WeakMap();
    const watch = (page) => {
        if (!watching.has(page)) {
            watching.set(page, context.newCDPSession(page).then(async (cdp) => {
                cdp.on('Log.entryAdded', (e) => heard(e.entry.text));
                await cdp.send('Log.enable');
            }));
        }
        return watching.get(page);
    };
    context.on('page', (page) => void watch(page).catch(() => undefined));
    const newPage = async () => {
        const page = await context.newPage();
        await watch(page);
        return page;
    };
    const reset = () => {
        requests.length = 0;
        violations.length = 0;
    };
    const close = async () => {
        await context.close();
        fs.rmSync(profile, {recursive: true, force: true});
    };
    return {context, requests, violations, newPage, reset, close};
}

/** pageViolations gathers the violation events every open page and frame recorded. */
async function pageViolations(context) {
    const out = [];
    for (const page of context.pages()) {
        for (const frame of page.frames()) {
            const found = await frame.evaluate(() => window.__bandoCSP ?? []).catch(() => []);
            out.push(...found.map((v) => `event: ${v}`));
        }
    }
    return out;
}

/**
 * assertOnlyHosts fails when a request of browser (what launch returned)
 * went to a host other than the allowed origins (data: and blob: URLs stay
 * in the page and are fine), or when the Content-Security-Policy blocked
 * anything: a blocked request is one the page tried to send elsewhere.
 */
export async function assertOnlyHosts(browser, allowed = [BASE]) {
    const {requests, violations, context} = browser;
    const origins = new Set(allowed.map((u) => new URL(u).origin));
    const foreign = requests.map((r) => r.url).filter((u) => {
        if (u.startsWith('data:') || u.startsWith('blob:')) return false;
        return !origins.has(new URL(u).origin);
    });
    assert.deepEqual(foreign, [], `requests left the server's origin: ${foreign.join(', ')}`);
    const blocked = [...new Set([...violations, ...await pageViolations(context)])];
    assert.deepEqual(blocked, [], `the Content-Security-Policy blocked requests: ${blocked.join('; ')}`);
    assert.ok(requests.length > 0, 'no request was recorded at all');
}

/** waitIdle waits until the map has its style and tiles and has drawn them. */
export async function waitIdle(frame, timeout = 60000) {
    await frame.waitForFunction(() => window.bandoMap && window.bandoMap.isStyleLoaded(), null, {timeout});
    await frame.evaluate(() => new Promise((resolve) => {
        const map = window.bandoMap;
        if (map.loaded() && map.areTilesLoaded() && !map.isMoving()) {
            map.once('idle', resolve);
            map.triggerRepaint();
        } else {
            map.once('idle', resolve);
        }
    }));
}

/** openMap opens a page of the server in browser (what launch returned) and waits for the map to settle. */
export async function openMap(browser, pathAndQuery = '/') {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(BASE + pathAndQuery, {waitUntil: 'domcontentloaded'});
    await page.waitForSelector('body[data-ready="true"]', {timeout: 60000});
    await waitIdle(page);
    return {page, errors};
}

/**
 * unlabelledControls lists the visible form controls of a page that have no
 * name a screen reader can read: a <label for=id> with text, aria-label or
 * aria-labelledby naming elements with text. A button's own words name it;
 * the options of a select or the value of an input do not.
 */
export async function unlabelledControls(frame) {
    return frame.evaluate(() => {
        const text = (el) => (el?.textContent ?? '').trim() !== '';
        const named = (el) => {
            if ((el.getAttribute('aria-label') ?? '').trim()) return true;
            const by = (el.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean);
            if (by.length && by.every((id) => text(document.getElementById(id)))) return true;
            if (el.id && [...document.querySelectorAll(`label[for="${CSS.escape(el.id)}"]`)].some(text)) return true;
            return el.tagName === 'BUTTON' && text(el);
        };
        return [...document.querySelectorAll('input, select, textarea, button')]
            .filter((el) => el.offsetParent !== null && el.type !== 'hidden')
            .filter((el) => !named(el))
            .map((el) => el.outerHTML.slice(0, 100));
    });
}

/** shot saves a screenshot under OUT and returns its bytes. */
export async function shot(target, name, options = {}) {
    fs.mkdirSync(OUT, {recursive: true});
    return target.screenshot({path: path.join(OUT, `${name}.png`), ...options});
}

/** decodePNG reads an 8-bit RGB or RGBA, non-interlaced PNG into RGBA pixels. */
export function decodePNG(buf) {
    assert.equal(buf.subarray(1, 4).toString('latin1'), 'PNG', 'not a PNG');
    let pos = 8;
    let width = 0;
    let height = 0;
    let channels = 0;
    const idat = [];
    while (pos < buf.length) {
        const len = buf.readUInt32BE(pos);
        const type = buf.subarray(pos + 4, pos + 8).toString('latin1');
        const data = buf.subarray(pos + 8, pos + 8 + len);
        if (type === 'IHDR') {
            width = data.readUInt32BE(0);
            height = data.readUInt32BE(4);
            assert.equal(data[8], 8, 'PNG bit depth');
            assert.equal(data[12], 0, 'interlaced PNG');
            channels = {2: 3, 6: 4}[data[9]];
            assert.ok(channels, `PNG colour type ${data[9]}`);
        } else if (type === 'IDAT') {
            idat.push(data);
        }
        pos += 12 + len;
    }
    const raw = zlib.inflateSync(Buffer.concat(idat));
    const stride = width * channels;
    const cur = Buffer.alloc(stride);
    const prev = Buffer.alloc(stride);
    const out = Buffer.alloc(width * height * 4);
    for (let y = 0; y < height; y++) {
        const filter = raw[y * (stride + 1)];
        const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
        for (let i = 0; i < stride; i++) {
            const a = i >= channels ? cur[i - channels] : 0;
            const b = prev[i];
            const c = i >= channels ? prev[i - channels] : 0;
            let v = line[i];
            if (filter === 1) v += a;
            else if (filter === 2) v += b;
            else if (filter === 3) v += (a + b) >> 1;
            else if (filter === 4) {
                const p = a + b - c;
                const pa = Math.abs(p - a);
                const pb = Math.abs(p - b);
                const pc = Math.abs(p - c);
                v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            }
            cur[i] = v & 0xff;
        }
        for (let x = 0; x < width; x++) {
            out[(y * width + x) * 4] = cur[x * channels];
            out[(y * width + x) * 4 + 1] = cur[x * channels + 1];
            out[(y * width + x) * 4 + 2] = cur[x * channels + 2];
            out[(y * width + x) * 4 + 3] = channels === 4 ? cur[x * channels + 3] : 255;
        }
        cur.copy(prev);
    }
    return {width, height, data: out};
}

/** hex turns #rrggbb into [r, g, b]. */
export function hex(c) {
    const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c);
    assert.ok(m, `not a #rrggbb colour: ${c}`);
    return [1, 2, 3].map((i) => parseInt(m[i], 16));
}

/** countNear counts pixels within tol (per channel) of colour. */
export function countNear(img, colour, tol = 40) {
    let n = 0;
    for (let i = 0; i < img.data.length; i += 4) {
        if (Math.abs(img.data[i] - colour[0]) <= tol && Math.abs(img.data[i + 1] - colour[1]) <= tol &&
            Math.abs(img.data[i + 2] - colour[2]) <= tol) n++;
    }
    return n;
}

/**
 * changedNear counts pixels that were within tol of colour in a and changed
 * by more than 24 per channel in b.
 */
export function changedNear(a, b, colour, tol = 40) {
    let n = 0;
    for (let i = 0; i < a.data.length; i += 4) {
        const was = Math.abs(a.data[i] - colour[0]) <= tol && Math.abs(a.data[i + 1] - colour[1]) <= tol &&
            Math.abs(a.data[i + 2] - colour[2]) <= tol;
        const moved = Math.abs(a.data[i] - b.data[i]) > 24 || Math.abs(a.data[i + 1] - b.data[i + 1]) > 24 ||
            Math.abs(a.data[i + 2] - b.data[i + 2]) > 24;
        if (was && moved) n++;
    }
    return n;
}

/** distinctColours counts the different colours of an image (quantised to 4 bits). */
export function distinctColours(img) {
    const seen = new Set();
    for (let i = 0; i < img.data.length; i += 4) {
        seen.add(((img.data[i] >> 4) << 8) | ((img.data[i + 1] >> 4) << 4) | (img.data[i + 2] >> 4));
    }
    return seen.size;
}

/** diffShare is the share of pixels that differ by more than tol between two images. */
export function diffShare(a, b, tol = 24) {
    assert.equal(a.width, b.width);
    assert.equal(a.height, b.height);
    let n = 0;
    for (let i = 0; i < a.data.length; i += 4) {
        if (Math.abs(a.data[i] - b.data[i]) > tol || Math.abs(a.data[i + 1] - b.data[i + 1]) > tol ||
            Math.abs(a.data[i + 2] - b.data[i + 2]) > tol) n++;
    }
    return n / (a.width * a.height);
}

/**
 * clickableFeature finds a rendered feature of a style layer whose point is
 * on the map canvas and not under a control or panel, in page coordinates.
 * With alone, the feature is the only one of those layers within the 6 px
 * a click takes in (so a click on it opens its own popup, not a crowd's).
 */
export async function clickableFeature(frame, layerIds, {alone = false} = {}) {
    return frame.evaluate(([ids, single]) => {
        const map = window.bandoMap;
        const canvas = map.getCanvas();
        const box = canvas.getBoundingClientRect();
        const layers = ids.filter((id) => map.getLayer(id));
        const found = map.queryRenderedFeatures(undefined, {layers});
        for (const f of found) {
            if (f.geometry.type !== 'Point') continue;
            const p = map.project(f.geometry.coordinates);
            const x = box.left + p.x;
            const y = box.top + p.y;
            if (p.x < 20 || p.y < 20 || p.x > box.width - 20 || p.y > box.height - 20) continue;
            if (document.elementFromPoint(x, y) !== canvas) continue;
            const near = map.queryRenderedFeatures([[p.x - 6, p.y - 6], [p.x + 6, p.y + 6]], {layers});
            if (!near.length) continue;
            if (single && new Set(near.map((n) => n.id ?? JSON.stringify(n.properties))).size !== 1) continue;
            return {x, y, layer: f.layer.id, properties: f.properties};
        }
        return null;
    }, [layerIds, alone]);
}

/**
 * pointerAndPopup hovers and clicks whole page pixels of frame (where the
 * map's page is page) ever further to the right of an isolated point of
 * layerIds (no other feature of the map's own layers within 30 px), from its
 * centre to reach pixels out, and says at each how far out it was, whether
 * the cursor was the pointer and whether the click opened a popup. The
 * point's position is projected again before each step (a popup can pan
 * the map). Null when no such point is in view.
 */
export async function pointerAndPopup(page, frame, layerIds, reach = 20) {
    const lngLat = await frame.evaluate((ids) => {
        const map = window.bandoMap;
        const canvas = map.getCanvas();
        const box = canvas.getBoundingClientRect();
        const own = map.getStyle().layers.filter((l) => l.source === 'bando').map((l) => l.id);
        for (const f of map.queryRenderedFeatures(undefined, {layers: ids.filter((id) => map.getLayer(id))})) {
            if (f.geometry.type !== 'Point') continue;
            const p = map.project(f.geometry.coordinates);
            if (p.x < 40 || p.y < 40 || p.x > box.width - 80 || p.y > box.height - 40) continue;
            const around = map.queryRenderedFeatures([[p.x - 30, p.y - 30], [p.x + 30, p.y + 30]], {layers: own});
            if (new Set(around.map((g) => `${g.sourceLayer}/${JSON.stringify(g.properties)}`)).size !== 1) continue;
            if (document.elementFromPoint(box.left + p.x + 30, box.top + p.y) !== canvas) continue;
            return f.geometry.coordinates;
        }
        return null;
    }, layerIds);
    if (!lngLat) return null;
    const offset = frame === page ? {x: 0, y: 0} : await (await frame.frameElement()).boundingBox();
    const settle = () => frame.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const steps = [];
    for (let d = 0; d <= reach; d++) {
        const at = await frame.evaluate((ll) => {
            const box = window.bandoMap.getCanvas().getBoundingClientRect();
            const p = window.bandoMap.project(ll);
            return {x: Math.round(box.left + p.x), y: Math.round(box.top + p.y)};
        }, lngLat);
        const x = offset.x + at.x + d;
        const y = offset.y + at.y;
        await page.mouse.move(x, y);
        await settle();
        const pointer = await frame.evaluate(() => window.bandoMap.getCanvas().style.cursor === 'pointer');
        await page.mouse.click(x, y);
        await settle();
        const popup = await frame.evaluate(() => {
            const open = document.querySelector('.maplibregl-popup') !== null;
            document.querySelector('.maplibregl-popup-close-button')?.click();
            return open;
        });
        steps.push({d, pointer, popup});
    }
    return steps;
}
