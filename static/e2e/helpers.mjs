// Shared pieces of the browser tests: Debian's Chromium driven by
// playwright-core, a record of every request a page makes, pixel access to
// screenshots, and the folder screenshots go to.

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

/**
 * launch starts Chromium with a fresh profile. It records every request of
 * every page, frame and worker of the context into the returned list.
 */
export async function launch({viewport = {width: 1280, height: 800}} = {}) {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bando-e2e-'));
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
        viewport,
        deviceScaleFactor: 1,
        locale: 'vi-VN',
        timezoneId: 'Asia/Ho_Chi_Minh',
        serviceWorkers: 'block',
    });
    const requests = [];
    const record = (r) => requests.push({url: r.url(), type: r.resourceType(), status: undefined, request: r});
    context.on('request', record);
    context.on('response', (res) => {
        const hit = requests.find((x) => x.request === res.request());
        if (hit) hit.status = res.status();
    });
    const close = async () => {
        await context.close();
        fs.rmSync(profile, {recursive: true, force: true});
    };
    return {context, requests, close};
}

/**
 * assertOnlyHosts fails when a request went to a host other than the allowed
 * origins (data: and blob: URLs stay in the page and are fine).
 */
export function assertOnlyHosts(requests, allowed = [BASE]) {
    const origins = new Set(allowed.map((u) => new URL(u).origin));
    const foreign = requests.map((r) => r.url).filter((u) => {
        if (u.startsWith('data:') || u.startsWith('blob:')) return false;
        return !origins.has(new URL(u).origin);
    });
    assert.deepEqual(foreign, [], `requests left the server's origin: ${foreign.join(', ')}`);
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

/** openMap opens a page of the server and waits for the map to settle. */
export async function openMap(context, pathAndQuery = '/') {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(BASE + pathAndQuery, {waitUntil: 'domcontentloaded'});
    await page.waitForSelector('body[data-ready="true"]', {timeout: 60000});
    await waitIdle(page);
    return {page, errors};
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
 */
export async function clickableFeature(frame, layerIds) {
    return frame.evaluate((ids) => {
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
            const near = map.queryRenderedFeatures([p.x, p.y], {layers});
            if (!near.length) continue;
            return {x, y, layer: f.layer.id, properties: f.properties};
        }
        return null;
    }, layerIds);
}
