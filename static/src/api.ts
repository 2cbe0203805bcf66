// Typed calls to the server's JSON API. Every request goes to the page's
// own origin.

/** Area is an isolation area in force at a point: a zone, or near a lockdown point. */
export interface Area {
    collection: 'quarantine_zones' | 'lockdown_points';
    id: string;
    name: string;
    kind?: string;
    start?: string;
    until?: string;
    distance_m: number;
}

/** Hours are a place's opening hours as the server read them. */
export interface Hours {
    open_now: boolean;
    until?: string;
    always?: boolean;
    vi: string;
    en: string;
}

/** Place is one entry of /api/nearby. */
export interface Place {
    collection: string;
    id: string;
    name: string;
    distance_m: number;
    lon: number;
    lat: number;
    properties: Record<string, unknown>;
    hours?: Hours;
    in_zone: Area | null;
}

/** ZonesAt is the answer of /api/zones/at. */
export interface ZonesAt {
    point: [number, number];
    date: string;
    inside: boolean;
    lockdown_radius_m: number;
    areas: Area[];
}

/** Nearby is the answer of /api/nearby. */
export interface Nearby {
    center: [number, number];
    radius: number;
    places: Place[];
}

/** SearchResult is one entry of /api/search. */
export interface SearchResult {
    collection: string;
    id: string;
    name: string;
    address?: string;
    ward?: string;
    district?: string;
    lon: number;
    lat: number;
    bbox?: [number, number, number, number];
}

/** Stats is the answer of /api/stats. */
export interface Stats {
    date: string;
    new_cases: {total: number; [k: string]: unknown};
    cumulative: {total: number; by_origin: Record<string, number>};
    community_since_wave_start: {since: string; total: number};
    by_cluster: Array<{cluster: string; total: number; new?: number}>;
    by_district: Array<{district_code: string; district_name: string; total: number; new: number}>;
    deaths: number;
    under_treatment: number;
    recovered: number;
    contacts: {f1: number; f2: number};
    /** the latest day (YYYY-MM-DD, up to date) a case was reported or changed; null before the first case */
    last_update: string | null;
    /** set by the client: the figures came from the service worker's offline copy */
    offline?: boolean;
}

/** Day is one day of /api/stats/series. */
export interface Day {
    date: string;
    new_cases: number;
    cumulative: number;
    deaths: number;
    under_treatment: number;
}

/** Series is the answer of /api/stats/series. */
export interface Series {
    from: string;
    to: string;
    days: Day[];
}

/** ApiError carries the server's reason for a failed call. */
export class ApiError extends Error {
    status: number;
    constructor(status: number, message: string) {
        super(message);
        this.status = status;
    }
}

async function get<T>(path: string, params: Record<string, string | number | undefined>, signal?: AbortSignal): Promise<T> {
    const u = new URL(path, location.origin);
    for (const [k, v] of Object.entries(params)) {
        if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    }
    const res = await fetch(u, {signal, headers: {Accept: 'application/json'}});
    if (!res.ok) {
        let reason = res.statusText;
        try {
            // An RFC 9457 problem body gives the reason in detail; older
            // servers gave it in error.
            const body = await res.json();
            reason = body.detail ?? body.error ?? reason;
        } catch {
            // the body was not JSON; the status text will do
        }
        throw new ApiError(res.status, reason);
    }
    const body = await res.json();
    // The service worker (sw.ts) marks answers it gave from its copy.
    if (res.headers.has(OFFLINE_HEADER) && body && typeof body === 'object') body.offline = true;
    return body as T;
}

/** OFFLINE_HEADER marks an answer the service worker gave from its offline copy. */
export const OFFLINE_HEADER = 'X-Bando-Offline';

/** nearby lists the places of layers closest to lon, lat. */
export function nearby(q: {lon: number; lat: number; radius: number; layers: string[]; limit: number; openNow?: boolean; freeBeds?: boolean; date?: string}, signal?: AbortSignal): Promise<Nearby> {
    return get<Nearby>('/api/nearby', {
        lon: q.lon.toFixed(6), lat: q.lat.toFixed(6), radius: q.radius, layers: q.layers.join(','), limit: q.limit,
        open_now: q.openNow ? 'true' : undefined, free_beds: q.freeBeds ? 'true' : undefined, date: q.date,
    }, signal);
}

/** zonesAt says which isolation areas in force on date hold lon, lat. */
export function zonesAt(q: {lon: number; lat: number; date?: string}, signal?: AbortSignal): Promise<ZonesAt> {
    return get<ZonesAt>('/api/zones/at', {lon: q.lon.toFixed(6), lat: q.lat.toFixed(6), date: q.date}, signal);
}

/** search finds places, wards and districts by name, accents optional. */
export async function search(q: string, limit: number, signal?: AbortSignal): Promise<SearchResult[]> {
    const r = await get<{results: SearchResult[] | null}>('/api/search', {q, limit}, signal);
    return r.results ?? [];
}

/** stats gives the bulletin figures as of date (the server's latest when empty). */
export function stats(date: string | undefined, signal?: AbortSignal): Promise<Stats> {
    return get<Stats>('/api/stats', {date}, signal);
}

/** series gives the daily figures from..to. */
export function series(from: string, to: string, signal?: AbortSignal): Promise<Series> {
    return get<Series>('/api/stats/series', {from, to}, signal);
}

/** getJSON fetches a JSON answer of the server's API, for modules with their own types. */
export function getJSON<T>(path: string, params: Record<string, string | number | undefined>, signal?: AbortSignal): Promise<T> {
    return get<T>(path, params, signal);
}
