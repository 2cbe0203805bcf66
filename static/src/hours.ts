// Opening hours as the popups and lists show them: the OpenStreetMap
// opening_hours subset the server reads (features/hours: "Mo-Su
// 05:00-19:00", "Mo-Fr 08:00-17:00; Sa 08:00-12:00", "24/7", "off"), in
// the reader's language with the same words as the server's /api/nearby
// ("Thứ 2–CN 05:00–19:00", "Mon–Sun 05:00–19:00"). Text outside the
// subset is shown as written.

import type {Translator} from './i18n.ts';

const MINUTES_PER_DAY = 24 * 60;
const DAY_CODES = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'];

const WORDS = {
    vi: {days: ['Thứ 2', 'Thứ 3', 'Thứ 4', 'Thứ 5', 'Thứ 6', 'Thứ 7', 'CN'], always: 'Mở cửa 24/7', never: 'Đóng cửa', closed: 'nghỉ'},
    en: {days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], always: 'Open 24/7', never: 'Closed', closed: 'closed'},
};

/** A span of a day, in minutes since its midnight; `to` may pass 24:00. */
type Span = [number, number];

/** parseOpeningHours reads the subset into a week, Monday first, or null. */
export function parseOpeningHours(text: string): Span[][] | null {
    if (text.trim() === '') return null;
    const week: Span[][] = [[], [], [], [], [], [], []];
    for (const raw of text.split(';')) {
        const rule = raw.trim();
        if (rule === '') return null;
        if (rule === '24/7') {
            for (let d = 0; d < 7; d++) week[d] = [[0, MINUTES_PER_DAY]];
            continue;
        }
        let days = [0, 1, 2, 3, 4, 5, 6];
        let rest = rule;
        if (rule !== 'off' && /^[A-Za-z]/.test(rule)) {
            const cut = rule.indexOf(' ');
            const first = cut < 0 ? rule : rule.slice(0, cut);
            const parsed = parseDays(first);
            if (!parsed) return null;
            days = parsed;
            rest = cut < 0 ? '' : rule.slice(cut + 1).trim();
        }
        const spans = parseSpans(rest);
        if (!spans) return null;
        for (const d of days) week[d] = spans;
    }
    return week;
}

function parseDays(s: string): number[] | null {
    const out: number[] = [];
    for (const part of s.split(',')) {
        const [from, to] = part.split('-', 2);
        const a = DAY_CODES.indexOf(from);
        const b = to === undefined ? a : DAY_CODES.indexOf(to);
        if (a < 0 || b < 0) return null;
        for (let d = a; ; d = (d + 1) % 7) {
            out.push(d);
            if (d === b) break;
        }
    }
    return out;
}

function parseSpans(s: string): Span[] | null {
    if (s === 'off' || s === 'closed') return [];
    if (s === '') return null;
    const out: Span[] = [];
    for (const part of s.split(',')) {
        const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(part.trim());
        if (!m) return null;
        const a = clock(m[1], m[2]);
        let b = clock(m[3], m[4]);
        if (a === null || b === null || a === MINUTES_PER_DAY || a === b) return null;
        if (b < a) b += MINUTES_PER_DAY; // past midnight
        out.push([a, b]);
    }
    return out;
}

function clock(hh: string, mm: string): number | null {
    const h = Number(hh), m = Number(mm);
    if (m > 59 || h > 24 || (h === 24 && m !== 0)) return null;
    return h * 60 + m;
}

function hhmm(minutes: number): string {
    return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function spansText(spans: Span[]): string {
    return spans.map(([a, b]) => `${hhmm(a)}–${b === MINUTES_PER_DAY ? '24:00' : hhmm(b % MINUTES_PER_DAY)}`).join(', ');
}

const sameSpans = (x: Span[], y: Span[]) => x.length === y.length && x.every((s, i) => s[0] === y[i][0] && s[1] === y[i][1]);

/** hoursWords writes a week as the server's features/hours Words does. */
export function hoursWords(week: Span[][], lang: 'vi' | 'en'): string {
    const w = WORDS[lang] ?? WORDS.en;
    if (week.every((d) => sameSpans(d, [[0, MINUTES_PER_DAY]]))) return w.always;
    if (week.every((d) => d.length === 0)) return w.never;
    const open: string[] = [];
    const off: string[] = [];
    for (let from = 0; from < 7;) {
        let to = from;
        while (to + 1 < 7 && sameSpans(week[to + 1], week[from])) to++;
        const days = to === from ? w.days[from] : `${w.days[from]}–${w.days[to]}`;
        if (week[from].length === 0) off.push(days);
        else open.push(`${days} ${spansText(week[from])}`);
        from = to + 1;
    }
    if (off.length) open.push(`${off.join(', ')} ${w.closed}`);
    return open.join('; ');
}

/** formatOpeningHours writes an opening_hours value for reading. */
export function formatOpeningHours(tr: Translator, raw: string): string {
    const week = parseOpeningHours(raw);
    return week ? hoursWords(week, tr.lang === 'en' ? 'en' : 'vi') : raw;
}
