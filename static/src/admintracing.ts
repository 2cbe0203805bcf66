// The health workers' screen at /admin/tracing (tracers and admins): enter
// the F0s (case codes, phone or ID numbers, one a line, or picked from the
// day's new cases), their onset and isolation, the depth and the reason;
// run the exposure engine (POST /api/tracing/runs); read the summary, the
// clusters and the contacts with every reason in plain words, filtered by
// tier; see the exposure venues and the suggested zone on the map; export
// the contacts as CSV, send the zone as a draft for an editor, publish the
// F1/F2 to the contacts layer; reopen a recent run.

import './admintracing.css';
import type {GeoJSONSource, MapLayerMouseEvent} from 'maplibre-gl';
import {Popup} from 'maplibre-gl';
import {h} from './dom.ts';
import {addTexts} from './i18n.ts';
import {Problem, type User} from './adminapi.ts';
import {button, field, problemText, uid, type Ctx, type FormField} from './adminui.ts';
import {TRACING_TEXTS} from './admintracingtext.ts';
import {
    bounds, casesOf, exposureVenues, fieldOf, filterContacts, labelsOf, parseF0s, reasonText, runsOf, serverReason, tierCounts, tierName,
    venueFeatures, vnDay, vnLocal, vnTime, vnToday, zeroTime, zoneFeatures, zoneWards,
    type CaseItem, type Contact, type Run, type RunListItem, type RunRequest, type ServerError,
} from './admintracingmodel.ts';

addTexts(TRACING_TEXTS);

const ZONE = 'tr-zone';
const VENUES = 'tr-venues';
const LAYERS = ['tr-zone-fill', 'tr-zone-line', 'tr-venues'];

/** PAGE is how many contacts the table shows at a time (a province's batch has tens of thousands; the CSV has them all). */
const PAGE = 200;

/** ZONE_COLOUR and VENUE_COLOURS draw the exposure map (legend too). */
const ZONE_COLOUR = '#c2410c';
const VENUE_COLOURS: Record<string, string> = {F1: '#b3261e', epi: '#e8a33d'};

/** mayTrace tells whether a role runs the tracing (tracers and admins). */
export function mayTrace(u: User | undefined): boolean {
    return u?.role === 'tracer' || u?.role === 'admin';
}

/** Tracing is the tracing part of the editor. */
export class Tracing {
    private readonly ctx: Ctx;
    readonly el: HTMLElement;
    private run?: Run;
    private runs: RunListItem[] = [];
    private runsLoaded = false;
    private cases: CaseItem[] = [];
    private casesDay = '';
    private chosen = new Set<string>();
    private tier = '';
    private limit = PAGE;
    private busy = false;
    private values: Record<string, string> = {depth: '2'};
    private fields: FormField[] = [];
    private formErrors = h('ul', {className: 'ed-errors', role: 'alert', hidden: true});
    private formMsg = h('p', {className: 'ed-form-msg', role: 'status'});
    private actionMsg = '';
    /** shownMsg says how many contacts the filter shows; it stays on the page so that the change is announced */
    private shownMsg = h('p', {className: 'ed-meta', role: 'status', 'data-msg': 'shown'});
    private popup?: Popup;
    /** wardNames are the names of wards by code, read once each */
    private wardNames = new Map<string, string>();

    constructor(ctx: Ctx) {
        this.ctx = ctx;
        this.el = h('section', {className: 'ed-part tr-part', 'data-part': 'tracing', hidden: true, 'data-state': 'idle'});
    }

    private get t() {
        return this.ctx.tr.t.bind(this.ctx.tr);
    }

    /** start adds the exposure map's layers to the loaded map. */
    start(): void {
        const map = this.ctx.bm.map;
        const empty: GeoJSON.FeatureCollection = {type: 'FeatureCollection', features: []};
        map.addSource(ZONE, {type: 'geojson', data: empty});
        map.addSource(VENUES, {type: 'geojson', data: empty});
        map.addLayer({id: 'tr-zone-fill', type: 'fill', source: ZONE, layout: {visibility: 'none'}, paint: {'fill-color': ZONE_COLOUR, 'fill-opacity': 0.22}});
        map.addLayer({id: 'tr-zone-line', type: 'line', source: ZONE, layout: {visibility: 'none'}, paint: {'line-color': ZONE_COLOUR, 'line-width': 2, 'line-dasharray': [3, 2]}});
        map.addLayer({id: 'tr-venues', type: 'circle', source: VENUES, layout: {visibility: 'none'}, paint: {
            'circle-radius': ['interpolate', ['linear'], ['get', 'count'], 1, 7, 20, 14],
            'circle-color': ['match', ['get', 'tier'], 'F1', VENUE_COLOURS.F1, VENUE_COLOURS.epi],
            'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2,
        }});
        map.on('click', 'tr-venues', (e: MapLayerMouseEvent) => {
            if (this.el.hidden) return;
            const f = e.features?.[0];
            if (!f) return;
            const p = f.properties as {name?: string; count?: number};
            this.popup?.remove();
            this.popup = new Popup({closeButton: true}).setLngLat(e.lngLat)
                .setDOMContent(h('p', {}, this.t('tr.venues.item', {name: String(p.name ?? ''), n: Number(p.count ?? 0)})))
                .addTo(map);
        });
    }

    /** shown switches the part's layers and the wide panel with the tab. */
    shown(on: boolean): void {
        const map = this.ctx.bm.map;
        for (const id of LAYERS) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
        document.body.classList.toggle('tr-wide', on);
        map.resize();
        if (!on) this.popup?.remove();
        if (on && !this.runsLoaded) void this.loadRuns();
        if (on && this.run) this.fit();
    }

    render(): void {
        const t = this.t;
        this.keep();
        const parts: Array<Node | null> = [
            h('h2', {}, t('tr.title')),
            h('p', {className: 'ed-meta'}, t('tr.intro')),
            this.form(),
        ];
        if (this.run) parts.push(this.result(this.run));
        parts.push(this.runList());
        this.el.replaceChildren(...parts.filter((x): x is Node => x !== null));
    }

    /** keep remembers what was typed before the form is rebuilt (a language switch). */
    private keep(): void {
        for (const f of this.fields) this.values[f.name] = f.control.value;
    }

    private form(): HTMLElement {
        const t = this.t;
        this.fields = [
            field('f0', t('tr.f0'), {textarea: true, required: true}),
            field('onset', t('tr.onset'), {type: 'datetime-local'}),
            field('isolation', t('tr.isolation'), {type: 'datetime-local'}),
            field('depth', t('tr.depth'), {values: [['1', t('tr.depth.1')], ['2', t('tr.depth.2')], ['3', t('tr.depth.3')], ['4', t('tr.depth.4')]]}),
            field('reason', t('tr.reason'), {textarea: true, required: true}),
        ];
        const [f0, onset, , , reason] = this.fields;
        for (const f of this.fields) if (this.values[f.name] !== undefined) f.control.value = this.values[f.name];
        f0.control.setAttribute('rows', '4');
        f0.control.setAttribute('spellcheck', 'false');
        f0.control.setAttribute('autocapitalize', 'none');
        reason.control.setAttribute('minlength', '5');
        const hintId = uid('tr-f0-hint');
        f0.control.setAttribute('aria-describedby', `${hintId} ${f0.error.id}`);
        f0.wrap.insertBefore(h('p', {id: hintId, className: 'ed-meta'}, t('tr.f0.hint')), f0.error);
        const onsetHint = uid('tr-onset-hint');
        onset.control.setAttribute('aria-describedby', `${onsetHint} ${onset.error.id}`);
        onset.wrap.insertBefore(h('p', {id: onsetHint, className: 'ed-meta'}, t('tr.onset.hint')), onset.error);
        const submit = h('button', {type: 'submit', className: 'ed-primary', 'data-action': 'run', disabled: this.busy}, t(this.busy ? 'tr.running' : 'tr.run'));
        const times = h('div', {className: 'tr-row'}, this.fields[1].wrap, this.fields[2].wrap);
        const form = h('form', {className: 'ed-form tr-form', novalidate: true, 'aria-label': t('tr.title')},
            f0.wrap, this.picker(), times, this.fields[3].wrap, reason.wrap, this.formErrors, submit, this.formMsg);
        form.addEventListener('submit', (e) => {
            e.preventDefault();
            void this.submit();
        });
        return form;
    }

    /** picker lists a day's new cases to add as F0s. */
    private picker(): HTMLElement {
        const t = this.t;
        const dateId = uid('tr-pick-date');
        const date = h('input', {id: dateId, type: 'date', value: this.casesDay || vnToday(), 'data-field': 'pick-date'});
        const load = button(t('tr.pick.load'), () => void this.loadCases(date.value), {'data-action': 'load-cases'});
        const body: Array<Node | null> = [
            h('div', {className: 'tr-row tr-pick-row'}, h('div', {className: 'ed-field'}, h('label', {for: dateId}, t('tr.pick.date')), date), load),
        ];
        if (this.casesDay) {
            body.push(h('p', {className: 'ed-meta', role: 'status'}, t(this.cases.length ? 'tr.pick.count' : 'tr.pick.none', {n: this.cases.length, d: vnDay(this.ctx.tr, this.casesDay)})));
            if (this.cases.length) {
                body.push(h('ul', {className: 'ed-list tr-cases'}, ...this.cases.map((c) => {
                    const id = uid('tr-case');
                    const box = h('input', {type: 'checkbox', id, checked: this.chosen.has(c.code), 'data-case': c.code});
                    box.addEventListener('change', () => (box.checked ? this.chosen.add(c.code) : this.chosen.delete(c.code)));
                    const where = [c.ward, c.district].filter(Boolean).join(', ');
                    return h('li', {className: 'ed-field ed-inline'}, box, h('label', {for: id}, t('tr.pick.case', {code: c.code, ward: where || t('tr.unknown')})));
                })), button(t('tr.pick.add'), () => this.addChosen(), {'data-action': 'add-cases'}));
            }
        }
        const open = this.casesDay !== '';
        return h('details', {className: 'tr-pick', open}, h('summary', {}, t('tr.pick')), ...body);
    }

    private async loadCases(day: string): Promise<void> {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return;
        try {
            const r = await this.ctx.s.call<unknown>('/api/tracing/cases', {query: {date: day}});
            this.cases = casesOf(r.data);
            this.casesDay = day;
            this.chosen.clear();
        } catch (e) {
            this.ctx.say(problemText(this.ctx.tr, e), 'error');
            return;
        }
        this.render();
        (this.el.querySelector('[data-case]') as HTMLElement | null ?? this.el.querySelector('[data-action="load-cases"]') as HTMLElement | null)?.focus();
    }

    private addChosen(): void {
        const f0 = this.fields[0].control;
        const have = new Set(f0.value.split(/\r?\n/).map((x) => x.trim()).filter(Boolean));
        const add = this.cases.map((c) => c.code).filter((c) => this.chosen.has(c) && !have.has(c));
        f0.value = [...have, ...add].join('\n');
        this.values.f0 = f0.value;
        this.ctx.say(this.t('tr.pick.added', {n: add.length}));
        f0.focus();
    }

    /** errorsAt shows errors at their fields, the rest in the list under the form. */
    private errorsAt(errs: Array<{field?: string; text: string}>): void {
        for (const f of this.fields) {
            f.error.textContent = '';
            f.control.removeAttribute('aria-invalid');
        }
        const rest: string[] = [];
        for (const e of errs) {
            const f = this.fields.find((x) => x.name === e.field);
            if (f) {
                f.error.textContent = f.error.textContent ? `${f.error.textContent} ${e.text}` : e.text;
                f.control.setAttribute('aria-invalid', 'true');
            } else {
                rest.push(e.text);
            }
        }
        this.formErrors.replaceChildren(...rest.map((x) => h('li', {}, x)));
        this.formErrors.hidden = rest.length === 0;
    }

    private async submit(): Promise<void> {
        const t = this.t;
        if (this.busy) return;
        this.keep();
        this.formMsg.textContent = '';
        const errs: Array<{field?: string; text: string}> = [];
        const {f0, lines, problems} = parseF0s(this.values.f0 ?? '');
        for (const p of problems) errs.push({field: 'f0', text: t(p.kind === 'bad' ? 'tr.bad.line' : 'tr.dup.line', {n: p.line, v: p.value})});
        if (!f0.length && !problems.length) errs.push({field: 'f0', text: t('tr.need.f0')});
        const onset = vnLocal(this.values.onset ?? '');
        const isolation = vnLocal(this.values.isolation ?? '');
        if (onset === undefined) errs.push({field: 'onset', text: t('tr.bad.time')});
        if (isolation === undefined) errs.push({field: 'isolation', text: t('tr.bad.time')});
        if (onset && isolation && Date.parse(isolation) <= Date.parse(onset)) errs.push({field: 'isolation', text: t('tr.bad.window')});
        // A case code brings its report day; a number needs both times.
        if (f0.some((x) => !x.case)) {
            if (onset === '') errs.push({field: 'onset', text: t('tr.need.onset')});
            if (isolation === '') errs.push({field: 'isolation', text: t('tr.need.isolation')});
        }
        const reason = (this.values.reason ?? '').trim();
        if ([...reason].length < 5) errs.push({field: 'reason', text: t('tr.need.reason')});
        this.errorsAt(errs);
        if (errs.length) {
            this.fields.find((f) => f.name === errs[0].field)?.control.focus();
            return;
        }
        const body: RunRequest = {
            f0: f0.map((x) => ({...x, ...(onset ? {onset} : {}), ...(isolation ? {isolation} : {})})),
            depth: Number(this.values.depth || 2),
            reason,
        };
        this.busy = true;
        this.el.dataset.state = 'running';
        const btn = this.el.querySelector<HTMLButtonElement>('[data-action="run"]');
        if (btn) {
            btn.disabled = true;
            btn.textContent = t('tr.running');
        }
        try {
            const r = await this.ctx.s.call<Run>('/api/tracing/runs', {method: 'POST', body});
            this.run = {...r.data, reason};
            this.tier = '';
            this.limit = PAGE;
            this.actionMsg = '';
            this.busy = false;
            this.el.dataset.state = 'done';
            this.render();
            this.paint();
            const s = this.run.summary ?? {};
            this.ctx.say(t('tr.done', {f1: s.f1 ?? 0, f2: s.f2 ?? 0, epi: s.epi ?? 0}));
            this.focusResult();
            void this.loadRuns();
        } catch (e) {
            this.busy = false;
            this.el.dataset.state = 'error';
            this.render();
            const placed = this.problemErrors(e, lines);
            this.errorsAt(placed);
            this.formMsg.textContent = e instanceof Problem && e.status === 503
                ? t('tr.err.loading', {s: e.retryAfter ?? 30})
                : e instanceof Problem && e.status === 400 && placed.length ? t('tr.err.fields') : problemText(this.ctx.tr, e);
            this.fields.find((f) => f.name === placed.find((x) => x.field)?.field)?.control.focus();
            this.ctx.say(this.formMsg.textContent, 'error');
        }
    }

    /**
     * problemErrors places a 400's field reasons ({pointer: "#/f0/2/case",
     * detail}): an F0's at the F0 list with the line it was typed on (its
     * onset and isolation at theirs), the rest at their field or under the
     * form; in the reader's language.
     */
    private problemErrors(e: unknown, lines: number[]): Array<{field?: string; text: string}> {
        if (!(e instanceof Problem)) return [];
        const tr = this.ctx.tr;
        const lineOf = (i: number) => lines[i] ?? i + 1;
        return (e.errors as ServerError[]).map((x) => {
            const text = serverReason(tr, x, lineOf) || e.reason(tr.lang);
            const at = fieldOf(x);
            if (at.f0 >= 0) {
                const field = at.name === 'onset' || at.name === 'isolation' ? at.name : 'f0';
                return {field, text: this.t('tr.err.line', {n: lineOf(at.f0), reason: text})};
            }
            return {field: ['f0', 'onset', 'isolation', 'depth', 'reason'].includes(at.name) ? at.name : undefined, text};
        });
    }

    private result(run: Run): HTMLElement {
        const t = this.t;
        const tr = this.ctx.tr;
        const s = run.summary ?? {};
        const contacts = run.contacts ?? [];
        const sum = h('dl', {className: 'tr-summary', 'aria-label': t('tr.summary')},
            ...([['f1', s.f1], ['f2', s.f2], ['epi', s.epi], ['clusters', s.clusters ?? run.clusters?.length]] as Array<[string, number | undefined]>)
                .flatMap(([k, n]) => [h('div', {className: `tr-sum tr-sum-${k}`, 'data-summary': k}, h('dt', {}, t(`tr.sum.${k}`)), h('dd', {}, tr.number(n ?? 0)))]));
        const windows = (run.f0 ?? []).map((f) => h('li', {'data-known': String(f.known !== false)},
            f.window ? t('tr.window', {label: f.label, from: vnTime(tr, f.window.from), to: vnTime(tr, f.window.to)}) : f.label,
            f.known === false ? h('strong', {className: 'tr-unknown'}, ' ' + t('tr.f0.unknown')) : null));
        const parts: Array<Node | null> = [
            h('h3', {id: 'tr-result-title', tabindex: '-1', title: run.id}, t('tr.result', {id: shortID(run.id)})),
            run.created ? h('p', {className: 'ed-meta'}, t('tr.created', {t: vnTime(tr, run.created)})) : null,
            windows.length ? h('ul', {className: 'ed-list tr-windows'}, ...windows) : null,
            sum,
            this.clusters(run),
            this.actions(run),
            this.venueList(contacts),
            h('h3', {id: 'tr-contacts-title'}, t('tr.contacts')),
            this.filter(contacts),
            this.shownMsg,
            (run.contacts_total ?? 0) > contacts.length
                ? h('p', {className: 'ed-meta', 'data-partial': ''}, t('tr.partial', {n: tr.number(contacts.length), total: tr.number(run.contacts_total ?? 0)}))
                : null,
            this.table(contacts),
        ];
        return h('section', {className: 'tr-result', 'aria-labelledby': 'tr-result-title', 'data-run': run.id}, ...parts.filter((x): x is Node => x !== null));
    }

    private clusters(run: Run): HTMLElement | null {
        const t = this.t;
        const cl = run.clusters ?? [];
        const links = run.links ?? [];
        if (!cl.length && !links.length) return null;
        const items = cl.map((c) => h('li', {'data-cluster': String(c.id)},
            h('strong', {}, t('tr.cluster', {id: c.id, f0: (c.f0 ?? c.f0s ?? []).join(', ')})), ' ',
            h('span', {}, t('tr.cluster.counts', {f1: c.f1 ?? 0, f2: c.f2 ?? 0, epi: c.epi ?? 0})),
            c.venues?.length ? h('span', {className: 'ed-meta'}, ' · ', t('tr.cluster.venues', {v: c.venues.length})) : null,
            c.enterprises?.length ? h('span', {className: 'ed-meta'}, ' · ', t('tr.cluster.enterprises', {e: c.enterprises.join(', ')})) : null));
        return h('div', {className: 'tr-clusters'}, h('h4', {}, t('tr.clusters')), h('ul', {className: 'ed-list'}, ...items),
            links.length ? h('ul', {className: 'ed-list tr-links', 'aria-label': t('tr.links', {l: links.length})},
                ...links.map((l) => h('li', {}, t('tr.link', {to: l.f0, text: l.reason ? reasonText(this.ctx.tr, l.reason) : ''})))) : null);
    }

    private actions(run: Run): HTMLElement {
        const t = this.t;
        const q = new URLSearchParams();
        if (run.reason) q.set('reason', run.reason);
        const csv = h('a', {className: 'tr-button', href: `/api/tracing/runs/${encodeURIComponent(run.id)}/contacts.csv${q.toString() ? `?${q}` : ''}`,
            download: `bando-truy-vet-${run.id}.csv`, 'data-action': 'csv'}, t('tr.csv'));
        const hasZone = !!run.zone?.geometry;
        const zone = button(t('tr.zone.send'), () => void this.sendZone(run), {'data-action': 'send-zone', disabled: !hasZone});
        const closeOnes = (run.contacts ?? []).filter((c) => c.level >= 1).length;
        const publish = button(t('tr.publish'), () => void this.publish(run, closeOnes), {'data-action': 'publish', disabled: closeOnes === 0});
        const wards = zoneWards(run.zone);
        return h('div', {className: 'tr-actions'}, h('h4', {}, t('tr.actions')),
            h('div', {className: 'ed-actions'}, csv, zone, publish),
            hasZone ? (wards.length ? this.wardLine(wards) : null) : h('p', {className: 'ed-meta'}, t('tr.zone.none')),
            h('ul', {className: 'ed-legend', 'aria-label': t('tr.venues')},
                h('li', {}, swatch(ZONE_COLOUR), t('tr.map.legend.zone')),
                h('li', {}, swatch(VENUE_COLOURS.F1, true), t('tr.map.legend.f1')),
                h('li', {}, swatch(VENUE_COLOURS.epi, true), t('tr.map.legend.epi'))),
            h('p', {className: 'ed-form-msg', role: 'status', 'data-msg': 'actions'}, this.actionMsg));
    }

    /** wardLine names the wards the zone lies in; names not read yet come in when they are. */
    private wardLine(codes: string[]): HTMLElement {
        const el = h('p', {className: 'ed-meta', 'data-msg': 'zone-wards'});
        const fill = () => (el.textContent = this.t('tr.zone.wards', {w: codes.map((c) => (this.wardNames.has(c) ? `${this.wardNames.get(c)} (${c})` : c)).join(', ')}));
        fill();
        const missing = codes.filter((c) => !this.wardNames.has(c));
        if (missing.length) {
            void Promise.all(missing.map(async (c) => {
                try {
                    const r = await this.ctx.s.call<{properties?: {name?: string}}>(`/ogc/collections/wards/items/${encodeURIComponent(c)}`);
                    if (r.data?.properties?.name) this.wardNames.set(c, r.data.properties.name);
                } catch {
                    // the code alone says where
                }
            })).then(fill);
        }
        return el;
    }

    private actionSay(msg: string, kind: 'ok' | 'error' = 'ok'): void {
        this.actionMsg = msg;
        const el = this.el.querySelector('[data-msg="actions"]');
        if (el) el.textContent = msg;
        this.ctx.say(msg, kind);
    }

    private async sendZone(run: Run): Promise<void> {
        try {
            const r = await this.ctx.s.call<{id?: string; etag?: string}>(`/api/tracing/runs/${encodeURIComponent(run.id)}/zone`, {method: 'POST'});
            this.actionSay(this.t('tr.zone.sent', {id: r.data?.id ?? r.location?.split('/').pop() ?? ''}));
        } catch (e) {
            this.actionSay(problemText(this.ctx.tr, e), 'error');
        }
    }

    private async publish(run: Run, n: number): Promise<void> {
        if (!window.confirm(this.t('tr.publish.confirm', {n}))) return;
        try {
            const r = await this.ctx.s.call<Record<string, unknown>>(`/api/tracing/runs/${encodeURIComponent(run.id)}/contacts`, {method: 'POST'});
            const d = r.data ?? {};
            const count = d.published ?? d.written ?? d.count ?? d.contacts ?? n;
            this.actionSay(this.t('tr.published', {n: Number(count)}));
        } catch (e) {
            this.actionSay(problemText(this.ctx.tr, e), 'error');
        }
    }

    /** venueList is the map's venues as text, each moving the map to it. */
    private venueList(cs: Contact[]): HTMLElement | null {
        const vs = exposureVenues(cs);
        if (!vs.length) return null;
        return h('div', {className: 'tr-venues'}, h('h4', {}, this.t('tr.venues')),
            h('ul', {className: 'ed-list'}, ...vs.map((v) => h('li', {'data-venue': v.id},
                button(this.t('tr.venues.item', {name: v.name, n: v.count}), () => this.ctx.bm.map.flyTo({center: [v.lon, v.lat], zoom: Math.max(this.ctx.bm.map.getZoom(), 16)}),
                    {className: `tr-venue tr-venue-${v.tier}`})))));
    }

    private filter(cs: Contact[]): HTMLElement {
        const t = this.t;
        const id = uid('tr-filter');
        const sel = h('select', {id, 'data-field': 'tier-filter', 'aria-controls': 'tr-contacts'},
            h('option', {value: ''}, t('tr.filter.all', {n: cs.length})),
            ...tierCounts(cs).map(([tier, n]) => h('option', {value: tier}, t('tr.filter.tier', {tier: tierName(this.ctx.tr, tier), n}))));
        sel.value = this.tier;
        sel.addEventListener('change', () => {
            this.tier = sel.value;
            this.limit = PAGE;
            this.el.querySelector('#tr-contacts')?.replaceWith(this.table(cs));
        });
        return h('div', {className: 'ed-field tr-filter'}, h('label', {for: id}, t('tr.filter')), sel);
    }

    private table(all: Contact[]): HTMLElement {
        const t = this.t;
        const tr = this.ctx.tr;
        const cs = filterContacts(all, this.tier);
        const shown = Math.min(cs.length, this.limit);
        this.shownMsg.textContent = all.length ? t('tr.shown', {n: shown, total: all.length}) : '';
        if (!all.length) return h('div', {id: 'tr-contacts'}, h('p', {className: 'ed-meta'}, t('tr.none')));
        const head = ['tier', 'person', 'via', 'reasons', 'quarantine'].map((k) => h('th', {scope: 'col'}, t(`tr.col.${k}`)));
        const rows = cs.slice(0, this.limit).map((c) => {
            const who = [c.name, c.phone ? t('tr.person.phone', {v: c.phone}) : '', c.id_number ? t('tr.person.id', {v: c.id_number}) : ''].filter(Boolean);
            const person = who.length ? who.map((x, i) => (i === 0 ? h('strong', {}, x) : h('span', {className: 'tr-sub'}, x)))
                : [h('span', {className: 'ed-meta'}, t('tr.person.unknown', {key: c.key.slice(0, 8)}))];
            const qEnd = zeroTime(c.quarantine_end) ? '' : vnDay(tr, c.quarantine_end);
            const mEnd = zeroTime(c.monitor_end) ? '' : vnDay(tr, c.monitor_end);
            return h('tr', {'data-contact': c.key, 'data-tier': c.tier, tabindex: '-1'},
                h('td', {'data-label': t('tr.col.tier')}, h('span', {className: `ed-badge tr-tier tr-tier-${c.tier}`}, tierName(tr, c.tier))),
                h('td', {'data-label': t('tr.col.person')}, ...person),
                h('td', {'data-label': t('tr.col.via')}, (c.via ?? []).join(', ')),
                h('td', {'data-label': t('tr.col.reasons')}, h('ul', {className: 'tr-reasons'},
                    ...(c.reasons ?? []).map((r) => h('li', {'data-kind': r.kind, 'data-reason-tier': r.tier}, reasonText(tr, r))))),
                h('td', {'data-label': t('tr.col.quarantine')}, qEnd, mEnd ? h('span', {className: 'tr-sub ed-meta'}, t('tr.col.monitor', {d: mEnd})) : null));
        });
        const rest = cs.length - shown;
        const more = rest > 0 ? button(t('tr.more', {n: Math.min(PAGE, rest), rest}), () => {
            this.limit += PAGE;
            this.el.querySelector('#tr-contacts')?.replaceWith(this.table(all));
            // Focus goes to the first contact just shown.
            this.el.querySelector<HTMLElement>(`#tr-contacts tbody tr:nth-child(${shown + 1})`)?.focus();
        }, {'data-action': 'more'}) : null;
        return h('div', {id: 'tr-contacts', className: 'tr-contacts'},
            h('div', {className: 'ed-table-wrap', role: 'region', 'aria-labelledby': 'tr-contacts-title', tabindex: '0'},
                h('table', {className: 'ed-table tr-table'}, h('thead', {}, h('tr', {}, ...head)), h('tbody', {}, ...rows))), more);
    }

    private runList(): HTMLElement {
        const t = this.t;
        const tr = this.ctx.tr;
        const items = this.runs.map((r) => {
            const s = r.summary ?? {};
            const text = t('tr.runs.item', {t: vnTime(tr, r.created), f0: shortList(labelsOf(r), t) || t('tr.unknown'), f1: s.f1 ?? 0, f2: s.f2 ?? 0, epi: s.epi ?? 0});
            return h('li', {'data-run': r.id}, button(text, () => void this.open(r.id), {className: 'ed-item', 'aria-label': `${t('tr.runs.open', {id: shortID(r.id)})}: ${text}`,
                'aria-current': this.run?.id === r.id ? 'true' : undefined}));
        });
        return h('section', {className: 'tr-runs', 'aria-labelledby': 'tr-runs-title'},
            h('h3', {id: 'tr-runs-title'}, t('tr.runs')),
            button(t('tr.runs.refresh'), () => void this.loadRuns(), {'data-action': 'refresh-runs'}),
            items.length ? h('ul', {className: 'ed-list'}, ...items) : h('p', {className: 'ed-meta'}, t(this.runsLoaded ? 'tr.runs.none' : 'tr.unknown')));
    }

    private async loadRuns(): Promise<void> {
        try {
            const r = await this.ctx.s.call<unknown>('/api/tracing/runs');
            this.runs = runsOf(r.data);
            this.runsLoaded = true;
        } catch (e) {
            this.runsLoaded = true;
            this.ctx.say(problemText(this.ctx.tr, e), 'error');
        }
        const old = this.el.querySelector('.tr-runs');
        if (old) old.replaceWith(this.runList());
    }

    private async open(id: string): Promise<void> {
        this.keep();
        const reason = (this.values.reason ?? '').trim();
        // Reading a run is logged with its reason, as running one is.
        if ([...reason].length < 5) {
            this.errorsAt([{field: 'reason', text: this.t('tr.need.readreason')}]);
            this.fields.find((f) => f.name === 'reason')?.control.focus();
            return;
        }
        this.errorsAt([]);
        try {
            const r = await this.ctx.s.call<Run>(`/api/tracing/runs/${encodeURIComponent(id)}`, {query: {reason}});
            this.run = {...r.data, reason};
            this.tier = '';
            this.limit = PAGE;
            this.actionMsg = '';
        } catch (e) {
            this.ctx.say(problemText(this.ctx.tr, e), 'error');
            return;
        }
        this.el.dataset.state = 'done';
        this.render();
        this.paint();
        this.ctx.say(this.t('tr.opened', {id: shortID(id)}));
        this.focusResult();
    }

    /** focusResult moves focus to the result's heading, at the top of the panel. */
    private focusResult(): void {
        const title = this.el.querySelector<HTMLElement>('#tr-result-title');
        title?.focus({preventScroll: true});
        // Only the panel scrolls: scrollIntoView would scroll the page too and push the map off a phone's screen.
        // The page itself goes back to its top (a phone scrolled it to reach the button), so the map and the result
        // share the screen.
        const body = title?.closest<HTMLElement>('.ed-panel-body');
        title?.closest('main')?.scrollTo({top: 0});
        if (title && body) body.scrollTop += title.getBoundingClientRect().top - body.getBoundingClientRect().top;
    }

    /** paint draws the run's exposure venues and suggested zone, and moves the map to them. */
    private paint(): void {
        const map = this.ctx.bm.map;
        const cs = this.run?.contacts ?? [];
        map.getSource<GeoJSONSource>(VENUES)?.setData(venueFeatures(exposureVenues(cs)));
        map.getSource<GeoJSONSource>(ZONE)?.setData(zoneFeatures(this.run?.zone));
        this.el.dataset.venues = String(exposureVenues(cs).length);
        this.el.dataset.zone = String(!!this.run?.zone?.geometry);
        this.fit();
    }

    private fit(): void {
        const b = bounds(exposureVenues(this.run?.contacts ?? []), this.run?.zone);
        if (!b) return;
        const map = this.ctx.bm.map;
        const pad = Math.min(60, Math.floor(Math.min(map.getContainer().clientWidth, map.getContainer().clientHeight) / 5));
        map.fitBounds([[b[0], b[1]], [b[2], b[3]]], {padding: pad, maxZoom: 16, duration: 0});
    }
}

/** shortID is a run id as people read it: its first 8 characters (the whole id is its title). */
function shortID(id: string): string {
    return id.length > 10 ? id.slice(0, 8) : id;
}

function swatch(colour: string, round = false): HTMLElement {
    const el = h('span', {className: `ed-swatch${round ? ' tr-dot' : ''}`, 'aria-hidden': 'true'});
    el.style.background = colour;
    return el;
}

/** shortList names the first few F0 of a run and counts the rest: a batch of thousands stays one line. */
function shortList(labels: string[], t: (key: string, vars?: Record<string, string | number>) => string): string {
    const FEW = 3;
    if (labels.length <= FEW) return labels.join(', ');
    return t('tr.runs.more', {first: labels.slice(0, FEW).join(', '), n: labels.length - FEW});
}
