// The daily report as Bình Dương published it by late 2021, under the
// bulletin's statistics: new cases by the four places of detection,
// patients by place of treatment, discharges and deaths, mobile medical
// stations and vaccination, each with its change from the day before, and
// a per-district trend chart with its 7-day average.

import type {Day} from './api.ts';
import './report.css';
import {barChart} from './chart.ts';
import {h} from './dom.ts';
import type {Translator} from './i18n.ts';
import {daily, reportSeries, wardRisk, type AreaDay, type Daily, type ReportDay, type ReportSeries, type WardRisk} from './reportapi.ts';
import {SeriesCache} from './seriescache.ts';
import {addDays} from './stats.ts';

const TREND_DAYS = 60;

/** Rows of the report's tables: a figure's key in the answer and its text's key. */
const PLACES = ['cases_health_facility', 'cases_quarantine_area', 'cases_lockdown_area', 'cases_community'];
const TREATMENT = ['treating_tier1', 'treating_tier2', 'treating_tier3', 'treating_home'];
const OUTCOMES = ['discharged', 'deaths', 'mobile_stations'];
const VACCINATION = ['doses_allocated', 'dose1', 'dose2', 'dose3', 'doses_12_17'];

/** ReportPanel loads and renders the daily report of one date at a time. */
export class ReportPanel {
    private readonly el: HTMLElement;
    private readonly tr: Translator;
    private report?: Daily;
    private trend?: ReportSeries;
    private wards?: WardRisk[];
    private district = '';
    private failed = false;
    private abort?: AbortController;

    constructor(el: HTMLElement, tr: Translator) {
        this.el = el;
        this.tr = tr;
        tr.onChange(() => this.render());
        this.render();
    }

    /** history is the trend of each area, fetched once over the slider's days. */
    private readonly history = new SeriesCache<ReportDay, ReportSeries>((from, to, district, signal) =>
        reportSeries(from, to, district || undefined, signal));

    /** setSpan names the first and last day the page may show (the time slider's). */
    setSpan(first: string, last: string): void {
        this.history.setSpan(addDays(first, 1 - TREND_DAYS), last);
    }

    /** load fetches the report of date (the latest when empty) and its trend. */
    async load(date?: string): Promise<void> {
        this.abort?.abort();
        const abort = (this.abort = new AbortController());
        this.el.setAttribute('aria-busy', 'true');
        // Old figures never stay under a newly chosen date.
        this.report = undefined;
        this.render();
        try {
            const d = await daily(date, abort.signal);
            const tr = await this.history.get(addDays(d.date, 1 - TREND_DAYS), d.date, this.district, abort.signal).catch(() => undefined);
            const wards = await wardRisk(d.date, abort.signal).catch(() => undefined);
            if (abort.signal.aborted) return;
            this.report = d;
            this.trend = tr;
            this.wards = wards;
            this.failed = false;
        } catch (err) {
            if ((err as Error).name === 'AbortError') return;
            this.failed = true;
        } finally {
            if (!abort.signal.aborted) {
                this.el.removeAttribute('aria-busy');
                this.render();
            }
        }
    }

    private value(n: number | null | undefined): string {
        return n === null || n === undefined ? '–' : this.tr.number(n);
    }

    private change(a: AreaDay, key: string): string {
        const c = a.change?.[key];
        if (c === undefined) return '';
        return c > 0 ? `+${this.tr.number(c)}` : c < 0 ? `−${this.tr.number(-c)}` : '0';
    }

    /** table renders rows of figures of the province with their change. */
    private table(id: string, caption: string, keys: string[], a: AreaDay): HTMLTableElement {
        const t = this.tr.t.bind(this.tr);
        return h('table', {className: 'districts report-table', id},
            h('caption', {}, caption),
            h('thead', {}, h('tr', {},
                h('th', {scope: 'col'}, t('report.figure')),
                h('th', {scope: 'col', className: 'num'}, t('report.value')),
                h('th', {scope: 'col', className: 'num'}, t('report.change')))),
            h('tbody', {}, ...keys.map((k) => h('tr', {'data-figure': k},
                h('th', {scope: 'row'}, t(`report.${k}`)),
                h('td', {className: 'num'}, this.value(a.figures[k])),
                h('td', {className: 'num'}, this.change(a, k))))));
    }

    /** levels counts the wards at each risk level (no ward's own figures). */
    private levels(wards: WardRisk[]): HTMLTableElement {
        const t = this.tr.t.bind(this.tr);
        return h('table', {className: 'districts report-table', id: 'report-risk'},
            h('caption', {}, t('report.risk')),
            h('thead', {}, h('tr', {},
                h('th', {scope: 'col'}, t('report.risk.level')),
                h('th', {scope: 'col', className: 'num'}, t('report.risk.wards')))),
            h('tbody', {}, ...[4, 3, 2, 1, 0].map((level) => h('tr', {'data-level': String(level)},
                h('th', {scope: 'row'}, t(`risk.level.${level}`)),
                h('td', {className: 'num'}, this.tr.number(wards.filter((w) => w.level === level).length))))));
    }

    private render(): void {
        const t = this.tr.t.bind(this.tr);
        const head = h('h3', {id: 'report-title'}, t('report.title'));
        const r = this.report;
        if (!r) {
            this.el.replaceChildren(head, h('p', {role: 'status'}, this.failed ? t('report.failed') : t('stats.loading')));
            return;
        }
        const p = r.province;
        const select = h('select', {id: 'report-district', onchange: () => {
            this.district = select.value;
            void this.load(r.date);
        }}, h('option', {value: ''}, t('report.province')),
        ...r.districts.map((d) => h('option', {value: d.code ?? '', selected: d.code === this.district}, d.name || d.code || '')));
        const days: Day[] = (this.trend?.days ?? []).map((d) => ({date: d.date, new_cases: d.new_cases, cumulative: 0, deaths: 0, under_treatment: 0}));
        this.el.replaceChildren(...[
            head,
            h('p', {className: 'stats-asof', id: 'report-asof'}, t('report.asof', {d: this.tr.date(r.date)}),
                ' ', p.cases_from === 'registry' ? t('report.from.registry') : t('report.from.report')),
            h('div', {className: 'figures'},
                h('div', {className: 'figure', id: 'report-new'},
                    h('span', {className: 'figure-value'}, this.tr.number(p.new_cases)),
                    h('span', {className: 'figure-label'}, `${t('report.new')} (${this.change(p, 'new_cases') || '0'})`)),
                h('div', {className: 'figure', id: 'report-treating'},
                    h('span', {className: 'figure-value'}, this.value(p.treating)),
                    h('span', {className: 'figure-label'}, t(p.treating_from === 'registry' ? 'report.treating.registry' : 'report.treating')))),
            this.table('report-places', t('report.places'), PLACES, p),
            this.table('report-treatment', t('report.treatment'), TREATMENT, p),
            this.table('report-outcomes', t('report.outcomes'), OUTCOMES, p),
            this.table('report-vaccination', t('report.vaccination'), VACCINATION, p),
            h('label', {for: 'report-district', className: 'report-trend-label'}, t('report.trend')), select,
            days.length ? h('figure', {className: 'stats-chart', id: 'report-trend'},
                h('figcaption', {}, `${t('report.trend.caption', {area: this.trend?.name || t('report.province')})} — ${t('report.avg7')}`),
                barChart(this.tr, days, r.date, this.trend?.days.map((d) => d.avg7), 'report-chart')) : null,
            this.wards?.length ? this.levels(this.wards) : null,
            h('h4', {}, t('report.by_district')),
            h('table', {className: 'districts', id: 'report-districts'},
                h('thead', {}, h('tr', {},
                    h('th', {scope: 'col'}, t('stats.district.name')),
                    h('th', {scope: 'col', className: 'num'}, t('report.new')),
                    h('th', {scope: 'col', className: 'num'}, t('report.change')))),
                h('tbody', {}, ...r.districts.map((d) => h('tr', {},
                    h('th', {scope: 'row'}, d.name || d.code || ''),
                    h('td', {className: 'num'}, this.tr.number(d.new_cases)),
                    h('td', {className: 'num'}, this.change(d, 'new_cases')))))),
        ].filter((x): x is HTMLElement => x !== null));
    }
}
