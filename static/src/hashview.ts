// The view and date of the address (#zoom/lat/lon&date=YYYY-MM-DD), read
// without the catalog (hash.ts adds the layers), for prefetch.ts, which
// runs before the map page's other scripts arrive.

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
export function decode(s: string): string | undefined {
    try {
        return decodeURIComponent(s);
    } catch {
        return undefined;
    }
}

/** parseView reads the view and date of location.hash; missing or malformed parts stay undefined. */
export function parseView(hash: string): {zoom?: number; lat?: number; lon?: number; date?: string} {
    const [pos, ...rest] = hash.replace(/^#/, '').split('&');
    const out: {zoom?: number; lat?: number; lon?: number; date?: string} = {};
    const [z, lat, lon] = pos.split('/').map(Number);
    if ([z, lat, lon].every((n) => Number.isFinite(n)) && pos.split('/').length === 3 &&
        z >= 0 && z <= 22 && Math.abs(lat) <= 85 && Math.abs(lon) <= 180) {
        Object.assign(out, {zoom: z, lat, lon});
    }
    for (const kv of rest) {
        const [k, raw = ''] = kv.split('=', 2);
        const v = decode(raw);
        if (v === undefined) continue;
        if (k === 'date' && isDay(v)) out.date = v;
    }
    return out;
}
