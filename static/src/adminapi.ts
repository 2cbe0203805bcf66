// The officials' calls to the server: sign-in, the editor's reads, OGC API
// Features Part 4 writes, revisions, cases import and users. The session is
// a cookie the browser keeps; the CSRF token lives only in memory (and comes
// back from /api/auth/me after a reload) and goes with every mutating call.

/** User is the signed-in official, as /api/auth/signin and /api/auth/me answer. */
export interface User {
    name: string;
    role: string;
    district?: string;
    enterprise?: string;
    disabled?: boolean;
}

/** FieldError is one entry of a 422 problem's errors. */
export interface FieldError {
    field?: string;
    reason?: string;
    reason_vi?: string;
    at?: [number, number];
    line?: number;
}

/** EditedFeature is a stored record as the editor routes answer it. */
export interface EditedFeature {
    type: 'Feature';
    id: string;
    geometry: GeoJSON.Geometry | null;
    properties: Record<string, unknown>;
    revision?: number;
    etag?: string;
    updated?: string;
    updated_by?: string;
    person?: Record<string, string>;
}

/** Revision is one audit entry of a feature's history. */
export interface Revision {
    seq: number;
    time: string;
    actor: string;
    role?: string;
    action: string;
    revision?: number;
    note?: string;
    before?: unknown;
    after?: unknown;
}

/** Problem is a failed call: the status and the server's RFC 9457 problem. */
export class Problem extends Error {
    readonly status: number;
    readonly detail: string;
    readonly detailVI: string;
    readonly errors: FieldError[];
    /** seconds to wait (429 Retry-After) */
    readonly retryAfter?: number;
    /** the current ETag and feature of a 412 */
    readonly etag?: string;
    readonly current?: EditedFeature;

    constructor(status: number, body: Record<string, unknown>, headers: Headers) {
        const detail = String(body.detail ?? body.title ?? body.error ?? `HTTP ${status}`);
        super(detail);
        this.status = status;
        this.detail = detail;
        this.detailVI = typeof body.detail_vi === 'string' ? body.detail_vi : detail;
        this.errors = Array.isArray(body.errors) ? body.errors as FieldError[] : [];
        const ra = headers.get('Retry-After');
        if (ra !== null && /^\d+$/.test(ra.trim())) this.retryAfter = Number(ra);
        this.etag = headers.get('ETag') ?? undefined;
        const cur = body.current as EditedFeature | undefined;
        if (cur && typeof cur === 'object') this.current = {...cur, etag: cur.etag ?? this.etag};
    }

    /** reason is the detail in the reader's language. */
    reason(lang: string): string {
        return lang === 'vi' ? this.detailVI : this.detail;
    }
}

/** fieldReason is a field error's reason in the reader's language. */
export function fieldReason(e: FieldError, lang: string): string {
    return (lang === 'vi' ? e.reason_vi ?? e.reason : e.reason ?? e.reason_vi) ?? '';
}

interface Call {
    method?: string;
    body?: unknown;
    raw?: BodyInit;
    type?: string;
    ifMatch?: string;
    /** the official's reason for a change, kept in its audit entry */
    note?: string;
    query?: Record<string, string | number | boolean | undefined>;
}

/** Session talks to the server for one signed-in official. */
export class Session {
    csrf = '';
    user?: User;

    /** call sends one request; a failure throws a Problem. */
    async call<T>(path: string, c: Call = {}): Promise<{data: T; etag?: string; location?: string}> {
        const method = c.method ?? 'GET';
        const u = new URL(path, location.origin);
        for (const [k, v] of Object.entries(c.query ?? {})) {
            if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
        }
        const headers: Record<string, string> = {Accept: 'application/json, application/geo+json, application/problem+json'};
        if (method !== 'GET' && method !== 'HEAD' && this.csrf) headers['X-CSRF-Token'] = this.csrf;
        if (c.ifMatch) headers['If-Match'] = c.ifMatch;
        if (c.note) headers['X-Bando-Note'] = encodeURIComponent(c.note);
        let body: BodyInit | undefined;
        if (c.raw !== undefined) {
            body = c.raw;
            if (c.type) headers['Content-Type'] = c.type;
        } else if (c.body !== undefined) {
            body = JSON.stringify(c.body);
            headers['Content-Type'] = c.type ?? 'application/json';
        }
        let res: Response;
        try {
            res = await fetch(u, {method, headers, body, credentials: 'same-origin'});
        } catch (e) {
            throw new Problem(0, {detail: `network: ${(e as Error).message}`, detail_vi: 'Không kết nối được máy chủ.'}, new Headers());
        }
        const text = await res.text();
        let data: unknown = undefined;
        if (text) {
            try {
                data = JSON.parse(text);
            } catch {
                data = text;
            }
        }
        if (!res.ok) {
            const body = data && typeof data === 'object' ? data as Record<string, unknown> : {detail: res.statusText || `HTTP ${res.status}`};
            throw new Problem(res.status, body, res.headers);
        }
        return {data: data as T, etag: res.headers.get('ETag') ?? undefined, location: res.headers.get('Location') ?? undefined};
    }

    private keep(r: {user: User; csrf: string}): User {
        this.user = r.user;
        this.csrf = r.csrf ?? '';
        return r.user;
    }

    /** signIn opens a session; 401 and 429 come back as Problems. */
    async signIn(name: string, password: string): Promise<User> {
        const r = await this.call<{user: User; csrf: string}>('/api/auth/signin', {method: 'POST', body: {name, password}});
        return this.keep(r.data);
    }

    /** me finds the session the browser already has, if any. */
    async me(): Promise<User | undefined> {
        try {
            const r = await this.call<{user: User; csrf: string}>('/api/auth/me');
            return this.keep(r.data);
        } catch (e) {
            if (e instanceof Problem && (e.status === 401 || e.status === 404)) return undefined;
            throw e;
        }
    }

    /** signOut ends the session. */
    async signOut(): Promise<void> {
        try {
            await this.call('/api/auth/signout', {method: 'POST'});
        } finally {
            this.user = undefined;
            this.csrf = '';
        }
    }

    /** items lists stored records of a collection, drafts included. */
    async items(col: string, q: {bbox?: string; status?: string; limit?: number; offset?: number; q?: string} = {}): Promise<{features: EditedFeature[]; numberMatched?: number}> {
        const r = await this.call<{features?: EditedFeature[]; numberMatched?: number}>(`/api/editor/collections/${enc(col)}/items`, {query: q});
        return {features: r.data?.features ?? [], numberMatched: r.data?.numberMatched};
    }

    /** item reads one stored record with its ETag. */
    async item(col: string, id: string): Promise<EditedFeature> {
        const r = await this.call<EditedFeature>(`/api/editor/collections/${enc(col)}/items/${enc(id)}`);
        return {...r.data, etag: r.etag ?? r.data.etag};
    }

    /** create adds a feature (POST items); the answer is the stored feature. */
    async create(col: string, f: {type: 'Feature'; geometry: GeoJSON.Geometry | null; properties: Record<string, unknown>; person?: Record<string, string>}, note?: string): Promise<EditedFeature> {
        const r = await this.call<EditedFeature>(`/ogc/collections/${enc(col)}/items`, {method: 'POST', body: f, type: 'application/geo+json', note});
        return stored(r);
    }

    /** patch merges changes into a feature (RFC 7396) under If-Match. */
    async patch(col: string, id: string, etag: string, change: {properties?: Record<string, unknown>; geometry?: GeoJSON.Geometry; person?: Record<string, string>}, note?: string): Promise<EditedFeature> {
        const r = await this.call<EditedFeature>(`/ogc/collections/${enc(col)}/items/${enc(id)}`, {method: 'PATCH', body: change, type: 'application/merge-patch+json', ifMatch: etag, note});
        return stored(r);
    }

    /** remove deletes a feature under If-Match. */
    async remove(col: string, id: string, etag: string): Promise<void> {
        await this.call(`/ogc/collections/${enc(col)}/items/${enc(id)}`, {method: 'DELETE', ifMatch: etag});
    }

    /** revisions lists a feature's history, newest first. */
    async revisions(col: string, id: string): Promise<Revision[]> {
        const r = await this.call<{revisions?: Revision[]}>(`/api/editor/collections/${enc(col)}/items/${enc(id)}/revisions`);
        return r.data?.revisions ?? [];
    }

    /** revert writes the record as of revision n as a new revision. */
    async revert(col: string, id: string, etag: string, n: number): Promise<EditedFeature> {
        const r = await this.call<EditedFeature>(`/api/editor/collections/${enc(col)}/items/${enc(id)}/revert`, {method: 'POST', body: {revision: n}, ifMatch: etag});
        return stored(r);
    }

    /** importCases sends a bulletin CSV (dry run first). */
    async importCases(csv: string, mode: string, dryRun: boolean): Promise<Record<string, unknown>> {
        const r = await this.call<Record<string, unknown>>('/api/cases/import', {method: 'POST', raw: csv, type: 'text/csv', query: {mode, dry_run: dryRun ? 'true' : undefined}});
        return r.data ?? {};
    }

    /** users lists the accounts (admin). */
    async users(): Promise<User[]> {
        const r = await this.call<User[] | {users?: User[]}>('/api/users');
        return Array.isArray(r.data) ? r.data : r.data?.users ?? [];
    }

    /** addUser creates an account (admin). */
    async addUser(u: {name: string; role: string; district?: string; enterprise?: string; password: string}): Promise<void> {
        await this.call('/api/users', {method: 'POST', body: u});
    }

    /** updateUser changes an account (admin). */
    async updateUser(name: string, change: {role?: string; district?: string; password?: string; disabled?: boolean}): Promise<void> {
        await this.call(`/api/users/${enc(name)}`, {method: 'PATCH', body: change});
    }

    /** disableUser disables an account and revokes its tokens and sessions (admin). */
    async disableUser(name: string): Promise<void> {
        await this.call(`/api/users/${enc(name)}`, {method: 'DELETE'});
    }
}

function stored(r: {data: EditedFeature; etag?: string}): EditedFeature {
    return {...r.data, etag: r.etag ?? r.data?.etag};
}

function enc(s: string): string {
    return encodeURIComponent(s);
}

/** canEdit tells whether a role may change the map's data. */
export function canEdit(u: User | undefined): boolean {
    return u?.role === 'admin' || u?.role === 'editor';
}

/**
 * inDistrict tells whether a district editor may touch a feature: a
 * province-wide official may touch any; a district one only features whose
 * district_code is theirs (the server decides on the geometry; this only
 * keeps the buttons honest).
 */
export function inDistrict(u: User | undefined, props: Record<string, unknown> | undefined): boolean {
    if (!u?.district) return true;
    const d = props?.district_code;
    return d === undefined || d === null || d === '' || String(d) === u.district;
}
