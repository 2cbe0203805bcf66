// Legend and layer toggles: one checkbox per collection, with the colour the
// style draws it in, grouped as the map's audience thinks of them.

import {LAYERS, type Group} from './catalog.ts';
import {h} from './dom.ts';
import type {Translator} from './i18n.ts';
import type {BandoMap} from './map.ts';

/** Legend renders the toggles of some groups into a container. */
export class Legend {
    private readonly el: HTMLElement;
    private readonly groups: Group[];
    private readonly bm: BandoMap;
    private readonly tr: Translator;
    private readonly onToggle: () => void;

    constructor(el: HTMLElement, groups: Group[], bm: BandoMap, tr: Translator, onToggle: () => void) {
        this.el = el;
        this.groups = groups;
        this.bm = bm;
        this.tr = tr;
        this.onToggle = onToggle;
        this.render();
        tr.onChange(() => this.render());
        // A layer drawn only from some zoom on says so until the map gets there.
        bm.map.on('zoomend', () => {
            const key = this.hiddenByZoom().join(',');
            if (key !== this.zoomKey) this.render();
        });
    }

    private zoomKey = '';

    /** hiddenByZoom lists the visible collections the current zoom does not draw yet. */
    private hiddenByZoom(): string[] {
        const z = this.bm.map.getZoom();
        return LAYERS.filter((l) => this.groups.includes(l.group) && this.bm.minZoom(l.id) > z).map((l) => l.id);
    }

    /** render redraws the toggles from the map's current state. */
    render(): void {
        const t = this.tr.t.bind(this.tr);
        const far = new Set(this.hiddenByZoom());
        this.zoomKey = [...far].join(',');
        this.el.replaceChildren(...this.groups.map((g) => {
            const items = LAYERS.filter((l) => l.group === g && this.bm.hasLayer(l.id));
            return h('fieldset', {className: `legend legend-${g}`},
                h('legend', {}, t(`group.${g}`)),
                ...items.map((l) => {
                    const id = `toggle-${l.id}`;
                    const box = h('input', {
                        type: 'checkbox', id, name: 'layer', value: l.id,
                        checked: this.bm.visible.has(l.id),
                        onchange: (e: Event) => {
                            this.bm.setVisible(l.id, (e.target as HTMLInputElement).checked);
                            this.onToggle();
                        },
                    });
                    const swatch = h('span', {className: `swatch swatch-${l.group}${l.id === 'quarantine_zones' ? ' swatch-area' : ''}`, 'aria-hidden': 'true'});
                    swatch.style.setProperty('--c', this.bm.colour(l.id));
                    return h('div', {className: 'toggle'}, box, h('label', {for: id}, swatch, t(`layer.${l.id}`),
                        far.has(l.id) ? h('span', {className: 'toggle-note'}, t('legend.zoomin')) : null));
                }));
        }));
    }
}
