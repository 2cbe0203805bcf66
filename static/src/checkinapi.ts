// The public calls of the light pages: the venue's QR token (or its staff
// token) is the credential, so there is no session and no CSRF token. A
// failure comes back as a Failure: the HTTP status (0 when the network is
// down), the server's reason in both languages and its field errors.

/**
 * FieldError is one entry of a 422 problem's errors: a JSON Pointer into
 * the body ("#/identity") and the reason (RFC 9457), or the older field and
 * reason members.
 */
export interface FieldError {
    pointer?: string;
    detail?: string;
    field?: string;
    reason?: string;
    reason_vi?: string;
}

/** PublicVenue is what GET /api/c/{token} tells about the venue. */
export interface PublicVenue {
    venue: {name: string; category?: string; address?: string; ward?: string};
    default_stay_minutes?: number;
}

/** Visit is a stay at a venue as the check-in routes answer it. */
export interface Visit {
    id: number | string;
    start: string;
    end?: string;
    venue?: unknown;
    [k: string]: unknown;
}

/** Failure is a call that did not succeed. */
export class Failure extends Error {
    readonly status: number;
    readonly detail: string;
    readonly detailVI: string;
    readonly errors: FieldError[];
    /** field is the problem's own "field" member: the one field it is about */
    readonly field?: string;
    readonly retryAfter?: number;

    constructor(status: number, body: Record<string, unknown>, retryAfter?: string | null) {
        const detail = String(body.detail ?? body.title ?? `HTTP ${status}`);
        super(detail);
        this.status = status;
        this.detail = detail;
        this.detailVI = typeof body.detail_vi === 'string' ? body.detail_vi : detail;
        this.errors = Array.isArray(body.errors) ? body.errors as FieldError[] : [];
        if (typeof body.field === 'string') this.field = body.field;
        if (retryAfter && /^\d+$/.test(retryAfter.trim())) this.retryAfter = Number(retryAfter);
    }

    /** reason is the server's detail in the reader's language. */
    reason(lang: string): string {
        return lang === 'vi' ? this.detailVI : this.detail;
    }

    /**
     * fieldReason is the reason the server gave for field f (a member of
     * the body, or of its declaration), undefined when it named another.
     * In Vietnamese the problem's detail_vi is preferred: the errors' own
     * reasons are English.
     */
    fieldReason(f: string, lang: string): string | undefined {
        const names = (x: string | undefined) => {
            const n = (x ?? '').replace(/^#?\//, '').split(/[/.]/);
            return n.includes(f);
        };
        const e = this.errors.find((x) => names(x.pointer) || names(x.field));
        if (!e && !(this.field !== undefined && names(this.field))) return undefined;
        if (lang === 'vi') return e?.reason_vi ?? this.detailVI;
        return e?.reason ?? e?.detail ?? this.detail;
    }
}

/** call sends one JSON request to the server's own origin. */
export async function call<T>(path: string, body?: unknown): Promise<{status: number; data: T}> {
    let res: Response;
    try {
        res = await fetch(path, {
            method: body === undefined ? 'GET' : 'POST',
            headers: body === undefined ? {Accept: 'application/json'} : {Accept: 'application/json', 'Content-Type': 'application/json'},
            body: body === undefined ? undefined : JSON.stringify(body),
            credentials: 'omit',
            cache: 'no-store',
        });
    } catch {
        throw new Failure(0, {detail: 'offline'});
    }
    let data: unknown = undefined;
    try {
        data = await res.json();
    } catch {
        // an empty or non-JSON answer
    }
    if (!res.ok) {
        throw new Failure(res.status, data && typeof data === 'object' ? data as Record<string, unknown> : {}, res.headers.get('Retry-After'));
    }
    return {status: res.status, data: data as T};
}

/** tokenFrom reads the token of /c/{token} or /s/{token} from the address. */
export function tokenFrom(pathname: string): string {
    const m = /^\/[cs]\/([^/]+)\/?$/.exec(pathname);
    return m ? decodeURIComponent(m[1]) : '';
}

/**
 * passOf takes the pass out of what a personal QR holds: the pass itself,
 * or an address whose last path segment (or ?pass=) is the pass.
 */
export function passOf(text: string): string {
    const s = text.trim();
    if (/^https?:\/\//i.test(s)) {
        try {
            const u = new URL(s);
            const q = u.searchParams.get('pass');
            if (q) return q;
            const seg = u.pathname.split('/').filter(Boolean).pop();
            if (seg) return decodeURIComponent(seg);
        } catch {
            // not an address after all
        }
    }
    return s;
}
