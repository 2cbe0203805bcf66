// The tracing screen's pure parts: the runs API's JSON (DESIGN-13 "Runs
// API"), the F0 list as typed, the reasons put into plain words, the tier
// filter and the exposure map's GeoJSON. No DOM, no network: unit-tested
// in e2e/tracing-units.test.mjs.

import type {Translator} from './i18n.ts';

/** F0Input is one F0 of POST /api/tracing/runs. */
export interface F0Input {
    case?: string;
    phone?: string;
    id_number?: string;
    onset?: string;
    isolation?: string;
    label?: string;
}

/** RunRequest is the body of POST /api/tracing/runs. */
export interface RunRequest {
    f0: F0Input[];
    depth: number;
    reason: string;
}

/** VenueEv is a venue reason's evidence. */
export interface VenueEv {
    id: string;
    name?: string;
    category?: string;
    lon?: number;
    lat?: number;
    overlap_minutes?: number;
}

/** Reason is one reason of a contact, with its evidence. */
export interface Reason {
    kind: string;
    tier: string;
    via: string;
    start: string;
    end: string;
    venue?: VenueEv;
    ride?: {enterprise?: string; bus?: string; date?: string; trip?: string | number; departure?: string; seat?: string; via_seat?: string};
    residence?: {ward?: string; boarding_house?: string; address?: string; room?: string; via_room?: string; days?: number; lon?: number; lat?: number};
    line?: {enterprise?: string; site?: string; line?: string; shift?: string; days?: number};
    proximity?: {minutes?: number; points?: number; closest_m?: number};
}

/** Contact is one exposed person of a run. */
export interface Contact {
    key: string;
    name?: string;
    phone?: string;
    id_number?: string;
    tier: string;
    level: number;
    via: string[];
    first_exposure?: string;
    last_exposure?: string;
    quarantine_end?: string | null;
    monitor_end?: string | null;
    reasons: Reason[];
}

/** Cluster is a set of linked F0s with their contacts counted. */
export interface Cluster {
    id: number;
    f0?: string[];
    f0s?: string[];
    f1?: number;
    f2?: number;
    epi?: number;
    venues?: string[];
    enterprises?: string[];
}

/** Run is a run as POST /api/tracing/runs and GET …/runs/{id} answer it. */
export interface Run {
    id: string;
    created?: string;
    rules?: Record<string, unknown>;
    /** known is false when the engine held no tracing data of the F0 (a mistyped number, or data past the retention). */
    f0?: Array<{label: string; window?: {from: string; to: string}; known?: boolean}>;
    summary?: {f1?: number; f2?: number; epi?: number; clusters?: number};
    clusters?: Cluster[];
    contacts?: Contact[];
    /** contacts_total counts every contact of the run; contacts holds the first page of them (at most 10,000). */
    contacts_total?: number;
    /** links: an F0 (f0, its label) that is a contact of another F0 (reason.via) */
    links?: Array<{f0: string; reason?: Reason}>;
    zone?: GeoJSON.Feature | null;
    reason?: string;
}

/** RunListItem is one entry of GET /api/tracing/runs. */
export interface RunListItem {
    id: string;
    created?: string;
    f0?: Array<string | {label?: string}>;
    summary?: Run['summary'];
}

/** CaseItem is one case of GET /api/tracing/cases?date=. */
export interface CaseItem {
    code: string;
    ward?: string;
    district?: string;
    report_date?: string;
}

/** LineProblem is a line of the F0 list that cannot be sent. */
export interface LineProblem {
    line: number;
    value: string;
    kind: 'bad' | 'dup';
}

const PREFIXES: Array<[RegExp, keyof F0Input]> = [
    [/^(case|ma|mã|mã ca|ma ca|code)\s*[:=]\s*/i, 'case'],
    [/^(phone|sdt|sđt|dt|đt|tel)\s*[:=]\s*/i, 'phone'],
    [/^(id|cccd|cmnd|id_number)\s*[:=]\s*/i, 'id_number'],
];

/**
 * classify tells what a typed value is (as tracing.ParseIdentity reads
 * numbers): a phone (0 and 9 or 10 digits, or +84/84 and 9 or 10), an ID
 * number (9 digits, or 12 from 0), a case code (has a letter), or nothing
 * it recognises. Spaces, dots and dashes between digits are dropped.
 */
export function classify(raw: string): F0Input | undefined {
    let v = raw.trim();
    for (const [re, kind] of PREFIXES) {
        if (re.test(v)) {
            v = v.replace(re, '').trim();
            if (!v) return undefined;
            return kind === 'case' ? {case: v} : {[kind]: digits(v) ?? v};
        }
    }
    const d = digits(v);
    if (d !== undefined) {
        if (/^0[1-9]\d{8,9}$/.test(d) || /^\+?84[1-9]\d{8,9}$/.test(d)) return {phone: d};
        if (/^\d{9}$/.test(d) || /^0\d{11}$/.test(d)) return {id_number: d};
        return undefined;
    }
    if (/\p{L}/u.test(v) && /^[\p{L}\d][\p{L}\d._/-]*$/u.test(v)) return {case: v};
    return undefined;
}

function digits(v: string): string | undefined {
    if (!/^\+?[\d][\d .-]*$/.test(v)) return undefined;
    return v.replace(/[ .-]/g, '');
}

/**
 * parseF0s reads the F0 list: one value a line, blank lines and lines
 * starting with # skipped; each line's problem (not recognised, given
 * twice) with its 1-based line number.
 */
export function parseF0s(text: string): {f0: F0Input[]; lines: number[]; problems: LineProblem[]} {
    const f0: F0Input[] = [];
    const lines: number[] = [];
    const problems: LineProblem[] = [];
    const seen = new Set<string>();
    text.split(/\r?\n/).forEach((raw, i) => {
        const v = raw.trim();
        if (!v || v.startsWith('#')) return;
        const x = classify(v);
        if (!x) {
            problems.push({line: i + 1, value: v, kind: 'bad'});
            return;
        }
        const k = JSON.stringify(x).toLowerCase();
        if (seen.has(k)) {
            problems.push({line: i + 1, value: v, kind: 'dup'});
            return;
        }
        seen.add(k);
        f0.push(x);
        lines.push(i + 1);
    });
    return {f0, lines, problems};
}

/**
 * vnLocal turns a datetime-local value (YYYY-MM-DDTHH:MM, read as Vietnam
 * time) into RFC 3339 with +07:00; empty stays empty; anything else is
 * undefined.
 */
export function vnLocal(v: string): string | undefined {
    const s = v.trim();
    if (!s) return '';
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s);
    if (!m) return undefined;
    const [, y, mo, d, hh, mm, ss] = m;
    const t = Date.UTC(+y, +mo - 1, +d, +hh, +mm, +(ss ?? 0));
    const back = new Date(t);
    if (back.getUTCFullYear() !== +y || back.getUTCMonth() !== +mo - 1 || back.getUTCDate() !== +d || +hh > 23 || +mm > 59) return undefined;
    return `${y}-${mo}-${d}T${hh}:${mm}:${ss ?? '00'}+07:00`;
}

const VN = 7 * 3600e3;

/** vnParts is an instant's wall clock in Vietnam (UTC+7, no summer time). */
function vnParts(iso: string): {y: string; mo: string; d: string; hh: string; mm: string} | undefined {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return undefined;
    const x = new Date(t + VN).toISOString();
    return {y: x.slice(0, 4), mo: x.slice(5, 7), d: x.slice(8, 10), hh: x.slice(11, 13), mm: x.slice(14, 16)};
}

/** vnTime formats an instant as Vietnam's clock: 05/07/2021 08:30 (vi), 5 Jul 2021 08:30 (en). */
export function vnTime(tr: Translator, iso: string | null | undefined): string {
    if (!iso) return '';
    const p = vnParts(iso);
    if (!p) return iso;
    return `${tr.date(`${p.y}-${p.mo}-${p.d}`)} ${p.hh}:${p.mm}`;
}

/** vnSpan formats an interval on Vietnam's clock, the day once when both ends share it. */
export function vnSpan(tr: Translator, from: string, to: string): string {
    const a = vnTime(tr, from);
    const b = vnTime(tr, to);
    const day = (x: string) => x.slice(0, x.lastIndexOf(' '));
    return day(a) && day(a) === day(b) ? `${a}–${b.slice(b.lastIndexOf(' ') + 1)}` : `${a} – ${b}`;
}

/** vnDay formats an instant's day in Vietnam; a bare YYYY-MM-DD is that day. */
export function vnDay(tr: Translator, iso: string | null | undefined): string {
    if (!iso) return '';
    if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return tr.date(iso);
    if (iso.startsWith('0001-01-01')) return '';
    const p = vnParts(iso);
    return p ? tr.date(`${p.y}-${p.mo}-${p.d}`) : iso;
}

/** vnToday is today's date in Vietnam, YYYY-MM-DD. */
export function vnToday(now = Date.now()): string {
    return new Date(now + VN).toISOString().slice(0, 10);
}

/** zeroTime tells an absent instant (empty, null or Go's zero time). */
export function zeroTime(iso: string | null | undefined): boolean {
    return !iso || iso.startsWith('0001-01-01');
}

/** tierName is a tier in words. */
export function tierName(tr: Translator, tier: string): string {
    const k = `tr.tier.${tier}`;
    return tr.has(k) ? tr.t(k) : tier;
}

/**
 * reasonText puts one reason and its evidence into plain words in the
 * reader's language: "Qua BD-1: cùng phòng trọ 12, nhà trọ Bình An, 2 ngày
 * (18/08/2021 00:00 – 20/08/2021 08:00)".
 */
export function reasonText(tr: Translator, r: Reason, opts: {via?: boolean; when?: boolean} = {}): string {
    const t = tr.t.bind(tr);
    const q = (s: string | number | undefined | null) => (s === undefined || s === null || s === '' ? t('tr.unknown') : String(s));
    let body: string;
    switch (r.kind) {
    case 'venue': {
        const v = r.venue;
        const name = v?.name || v?.id || t('tr.unknown');
        const cat = v?.category && tr.has(`ed.venues.cat.${v.category}`) ? t(`ed.venues.cat.${v.category}`) : v?.category;
        const venue = cat ? t('tr.reason.venue.cat', {venue: name, cat}) : name;
        const min = v?.overlap_minutes ?? Math.round((Date.parse(r.end) - Date.parse(r.start)) / 60000);
        body = t('tr.reason.venue', {min: Number.isFinite(min) ? min : q(undefined), venue});
        break;
    }
    case 'ride': {
        const x = r.ride ?? {};
        const trip = x.trip !== undefined && tr.has(`tr.trip.${x.trip}`) ? t(`tr.trip.${x.trip}`) : q(x.trip);
        body = t('tr.reason.ride', {bus: q(x.bus), enterprise: q(x.enterprise), trip, date: x.date ? vnDay(tr, x.date) : q(undefined)});
        if (x.seat || x.via_seat) body += t('tr.reason.ride.seats', {seat: q(x.seat), via_seat: q(x.via_seat)});
        break;
    }
    case 'room':
    case 'house':
    case 'household': {
        const x = r.residence ?? {};
        body = t(`tr.reason.${r.kind}`, {room: q(x.room), via_room: q(x.via_room), house: q(x.boarding_house), address: q(x.address), days: x.days ?? 0});
        break;
    }
    case 'line': {
        const x = r.line ?? {};
        body = t('tr.reason.line', {line: q(x.line), shift: q(x.shift), site: q(x.site), enterprise: q(x.enterprise), days: x.days ?? 0});
        break;
    }
    case 'proximity': {
        const x = r.proximity ?? {};
        body = t('tr.reason.proximity', {minutes: x.minutes ?? 0, m: x.closest_m === undefined ? q(undefined) : tr.number(Math.round(x.closest_m))});
        break;
    }
    default:
        body = t('tr.reason.other', {kind: r.kind});
    }
    let out = (opts.via ?? true) && r.via ? t('tr.reason.via', {via: r.via}) + body : body;
    if ((opts.when ?? true) && r.start && r.end) out += t('tr.reason.when', {span: vnSpan(tr, r.start, r.end)});
    return out;
}

/** TIERS orders tiers for the filter and the table. */
export const TIERS = ['F1', 'F2', 'F3', 'F4', 'epi'];

/** tierCounts counts contacts per tier, in TIERS order, unknown tiers last. */
export function tierCounts(cs: Contact[]): Array<[string, number]> {
    const n = new Map<string, number>();
    for (const c of cs) n.set(c.tier, (n.get(c.tier) ?? 0) + 1);
    const order = [...TIERS, ...[...n.keys()].filter((k) => !TIERS.includes(k)).sort()];
    return order.filter((k) => n.has(k)).map((k) => [k, n.get(k)!]);
}

/** filterContacts keeps the contacts of a tier ('' keeps all). */
export function filterContacts(cs: Contact[], tier: string): Contact[] {
    return tier ? cs.filter((c) => c.tier === tier) : cs;
}

/** ExposureVenue is a venue on the exposure map. */
export interface ExposureVenue {
    id: string;
    name: string;
    lon: number;
    lat: number;
    /** F1 when any of its reasons is F1-tier, else epi */
    tier: string;
    count: number;
}

/** exposureVenues gathers the venues of the run's venue reasons that have a point. */
export function exposureVenues(cs: Contact[]): ExposureVenue[] {
    const byId = new Map<string, ExposureVenue>();
    for (const c of cs) {
        for (const r of c.reasons ?? []) {
            const v = r.venue;
            // A venue the server could not place comes with 0, 0: not on the map.
            if (r.kind !== 'venue' || !v || typeof v.lon !== 'number' || typeof v.lat !== 'number' || (v.lon === 0 && v.lat === 0)) continue;
            const id = v.id || `${v.lon},${v.lat}`;
            const had = byId.get(id);
            if (had) {
                had.count++;
                if (r.tier !== 'epi') had.tier = 'F1';
            } else {
                byId.set(id, {id, name: v.name || id, lon: v.lon, lat: v.lat, tier: r.tier === 'epi' ? 'epi' : 'F1', count: 1});
            }
        }
    }
    return [...byId.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

/** venueFeatures is the exposure venues as GeoJSON points. */
export function venueFeatures(vs: ExposureVenue[]): GeoJSON.FeatureCollection {
    return {type: 'FeatureCollection', features: vs.map((v) => ({type: 'Feature', geometry: {type: 'Point', coordinates: [v.lon, v.lat]},
        properties: {id: v.id, name: v.name, tier: v.tier, count: v.count}}))};
}

/** zoneFeatures is the run's suggested zone as a FeatureCollection (empty when none). */
export function zoneFeatures(z: GeoJSON.Feature | null | undefined): GeoJSON.FeatureCollection {
    if (!z || !z.geometry) return {type: 'FeatureCollection', features: []};
    return {type: 'FeatureCollection', features: [z]};
}

/** bounds is the [west, south, east, north] of the points and the zone, if any. */
export function bounds(vs: ExposureVenue[], z: GeoJSON.Feature | null | undefined): [number, number, number, number] | undefined {
    let w = Infinity;
    let s = Infinity;
    let e = -Infinity;
    let n = -Infinity;
    const add = (p: number[]) => {
        if (typeof p[0] !== 'number' || typeof p[1] !== 'number') return;
        w = Math.min(w, p[0]);
        e = Math.max(e, p[0]);
        s = Math.min(s, p[1]);
        n = Math.max(n, p[1]);
    };
    for (const v of vs) add([v.lon, v.lat]);
    const walk = (c: unknown): void => {
        if (Array.isArray(c) && typeof c[0] === 'number') add(c as number[]);
        else if (Array.isArray(c)) for (const x of c) walk(x);
    };
    const g = z?.geometry as {coordinates?: unknown} | null | undefined;
    if (g?.coordinates) walk(g.coordinates);
    return Number.isFinite(w) ? [w, s, e, n] : undefined;
}

/** zoneWards reads the wards a zone lies in from its properties. */
export function zoneWards(z: GeoJSON.Feature | null | undefined): string[] {
    const w = z?.properties?.wards;
    return Array.isArray(w) ? w.map(String) : [];
}

/** runsOf reads GET /api/tracing/runs: an array or {runs: [...]}. */
export function runsOf(data: unknown): RunListItem[] {
    if (Array.isArray(data)) return data as RunListItem[];
    const d = data as {runs?: RunListItem[]} | undefined;
    return Array.isArray(d?.runs) ? d.runs : [];
}

/** casesOf reads GET /api/tracing/cases: an array, {cases: [...]}, or a FeatureCollection. */
export function casesOf(data: unknown): CaseItem[] {
    if (Array.isArray(data)) return data as CaseItem[];
    const d = data as {cases?: CaseItem[]; features?: Array<{id?: string; properties?: CaseItem}>} | undefined;
    if (Array.isArray(d?.cases)) return d.cases;
    if (Array.isArray(d?.features)) return d.features.map((f) => ({...f.properties, code: String(f.properties?.code ?? f.id)}) as CaseItem);
    return [];
}

/** labelsOf is a run list entry's F0 labels. */
export function labelsOf(r: RunListItem): string[] {
    return (r.f0 ?? []).map((x) => (typeof x === 'string' ? x : x.label ?? '')).filter(Boolean);
}

/**
 * lineOfField maps a problem's field ("f0[2].phone", "f0.2", "/f0/2/onset")
 * to the F0's index, or -1.
 */
export function lineOfField(field: string | undefined): number {
    const m = /f0(?:\[|\.|\/)(\d+)/.exec(field ?? '');
    return m ? Number(m[1]) : -1;
}

/** ServerError is one field error of a problem as the runs API sends it. */
export interface ServerError {
    field?: string;
    pointer?: string;
    reason?: string;
    reason_vi?: string;
    detail?: string;
}

/**
 * SERVER_REASONS put the runs API's English reasons into the table's
 * words (the server words them in English only); the captured parts fill
 * the placeholders in order.
 */
const SERVER_REASONS: Array<[RegExp, string, string[]]> = [
    [/^no case "(.+)": this server keeps no cases/, 'tr.srv.nocases', ['code']],
    [/^no case "(.+)"$/, 'tr.srv.nocase', ['code']],
    [/^case "(.+)" has no phone or ID number/, 'tr.srv.caseprivate', ['code']],
    [/^the same person as #\/f0\/(\d+)/, 'tr.srv.same', ['line']],
    [/^not a Vietnamese phone number/, 'tr.srv.phone', []],
    [/^an ID number is 9/, 'tr.srv.id', []],
    [/^give the onset/, 'tr.srv.onset', []],
    [/^give when the F0 was isolated/, 'tr.srv.isolation', []],
    [/^the window .* is empty/, 'tr.bad.window', []],
    [/^say why, in at least (\d+) characters/, 'tr.srv.reason', ['n']],
    [/^give at least one F0/, 'tr.need.f0', []],
    [/^at most (\d+) F0s in one run; got (\d+)/, 'tr.srv.toomany', ['max', 'n']],
    [/^trace 1 \(F1 only\) to (\d+) levels/, 'tr.srv.depth', ['max']],
    [/^give exactly one of case, phone and id_number/, 'tr.srv.one', []],
    [/^F0 "(.+)": the same person is given twice/, 'tr.srv.twice', ['label']],
];

/**
 * serverReason is a field error's reason in the reader's language: the
 * server's own Vietnamese when it sent one, else a known English reason
 * put into the table's words, else the server's words as they are. lineOf
 * turns an F0's index into the line it was typed on.
 */
export function serverReason(tr: Translator, e: ServerError, lineOf: (i: number) => number = (i) => i + 1): string {
    if (tr.lang === 'vi' && e.reason_vi) return e.reason_vi;
    const text = (tr.lang === 'vi' ? e.reason ?? e.detail : e.reason ?? e.detail ?? e.reason_vi) ?? '';
    if (tr.lang !== 'vi') return text;
    for (const [re, key, names] of SERVER_REASONS) {
        const m = re.exec(text);
        if (!m) continue;
        const vars: Record<string, string | number> = {};
        names.forEach((n, i) => (vars[n] = n === 'line' ? lineOf(Number(m[i + 1])) : m[i + 1]));
        return tr.t(key, vars);
    }
    return text;
}

/** fieldOf is a field error's place: "#/f0/2/onset" → {f0: 2, name: "onset"}; "#/reason" → {name: "reason"}. */
export function fieldOf(e: ServerError): {f0: number; name: string} {
    const at = e.field ?? e.pointer ?? '';
    const f0 = lineOfField(at);
    const parts = at.replace(/^#?\/?/, '').split(/[/.[\]]+/).filter(Boolean);
    return {f0, name: parts.length ? parts[parts.length - 1] : ''};
}
