// The editor's "Venues & QR" part: the venues with QR check-in (list,
// register with a point picked on the map, revoke, renew the printed codes),
// links to each venue's QR image and A4 poster, its staff scanning link to
// copy, and for officials the QR coverage layer: wards coloured by the share
// of their venues scanned in the last 7 days.

import {Marker, type GeoJSONSource, type MapMouseEvent} from 'maplibre-gl';
import {h} from './dom.ts';
import {Problem, type User} from './adminapi.ts';
import {button, field, problemText, showFieldErrors, uid, type Ctx, type FormField} from './adminui.ts';
import {polygonsOf} from './geomcheck.ts';

/** Venue is a venue as /api/venues answers it. */
export interface Venue {
    id: string;
    name: string;
    category: string;
    address?: string;
    ward?: string;
    lon?: number;
    lat?: number;
    contact?: string;
    contact_phone?: string;
    default_stay_minutes?: number;
    enterprise?: string;
    revoked?: string | null;
    [k: string]: unknown;
}

/** CATEGORIES are tracing.Categories, in the server's order. */
export const CATEGORIES = ['market', 'supermarket', 'mall', 'factory', 'office', 'hospital', 'school', 'restaurant', 'bar', 'karaoke',
    'gym', 'bus_station', 'religious_site', 'wedding_hall', 'funeral_hall', 'other'];

/** COVERAGE_COLOURS colour a ward by its share of venues scanned (0 → 1). */
export const COVERAGE_COLOURS: Array<[number, string]> = [[0, '#b2182b'], [0.5, '#f4a582'], [0.8, '#92c5de'], [1, '#2166ac']];

const SRC = 'ed-venues';
const COVER = 'ed-qr-coverage';

/** mayRegister tells whether a role works with venues (viewers do not). */
export function mayRegister(u: User | undefined): boolean {
    return ['admin', 'editor', 'tracer', 'enterprise'].includes(u?.role ?? '');
}

/** official tells whether a role sees every venue and the coverage. */
function official(u: User | undefined): boolean {
    return ['admin', 'editor', 'tracer'].includes(u?.role ?? '');
}

/** venuesOf reads a list answer: an array, {venues}, or a FeatureCollection. */
export function venuesOf(data: unknown): Venue[] {
    if (Array.isArray(data)) return data as Venue[];
    const d = data as {venues?: Venue[]; features?: Array<{id?: string; geometry?: {coordinates?: number[]}; properties?: Venue}>} | undefined;
    if (Array.isArray(d?.venues)) return d.venues;
    if (Array.isArray(d?.features)) {
        return d.features.map((f) => ({...f.properties, id: String(f.properties?.id ?? f.id), lon: f.geometry?.coordinates?.[0], lat: f.geometry?.coordinates?.[1]}) as Venue);
    }
    return [];
}

/** Venues is the venues part of the editor. */
export class Venues {
    private readonly ctx: Ctx;
    readonly el: HTMLElement;
    private items: Venue[] = [];
    private withRevoked = false;
    private coverage = false;
    private coverageMsg = h('p', {className: 'ed-meta', role: 'status'});
    private formOpen = false;
    private picking = false;
    private at?: [number, number];
    private marker?: Marker;
    private fields: FormField[] = [];
    private rest = h('ul', {className: 'ed-errors', role: 'alert', hidden: true});
    private formMsg = h('p', {className: 'ed-form-msg', role: 'status'});
    private listBox = h('div', {className: 'ed-venue-list'});
    private staff: Record<string, string> = {};
    private kept: Record<string, string> = {};

    constructor(ctx: Ctx) {
        this.ctx = ctx;
        this.el = h('section', {className: 'ed-part', 'data-part': 'venues', hidden: true});
    }

    private get t() {
        return this.ctx.tr.t.bind(this.ctx.tr);
    }

    /** start adds the venues' and the coverage's layers to the loaded map. */
    start(): void {
        const map = this.ctx.bm.map;
        const empty: GeoJSON.FeatureCollection = {type: 'FeatureCollection', features: []};
        map.addSource(COVER, {type: 'geojson', data: empty});
        map.addSource(SRC, {type: 'geojson', data: empty});
        const share = ['coalesce', ['to-number', ['get', 'share']], 0];
        map.addLayer({id: 'ed-qr-coverage-fill', type: 'fill', source: COVER, layout: {visibility: 'none'}, paint: {
            'fill-color': ['case', ['>', ['coalesce', ['to-number', ['get', 'registered']], 0], 0],
                ['interpolate', ['linear'], share, ...COVERAGE_COLOURS.flat()], '#bdbdbd'],
            'fill-opacity': 0.5,
        }} as never);
        map.addLayer({id: 'ed-qr-coverage-line', type: 'line', source: COVER, layout: {visibility: 'none'}, paint: {'line-color': '#424242', 'line-width': 0.6}});
        map.addLayer({id: 'ed-venues', type: 'circle', source: SRC, layout: {visibility: 'none'}, paint: {
            'circle-radius': 7, 'circle-color': ['case', ['get', 'revoked'], '#9e9e9e', '#00695c'],
            'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2,
        }});
        map.on('click', (e) => void this.clicked(e));
    }

    /** shown switches the part's layers with the panel. */
    shown(on: boolean): void {
        const map = this.ctx.bm.map;
        if (map.getLayer('ed-venues')) map.setLayoutProperty('ed-venues', 'visibility', on ? 'visible' : 'none');
        this.showCoverage(on && this.coverage);
        if (on) {
            void this.load();
            if (this.at) this.placeMarker();
        } else {
            this.picking = false;
            this.marker?.remove();
        }
    }

    render(): void {
        const t = this.t;
        const u = this.ctx.s.user;
        const parts: Array<Node | null> = [h('h2', {}, t('ed.venues'))];
        if (official(u)) {
            const id = uid('ed-coverage');
            const box = h('input', {type: 'checkbox', id, checked: this.coverage});
            box.addEventListener('change', () => {
                this.coverage = box.checked;
                this.showCoverage(box.checked);
            });
            parts.push(h('div', {className: 'ed-field ed-inline'}, box, h('label', {for: id}, t('ed.venues.coverage'))),
                this.legend(), this.coverageMsg);
        }
        if (mayRegister(u)) {
            parts.push(h('div', {className: 'ed-tools'},
                button(t(this.formOpen ? 'ed.venues.form.close' : 'ed.venues.add'), () => this.toggleForm(), {'data-action': 'add-venue', 'aria-expanded': String(this.formOpen)})));
            if (this.formOpen) parts.push(this.form());
        }
        const revId = uid('ed-revoked');
        const rev = h('input', {type: 'checkbox', id: revId, checked: this.withRevoked});
        rev.addEventListener('change', () => {
            this.withRevoked = rev.checked;
            void this.load();
        });
        parts.push(h('div', {className: 'ed-field ed-inline'}, rev, h('label', {for: revId}, t('ed.venues.withrevoked'))), this.listBox);
        this.el.replaceChildren(...parts.filter((x): x is Node => x !== null));
        this.renderList();
    }

    private legend(): HTMLElement {
        const t = this.t;
        return h('ul', {className: 'ed-legend', 'aria-label': t('ed.venues.legend')},
            ...COVERAGE_COLOURS.map(([v, c]) => h('li', {}, swatch(c), t('ed.venues.share', {p: Math.round(v * 100)}))),
            h('li', {}, swatch('#bdbdbd'), t('ed.venues.noneregistered')));
    }

    private showCoverage(on: boolean): void {
        const map = this.ctx.bm.map;
        for (const id of ['ed-qr-coverage-fill', 'ed-qr-coverage-line']) {
            if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
        }
        if (on) void this.loadCoverage();
    }

    private async loadCoverage(): Promise<void> {
        try {
            const r = await this.ctx.s.call<GeoJSON.FeatureCollection & {totals?: Record<string, number>}>('/api/qr-coverage', {query: {f: 'geojson'}});
            this.ctx.bm.map.getSource<GeoJSONSource>(COVER)?.setData(r.data);
            const tot = r.data.totals;
            const wards = r.data.features?.length ?? 0;
            this.coverageMsg.textContent = tot
                ? this.t('ed.venues.coverage.totals', {wards, registered: tot.registered ?? 0, scanned: tot.scanned ?? 0})
                : this.t('ed.venues.coverage.wards', {wards});
            this.el.dataset.coverage = String(wards);
        } catch (e) {
            this.coverageMsg.textContent = problemText(this.ctx.tr, e);
        }
    }

    private async load(): Promise<void> {
        try {
            const r = await this.ctx.s.call<unknown>('/api/venues', {query: {revoked: this.withRevoked ? 'true' : undefined}});
            this.items = venuesOf(r.data);
        } catch (e) {
            this.ctx.say(problemText(this.ctx.tr, e), 'error');
            return;
        }
        this.renderList();
        this.paint();
    }

    private paint(): void {
        this.ctx.bm.map.getSource<GeoJSONSource>(SRC)?.setData({type: 'FeatureCollection', features: this.items
            .filter((v) => typeof v.lon === 'number' && typeof v.lat === 'number')
            .map((v) => ({type: 'Feature', geometry: {type: 'Point', coordinates: [v.lon!, v.lat!]}, properties: {vid: v.id, name: v.name, revoked: !!v.revoked}}))});
    }

    private renderList(): void {
        const t = this.t;
        if (!this.items.length) {
            this.listBox.replaceChildren(h('p', {className: 'ed-meta'}, t('ed.venues.none')));
            return;
        }
        const change = mayRegister(this.ctx.s.user);
        this.listBox.replaceChildren(
            h('p', {className: 'ed-meta'}, t('ed.venues.count', {n: this.items.length})),
            h('ul', {className: 'ed-list'}, ...this.items.map((v) => {
                const base = `/api/venues/${encodeURIComponent(v.id)}`;
                const actions: Array<Node | null> = [
                    h('a', {href: `${base}/qr.png?size=600`, target: '_blank', rel: 'noopener', 'data-link': 'qr.png'}, t('ed.venues.qrpng')),
                    h('a', {href: `${base}/qr.svg`, target: '_blank', rel: 'noopener', 'data-link': 'qr.svg'}, t('ed.venues.qrsvg')),
                    h('a', {href: `${base}/poster`, target: '_blank', rel: 'noopener', 'data-link': 'poster'}, t('ed.venues.poster')),
                ];
                if (change && !v.revoked) {
                    actions.push(
                        button(t('ed.venues.staff'), () => void this.staffLink(v), {'data-action': 'staff-link'}),
                        button(t('ed.venues.renew'), () => void this.act(v, 'renew'), {'data-action': 'renew'}),
                        button(t('ed.venues.revoke'), () => void this.act(v, 'revoke'), {'data-action': 'revoke'}));
                }
                const link = this.staff[v.id];
                const linkId = `ed-staff-${v.id}`;
                return h('li', {className: `ed-venue${v.revoked ? ' ed-disabled' : ''}`, 'data-venue': v.id},
                    h('p', {className: 'ed-venue-name'}, h('strong', {}, v.name), ' ',
                        h('span', {className: 'ed-badge'}, t(`ed.venues.cat.${v.category}`)),
                        v.revoked ? h('span', {className: 'ed-badge'}, t('ed.venues.revoked')) : null),
                    h('p', {className: 'ed-meta'}, [v.address, v.ward ? t('ed.venues.wardis', {ward: v.ward}) : ''].filter(Boolean).join(' · ')),
                    h('div', {className: 'ed-actions'}, ...actions),
                    link ? h('div', {className: 'ed-field'}, h('label', {for: linkId}, t('ed.venues.stafflink')),
                        h('input', {id: linkId, type: 'text', readonly: true, value: link, 'data-staff-link': v.id})) : null,
                    this.kept[v.id] ? h('p', {className: 'ed-form-msg', role: 'status'}, this.kept[v.id]) : null);
            })));
    }

    private async staffLink(v: Venue): Promise<void> {
        try {
            const r = await this.ctx.s.call<{url: string}>(`/api/venues/${encodeURIComponent(v.id)}/staff`);
            this.staff[v.id] = r.data.url;
            let copied = false;
            try {
                await navigator.clipboard.writeText(r.data.url);
                copied = true;
            } catch {
                // no clipboard (an insecure origin, or denied): the link is shown to copy by hand
            }
            this.kept[v.id] = this.t(copied ? 'ed.venues.copied' : 'ed.venues.copyhand');
        } catch (e) {
            this.kept[v.id] = problemText(this.ctx.tr, e);
        }
        this.renderList();
        document.getElementById(`ed-staff-${v.id}`)?.focus();
    }

    private async act(v: Venue, what: 'revoke' | 'renew'): Promise<void> {
        if (!window.confirm(this.t(`ed.venues.${what}.confirm`, {name: v.name}))) return;
        try {
            await this.ctx.s.call(`/api/venues/${encodeURIComponent(v.id)}/${what}`, {method: 'POST'});
            delete this.staff[v.id];
            this.kept[v.id] = this.t(`ed.venues.${what}.done`);
            this.ctx.say(this.t(`ed.venues.${what}.done`));
        } catch (e) {
            this.kept[v.id] = problemText(this.ctx.tr, e);
        }
        await this.load();
    }

    private toggleForm(): void {
        this.formOpen = !this.formOpen;
        if (!this.formOpen) {
            this.picking = false;
            this.at = undefined;
            this.marker?.remove();
        }
        this.render();
        if (this.formOpen) this.fields[0]?.control.focus();
    }

    private form(): HTMLElement {
        const t = this.t;
        const u = this.ctx.s.user;
        const old = Object.fromEntries(this.fields.map((f) => [f.name, f.control.value]));
        const cats = CATEGORIES.map((c): [string, string] => [c, t(`ed.venues.cat.${c}`)]);
        this.fields = [
            field('name', t('ed.venues.f.name'), {required: true}),
            field('category', t('ed.venues.f.category'), {values: cats}),
            field('address', t('ed.venues.f.address')),
            field('ward', t('ed.venues.f.ward'), {required: true}),
            field('lon', t('ed.venues.f.lon'), {type: 'number'}),
            field('lat', t('ed.venues.f.lat'), {type: 'number'}),
            field('contact', t('ed.venues.f.contact')),
            field('contact_phone', t('ed.venues.f.contact_phone'), {type: 'tel'}),
            field('default_stay_minutes', t('ed.venues.f.stay'), {type: 'number', value: '60'}),
        ];
        if (official(u)) this.fields.push(field('enterprise', t('ed.venues.f.enterprise')));
        for (const f of this.fields) {
            if (old[f.name] !== undefined) f.control.value = old[f.name];
            if (f.name === 'lon' || f.name === 'lat') f.control.setAttribute('step', 'any');
        }
        if (this.at) this.setPoint(this.at);
        const pick = button(t(this.picking ? 'ed.venues.picking' : 'ed.venues.pick'), () => {
            this.picking = !this.picking;
            this.render();
            if (this.picking) this.ctx.say(this.t('ed.venues.pickhint'));
        }, {'data-action': 'pick-venue', 'aria-pressed': String(this.picking)});
        const save = h('button', {type: 'submit', className: 'ed-primary', 'data-action': 'save-venue'}, t('ed.venues.save'));
        const f = h('form', {className: 'ed-form', novalidate: true, 'aria-label': t('ed.venues.add')},
            ...this.fields.slice(0, 4).map((x) => x.wrap), pick, ...this.fields.slice(4).map((x) => x.wrap), this.rest, save, this.formMsg);
        f.addEventListener('submit', (e) => {
            e.preventDefault();
            void this.save();
        });
        return f;
    }

    private setPoint(at: [number, number]): void {
        this.at = at;
        const lon = this.fields.find((f) => f.name === 'lon');
        const lat = this.fields.find((f) => f.name === 'lat');
        if (lon) lon.control.value = String(at[0]);
        if (lat) lat.control.value = String(at[1]);
    }

    private placeMarker(): void {
        this.marker?.remove();
        if (!this.at) return;
        const el = h('div', {className: 'ed-point-marker ed-venue-marker', 'aria-label': this.t('ed.venues.marker')});
        this.marker = new Marker({element: el, draggable: true}).setLngLat(this.at).addTo(this.ctx.bm.map);
        this.marker.on('dragend', () => {
            const p = this.marker!.getLngLat();
            this.setPoint([round7(p.lng), round7(p.lat)]);
            void this.wardAt(this.at!);
        });
    }

    private async clicked(e: MapMouseEvent): Promise<void> {
        if (this.el.hidden || !this.picking) return;
        this.picking = false;
        this.at = [round7(e.lngLat.lng), round7(e.lngLat.lat)];
        this.render();
        this.placeMarker();
        await this.wardAt(this.at);
    }

    /** wardAt fills the ward field with the code of the ward under the point. */
    private async wardAt([lon, lat]: [number, number]): Promise<void> {
        const d = 0.0005;
        try {
            const r = await this.ctx.s.call<{features?: Array<{id: string; geometry: GeoJSON.Geometry; properties?: Record<string, unknown>}>}>('/ogc/collections/wards/items', {query: {bbox: `${lon - d},${lat - d},${lon + d},${lat + d}`, limit: 10}});
            const hit = (r.data.features ?? []).find((f) => polygonsOf(f.geometry).some((p) => inRing([lon, lat], p[0])));
            const ward = this.fields.find((f) => f.name === 'ward');
            if (hit && ward) ward.control.value = String(hit.properties?.code ?? hit.id);
        } catch {
            // the ward is typed by hand
        }
    }

    private async save(): Promise<void> {
        const t = this.t;
        const v = Object.fromEntries(this.fields.map((f) => [f.name, f.control.value.trim()]));
        const missing: Array<{field: string; text: string}> = [];
        if (!v.name) missing.push({field: 'name', text: t('ed.venues.need.name')});
        if (!v.ward) missing.push({field: 'ward', text: t('ed.venues.need.ward')});
        if (!v.lon || !v.lat) missing.push({field: 'lon', text: t('ed.venues.need.point')});
        showFieldErrors(this.fields, missing, this.rest);
        if (missing.length) {
            this.fields.find((f) => f.name === missing[0].field)?.control.focus();
            return;
        }
        const body: Record<string, unknown> = {
            name: v.name, category: v.category, address: v.address, ward: v.ward, lon: Number(v.lon), lat: Number(v.lat),
            contact: v.contact, contact_phone: v.contact_phone, default_stay_minutes: Number(v.default_stay_minutes || 60),
        };
        if (v.enterprise) body.enterprise = v.enterprise;
        try {
            const r = await this.ctx.s.call<Venue>('/api/venues', {method: 'POST', body});
            this.formOpen = false;
            this.fields = [];
            this.at = undefined;
            this.marker?.remove();
            this.ctx.say(t('ed.venues.saved', {name: r.data?.name ?? v.name}));
            this.render();
            await this.load();
        } catch (e) {
            if (e instanceof Problem && e.status === 422) {
                showFieldErrors(this.fields, venueErrors(e, this.ctx.tr.lang), this.rest);
                this.formMsg.textContent = problemText(this.ctx.tr, e);
            } else {
                this.formMsg.textContent = problemText(this.ctx.tr, e);
            }
        }
    }
}

/**
 * venueErrors turns a 422's errors into field messages: entries with a
 * JSON Pointer ("#/contact_phone") or a field, and the problem's own field.
 * default_stay is the form's default_stay_minutes; location its lon.
 */
export function venueErrors(p: Problem, lang: string): Array<{field?: string; text: string}> {
    const alias: Record<string, string> = {default_stay: 'default_stay_minutes', location: 'lon', point: 'lon'};
    const name = (s: string | undefined) => {
        const n = (s ?? '').replace(/^#?\//, '').split('/')[0];
        return alias[n] ?? (n || undefined);
    };
    const raw = p.errors as Array<{field?: string; pointer?: string; reason?: string; reason_vi?: string; detail?: string}>;
    const out = raw.map((e) => ({field: name(e.field ?? e.pointer), text: (lang === 'vi' ? e.reason_vi ?? p.detailVI : e.reason ?? e.detail) ?? p.reason(lang)}));
    if (!out.length) return [{text: p.reason(lang)}];
    return out;
}

function swatch(colour: string): HTMLElement {
    const el = h('span', {className: 'ed-swatch', 'aria-hidden': 'true'});
    el.style.background = colour;
    return el;
}

function round7(x: number): number {
    return Math.round(x * 1e7) / 1e7;
}

/** inRing tells whether a point is inside a ring (even-odd rule). */
function inRing(p: [number, number], ring: number[][] | undefined): boolean {
    if (!ring) return false;
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if ((yi > p[1]) !== (yj > p[1]) && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
}
