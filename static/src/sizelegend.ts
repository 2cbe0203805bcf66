// The size legend of counted cells: circles drawn at the radii the style
// gives some counts (read from the style's circle-radius interpolation, so
// the legend cannot drift from the map), cases as discs and contacts as
// rings.

import {h, svg} from './dom.ts';
import type {Translator} from './i18n.ts';
import type {BandoMap} from './map.ts';

/** SHOWN_COUNTS are the counts the legend draws. */
const SHOWN_COUNTS = [1, 10, 100];

/** radiusAt evaluates a linear interpolate-on-count expression at n. */
export function radiusAt(expr: unknown, n: number): number | undefined {
    if (typeof expr === 'number') return expr;
    if (!Array.isArray(expr) || expr[0] !== 'interpolate') return undefined;
    const stops = expr.slice(3) as number[];
    if (stops.length < 2) return undefined;
    if (n <= stops[0]) return stops[1];
    for (let i = 2; i < stops.length; i += 2) {
        if (n <= stops[i]) {
            const [x0, y0, x1, y1] = [stops[i - 2], stops[i - 1], stops[i], stops[i + 1]];
            return y0 + ((n - x0) / (x1 - x0)) * (y1 - y0);
        }
    }
    return stops[stops.length - 1];
}

function paintOf(bm: BandoMap, id: string): Record<string, unknown> | undefined {
    const l = bm.map.getStyle()?.layers?.find((x) => x.id === id);
    return (l as {paint?: Record<string, unknown>} | undefined)?.paint;
}

/** sizeLegend draws the legend of the people layers the style has. */
export function sizeLegend(bm: BandoMap, tr: Translator): HTMLElement {
    const rows: HTMLElement[] = [];
    for (const id of ['cases', 'contacts']) {
        const paint = paintOf(bm, id);
        if (!paint) continue;
        const radii = SHOWN_COUNTS.map((n) => radiusAt(paint['circle-radius'], n) ?? 4);
        const ring = id === 'contacts';
        const colour = String((ring ? paint['circle-stroke-color'] : paint['circle-color']) ?? '#888');
        const r = Math.max(...radii);
        const w = radii.reduce((a, x) => a + 2 * x + 10, 0) + 4;
        const pic = svg('svg', {width: w, height: 2 * r + 16, viewBox: `0 0 ${w} ${2 * r + 16}`, 'aria-hidden': 'true', class: 'size-legend-pic'});
        let x = 2;
        radii.forEach((rad, i) => {
            pic.append(svg('circle', {
                cx: x + rad, cy: r + 2, r: rad, fill: ring ? 'none' : colour, stroke: ring ? colour : '#ffffff',
                'stroke-width': ring ? 2.5 : 1.5, 'fill-opacity': ring ? 0 : 0.85,
            }));
            pic.append(svg('text', {x: x + rad, y: 2 * r + 14, 'text-anchor': 'middle', class: 'size-legend-n'}, tr.number(SHOWN_COUNTS[i])));
            x += 2 * rad + 10;
        });
        rows.push(h('figure', {className: `size-legend size-legend-${id}`},
            h('figcaption', {}, tr.t(`legend.size.${id}`)), pic as unknown as HTMLElement,
            h('span', {className: 'visually-hidden'}, SHOWN_COUNTS.map((n) => tr.number(n)).join(', '))));
    }
    return h('div', {className: 'size-legends', id: 'size-legend'}, ...rows);
}
