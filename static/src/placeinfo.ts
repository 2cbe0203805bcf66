// What a place says of itself in a line or two: whether it is open and until
// when, how it serves (status, delivery phone), free beds, and the isolation
// area it lies in. "Near me" and the search list use it.

import type {Area, Place} from './api.ts';
import './placestext.ts';
import './places.css';
import type {Translator} from './i18n.ts';

/** Line is one line of text with a class saying what it is about. */
export interface Line {
    text: string;
    className: string;
}

/** areaLine says which isolation area a place or point lies in, and until when. */
export function areaLine(tr: Translator, a: Area): string {
    const until = a.until ? tr.t('near.until', {d: tr.date(a.until)}) : tr.t('near.no_end');
    const what = a.collection === 'lockdown_points'
        ? tr.t('near.in_lockdown', {name: a.name, d: tr.distance(a.distance_m)})
        : tr.t('near.in_zone', {name: a.name});
    return `${what}, ${until}`;
}

/** operatingLines are a place's opening, status, delivery and beds lines. */
export function operatingLines(tr: Translator, p: Place): Line[] {
    const out: Line[] = [];
    const props = p.properties ?? {};
    const status = typeof props.status === 'string' ? props.status : undefined;
    if (status === 'closed') {
        out.push({text: tr.t('value.closed'), className: 'is-closed'});
    } else if (p.hours) {
        const text = !p.hours.open_now ? tr.t('near.closed_now')
            : p.hours.always ? tr.t('near.open_always') : tr.t('near.open_until', {t: p.hours.until ?? ''});
        out.push({text, className: p.hours.open_now ? 'is-open' : 'is-closed'});
    }
    if (status && status !== 'closed' && status !== 'open') out.push({text: tr.t(`value.${status}`), className: 'is-restricted'});
    if (typeof props.delivery_phone === 'string' && status !== 'closed') {
        out.push({text: tr.t('near.call_delivery', {p: props.delivery_phone}), className: 'is-delivery'});
    }
    if (typeof props.free_beds === 'number') {
        out.push(props.free_beds > 0
            ? {text: tr.t('near.beds_free', {n: tr.number(props.free_beds)}), className: 'is-open'}
            : {text: tr.t('near.beds_none'), className: 'is-closed'});
    }
    return out;
}
