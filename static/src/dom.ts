// A small element builder: text always goes in as text nodes, never HTML,
// so names from the data cannot inject markup.

type Attrs = Record<string, string | number | boolean | EventListener | undefined | null>;
type Child = Node | string | number | null | undefined | false;

/** h builds an element with attributes, listeners (on…) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k.startsWith('on') && typeof v === 'function') {
            el.addEventListener(k.slice(2), v);
        } else if (k === 'className') {
            el.className = String(v);
        } else if (v === true) {
            el.setAttribute(k, '');
        } else {
            el.setAttribute(k, String(v));
        }
    }
    append(el, children);
    return el;
}

/** append adds children, skipping empty ones. */
export function append(el: Element, children: Child[]): void {
    for (const c of children) {
        if (c === null || c === undefined || c === false) continue;
        el.append(typeof c === 'number' ? String(c) : c);
    }
}

/** svg builds an SVG element. */
export function svg(tag: string, attrs: Record<string, string | number> = {}, ...children: Array<Node | string>): SVGElement {
    const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    el.append(...children);
    return el;
}

/** byId finds an element the page template must hold. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
    const el = document.getElementById(id);
    if (!el) throw new Error(`bando: #${id} missing from the page`);
    return el as T;
}
