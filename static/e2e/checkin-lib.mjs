// Shared pieces of the QR check-in tests (checkin*.test.mjs): calls to the
// API from a signed-in page, QR codes rasterised in the browser and read
// with jsQR, and the YUV4MPEG2 clip that Chromium's fake camera plays.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import jsQR from 'jsqr';
import {BASE} from './helpers.mjs';

/**
 * The accounts run.sh creates (as in admin.test.mjs, which is not imported:
 * its tests would run twice).
 */
export const ADMIN = {name: 'e2e-admin', password: 'e2e-admin-password-1'};
export const VIEWER = {name: 'e2e-viewer', password: 'e2e-viewer-password-1'};
export const ENTERPRISE = {name: 'e2e-enterprise', password: 'e2e-enterprise-password-1', enterprise: 'e2e-factory'};

/** api calls the server from a signed-in page, with the session's CSRF token. */
export async function api(page, method, p, body) {
    return page.evaluate(async ([m, u, b]) => {
        const me = await fetch('/api/auth/me').then((r) => r.json());
        const res = await fetch(u, {method: m, headers: {'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf ?? ''}, body: b === undefined ? undefined : JSON.stringify(b)});
        const text = await res.text();
        let json = null;
        try {
            json = JSON.parse(text);
        } catch {
            // not JSON
        }
        return {status: res.status, body: json, text, type: res.headers.get('Content-Type')};
    }, [method, p, body]);
}

/** signInPage opens a page of browser signed in as account (through the API, no map). */
export async function signInPage(browser, account) {
    const page = await browser.newPage();
    // Any page of the server's origin will do: /readyz loads nothing more.
    await page.goto(`${BASE}/readyz`, {waitUntil: 'domcontentloaded'});
    const r = await page.evaluate(async ([name, password]) => {
        const res = await fetch('/api/auth/signin', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({name, password})});
        return res.status;
    }, [account.name, account.password]);
    assert.equal(r, 200, 'sign-in');
    return page;
}

/**
 * pixelsOf rasterises an image (an SVG text, or a PNG's bytes) in page on
 * a white square of size px and returns its RGBA pixels.
 */
export async function pixelsOf(page, image, size = 480) {
    const src = typeof image === 'string'
        ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(image)}`
        : `data:image/png;base64,${Buffer.from(image).toString('base64')}`;
    const data = await page.evaluate(async ([u, n]) => {
        const img = new Image();
        img.src = u;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = n;
        c.height = n;
        const ctx = c.getContext('2d');
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, n, n);
        ctx.imageSmoothingEnabled = false;
        const m = Math.round(n * 0.08);
        ctx.drawImage(img, m, m, n - 2 * m, n - 2 * m);
        return Array.from(ctx.getImageData(0, 0, n, n).data);
    }, [src, size]);
    return {width: size, height: size, data: Uint8ClampedArray.from(data)};
}

/** readQR decodes the QR code of an RGBA image, or fails. */
export function readQR(img) {
    const found = jsQR(img.data instanceof Uint8ClampedArray ? img.data : Uint8ClampedArray.from(img.data), img.width, img.height);
    assert.ok(found?.data, 'no QR code could be read');
    return found.data;
}

/**
 * y4m writes a YUV4MPEG2 (4:2:0) clip of frames of img (RGBA) centred on a
 * white 640×480 picture at scale, for Chromium's fake camera.
 */
export function y4m(file, img, {scale = 1, frames = 10} = {}) {
    const W = 640;
    const H = 480;
    const Y = Buffer.alloc(W * H, 235);
    const w = Math.floor(img.width * scale);
    const hgt = Math.floor(img.height * scale);
    const x0 = Math.floor((W - w) / 2);
    const y0 = Math.floor((H - hgt) / 2);
    for (let y = 0; y < hgt; y++) {
        for (let x = 0; x < w; x++) {
            const i = (Math.floor(y / scale) * img.width + Math.floor(x / scale)) * 4;
            const luma = 0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2];
            Y[(y0 + y) * W + x0 + x] = Math.round(16 + (luma * 219) / 255);
        }
    }
    const UV = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
    const parts = [Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`)];
    for (let f = 0; f < frames; f++) parts.push(Buffer.from('FRAME\n'), Y, UV);
    fs.writeFileSync(file, Buffer.concat(parts));
}
