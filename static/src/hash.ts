// The map state kept in the address, so that a view can be shared:
// #zoom/lat/lon&layers=a,b&date=YYYY-MM-DD
//
// The address comes from anyone who shares a link, so nothing in it may stop
// the page: a part that does not parse is dropped and the rest is kept.

import {LAYERS} from './catalog.ts';
import {decode, isDay, parseView} from './hashview.ts';

export {isDay} from './hashview.ts';

/** View is what the address remembers. */
export interface View {
    zoom: number;
    lat: number;
    lon: number;
    layers?: string[];
    date?: string;
}

/** parseHash reads a view from location.hash; missing or malformed parts stay undefined. */
export function parseHash(hash: string): Partial<View> {
    const out: Partial<View> = parseView(hash);
    for (const kv of hash.replace(/^#/, '').split('&').slice(1)) {
        const [k, raw = ''] = kv.split('=', 2);
        const v = decode(raw);
        if (v !== undefined && k === 'layers') out.layers = parseLayers(v);
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

/**
 * datedHash is the hash of a link to the day shown: the address names no day
 * while the map follows the latest bulletin (so that a bookmark keeps
 * following it), but a link sent to someone must show them the same day the
 * sender saw. A hash that names a day already is kept as it is.
 */
export function datedHash(hash: string, day: string | undefined): string {
    if (!day || !isDay(day) || parseHash(hash).date) return hash;
    // NOTE: the view comes first; a hash without one starts with "&".
    return `#${hash.replace(/^#/, '')}&date=${day}`;
}
