// Points in the editor: pick a collection, see its stored points, add one
// with a click, drag the chosen one to move it, edit its attributes (the
// form comes from the collection's fields and the server's queryables) and
// delete it.

import './placestext.ts';
import {Marker, type GeoJSONSource, type MapMouseEvent} from 'maplibre-gl';
import {h} from './dom.ts';
import {canEdit, inDistrict, Problem, type EditedFeature} from './adminapi.ts';
import {button, field, fieldErrors, problemText, showFieldErrors, valuesOf, type Ctx, type FormField} from './adminui.ts';
import {checkDates, fieldsOf, POINT_COLLECTIONS, withQueryables, type Field} from './adminschema.ts';

const SRC = 'ed-points';

/** Points is the points part of the editor. */
export class Points {
    private readonly ctx: Ctx;
    readonly el: HTMLElement;
    private col = POINT_COLLECTIONS[0];
    private items: EditedFeature[] = [];
    private schema: Field[] = fieldsOf(this.col);
    private sel?: {id?: string; etag?: string; base?: EditedFeature; at: [number, number]; moved: boolean};
    private marker?: Marker;
    private adding = false;
    private fields: FormField[] = [];
    private formBox = h('div', {className: 'ed-form-box'});
    private rest = h('ul', {className: 'ed-errors', role: 'alert'});
    private formMsg = h('p', {className: 'ed-form-msg', role: 'status'});
    private count = h('p', {className: 'ed-meta'});

    constructor(ctx: Ctx) {
        this.ctx = ctx;
        this.el = h('section', {className: 'ed-part', 'data-part': 'points', hidden: true});
    }

    private get t() {
        return this.ctx.tr.t.bind(this.ctx.tr);
    }

    private get editable(): boolean {
        return canEdit(this.ctx.s.user);
    }

    /** start adds the points layer to the loaded map. */
    start(): void {
        const map = this.ctx.bm.map;
        map.addSource(SRC, {type: 'geojson', data: {type: 'FeatureCollection', features: []}});
        map.addLayer({id: 'ed-points', type: 'circle', source: SRC, layout: {visibility: 'none'},
            paint: {'circle-radius': 7, 'circle-color': '#5e3c99', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2}});
        map.on('click', (e) => this.clicked(e));
    }

    /** shown switches the part's map layer with the panel. */
    shown(on: boolean): void {
        const map = this.ctx.bm.map;
        if (map.getLayer('ed-points')) map.setLayoutProperty('ed-points', 'visibility', on ? 'visible' : 'none');
        this.ctx.bm.setVisible(this.col, !on);
        if (on) void this.load();
        if (!on) {
            this.adding = false;
            this.marker?.remove();
        } else if (this.sel) {
            this.placeMarker();
        }
    }

    render(): void {
        const t = this.t;
        const select = h('select', {id: 'ed-point-col'}, ...POINT_COLLECTIONS.map((c) => h('option', {value: c}, t(`layer.${c}`))));
        select.value = this.col;
        select.addEventListener('change', () => {
            this.ctx.bm.setVisible(this.col, true);
            this.col = select.value;
            this.ctx.bm.setVisible(this.col, false);
            this.deselect();
            void this.load();
        });
        this.el.replaceChildren(
            h('h2', {}, t('ed.points')),
            h('div', {className: 'ed-field'}, h('label', {for: 'ed-point-col'}, t('ed.points.collection')), select),
            this.editable
                ? h('div', {className: 'ed-tools'}, button(t('ed.points.add'), () => this.startAdd(), {'data-action': 'add-point', 'aria-pressed': String(this.adding)}))
                : h('p', {className: 'ed-readonly'}, t('ed.readonly')),
            this.count,
            this.formBox);
        this.renderForm();
    }

    private async load(): Promise<void> {
        try {
            const [r, q] = await Promise.all([
                this.ctx.s.items(this.col, {limit: 2000}),
                this.ctx.s.call<{properties?: Record<string, {type?: string; format?: string; enum?: unknown[]}>}>(`/ogc/collections/${this.col}/queryables`).then((x) => x.data, () => ({})),
            ]);
            this.items = r.features;
            this.schema = withQueryables(fieldsOf(this.col), q);
        } catch (e) {
            this.ctx.say(problemText(this.ctx.tr, e), 'error');
            return;
        }
        this.count.textContent = this.t('ed.points.count', {n: this.items.length});
        this.paint();
    }

    private paint(): void {
        const src = this.ctx.bm.map.getSource<GeoJSONSource>(SRC);
        src?.setData({type: 'FeatureCollection', features: this.items.filter((f) => f.geometry && f.id !== this.sel?.id).map((f) => ({
            type: 'Feature', geometry: f.geometry!, properties: {pid: f.id, name: String(f.properties.name ?? '')},
        }))});
    }

    private startAdd(): void {
        this.deselect();
        this.adding = !this.adding;
        this.render();
        if (this.adding) this.ctx.say(this.t('ed.points.addhint'));
    }

    private clicked(e: MapMouseEvent): void {
        if (this.el.hidden) return;
        if (this.adding) {
            this.adding = false;
            this.sel = {at: [e.lngLat.lng, e.lngLat.lat], moved: true};
            this.placeMarker();
            this.render();
            return;
        }
        const map = this.ctx.bm.map;
        const hit = map.queryRenderedFeatures([[e.point.x - 8, e.point.y - 8], [e.point.x + 8, e.point.y + 8]], {layers: ['ed-points']});
        const pid = hit[0]?.properties?.pid;
        const f = this.items.find((x) => x.id === pid);
        if (f && f.geometry?.type === 'Point') {
            this.sel = {id: f.id, etag: f.etag, base: f, at: [f.geometry.coordinates[0], f.geometry.coordinates[1]], moved: false};
            this.placeMarker();
            this.paint();
            this.renderForm();
        }
    }

    private mine(): boolean {
        return this.editable && (!this.sel?.base || inDistrict(this.ctx.s.user, this.sel.base.properties));
    }

    private placeMarker(): void {
        this.marker?.remove();
        if (!this.sel) return;
        const el = h('div', {className: 'ed-point-marker', 'aria-label': this.t('ed.points.marker')});
        this.marker = new Marker({element: el, draggable: this.mine()}).setLngLat(this.sel.at).addTo(this.ctx.bm.map);
        this.marker.on('dragend', () => {
            if (!this.sel || !this.marker) return;
            const p = this.marker.getLngLat();
            this.sel.at = [Math.round(p.lng * 1e7) / 1e7, Math.round(p.lat * 1e7) / 1e7];
            this.sel.moved = true;
            this.formMsg.textContent = this.t('ed.points.moved');
        });
    }

    private deselect(): void {
        this.sel = undefined;
        this.marker?.remove();
        this.marker = undefined;
        this.fields = [];
        this.renderForm();
        this.paint();
    }

    private renderForm(): void {
        const t = this.t;
        if (!this.sel) {
            this.formBox.replaceChildren(h('p', {className: 'ed-meta'}, t(this.editable ? 'ed.points.pick' : 'ed.points.pickro')));
            return;
        }
        const p = this.sel.base?.properties ?? {};
        const ro = !this.mine();
        this.fields = this.schema.map((f) => field(f.name, this.ctx.tr.has(`prop.${f.name}`) ? t(`prop.${f.name}`) : f.name, {
            type: f.type === 'date' ? 'date' : f.type === 'integer' ? 'number' : 'text',
            values: f.values ? [['', t('ed.none.chosen')], ...f.values.map((v): [string, string] => [v, this.ctx.tr.has(`value.${v}`) ? t(`value.${v}`) : v])] : undefined,
            value: p[f.name] === undefined || p[f.name] === null ? '' : String(p[f.name]),
            required: f.required,
            disabled: ro,
        }));
        const title = this.sel.id ? t('ed.points.edit', {name: String(p.name ?? this.sel.id)}) : t('ed.points.new');
        const form = h('form', {className: 'ed-form', 'aria-label': title, novalidate: true}, ...this.fields.map((f) => f.wrap));
        form.addEventListener('submit', (e) => {
            e.preventDefault();
            void this.save();
        });
        const dis = (on: boolean) => (on ? {disabled: true, 'aria-disabled': 'true'} : {});
        this.formBox.replaceChildren(
            h('h3', {}, title),
            ro && this.editable ? h('p', {className: 'ed-readonly', 'data-why': 'readonly'}, t('ed.otherdistrict', {district: this.ctx.s.user?.district ?? ''})) : '',
            this.sel.id && !ro ? h('p', {className: 'ed-meta'}, t('ed.points.draghint')) : '',
            this.rest,
            form,
            h('div', {className: 'ed-actions'},
                this.editable ? button(t('ed.save'), () => void this.save(), {'data-action': 'save-point', ...dis(ro)}) : '',
                this.editable && this.sel.id ? button(t('ed.delete'), () => void this.remove(), {'data-action': 'delete-point', ...dis(ro)}) : '',
                button(t('ed.close'), () => this.deselect(), {'data-action': 'close-point'})),
            this.formMsg);
        this.rest.hidden = true;
    }

    private async save(): Promise<void> {
        const s = this.sel;
        if (!s) return;
        const t = this.t;
        const vals = valuesOf(this.fields);
        const props: Record<string, unknown> = {};
        const errors: Array<{field?: string; text: string}> = [];
        for (const f of this.schema) {
            const v = vals[f.name] ?? '';
            if (f.required && !v) errors.push({field: f.name, text: t('ed.check.required')});
            if (f.type === 'integer' && v && !/^-?\d+$/.test(v)) errors.push({field: f.name, text: t('ed.check.integer')});
            props[f.name] = v === '' ? null : f.type === 'integer' ? Number(v) : v;
        }
        for (const b of checkDates(props)) errors.push({field: b, text: t('ed.check.endbefore')});
        showFieldErrors(this.fields, errors, this.rest);
        if (errors.length) {
            this.formMsg.textContent = t('ed.check.refused');
            return;
        }
        const geometry: GeoJSON.Point = {type: 'Point', coordinates: s.at};
        try {
            let f: EditedFeature;
            if (!s.id) {
                for (const [k, v] of Object.entries(props)) if (v === null) delete props[k];
                f = await this.ctx.s.create(this.col, {type: 'Feature', geometry, properties: props});
            } else {
                const base = s.base?.properties ?? {};
                const change: Record<string, unknown> = {};
                for (const [k, v] of Object.entries(props)) if ((v ?? null) !== (base[k] ?? null)) change[k] = v;
                f = await this.ctx.s.patch(this.col, s.id, s.etag ?? '', {
                    properties: Object.keys(change).length ? change : undefined,
                    geometry: s.moved ? geometry : undefined,
                });
            }
            this.ctx.say(t('ed.saved', {rev: f.revision ?? '?'}), 'ok');
            await this.load();
            const stored = this.items.find((x) => x.id === f.id) ?? f;
            this.sel = {id: stored.id, etag: stored.etag ?? f.etag, base: stored, at: s.at, moved: false};
            this.placeMarker();
            this.paint();
            this.renderForm();
            this.formMsg.textContent = t('ed.saved', {rev: f.revision ?? '?'});
        } catch (e) {
            this.failed(e);
        }
    }

    private failed(e: unknown): void {
        this.formMsg.textContent = problemText(this.ctx.tr, e);
        if (e instanceof Problem && e.status === 422) showFieldErrors(this.fields, fieldErrors(this.ctx.tr, e.errors), this.rest);
        else if (e instanceof Problem && e.status === 412) this.formMsg.textContent = `${problemText(this.ctx.tr, e)} ${this.t('ed.points.reload')}`;
        this.ctx.say(problemText(this.ctx.tr, e), 'error');
    }

    private async remove(): Promise<void> {
        const s = this.sel;
        if (!s?.id) return;
        if (!window.confirm(this.t('ed.delete.confirm'))) return;
        try {
            await this.ctx.s.remove(this.col, s.id, s.etag ?? '');
            this.deselect();
            this.ctx.say(this.t('ed.deleted'), 'ok');
            await this.load();
        } catch (e) {
            this.failed(e);
        }
    }
}
