// Quarantine zones in the editor: the stored zones on the map (drafts
// hatched and dashed, published solid, lifted grey), drawing and reshaping
// with terra-draw, starting from a ward's boundary, the zone's form with the
// checks made before sending and the server's answer shown at the shape and
// the field, publish and lift, the history with revert, and conflicts that
// keep what the official typed.

import {Marker, type GeoJSONSource, type MapMouseEvent} from 'maplibre-gl';
import {TerraDraw, TerraDrawPolygonMode, TerraDrawSelectMode, type GeoJSONStoreFeatures} from 'terra-draw';
import {TerraDrawMapLibreGLAdapter} from 'terra-draw-maplibre-gl-adapter';
import {h} from './dom.ts';
import {canEdit, inDistrict, Problem, type EditedFeature} from './adminapi.ts';
import {button, field, fieldErrors, problemText, showFieldErrors, valuesOf, type Ctx, type FormField} from './adminui.ts';
import {checkZone, closed, largestRing, polygonsOf, today} from './geomcheck.ts';
import {ZONE_LEVELS} from './adminschema.ts';
import {search} from './api.ts';

const COL = 'quarantine_zones';
const SRC = 'ed-zones';
const ZONE_LAYERS = ['ed-zones-published', 'ed-zones-lifted', 'ed-zones-draft'];
const PROPS = ['name', 'level', 'start', 'end', 'status'];

/** NEXT lists the statuses a zone may move to from each status (itself first). */
const NEXT: Record<string, string[]> = {
    '': ['draft'],
    draft: ['draft', 'published'],
    published: ['published', 'lifted'],
    lifted: ['lifted'],
};

type Draft = {
    id?: string;
    etag?: string;
    /** the stored feature the edits started from */
    base?: EditedFeature;
    /** properties a new zone takes from its ward */
    extra: Record<string, unknown>;
    geomChanged: boolean;
};

function round(ring: number[][]): number[][] {
    return closed(ring.map((p) => [Math.round(p[0] * 1e7) / 1e7, Math.round(p[1] * 1e7) / 1e7]));
}

function hatch(): ImageData {
    const n = 12;
    const data = new Uint8ClampedArray(n * n * 4);
    for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
            const on = (x + y) % n < 2;
            const i = (y * n + x) * 4;
            data.set(on ? [244, 109, 67, 200] : [244, 109, 67, 30], i);
        }
    }
    return new ImageData(data, n, n);
}

/** Zones is the zones part of the editor. */
export class Zones {
    private readonly ctx: Ctx;
    readonly el: HTMLElement;
    private draw!: TerraDraw;
    private zones: EditedFeature[] = [];
    private list = h('ul', {className: 'ed-list', 'aria-label': ''});
    private formBox = h('div', {className: 'ed-form-box'});
    private draft?: Draft;
    private drawId?: string | number;
    private fields: FormField[] = [];
    private rest = h('ul', {className: 'ed-errors', role: 'alert'});
    private formMsg = h('p', {className: 'ed-form-msg', role: 'status'});
    private conflict = h('div', {className: 'ed-conflict', role: 'alert', hidden: true});
    private history = h('div', {className: 'ed-history'});
    private markers: Marker[] = [];
    private picking = false;
    private filter = 'all';

    constructor(ctx: Ctx) {
        this.ctx = ctx;
        this.el = h('section', {className: 'ed-part', 'data-part': 'zones'});
    }

    private get t() {
        return this.ctx.tr.t.bind(this.ctx.tr);
    }

    private get editable(): boolean {
        return canEdit(this.ctx.s.user);
    }

    /** start adds the layers and terra-draw to the loaded map. */
    start(): void {
        const map = this.ctx.bm.map;
        map.addImage('ed-hatch', hatch());
        map.addSource(SRC, {type: 'geojson', data: {type: 'FeatureCollection', features: []}});
        map.addLayer({id: 'ed-zones-published', type: 'fill', source: SRC, filter: ['==', ['get', 'status'], 'published'], paint: {'fill-color': '#f46d43', 'fill-opacity': 0.45}});
        map.addLayer({id: 'ed-zones-lifted', type: 'fill', source: SRC, filter: ['==', ['get', 'status'], 'lifted'], paint: {'fill-color': '#9e9e9e', 'fill-opacity': 0.35}});
        map.addLayer({id: 'ed-zones-draft', type: 'fill', source: SRC, filter: ['==', ['get', 'status'], 'draft'], paint: {'fill-pattern': 'ed-hatch'}});
        map.addLayer({id: 'ed-zones-line', type: 'line', source: SRC, filter: ['!=', ['get', 'status'], 'draft'],
            paint: {'line-color': ['match', ['get', 'status'], 'lifted', '#757575', '#c2410c'], 'line-width': 2}});
        map.addLayer({id: 'ed-zones-line-draft', type: 'line', source: SRC, filter: ['==', ['get', 'status'], 'draft'],
            paint: {'line-color': '#c2410c', 'line-width': 2, 'line-dasharray': [2, 2]}});
        this.draw = new TerraDraw({
            adapter: new TerraDrawMapLibreGLAdapter({map, coordinatePrecision: 7}),
            modes: [
                new TerraDrawPolygonMode({pointerDistance: 24}),
                new TerraDrawSelectMode({
                    pointerDistance: 24,
                    flags: {polygon: {feature: {draggable: false, selfIntersectable: true,
                        coordinates: {draggable: true, midpoints: true, deletable: true}}}},
                }),
            ],
        });
        this.draw.start();
        this.draw.on('finish', (id, c) => {
            if (c.mode === 'polygon' && c.action === 'draw') {
                this.drawId = id;
                if (this.draft) this.draft.geomChanged = true;
                this.draw.setMode('select');
                this.draw.selectFeature(id);
                this.ctx.bm.map.getCanvas().dataset.drawing = 'false';
                this.precheck();
            } else if (this.draft) {
                this.draft.geomChanged = true;
                this.precheck();
            }
        });
        this.draw.on('change', (_ids, type) => {
            if (type === 'update' && this.draft && this.drawId !== undefined && this.draw.getMode() === 'select') this.draft.geomChanged = true;
        });
        map.on('click', (e) => this.clicked(e));
        Object.assign(window, {bandoDraw: this.draw});
        void this.reload();
    }

    /** render draws the panel (after sign-in and language switches). */
    render(): void {
        const t = this.t;
        this.list.setAttribute('aria-label', t('ed.zones.list'));
        const tools = this.editable
            ? h('div', {className: 'ed-tools'},
                button(t('ed.zones.draw'), () => this.newZone(), {'data-action': 'draw'}),
                button(t('ed.zones.fromward'), () => this.pickWard(), {'data-action': 'ward', 'aria-pressed': String(this.picking)}))
            : h('p', {className: 'ed-readonly'}, t('ed.readonly'));
        const wardSearch = this.editable ? this.wardSearch() : null;
        const filter = h('select', {id: 'ed-zone-filter'}, ...['all', 'draft', 'published', 'lifted'].map((s) =>
            h('option', {value: s}, s === 'all' ? t('ed.zones.all') : t(`ed.status.${s}`))));
        filter.value = this.filter;
        filter.addEventListener('change', () => {
            this.filter = filter.value;
            this.renderList();
        });
        this.el.replaceChildren(
            h('h2', {}, t('layer.quarantine_zones')),
            tools,
            wardSearch ?? '',
            this.formBox,
            h('div', {className: 'ed-field ed-inline'}, h('label', {for: 'ed-zone-filter'}, t('ed.zones.filter')), filter),
            this.list);
        this.renderList();
        // A language switch redraws the form with what was typed in it.
        if (this.draft) this.renderForm({}, true);
    }

    private wardSearch(): HTMLElement {
        const t = this.t;
        const input = h('input', {id: 'ed-ward-q', type: 'search', autocomplete: 'off'});
        const results = h('ul', {className: 'ed-results', 'aria-live': 'polite'});
        const form = h('form', {className: 'ed-ward-search', role: 'search'},
            h('label', {for: 'ed-ward-q'}, t('ed.zones.wardsearch')), input,
            h('button', {type: 'submit'}, t('ed.search')), results);
        form.addEventListener('submit', async (e) => {
            e.preventDefault();
            const q = input.value.trim();
            if (!q) return;
            try {
                const found = (await search(q, 10)).filter((r) => r.collection === 'wards');
                results.replaceChildren(...(found.length ? found.map((r) => h('li', {},
                    button(r.name, () => {
                        results.replaceChildren();
                        void this.fromWard(r.id);
                    }, {'data-ward': r.id}))) : [h('li', {}, t('ed.none'))]));
            } catch (err) {
                this.ctx.say(problemText(this.ctx.tr, err), 'error');
            }
        });
        return form;
    }

    private visible(): EditedFeature[] {
        return this.zones.filter((z) => this.filter === 'all' || z.properties.status === this.filter);
    }

    private renderList(): void {
        const t = this.t;
        const vis = this.visible()
            .slice()
            .sort((a, b) => String(b.updated ?? '').localeCompare(String(a.updated ?? '')))
            .slice(0, 300);
        const items = vis.map((z) => {
            const st = String(z.properties.status ?? 'draft');
            const b = button('', () => void this.open(z.id), {'data-zone': z.id, className: `ed-item status-${st}`});
            // Names come from the data: text nodes only.
            b.append(h('span', {className: 'ed-item-name'}, String(z.properties.name ?? z.id)),
                h('span', {className: 'ed-badge'}, t(`ed.status.${st}`)));
            return h('li', {}, b);
        });
        this.list.replaceChildren(...(items.length ? items : [h('li', {}, t('ed.none'))]));
    }

    /** reload fetches the stored zones, drafts included. */
    async reload(): Promise<void> {
        try {
            const r = await this.ctx.s.items(COL, {limit: 1000});
            this.zones = r.features;
        } catch (e) {
            this.ctx.say(problemText(this.ctx.tr, e), 'error');
            return;
        }
        this.paint();
        this.renderList();
    }

    private paint(): void {
        const src = this.ctx.bm.map.getSource<GeoJSONSource>(SRC);
        if (!src) return;
        const hide = this.draft?.id;
        src.setData({type: 'FeatureCollection', features: this.zones.filter((z) => z.id !== hide && z.geometry).map((z) => ({
            type: 'Feature', geometry: z.geometry!, properties: {...z.properties, zid: z.id},
        }))});
    }

    private clicked(e: MapMouseEvent): void {
        const map = this.ctx.bm.map;
        if (this.picking) {
            void this.wardAt(e.lngLat.lng, e.lngLat.lat);
            return;
        }
        const mode = this.draw?.getMode();
        if (mode === 'polygon') return;
        if (this.drawId !== undefined && this.draw.getFeaturesAtLngLat(e.lngLat, {ignoreSelectFeatures: false}).length) return;
        const hit = map.queryRenderedFeatures(e.point, {layers: ZONE_LAYERS.filter((l) => map.getLayer(l))});
        const zid = hit[0]?.properties?.zid;
        if (typeof zid === 'string' && this.active()) void this.open(zid);
    }

    /** shown puts terra-draw to rest while another part is shown, so that its clicks reach that part. */
    shown(on: boolean): void {
        if (!this.draw) return;
        if (!on) {
            this.picking = false;
            if (this.draw.getMode() === 'polygon' && this.drawId === undefined) this.draw.clear();
            this.draw.setMode('static');
            return;
        }
        if (this.drawId !== undefined && this.mayTouch()) {
            this.draw.setMode('select');
            this.draw.selectFeature(this.drawId);
        }
    }

    /** active tells whether the zones part is the one shown. */
    active(): boolean {
        return !this.el.hidden;
    }

    private clearDraw(): void {
        this.draw.setMode('static');
        this.draw.clear();
        this.drawId = undefined;
        this.clearMarkers();
    }

    private newZone(): void {
        if (!this.confirmDiscard()) return;
        this.picking = false;
        this.clearDraw();
        this.draft = {extra: {}, geomChanged: true};
        this.renderForm();
        this.paint();
        this.draw.setMode('polygon');
        this.ctx.bm.map.getCanvas().dataset.drawing = 'true';
        this.ctx.say(this.t('ed.zones.drawhint'));
    }

    private pickWard(): void {
        this.picking = !this.picking;
        this.render();
        if (this.picking) this.ctx.say(this.t('ed.zones.pickhint'));
    }

    private async wardAt(lon: number, lat: number): Promise<void> {
        this.picking = false;
        this.render();
        const d = 0.0005;
        try {
            const r = await this.ctx.s.call<{features?: Array<{id: string; geometry: GeoJSON.Geometry}>}>('/ogc/collections/wards/items', {query: {bbox: `${lon - d},${lat - d},${lon + d},${lat + d}`, limit: 10}});
            const hit = (r.data.features ?? []).find((f) => polygonsOf(f.geometry).some((p) => inside([lon, lat], p[0]))) ?? r.data.features?.[0];
            if (!hit) {
                this.ctx.say(this.t('ed.zones.noward'), 'error');
                return;
            }
            await this.fromWard(String(hit.id));
        } catch (e) {
            this.ctx.say(problemText(this.ctx.tr, e), 'error');
        }
    }

    /** fromWard starts a new draft zone from a ward's boundary. */
    async fromWard(id: string): Promise<void> {
        if (!this.confirmDiscard()) return;
        try {
            const r = await this.ctx.s.call<{id: string; geometry: GeoJSON.Geometry; properties: Record<string, unknown>}>(`/ogc/collections/wards/items/${encodeURIComponent(id)}`);
            const ring = largestRing(r.data.geometry);
            if (!ring) throw new Error('ward without a polygon');
            this.clearDraw();
            const name = String(r.data.properties.name ?? id);
            this.draft = {extra: {ward_code: r.data.properties.code ?? id, district_code: r.data.properties.district_code}, geomChanged: true};
            this.loadShape({type: 'Polygon', coordinates: [ring]});
            this.renderForm({name: this.t('ed.zones.wardname', {ward: name})});
            this.paint();
            this.fit(ring);
            this.ctx.say(this.t('ed.zones.fromward.done', {ward: name}));
            this.precheck();
        } catch (e) {
            this.ctx.say(problemText(this.ctx.tr, e), 'error');
        }
    }

    private fit(ring: number[][]): void {
        let [w, s, e, n] = [180, 90, -180, -90];
        for (const p of ring) {
            w = Math.min(w, p[0]); e = Math.max(e, p[0]); s = Math.min(s, p[1]); n = Math.max(n, p[1]);
        }
        this.ctx.bm.map.fitBounds([[w, s], [e, n]], {padding: 40, duration: 0, maxZoom: 16});
    }

    private loadShape(g: GeoJSON.Geometry | null): void {
        this.draw.setMode('select');
        this.draw.clear();
        this.drawId = undefined;
        const ring = largestRing(g);
        if (!ring) return;
        const id = this.draw.getFeatureId();
        const res = this.draw.addFeatures([{type: 'Feature', id, geometry: {type: 'Polygon', coordinates: [round(ring)]}, properties: {mode: 'polygon'}} as GeoJSONStoreFeatures]);
        if (res[0]?.valid) {
            this.drawId = id;
            if (this.editable && this.mayTouch()) this.draw.selectFeature(id);
        }
    }

    private mayTouch(): boolean {
        const base = this.draft?.base;
        return this.editable && (!base || inDistrict(this.ctx.s.user, base.properties));
    }

    /** geometry is the drawn shape as the MultiPolygon zones are stored as. */
    private geometry(): GeoJSON.MultiPolygon | undefined {
        if (this.drawId === undefined) return undefined;
        const f = this.draw.getSnapshotFeature(this.drawId);
        if (!f || f.geometry.type !== 'Polygon') return undefined;
        return {type: 'MultiPolygon', coordinates: [[closed(f.geometry.coordinates[0])]]};
    }

    private async open(id: string): Promise<void> {
        if (this.draft?.id === id) return;
        if (!this.confirmDiscard()) return;
        this.picking = false;
        try {
            const z = await this.ctx.s.item(COL, id);
            this.clearDraw();
            this.draft = {id: z.id, etag: z.etag, base: z, extra: {}, geomChanged: false};
            this.loadShape(z.geometry);
            this.renderForm();
            this.formBox.scrollIntoView({block: 'start'});
            this.paint();
            const ring = largestRing(z.geometry);
            if (ring) this.fit(ring);
        } catch (e) {
            this.ctx.say(problemText(this.ctx.tr, e), 'error');
        }
    }

    private dirty(): boolean {
        if (!this.draft) return false;
        if (this.draft.geomChanged && this.drawId !== undefined) return true;
        const base = this.draft.base?.properties ?? {};
        const vals = valuesOf(this.fields);
        return PROPS.some((k) => k !== 'status' && (vals[k] ?? '') !== String(base[k] ?? '') && !(k === 'start' && !this.draft?.base));
    }

    private confirmDiscard(): boolean {
        if (!this.dirty()) return true;
        return window.confirm(this.t('ed.discard'));
    }

    private renderForm(initial: Record<string, string> = {}, keepTyped = false): void {
        const t = this.t;
        const d = this.draft;
        if (!d) {
            this.formBox.replaceChildren();
            return;
        }
        const keep = keepTyped && this.fields.length ? valuesOf(this.fields) : undefined;
        const p = {...(d.base?.properties ?? {}), ...initial} as Record<string, unknown>;
        const status = String(d.base?.properties.status ?? '');
        const mine = this.mayTouch();
        const ro = !mine || status === 'lifted';
        const levelValues: Array<[string, string]> = [['', t('ed.none.chosen')], ...ZONE_LEVELS.map((l): [string, string] => [l, t(`value.${l}`)])];
        this.fields = [
            field('name', t('prop.name'), {value: String(p.name ?? ''), required: true, disabled: ro}),
            field('level', t('prop.level'), {values: levelValues, value: String(p.level ?? ''), disabled: ro}),
            field('start', t('prop.start'), {type: 'date', value: String(p.start ?? (d.base ? '' : today())), disabled: ro}),
            field('end', t('prop.end'), {type: 'date', value: String(p.end ?? ''), disabled: ro}),
            field('status', t('prop.status'), {values: NEXT[status].map((s): [string, string] => [s, t(`ed.status.${s}`)]), value: status || 'draft', disabled: ro || NEXT[status].length < 2}),
            field('note', t('ed.note'), {textarea: true, value: String(p.note ?? ''), disabled: ro}),
        ];
        if (keep) for (const f of this.fields) if (keep[f.name] !== undefined) f.control.value = keep[f.name];
        const title = d.id ? t('ed.zones.edit', {name: String(d.base?.properties.name ?? d.id)}) : t('ed.zones.new');
        const meta = d.base ? h('p', {className: 'ed-meta'}, t('ed.meta', {rev: d.base.revision ?? '?', who: d.base.updated_by ?? '?', when: (d.base.updated ?? '').slice(0, 16).replace('T', ' ')})) : null;
        const why = !this.editable ? t('ed.readonly') : !mine ? t('ed.otherdistrict', {district: this.ctx.s.user?.district ?? ''}) : '';
        const actions = h('div', {className: 'ed-actions'});
        if (this.editable) {
            const dis = (on: boolean) => (on ? {disabled: true, 'aria-disabled': 'true'} : {});
            actions.append(
                button(t('ed.save'), () => void this.save(), {'data-action': 'save', ...dis(ro)}),
                button(t('ed.publish'), () => void this.save('published'), {'data-action': 'publish', ...dis(!mine || status === 'published' || status === 'lifted')}),
                button(t('ed.lift'), () => void this.save('lifted'), {'data-action': 'lift', ...dis(!mine || status !== 'published')}),
                button(t('ed.redraw'), () => this.redraw(), {'data-action': 'redraw', ...dis(ro)}),
                button(t('ed.delete'), () => void this.remove(), {'data-action': 'delete', ...dis(!mine || !d.id || status !== 'draft')}),
            );
        }
        actions.append(
            d.id ? button(t('ed.history'), () => void this.showHistory(), {'data-action': 'history'}) : '',
            button(t('ed.close'), () => this.close(), {'data-action': 'close'}),
        );
        const form = h('form', {className: 'ed-form', 'aria-label': title, novalidate: true}, ...this.fields.map((f) => f.wrap));
        form.addEventListener('submit', (e) => {
            e.preventDefault();
            void this.save();
        });
        this.formBox.replaceChildren(
            h('h3', {tabindex: '-1'}, title),
            meta ?? '',
            why ? h('p', {className: 'ed-readonly', 'data-why': 'readonly'}, why) : '',
            this.conflict,
            this.rest,
            form,
            actions,
            this.formMsg,
            this.history);
        this.rest.hidden = true;
    }

    private close(): void {
        if (!this.confirmDiscard()) return;
        this.draft = undefined;
        this.fields = [];
        this.clearDraw();
        this.conflict.hidden = true;
        this.history.replaceChildren();
        this.formMsg.textContent = '';
        this.renderForm();
        this.paint();
    }

    private redraw(): void {
        if (!this.draft) return;
        this.draw.setMode('static');
        this.draw.clear();
        this.drawId = undefined;
        this.clearMarkers();
        this.draft.geomChanged = true;
        this.draw.setMode('polygon');
        this.ctx.bm.map.getCanvas().dataset.drawing = 'true';
        this.ctx.say(this.t('ed.zones.drawhint'));
    }

    private clearMarkers(): void {
        for (const m of this.markers) m.remove();
        this.markers = [];
    }

    /** mark puts a message on the map at a point of the shape. */
    private mark(at: [number, number], text: string): void {
        const el = h('div', {className: 'ed-shape-error', role: 'alert'}, h('span', {className: 'ed-shape-dot', 'aria-hidden': 'true'}), h('span', {}, text));
        this.markers.push(new Marker({element: el, anchor: 'top-left', offset: [-9, -9]}).setLngLat(at).addTo(this.ctx.bm.map));
    }

    /** precheck shows the shape's problems as soon as it is drawn or changed. */
    private precheck(): boolean {
        this.clearMarkers();
        const vals = valuesOf(this.fields);
        const checks = checkZone(this.geometry(), {...vals, name: vals.name || 'x'});
        this.showChecks(checks.filter((c) => c.field === 'geometry'));
        return checks.length === 0;
    }

    private showChecks(checks: Array<{field: string; key: string; at?: [number, number]}>): void {
        const texts = checks.map((c) => ({field: c.field, text: this.t(c.key), at: c.at}));
        this.show(texts);
    }

    private show(errors: Array<{field?: string; text: string; at?: [number, number]}>): void {
        this.clearMarkers();
        showFieldErrors(this.fields, errors, this.rest);
        const ring = largestRing(this.geometry());
        for (const e of errors) {
            if (e.at) this.mark(e.at, e.text);
            else if ((e.field === 'geometry' || e.field === undefined) && ring) this.mark([ring[0][0], ring[0][1]], e.text);
        }
    }

    private async save(status?: string): Promise<void> {
        const d = this.draft;
        if (!d) return;
        const t = this.t;
        const vals = valuesOf(this.fields);
        if (status) vals.status = status;
        const geom = this.geometry();
        if (this.draw.getMode() === 'polygon' && this.drawId === undefined) {
            this.show([{field: 'geometry', text: t('ed.check.unfinished')}]);
            return;
        }
        const checks = checkZone(d.id && !d.geomChanged ? d.base?.geometry : geom, vals);
        if (checks.length) {
            this.showChecks(checks);
            this.formMsg.textContent = t('ed.check.refused');
            this.formMsg.scrollIntoView({block: 'nearest'});
            this.ctx.say(t('ed.check.refused'), 'error');
            return;
        }
        this.show([]);
        this.conflict.hidden = true;
        this.formMsg.textContent = t('ed.saving');
        try {
            let f: EditedFeature;
            if (!d.id) {
                const props: Record<string, unknown> = {...d.extra, status: 'draft'};
                for (const k of PROPS) if (k !== 'status' && vals[k]) props[k] = vals[k];
                for (const [k, v] of Object.entries(props)) if (v === undefined || v === null || v === '') delete props[k];
                f = await this.ctx.s.create(COL, {type: 'Feature', geometry: geom!, properties: props}, vals.note);
                if (vals.status && vals.status !== 'draft') f = await this.ctx.s.patch(COL, f.id, f.etag ?? '', {properties: {status: vals.status}}, vals.note);
            } else {
                const change: {properties?: Record<string, unknown>; geometry?: GeoJSON.Geometry} = {};
                const props: Record<string, unknown> = {};
                const base = d.base?.properties ?? {};
                for (const k of PROPS) {
                    const v = vals[k] ?? '';
                    if (v === String(base[k] ?? '')) continue;
                    props[k] = v === '' ? null : v;
                }
                if (Object.keys(props).length) change.properties = props;
                if (d.geomChanged && geom) change.geometry = geom;
                if (!change.properties && !change.geometry) {
                    this.formMsg.textContent = t('ed.nochange');
                    return;
                }
                f = await this.ctx.s.patch(COL, d.id, d.etag ?? '', change, vals.note);
            }
            this.adopt(f);
            this.formMsg.textContent = t('ed.saved', {rev: f.revision ?? '?'});
            this.ctx.say(t('ed.saved', {rev: f.revision ?? '?'}), 'ok');
            await this.reload();
        } catch (e) {
            await this.failed(e);
        }
    }

    private adopt(f: EditedFeature): void {
        const stored = {...f, etag: f.etag ?? (f.revision !== undefined ? `"r${f.revision}"` : undefined)};
        this.draft = {id: stored.id, etag: stored.etag, base: stored, extra: {}, geomChanged: false};
        this.fields = [];
        this.loadShape(stored.geometry);
        this.renderForm();
        this.paint();
    }

    private async failed(e: unknown): Promise<void> {
        const t = this.t;
        this.formMsg.textContent = problemText(this.ctx.tr, e);
        if (e instanceof Problem && e.status === 422) {
            const errs = fieldErrors(this.ctx.tr, e.errors);
            this.show(errs.length ? errs : [{text: e.reason(this.ctx.tr.lang)}]);
            this.ctx.say(problemText(this.ctx.tr, e), 'error');
            return;
        }
        if (e instanceof Problem && e.status === 412) {
            let current = e.current;
            if (!current && this.draft?.id) {
                try {
                    current = await this.ctx.s.item(COL, this.draft.id);
                } catch {
                    // shown below without the details
                }
            }
            this.showConflict(current);
            this.conflict.scrollIntoView({block: 'nearest'});
            this.ctx.say(t('ed.err.412'), 'error');
            return;
        }
        this.show([{text: problemText(this.ctx.tr, e)}]);
        this.ctx.say(problemText(this.ctx.tr, e), 'error');
    }

    private showConflict(current?: EditedFeature): void {
        const t = this.t;
        this.conflict.hidden = false;
        this.conflict.replaceChildren(
            h('p', {}, t('ed.conflict', {who: current?.updated_by ?? '?', rev: current?.revision ?? '?'})),
            h('p', {}, t('ed.conflict.kept')),
            button(t('ed.conflict.reapply'), () => void this.reapply(current), {'data-action': 'reapply'}));
    }

    /** reapply takes the latest stored zone and puts the official's changes back on it. */
    private async reapply(current?: EditedFeature): Promise<void> {
        const d = this.draft;
        if (!d?.id) return;
        try {
            const latest = await this.ctx.s.item(COL, d.id).catch(() => current);
            if (!latest) throw new Error('no current version');
            const mine = valuesOf(this.fields);
            const base = d.base?.properties ?? {};
            const changed: Record<string, string> = {};
            for (const k of PROPS) if ((mine[k] ?? '') !== String(base[k] ?? '')) changed[k] = mine[k] ?? '';
            if (mine.note) changed.note = mine.note;
            const geom = d.geomChanged ? this.geometry() : undefined;
            this.draft = {id: latest.id, etag: latest.etag, base: latest, extra: {}, geomChanged: !!geom};
            this.fields = [];
            if (geom) this.loadShape(geom); else this.loadShape(latest.geometry);
            this.renderForm(changed);
            for (const f of this.fields) if (k(changed, f.name)) f.control.value = changed[f.name];
            this.conflict.hidden = true;
            this.formMsg.textContent = this.t('ed.conflict.reapplied');
            this.ctx.say(this.t('ed.conflict.reapplied'), 'ok');
            this.paint();
        } catch (e) {
            this.ctx.say(problemText(this.ctx.tr, e), 'error');
        }
    }

    private async remove(): Promise<void> {
        const d = this.draft;
        if (!d?.id) return;
        if (!window.confirm(this.t('ed.delete.confirm'))) return;
        try {
            await this.ctx.s.remove(COL, d.id, d.etag ?? '');
            this.draft = undefined;
            this.fields = [];
            this.clearDraw();
            this.renderForm();
            this.ctx.say(this.t('ed.deleted'), 'ok');
            await this.reload();
        } catch (e) {
            await this.failed(e);
        }
    }

    private async showHistory(): Promise<void> {
        const d = this.draft;
        if (!d?.id) return;
        const t = this.t;
        try {
            const revs = await this.ctx.s.revisions(COL, d.id);
            const rows = revs.map((r) => h('li', {},
                h('span', {}, t('ed.history.row', {rev: r.revision ?? '?', action: r.action, who: r.actor, when: r.time.slice(0, 16).replace('T', ' ')})),
                r.note ? h('span', {className: 'ed-meta'}, ` — ${r.note}`) : null,
                this.editable && this.mayTouch() && r.revision !== undefined && r.revision !== d.base?.revision
                    ? button(t('ed.history.revert', {rev: r.revision}), () => void this.revert(r.revision!), {'data-revert': String(r.revision)})
                    : null));
            this.history.replaceChildren(h('h4', {}, t('ed.history')), h('ol', {className: 'ed-history-list'}, ...(rows.length ? rows : [h('li', {}, t('ed.none'))])));
        } catch (e) {
            this.ctx.say(problemText(this.ctx.tr, e), 'error');
        }
    }

    private async revert(n: number): Promise<void> {
        const d = this.draft;
        if (!d?.id) return;
        try {
            const f = await this.ctx.s.revert(COL, d.id, d.etag ?? '', n);
            this.adopt(f.id ? f : await this.ctx.s.item(COL, d.id));
            this.ctx.say(this.t('ed.reverted', {rev: n}), 'ok');
            await this.reload();
            await this.showHistory();
        } catch (e) {
            await this.failed(e);
        }
    }
}

function k(o: Record<string, string>, name: string): boolean {
    return Object.prototype.hasOwnProperty.call(o, name);
}

/** inside tells whether a point is inside a ring (even-odd rule). */
function inside(p: [number, number], ring: number[][] | undefined): boolean {
    if (!ring) return false;
    let c = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if ((yi > p[1]) !== (yj > p[1]) && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) c = !c;
    }
    return c;
}
