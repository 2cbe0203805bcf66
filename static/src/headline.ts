// The headline figures in one line: what a phone shows on its first
// screen, above the map's panels (the full statistics are a tab away).

import type {Stats} from './api.ts';
import {h} from './dom.ts';
import type {Translator} from './i18n.ts';

/** Headline renders new cases, total cases and deaths of the loaded day. */
export class Headline {
    private readonly el: HTMLElement;
    private readonly tr: Translator;
    private stats?: Stats;

    constructor(el: HTMLElement, tr: Translator) {
        this.el = el;
        this.tr = tr;
        tr.onChange(() => this.render());
        this.render();
    }

    /** show displays the figures of s. */
    show(s: Stats | undefined): void {
        this.stats = s;
        this.render();
    }

    private render(): void {
        const t = this.tr.t.bind(this.tr);
        const s = this.stats;
        const fig = (id: string, key: string, n: number | undefined) => h('div', {className: 'headline-fig', id: `headline-${id}`},
            h('span', {className: 'headline-value'}, n === undefined ? '–' : this.tr.number(n)),
            h('span', {className: 'headline-label'}, t(key)));
        this.el.setAttribute('aria-label', t('headline.label'));
        this.el.replaceChildren(
            fig('new', 'stats.new', s?.new_cases?.total),
            fig('cumulative', 'stats.cumulative', s?.cumulative?.total),
            fig('deaths', 'stats.deaths', s?.deaths),
            h('span', {className: 'headline-date'}, s ? this.tr.date(s.date) : ''));
    }
}
