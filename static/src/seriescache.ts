// A series of days (the chart's figures) fetched once over the time
// slider's span and cut to the window each chosen day shows, so that a step
// of the slider asks the server for that day's figures alone, not for the
// same history again.

/** MAX_DAYS is the longest series the server gives in one answer. */
const MAX_DAYS = 366;

/** span counts the days from a to b (ISO days). */
function span(a: string, b: string): number {
    return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000) + 1;
}

/** Days is an answer holding days in order, each with its date. */
export interface Days<D extends {date: string}> {
    from: string;
    to: string;
    days: D[];
}

/** SeriesCache holds one answer per key (a district, or '' for the province). */
export class SeriesCache<D extends {date: string}, R extends Days<D>> {
    private readonly fetch: (from: string, to: string, key: string, signal?: AbortSignal) => Promise<R>;
    private held = new Map<string, R>();
    private first?: string;
    private last?: string;

    constructor(fetch: (from: string, to: string, key: string, signal?: AbortSignal) => Promise<R>) {
        this.fetch = fetch;
    }

    /** setSpan names the days the page may show: a fetch covers them all. */
    setSpan(first: string, last: string): void {
        this.first = first;
        this.last = last;
    }

    /**
     * get gives the days from..to of key: cut from what is held when it
     * covers them, otherwise fetched over the span (or just from..to, when
     * the span is longer than one answer may be).
     */
    async get(from: string, to: string, key: string, signal?: AbortSignal): Promise<R> {
        let r = this.held.get(key);
        if (!r || r.from > from || r.to < to) {
            const f = this.first && this.first < from ? this.first : from;
            const l = this.last && this.last > to ? this.last : to;
            const wide = span(f, l) <= MAX_DAYS;
            r = await this.fetch(wide ? f : from, wide ? l : to, key, signal);
            this.held.set(key, r);
        }
        return {...r, from, to, days: r.days.filter((d) => d.date >= from && d.date <= to)};
    }
}
