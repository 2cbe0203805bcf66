// The statistics panel: the bulletin's figures as of the chosen date, new
// cases per day as a chart, and the counts by district and by origin.

import {series, stats, type Day, type Series, type Stats} from './api.ts';
import {barChart} from './chart.ts';
import {h} from './dom.ts';
import {isDay} from './hashview.ts';
import type {Translator} from './i18n.ts';
import {SeriesCache} from './seriescache.ts';

const ORIGINS = ['community', 'returning_citizen', 'foreign_expert', 'illegal_entry'];
const CHART_DAYS = 70;
const MAX_CLUSTERS = 8;

/** addDays shifts an ISO day by n days. */
export function addDays(iso: string, n: number): string {
    const d = new Date(`${iso}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
}

/**
 * latestOf is the day of the latest bulletin: the server's default date, or
 * the day of its last update when that is earlier (the data ended before
 * today, as the 2021 demo data does). last_update is a day, not an instant.
 */
export function latestOf(s: Stats): string {
    const last = s.last_update;
    return last && isDay(last) && last < s.date ? last : s.date;
}

/** StatsPanel loads and renders the figures for one date at a time. */
export class StatsPanel {
    private readonly el: HTMLElement;
    private readonly tr: Translator;
    private stats?: Stats;
    private series?: Series;
    private failed = false;
    private tableOpen = false;
    private abort?: AbortController;
    /** onLoad hears each loaded set of figures (district names, the latest date). */
    onLoad: (s: Stats) => void = () => {};
    /** onFailure hears that the figures as of date failed, and how to try again. */
    onFailure: (date: string | undefined, retry: () => void) => void = () => {};
    /** onRecover hears that figures loaded after a failure. */
    onRecover: () => void = () => {};

    constructor(el: HTMLElement, tr: Translator) {
        this.el = el;
        this.tr = tr;
        tr.onChange(() => this.render());
        this.render();
    }

    /** history is the chart's series, fetched once over the slider's days. */
    private readonly history = new SeriesCache<Day, Series>((from, to, _key, signal) => series(from, to, signal));

    /** setSpan names the first and last day the page may show (the time slider's). */
    setSpan(first: string, last: string): void {
        this.history.setSpan(addDays(first, -CHART_DAYS), last);
    }

    /** load fetches the figures as of date (the server's latest when empty). */
    async load(date?: string): Promise<Stats | undefined> {
        this.abort?.abort();
        const abort = (this.abort = new AbortController());
        this.el.setAttribute('aria-busy', 'true');
        // The figures of another date must not stand under the new one
        // while it loads.
        this.stats = undefined;
        this.series = undefined;
        this.render();
        try {
            const s = await stats(date, abort.signal);
            const since = s.community_since_wave_start?.since;
            const from = since && since < s.date && since >= addDays(s.date, -CHART_DAYS * 2) ? since : addDays(s.date, -CHART_DAYS);
            const sr = await this.history.get(from, s.date, '', abort.signal).catch(() => undefined);
            if (abort.signal.aborted) return undefined;
            this.stats = s;
            this.series = sr;
            if (this.failed) this.onRecover();
            this.failed = false;
            this.onLoad(s);
            return s;
        } catch (err) {
            if ((err as Error).name === 'AbortError') return undefined;
            this.failed = true;
            this.onFailure(date, () => void this.load(date));
            return undefined;
        } finally {
            if (!abort.signal.aborted) {
                this.el.removeAttribute('aria-busy');
                this.render();
            }
        }
    }

    private figure(key: string, n: number | undefined, id: string, vars: Record<string, string> = {}): HTMLElement {
        return h('div', {className: 'figure', id: `stat-${id}`},
            h('span', {className: 'figure-value'}, n === undefined ? '–' : this.tr.number(n)),
            h('span', {className: 'figure-label'}, this.tr.t(key, vars)));
    }

    /** chartTable is the chart's figures as a table, for screen readers and anyone who wants the numbers. */
    private chartTable(days: Series['days'], chosen: string): HTMLElement {
        const t = this.tr.t.bind(this.tr);
        const box: HTMLDetailsElement = h('details', {className: 'chart-table', id: 'chart-table', open: this.tableOpen,
            ontoggle: () => {
                this.tableOpen = box.open;
            }},
            h('summary', {}, t('chart.table')),
            h('table', {className: 'districts'},
                h('caption', {className: 'visually-hidden'}, t('stats.chart')),
                h('thead', {}, h('tr', {},
                    h('th', {scope: 'col'}, t('chart.day')),
                    h('th', {scope: 'col', className: 'num'}, t('chart.new')))),
                h('tbody', {}, ...days.map((d) => h('tr', d.date === chosen ? {className: 'chosen', 'aria-current': 'date'} : {},
                    h('th', {scope: 'row'}, this.tr.date(d.date)),
                    h('td', {className: 'num'}, this.tr.number(d.new_cases)))))));
        return box;
    }

    private render(): void {
        const t = this.tr.t.bind(this.tr);
        const s = this.stats;
        const head = h('h2', {id: 'stats-title'}, t('stats.title'));
        if (!s) {
            this.el.replaceChildren(head, h('p', {role: 'status'}, this.failed ? t('stats.failed') : t('stats.loading')));
            return;
        }
        const since = s.community_since_wave_start;
        const maxOrigin = Math.max(1, ...ORIGINS.map((o) => s.cumulative?.by_origin?.[o] ?? 0));
        const clusters = [...(s.by_cluster ?? [])].sort((a, b) => b.total - a.total).slice(0, MAX_CLUSTERS);
        const districts = [...(s.by_district ?? [])].sort((a, b) => b.total - a.total || a.district_name.localeCompare(b.district_name));
        this.el.replaceChildren(...[
            head,
            h('p', {className: 'stats-asof', id: 'stats-asof', role: 'status'}, t('stats.asof', {d: this.tr.date(s.date)})),
            s.offline ? h('p', {className: 'offline-note', id: 'stats-offline'}, t('offline.bulletin', {d: this.tr.date(s.date)})) : null,
            this.failed ? h('p', {className: 'error', role: 'alert'}, t('stats.failed')) : null,
            h('div', {className: 'figures'},
                this.figure('stats.new', s.new_cases?.total, 'new'),
                this.figure('stats.cumulative', s.cumulative?.total, 'cumulative'),
                since ? this.figure('stats.community', since.total, 'community', {d: this.tr.date(since.since)}) : null,
                this.figure('stats.deaths', s.deaths, 'deaths'),
                this.figure('stats.treatment', s.under_treatment, 'treatment'),
                this.figure('stats.recovered', s.recovered, 'recovered'),
                this.figure('stats.f1', s.contacts?.f1, 'f1'),
                this.figure('stats.f2', s.contacts?.f2, 'f2')),
            this.series?.days?.length
                ? h('figure', {className: 'stats-chart'},
                    h('figcaption', {}, t('stats.chart')), barChart(this.tr, this.series.days, s.date))
                : null,
            this.series?.days?.length ? this.chartTable(this.series.days, s.date) : null,
            h('h3', {}, t('stats.origin')),
            h('ul', {className: 'origins'}, ...ORIGINS.map((o) => {
                const n = s.cumulative?.by_origin?.[o] ?? 0;
                const bar = h('span', {className: 'origin-bar', 'aria-hidden': 'true'});
                bar.style.width = `${(100 * n) / maxOrigin}%`;
                return h('li', {},
                    h('span', {className: 'origin-label'}, t(`value.${o}`)),
                    h('span', {className: 'origin-track'}, bar),
                    h('span', {className: 'origin-value'}, this.tr.number(n)));
            })),
            h('h3', {}, t('stats.district')),
            h('table', {className: 'districts'},
                h('thead', {}, h('tr', {},
                    h('th', {scope: 'col'}, t('stats.district.name')),
                    h('th', {scope: 'col', className: 'num'}, t('stats.district.total')),
                    h('th', {scope: 'col', className: 'num'}, t('stats.district.new')))),
                h('tbody', {}, ...districts.map((d) => h('tr', {},
                    h('th', {scope: 'row'}, d.district_name),
                    h('td', {className: 'num'}, this.tr.number(d.total)),
                    h('td', {className: 'num'}, d.new ? `+${this.tr.number(d.new)}` : '0'))))),
            clusters.length ? h('h3', {}, t('stats.cluster')) : null,
            clusters.length ? h('table', {className: 'districts clusters'},
                h('thead', {}, h('tr', {},
                    h('th', {scope: 'col'}, t('stats.cluster.name')),
                    h('th', {scope: 'col', className: 'num'}, t('stats.district.total')),
                    h('th', {scope: 'col', className: 'num'}, t('stats.district.new')))),
                h('tbody', {}, ...clusters.map((c) => h('tr', {},
                    h('th', {scope: 'row'}, c.cluster),
                    h('td', {className: 'num'}, this.tr.number(c.total)),
                    h('td', {className: 'num'}, c.new ? `+${this.tr.number(c.new)}` : '0'))))) : null,
            s.last_update ? h('p', {className: 'stats-updated', id: 'stats-updated'}, t('stats.updated', {d: this.tr.date(s.last_update)})) : null,
        ].filter((x): x is HTMLElement => x !== null));
    }
}
