// The date control: a day written dd/mm/yyyy whatever the browser's
// locale (a native date input follows the browser: mm/dd/yyyy under
// en-US), a slider over the wave's days, and a button that plays the wave
// day by day through the tiles' and the bulletin's date parameter.

import {byId} from './dom.ts';
import {isDay} from './hash.ts';
import type {Translator} from './i18n.ts';
import {addDays} from './stats.ts';

/** STEP_MS is how long the player shows each day. */
const STEP_MS = 900;

/** parseDay reads dd/mm/yyyy (or d/m/yyyy, or YYYY-MM-DD) into YYYY-MM-DD; anything else is undefined. */
export function parseDay(s: string): string | undefined {
    const t = s.trim();
    if (isDay(t)) return t;
    const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
    if (!m) return undefined;
    const iso = `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
    return isDay(iso) ? iso : undefined;
}

/** daysBetween counts whole days from a to b (ISO days). */
export function daysBetween(a: string, b: string): number {
    return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);
}

/**
 * Timeline wires the date field (#date), the slider (#date-slider) and
 * the play button (#date-play). onDate hears each day the user or the
 * player chooses.
 */
export class Timeline {
    private readonly tr: Translator;
    private readonly field = byId<HTMLInputElement>('date');
    private readonly slider = byId<HTMLInputElement>('date-slider');
    private readonly play = byId<HTMLButtonElement>('date-play');
    private readonly error = byId('date-error');
    /** note says that a day typed after the data was shown as their last day. */
    private readonly note = byId('date-note');
    /** clamped is the day typed after the data, while the note stands. */
    private clamped?: string;
    private first = '2021-04-27';
    private last = '2021-07-05';
    private day?: string;
    private timer?: number;
    onDate: (iso: string) => void = () => {};

    constructor(tr: Translator) {
        this.tr = tr;
        this.field.addEventListener('change', () => this.typed());
        this.field.addEventListener('keydown', (e) => {
            if (e.key === 'Enter') this.typed();
        });
        this.slider.addEventListener('input', () => this.choose(addDays(this.first, Number(this.slider.value))));
        this.play.addEventListener('click', () => (this.timer === undefined ? this.start() : this.stop()));
        tr.onChange(() => this.text());
        this.text();
    }

    /** setRange sets the first and last day the slider covers. */
    setRange(first: string, last: string): void {
        this.first = first < last ? first : addDays(last, -60);
        this.last = last;
        this.slider.min = '0';
        this.slider.max = String(daysBetween(this.first, this.last));
        // The range's days, for readers of the page (and its tests).
        this.slider.dataset.first = this.first;
        this.slider.dataset.last = this.last;
        this.noteText();
        if (this.day) this.show(this.day);
    }

    /** show displays a day without telling anyone. */
    show(iso: string): void {
        this.day = iso;
        this.field.value = this.tr.date(iso);
        this.field.removeAttribute('aria-invalid');
        this.error.textContent = '';
        this.slider.value = String(Math.max(0, Math.min(daysBetween(this.first, this.last), daysBetween(this.first, iso))));
        this.slider.setAttribute('aria-valuetext', this.tr.date(iso));
    }

    private typed(): void {
        const iso = parseDay(this.field.value);
        if (!iso) {
            this.clamped = undefined;
            this.noteText();
            this.field.setAttribute('aria-invalid', 'true');
            this.error.textContent = this.tr.t('date.invalid');
            return;
        }
        // A day after the data shows their last day, and says so: the map
        // must not pass the last day's figures off as the day typed.
        const day = iso > this.last ? this.last : iso;
        if (day !== this.day) this.choose(day);
        else this.show(day);
        if (day !== iso) {
            this.clamped = iso;
            this.noteText();
        }
    }

    private choose(iso: string): void {
        this.clamped = undefined;
        this.noteText();
        this.show(iso);
        this.onDate(iso);
    }

    private noteText(): void {
        this.note.textContent = this.clamped ? this.tr.t('date.clamped', {d: this.tr.date(this.last)}) : '';
    }

    private start(): void {
        if (!this.day || this.day >= this.last) this.choose(this.first);
        this.timer = window.setInterval(() => {
            const next = addDays(this.day ?? this.first, 1);
            if (next > this.last) {
                this.stop();
                return;
            }
            this.choose(next);
            if (next === this.last) this.stop();
        }, STEP_MS);
        this.text();
    }

    private stop(): void {
        window.clearInterval(this.timer);
        this.timer = undefined;
        this.text();
    }

    private text(): void {
        const t = this.tr.t.bind(this.tr);
        const playing = this.timer !== undefined;
        this.play.textContent = playing ? '❚❚' : '▶';
        this.play.setAttribute('aria-label', playing ? t('slider.pause') : t('slider.play'));
        this.play.title = playing ? t('slider.pause') : t('slider.play');
        this.play.setAttribute('aria-pressed', String(playing));
        this.slider.setAttribute('aria-label', t('slider.label'));
        this.field.placeholder = t('date.format');
        this.noteText();
        if (this.day) this.show(this.day);
    }
}
