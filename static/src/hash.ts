// The map state kept in the address, so that a view can be shared:
// #zoom/lat/lon&layers=a,b&date=YYYY-MM-DD
//
// The address comes from anyone who shares a link, so nothing in it may stop
// the page: a part that does not parse is dropped and the rest is kept.

import {LAYERS} from './catalog.ts';

/** View is what the address remembers. */
export interface View {
    zoom: number;
    lat: number;
    lon: number;
    layers?: string[];
    date?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * isDay tells whether s is a calendar day written YYYY-MM-DD: the shape is
 * not enough (2021-02-30 has it), so the day must survive a trip through Date.
 */
export function isDay(s: string): boolean {
    if (!DAY.test(s)) return false;
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** decode undoes percent-encoding; a malformed escape (%2, %E0%A4%A) gives undefined. */
function decode(s: string): string | undefined {
    try {
        return decodeURIComponent(s);
    } catch {
        return undefined;
    }
}

/** parseHash reads a view from location.hash; missing or malformed parts stay undefined. */
export function parseHash(hash: string): Partial<View> {
    const [pos, ...rest] = hash.replace(/^#/, '').split('&');
    const out: Partial<View> = {};
    const [z, lat, lon] = pos.split('/').map(Number);
    if ([z, lat, lon].every((n) => Number.isFinite(n)) && pos.split('/').length === 3 &&
        z >= 0 && z <= 22 && Math.abs(lat) <= 85 && Math.abs(lon) <= 180) {
        Object.assign(out, {zoom: z, lat, lon});
    }
    for (const kv of rest) {
        const [k, raw = ''] = kv.split('=', 2);
        const v = decode(raw);
        if (v === undefined) continue;
        if (k === 'layers') out.layers = parseLayers(v);
        if (k === 'date' && isDay(v)) out.date = v;
    }
    return out;
}

/** parseLayers keeps the known collection ids of a comma list. */
export function parseLayers(s: string): string[] {
    const known = new Set(LAYERS.map((l) => l.id));
    return s.split(',').map((x) => x.trim()).filter((x) => known.has(x));
}

/** formatHash writes a view in catalog order. */
export function formatHash(v: View): string {
    const precision = Math.max(0, Math.ceil(Math.log2(Math.max(v.zoom, 1))) + 1);
    let s = `#${v.zoom.toFixed(2)}/${v.lat.toFixed(precision)}/${v.lon.toFixed(precision)}`;
    if (v.layers) {
        const on = new Set(v.layers);
        s += `&layers=${LAYERS.filter((l) => on.has(l.id)).map((l) => l.id).join(',')}`;
    }
    if (v.date) s += `&date=${v.date}`;
    return s;
}
