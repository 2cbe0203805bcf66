// Legend and layer toggles: one checkbox per collection, with the colour the
// style draws it in, grouped as the map's audience thinks of them.

import {LAYERS, type Group} from './catalog.ts';
import {h} from './dom.ts';
import type {Translator} from './i18n.ts';
import type {BandoMap} from './map.ts';

/** Toggle holds the elements of one collection's checkbox that change after it is built. */
interface Toggle {
    id: string;
    box: HTMLInputElement;
    swatch: HTMLSpanElement;
    name: Text;
    note: HTMLSpanElement;
}

/**
 * Legend renders the toggles of some groups into a container. Its controls are
 * built once; a language or zoom change only updates their texts, hints and
 * states in place, so keyboard focus stays on the checkbox the user is on.
 */
export class Legend {
    private readonly bm: BandoMap;
    private readonly tr: Translator;
    private readonly onToggle: () => void;
    private readonly titles: Array<{group: Group; el: HTMLLegendElement}> = [];
    private readonly toggles: Toggle[] = [];

    constructor(el: HTMLElement, groups: Group[], bm: BandoMap, tr: Translator, onToggle: () => void) {
        this.bm = bm;
        this.tr = tr;
        this.onToggle = onToggle;
        el.replaceChildren(...groups.map((g) => this.build(g)));
        this.update();
        tr.onChange(() => this.update());
        // A layer drawn only from some zoom on says so until the map gets there.
        bm.map.on('zoomend', () => this.update());
    }

    /** build makes the fieldset of one group, with a toggle per collection the style draws. */
    private build(g: Group): HTMLFieldSetElement {
        const title = h('legend', {});
        this.titles.push({group: g, el: title});
        const rows = LAYERS.filter((l) => l.group === g && this.bm.hasLayer(l.id)).map((l) => {
            const id = `toggle-${l.id}`;
            const box = h('input', {
                type: 'checkbox', id, name: 'layer', value: l.id,
                onchange: () => {
                    this.bm.setVisible(l.id, box.checked);
                    this.onToggle();
                },
            });
            const swatch = h('span', {className: `swatch swatch-${l.group}${l.id === 'quarantine_zones' ? ' swatch-area' : ''}`, 'aria-hidden': 'true'});
            const name = document.createTextNode('');
            const note = h('span', {className: 'toggle-note', hidden: true});
            this.toggles.push({id: l.id, box, swatch, name, note});
            return h('div', {className: 'toggle'}, box, h('label', {for: id}, swatch, name, note));
        });
        return h('fieldset', {className: `legend legend-${g}`}, title, ...rows);
    }

    /** update brings texts, zoom hints, colours and checked states up to date without replacing any element. */
    update(): void {
        const t = this.tr.t.bind(this.tr);
        const z = this.bm.map.getZoom();
        for (const {group, el} of this.titles) setText(el, t(`group.${group}`));
        for (const tg of this.toggles) {
            setText(tg.name, t(`layer.${tg.id}`));
            const far = this.bm.minZoom(tg.id) > z;
            setText(tg.note, far ? t('legend.zoomin') : '');
            tg.note.hidden = !far;
            const on = this.bm.visible.has(tg.id);
            if (tg.box.checked !== on) tg.box.checked = on;
            tg.swatch.style.setProperty('--c', this.bm.colour(tg.id));
        }
    }
}

/** setText changes a node's text only when it differs, so unchanged labels are not announced again. */
function setText(n: Node, text: string): void {
    if (n.textContent !== text) n.textContent = text;
}
