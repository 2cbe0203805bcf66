// A bar chart of new cases per day, drawn as SVG by hand: small, sharp at
// any size, and readable by screen readers through its description.

import type {Day} from './api.ts';
import {svg} from './dom.ts';
import type {Translator} from './i18n.ts';

const W = 320;
const H = 140;
const PAD = {top: 12, right: 8, bottom: 22, left: 34};

/** niceMax rounds a maximum up to 1, 2 or 5 times a power of ten. */
export function niceMax(v: number): number {
    if (v <= 5) return 5;
    const p = 10 ** Math.floor(Math.log10(v));
    for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
}

/** barChart draws days as bars, marking the chosen date; avg7, when given (one value a day), is drawn over them as the 7-day average line. */
export function barChart(tr: Translator, days: Day[], chosen: string, avg7?: number[], idPrefix = 'chart'): SVGElement {
    const max = niceMax(Math.max(0, ...days.map((d) => d.new_cases), ...(avg7 ?? [])));
    const peak = days.reduce((a, d) => (d.new_cases > a.new_cases ? d : a), days[0] ?? {date: '', new_cases: 0} as Day);
    const iw = W - PAD.left - PAD.right;
    const ih = H - PAD.top - PAD.bottom;
    const bw = days.length ? iw / days.length : iw;
    const title = svg('title', {}, tr.t('stats.chart'));
    const desc = svg('desc', {}, tr.t('stats.chart.desc', {
        from: tr.date(days[0]?.date ?? ''), to: tr.date(days[days.length - 1]?.date ?? ''),
        max: tr.number(peak.new_cases), maxd: tr.date(peak.date),
    }));
    const root = svg('svg', {viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'chart', 'aria-labelledby': `${idPrefix}-title ${idPrefix}-desc`}, title, desc);
    title.setAttribute('id', `${idPrefix}-title`);
    desc.setAttribute('id', `${idPrefix}-desc`);
    for (const f of [0, 0.5, 1]) {
        const y = PAD.top + ih * (1 - f);
        root.append(
            svg('line', {x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: 'grid'}),
            svg('text', {x: PAD.left - 4, y: y + 3, 'text-anchor': 'end', class: 'axis'}, tr.number(max * f)));
    }
    days.forEach((d, i) => {
        const bh = (d.new_cases / max) * ih;
        const rect = svg('rect', {
            x: PAD.left + i * bw + bw * 0.1, y: PAD.top + ih - bh, width: Math.max(bw * 0.8, 0.5), height: bh,
            class: d.date === chosen ? 'bar bar-chosen' : 'bar',
        }, svg('title', {}, `${tr.date(d.date)}: ${tr.number(d.new_cases)}`));
        root.append(rect);
    });
    if (avg7 && avg7.length === days.length && days.length > 1) {
        const points = avg7.map((v, i) => `${(PAD.left + (i + 0.5) * bw).toFixed(1)},${(PAD.top + ih - (v / max) * ih).toFixed(1)}`);
        root.append(svg('polyline', {points: points.join(' '), class: 'avg7', fill: 'none'},
            svg('title', {}, tr.t('report.avg7'))));
    }
    if (days.length) {
        root.append(
            svg('text', {x: PAD.left, y: H - 6, class: 'axis'}, tr.date(days[0].date)),
            svg('text', {x: W - PAD.right, y: H - 6, 'text-anchor': 'end', class: 'axis'}, tr.date(days[days.length - 1].date)));
    }
    return root;
}
