// glyphs.mjs renders the signed-distance-field glyph ranges that MapLibre
// asks for at /fonts/{fontstack}/{range}.pbf, from a freely licensed font
// that an npm package ships (Noto Sans, SIL OFL 1.1), so that no glyph server
// outside the binary is ever needed.
//
// Output: dist/fonts/<slug>/<start>-<end>.pbf and the font's licence, where
// slug is the font stack's name in lower case with dashes for spaces
// ("Noto Sans Regular" → noto-sans-regular); the server maps names to slugs.
// The encoding follows the glyph protobuf MapLibre parses
// (glyphs{stacks:1} → fontstack{name:1, range:2, glyphs:3} →
// glyph{id:1, bitmap:2, width:3, height:4, left:5, top:6, advance:7}) and the
// conventions of the glyph tools MapLibre is calibrated on: 24 px em, a
// 3 px border around each bitmap, 8 px distance radius, 0.25 cutoff, and
// "top" measured from a baseline 25 px below the origin.
//
// Usage: node tools/glyphs.mjs [outDir]   (default: dist/fonts)

import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import opentype from 'opentype.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

/** Font stacks to render: the name MapLibre asks for, and the font file. */
export const FONTS = [
    {
        stack: 'Noto Sans Regular',
        file: 'node_modules/@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
        license: 'node_modules/@expo-google-fonts/noto-sans/LICENSE_FONT',
    },
];

/**
 * Starts of the 256-code-point ranges to render. Vietnamese needs Basic Latin
 * and Latin-1 (0), Latin Extended-A (256: ă đ ĩ ũ ơ ư), combining marks (768,
 * for text in decomposed form) and Latin Extended Additional (7680: ạ ả ấ ầ
 * … ỹ); the others hold punctuation, the đồng sign ₫ and letter-like symbols.
 */
export const RANGES = [0, 256, 512, 768, 7680, 8192, 8448];

/** span lists the code points from a to b inclusive. */
const span = (a, b) => Array.from({length: b - a + 1}, (_, i) => a + i);
const chars = (s) => [...s].map((c) => c.codePointAt(0));

/**
 * CODE_POINTS are the glyphs the ranges hold: what Vietnamese and the map's
 * labels (place names, counts, the street map's names) are written with, not
 * every glyph the font has. A range file keeps MapLibre's 256-code-point
 * name but holds only these, so that the three ranges the first view asks
 * for (0, 256 and 7680) weigh about half of the full font's. A character
 * outside the list is drawn as nothing (as one outside RANGES always was).
 */
export const CODE_POINTS = new Set([
    ...span(0x20, 0x7e), // Basic Latin
    ...chars('\u00a0«»°±²³·×÷©®'), // Latin-1 signs
    ...chars('ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý'), // Latin-1 letters of Vietnamese
    ...chars('ĂăĐđĨĩŨũƠơƯư'), // Latin Extended-A and -B letters of Vietnamese
    ...chars('ʼˆ˜'), // modifier letters sometimes typed for ' ^ ~
    ...[0x300, 0x301, 0x302, 0x303, 0x306, 0x309, 0x31b, 0x323], // combining marks of decomposed Vietnamese
    ...span(0x1ea0, 0x1ef9), // Latin Extended Additional: ạ ả ấ … ỹ
    ...span(0x2010, 0x2027), ...chars('‰′″‹›₫€'), // dashes, quotes, ellipsis, bullet, currencies
    ...chars('℃№™←↑→↓'), // letter-like symbols and arrows
]);

const SIZE = 24; // em size in pixels
const BORDER = 3; // pixels around each glyph bitmap
const RADIUS = 8; // pixels covered by the 0..255 distance scale
const CUTOFF = 0.25; // share of the scale that lies inside the outline
const BASELINE = 25; // pixels from the origin down to the baseline
const CURVE_STEPS = 8; // segments per Bézier curve when flattening

/** flatten turns an outline in font units into closed rings of pixel points. */
function flatten(commands, scale) {
    const rings = [];
    let ring = [];
    let x = 0;
    let y = 0;
    const close = () => {
        if (ring.length > 1) {
            const [fx, fy] = ring[0];
            const [lx, ly] = ring[ring.length - 1];
            if (fx !== lx || fy !== ly) ring.push([fx, fy]);
            rings.push(ring);
        }
        ring = [];
    };
    for (const c of commands) {
        switch (c.type) {
        case 'M':
            close();
            x = c.x * scale; y = c.y * scale;
            ring.push([x, y]);
            break;
        case 'L':
            x = c.x * scale; y = c.y * scale;
            ring.push([x, y]);
            break;
        case 'Q': {
            const [x0, y0, x1, y1, x2, y2] = [x, y, c.x1 * scale, c.y1 * scale, c.x * scale, c.y * scale];
            for (let i = 1; i <= CURVE_STEPS; i++) {
                const t = i / CURVE_STEPS;
                const u = 1 - t;
                ring.push([u * u * x0 + 2 * u * t * x1 + t * t * x2, u * u * y0 + 2 * u * t * y1 + t * t * y2]);
            }
            x = x2; y = y2;
            break;
        }
        case 'C': {
            const [x0, y0] = [x, y];
            const [x1, y1, x2, y2, x3, y3] = [c.x1, c.y1, c.x2, c.y2, c.x, c.y].map((v) => v * scale);
            for (let i = 1; i <= CURVE_STEPS; i++) {
                const t = i / CURVE_STEPS;
                const u = 1 - t;
                ring.push([
                    u * u * u * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x3,
                    u * u * u * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y3,
                ]);
            }
            x = x3; y = y3;
            break;
        }
        case 'Z':
            close();
            break;
        default:
            throw new Error(`glyphs: unknown path command ${c.type}`);
        }
    }
    close();
    return rings;
}

/** segDist2 is the squared distance from (px, py) to the segment a–b. */
function segDist2(px, py, ax, ay, bx, by) {
    const dx = bx - ax;
    const dy = by - ay;
    const l2 = dx * dx + dy * dy;
    let t = l2 === 0 ? 0 : ((px - ax) * dx + (py - ay) * dy) / l2;
    t = Math.max(0, Math.min(1, t));
    const ex = px - (ax + t * dx);
    const ey = py - (ay + t * dy);
    return ex * ex + ey * ey;
}

/** winding is the non-zero winding number of the rings around (px, py). */
function winding(rings, px, py) {
    let w = 0;
    for (const r of rings) {
        for (let i = 0; i + 1 < r.length; i++) {
            const [ax, ay] = r[i];
            const [bx, by] = r[i + 1];
            const side = (bx - ax) * (py - ay) - (px - ax) * (by - ay);
            if (ay <= py) {
                if (by > py && side > 0) w++;
            } else if (by <= py && side < 0) {
                w--;
            }
        }
    }
    return w;
}

/**
 * renderGlyph draws one glyph as a signed distance field. A glyph without
 * an outline (a space) has no bitmap, only an advance.
 */
export function renderGlyph(glyph, unitsPerEm) {
    const scale = SIZE / unitsPerEm;
    const advance = Math.round(glyph.advanceWidth * scale);
    const rings = flatten(glyph.path.commands, scale);
    const empty = {width: 0, height: 0, left: 0, top: -BASELINE, advance, bitmap: null};
    if (rings.length === 0) return empty;
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const r of rings) {
        for (const [x, y] of r) {
            x0 = Math.min(x0, x); y0 = Math.min(y0, y);
            x1 = Math.max(x1, x); y1 = Math.max(y1, y);
        }
    }
    [x0, y0, x1, y1] = [x0, y0, x1, y1].map(Math.round);
    const width = x1 - x0;
    const height = y1 - y0;
    if (width <= 0 || height <= 0) return empty;
    const bw = width + 2 * BORDER;
    const bh = height + 2 * BORDER;
    const bitmap = new Uint8Array(bw * bh);
    for (let row = 0; row < bh; row++) {
        const py = y1 + BORDER - row - 0.5;
        for (let col = 0; col < bw; col++) {
            const px = x0 - BORDER + col + 0.5;
            let d2 = RADIUS * RADIUS;
            for (const r of rings) {
                for (let i = 0; i + 1 < r.length; i++) {
                    d2 = Math.min(d2, segDist2(px, py, r[i][0], r[i][1], r[i + 1][0], r[i + 1][1]));
                }
            }
            let d = Math.sqrt(d2);
            if (winding(rings, px, py) !== 0) d = -d;
            const v = Math.trunc(Math.min(Math.max(d * (256 / RADIUS) + CUTOFF * 256, 0), 255));
            bitmap[row * bw + col] = 255 - v;
        }
    }
    return {width, height, left: x0, top: y1 - BASELINE, advance, bitmap};
}

/** Writer is the little of protobuf encoding the glyph format needs. */
class Writer {
    constructor() { this.bytes = []; }
    varint(v) {
        let n = v >>> 0;
        while (n >= 0x80) { this.bytes.push((n & 0x7f) | 0x80); n >>>= 7; }
        this.bytes.push(n);
    }
    tag(field, wire) { this.varint((field << 3) | wire); }
    uint(field, v) { this.tag(field, 0); this.varint(v); }
    sint(field, v) { this.uint(field, ((v << 1) ^ (v >> 31)) >>> 0); }
    raw(field, data) { this.tag(field, 2); this.varint(data.length); for (const b of data) this.bytes.push(b); }
    string(field, s) { this.raw(field, new TextEncoder().encode(s)); }
    message(field, w) { this.raw(field, w.bytes); }
}

/** encodeRange encodes one fontstack range as MapLibre's glyph protobuf. */
export function encodeRange(stack, start, glyphs) {
    const fontstack = new Writer();
    fontstack.string(1, stack);
    fontstack.string(2, `${start}-${start + 255}`);
    for (const g of glyphs) {
        const m = new Writer();
        m.uint(1, g.id);
        if (g.bitmap) m.raw(2, g.bitmap);
        m.uint(3, g.width);
        m.uint(4, g.height);
        m.sint(5, g.left);
        m.sint(6, g.top);
        m.uint(7, g.advance);
        fontstack.message(3, m);
    }
    const out = new Writer();
    out.message(1, fontstack);
    return Uint8Array.from(out.bytes);
}

/** slug is the directory name of a font stack. */
export function slug(stack) {
    return stack.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** renderFont writes every range of one font and its licence under outDir. */
export function renderFont(font, outDir) {
    const buf = fs.readFileSync(path.join(root, font.file));
    const face = opentype.parse(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    const dir = path.join(outDir, slug(font.stack));
    fs.mkdirSync(dir, {recursive: true});
    let total = 0;
    for (const start of RANGES) {
        const glyphs = [];
        for (let id = start; id < start + 256; id++) {
            if (!CODE_POINTS.has(id)) continue;
            const index = face.tables.cmap.glyphIndexMap[id];
            if (!index) continue;
            glyphs.push({id, ...renderGlyph(face.glyphs.get(index), face.unitsPerEm)});
        }
        fs.writeFileSync(path.join(dir, `${start}-${start + 255}.pbf`), encodeRange(font.stack, start, glyphs));
        total += glyphs.length;
    }
    fs.copyFileSync(path.join(root, font.license), path.join(dir, 'LICENSE.txt'));
    return total;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const outDir = path.resolve(root, process.argv[2] ?? 'dist/fonts');
    for (const font of FONTS) {
        const n = renderFont(font, outDir);
        console.log(`glyphs: ${font.stack}: ${n} glyphs in ${RANGES.length} ranges`);
    }
}
