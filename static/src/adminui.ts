// Pieces every part of the editor shares: what a part is given (the map,
// the session, the translator, the message line), form fields with labels
// and error slots, and the words for a failed call.

import {h} from './dom.ts';
import type {BandoMap} from './map.ts';
import type {Translator} from './i18n.ts';
import {fieldReason, Problem, type FieldError, type Session} from './adminapi.ts';

/** Ctx is what each part of the editor works with. */
export interface Ctx {
    tr: Translator;
    s: Session;
    bm: BandoMap;
    /** say puts a message in the status line (polite); error ones are alerts */
    say(msg: string, kind?: 'ok' | 'error'): void;
}

let seq = 0;

/** uid makes an element id unique on the page. */
export function uid(prefix: string): string {
    seq++;
    return `${prefix}-${seq}`;
}

/** FormField is a labelled control with a slot for its error. */
export interface FormField {
    name: string;
    wrap: HTMLElement;
    control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    error: HTMLElement;
}

/** field builds a labelled input, select (with values) or textarea. */
export function field(name: string, label: string, opts: {type?: string; values?: Array<[string, string]>; value?: string; required?: boolean; textarea?: boolean; disabled?: boolean; autocomplete?: string} = {}): FormField {
    const id = uid(`f-${name}`);
    const errId = `${id}-err`;
    let control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    if (opts.values) {
        control = h('select', {id, name, 'aria-describedby': errId},
            ...opts.values.map(([v, text]) => h('option', {value: v}, text)));
    } else if (opts.textarea) {
        control = h('textarea', {id, name, rows: 2, 'aria-describedby': errId});
    } else {
        control = h('input', {id, name, type: opts.type ?? 'text', 'aria-describedby': errId, autocomplete: opts.autocomplete ?? 'off'});
    }
    if (opts.value !== undefined) control.value = opts.value;
    if (opts.required) control.required = true;
    if (opts.disabled) control.disabled = true;
    const error = h('p', {id: errId, className: 'ed-field-error', 'data-field': name});
    const wrap = h('div', {className: 'ed-field', 'data-field': name}, h('label', {for: id}, label), control, error);
    return {name, wrap, control, error};
}

/** showFieldErrors puts each error under its field; the rest go to a list. */
export function showFieldErrors(fields: FormField[], errors: Array<{field?: string; text: string}>, rest: HTMLElement): void {
    for (const f of fields) {
        f.error.textContent = '';
        f.control.removeAttribute('aria-invalid');
    }
    const other: string[] = [];
    for (const e of errors) {
        const f = fields.find((x) => x.name === e.field || (e.field && e.field.replace(/^properties\./, '') === x.name));
        if (f) {
            f.error.textContent = f.error.textContent ? `${f.error.textContent} ${e.text}` : e.text;
            f.control.setAttribute('aria-invalid', 'true');
        } else {
            other.push(e.text);
        }
    }
    rest.replaceChildren(...other.map((t) => h('li', {}, t)));
    rest.hidden = other.length === 0;
}

/** problemText says what a failed call means, in the reader's language. */
export function problemText(tr: Translator, e: unknown): string {
    if (!(e instanceof Problem)) return tr.t('ed.err.unknown', {msg: String((e as Error)?.message ?? e)});
    const reason = e.reason(tr.lang);
    switch (e.status) {
    case 0: return tr.t('ed.err.network');
    case 401: return tr.t('ed.err.401');
    case 403: return tr.t('ed.err.403', {reason});
    case 409: return tr.t('ed.err.409', {reason});
    case 412: return tr.t('ed.err.412');
    case 428: return tr.t('ed.err.428');
    case 429: return tr.t('ed.err.429', {s: e.retryAfter ?? '?'});
    case 422: return tr.t('ed.err.422', {reason});
    default: return tr.t('ed.err.status', {status: e.status, reason});
    }
}

/** fieldErrors turns a 422's errors into texts in the reader's language. */
export function fieldErrors(tr: Translator, errors: FieldError[]): Array<{field?: string; text: string; at?: [number, number]}> {
    return errors.map((e) => ({field: e.field, text: fieldReason(e, tr.lang) || tr.t('ed.err.invalid'), at: e.at}));
}

/** button makes a button with its words and a handler. */
export function button(text: string, onclick: () => void, attrs: Record<string, string | boolean | undefined> = {}): HTMLButtonElement {
    const b = h('button', {type: 'button', ...attrs}, text);
    b.addEventListener('click', onclick);
    return b;
}

/** valuesOf reads a form's fields into properties; empty text is left out. */
export function valuesOf(fields: FormField[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of fields) out[f.name] = f.control.value.trim();
    return out;
}
