// /admin: the officials' editor. Sign-in (name and password; the session is
// an HttpOnly cookie and the CSRF token stays in memory), who is signed in,
// the public map with the editor's layers, and the parts: quarantine zones,
// points, cases and (for admins) accounts. Vietnamese first, English by the
// switch or ?lang=en.

import './admin.css';
import {NavigationControl, ScaleControl} from 'maplibre-gl';
import {byId, h} from './dom.ts';
import {initialLang, isLang, Translator} from './i18n.ts';
import {LAYERS} from './catalog.ts';
import {createMap, type BandoMap} from './map.ts';
import {canEdit, Problem, Session, type User} from './adminapi.ts';
import {button, problemText, type Ctx} from './adminui.ts';
import {Zones} from './adminzones.ts';
import {Points} from './adminpoints.ts';
import {Cases, Users} from './admintables.ts';
import {mayRegister, Venues} from './adminvenues.ts';
import {mayTrace, Tracing} from './admintracing.ts';

const NARROW = window.matchMedia('(max-width: 800px)');

/** TRACING_PATH is the tracing screen's own address: /admin with its tab open. */
const TRACING_PATH = '/admin/tracing';

interface Part {
    el: HTMLElement;
    render(): void;
    shown?(on: boolean): void;
}

/** Editor holds the page together. */
class Editor {
    readonly tr: Translator;
    readonly s = new Session();
    private bm?: BandoMap;
    private parts: Record<string, Part> = {};
    private current = location.pathname.replace(/\/+$/, '') === TRACING_PATH ? 'tracing' : 'zones';
    private quiet = 0;

    constructor(tr: Translator) {
        this.tr = tr;
    }

    private get t() {
        return this.tr.t.bind(this.tr);
    }

    async start(): Promise<void> {
        this.chrome();
        let user: User | undefined;
        try {
            user = await this.s.me();
        } catch (e) {
            this.say(problemText(this.tr, e), 'error');
        }
        if (user) await this.open();
        else this.signInForm();
    }

    /** say puts a message in the status line at the foot of the page. */
    say(msg: string, kind: 'ok' | 'error' = 'ok'): void {
        const el = byId('ed-status');
        el.textContent = msg;
        el.dataset.kind = kind;
        clearTimeout(this.quiet);
        // Good news fades; a problem stays until the next message.
        if (kind === 'ok') this.quiet = window.setTimeout(() => (el.textContent = ''), 8000);
    }

    private chrome(): void {
        const lang = byId<HTMLSelectElement>('lang');
        lang.value = this.tr.lang;
        lang.addEventListener('change', () => {
            if (!isLang(lang.value)) return;
            this.tr.set(lang.value);
            const q = new URLSearchParams(location.search);
            q.set('lang', lang.value);
            history.replaceState(null, '', `${location.pathname}?${q}${location.hash}`);
        });
        byId('ed-signout').addEventListener('click', () => void this.signOut());
        const collapse = byId<HTMLButtonElement>('ed-collapse');
        const setOpen = (open: boolean) => {
            collapse.setAttribute('aria-expanded', String(open));
            byId('ed-panel').classList.toggle('collapsed', !open);
            collapse.textContent = this.t(open ? 'ed.panel.hide' : 'ed.panel.show');
            this.bm?.map.resize();
        };
        collapse.addEventListener('click', () => setOpen(collapse.getAttribute('aria-expanded') !== 'true'));
        this.tr.onChange(() => {
            this.text();
            setOpen(collapse.getAttribute('aria-expanded') === 'true');
            if (this.s.user) this.renderParts();
            else this.signInForm();
        });
        this.text();
    }

    private text(): void {
        const t = this.t;
        document.title = `${t('admin.title')} · ${t('app.short')}`;
        byId('ed-title').textContent = t('admin.title');
        const back = byId<HTMLAnchorElement>('ed-back');
        back.textContent = t('admin.back');
        back.href = this.tr.lang === 'vi' ? '/' : '/?lang=en';
        byId('lang-label').textContent = t('lang.label');
        byId('ed-signout').textContent = t('ed.signout');
        byId('ed-panel-title').textContent = t('ed.tools');
        byId('ed-collapse').textContent = t(byId('ed-collapse').getAttribute('aria-expanded') === 'false' ? 'ed.panel.show' : 'ed.panel.hide');
        byId('map').setAttribute('aria-label', t('ed.map'));
        const u = this.s.user;
        byId('ed-who').textContent = u
            ? t(u.district ? 'ed.who.district' : 'ed.who', {name: u.name, role: t(`ed.role.${u.role}`), district: u.district ?? ''})
            : '';
    }

    private signInForm(): void {
        const t = this.t;
        byId('ed-app').hidden = true;
        byId('ed-signout').hidden = true;
        const box = byId('ed-signin');
        box.hidden = false;
        const name = h('input', {id: 'ed-name', name: 'name', type: 'text', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false'});
        const pw = h('input', {id: 'ed-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true});
        const err = h('p', {id: 'ed-signin-error', className: 'ed-field-error', role: 'alert'});
        const submit = h('button', {type: 'submit', className: 'ed-primary'}, t('ed.signin'));
        const form = h('form', {className: 'ed-form', 'aria-labelledby': 'ed-signin-title'},
            h('h2', {id: 'ed-signin-title'}, t('ed.signin.title')),
            h('p', {className: 'ed-meta'}, t('ed.signin.hint')),
            h('div', {className: 'ed-field'}, h('label', {for: 'ed-name'}, t('ed.signin.name')), name),
            h('div', {className: 'ed-field'}, h('label', {for: 'ed-password'}, t('ed.signin.password')), pw),
            err, submit);
        form.addEventListener('submit', async (e) => {
            e.preventDefault();
            err.textContent = '';
            if (!name.value.trim() || !pw.value) {
                err.textContent = t('ed.signin.empty');
                return;
            }
            submit.disabled = true;
            try {
                await this.s.signIn(name.value.trim(), pw.value);
                pw.value = '';
                await this.open();
            } catch (x) {
                if (x instanceof Problem && x.status === 401) err.textContent = t('ed.signin.401');
                else if (x instanceof Problem && x.status === 429) err.textContent = t('ed.signin.429', {s: x.retryAfter ?? '?', min: Math.ceil((x.retryAfter ?? 60) / 60)});
                else err.textContent = problemText(this.tr, x);
                pw.focus();
            } finally {
                submit.disabled = false;
            }
        });
        box.replaceChildren(form);
        name.focus();
    }

    private async signOut(): Promise<void> {
        try {
            await this.s.signOut();
        } catch (e) {
            this.say(problemText(this.tr, e), 'error');
        }
        location.assign(location.pathname + location.search);
    }

    /** open shows the editor to the signed-in official. */
    private async open(): Promise<void> {
        byId('ed-signin').hidden = true;
        byId('ed-signin').replaceChildren();
        byId('ed-app').hidden = false;
        byId('ed-signout').hidden = false;
        document.body.dataset.role = this.s.user?.role ?? '';
        this.text();
        if (!this.bm) {
            const visible = new Set(LAYERS.filter((l) => l.visible && l.id !== 'quarantine_zones' && l.id !== 'contacts').map((l) => l.id));
            try {
                this.bm = await createMap({container: byId('map'), visible, label: this.t('ed.map'), locale: this.tr.maplibreLocale(), padding: {top: 20, bottom: 20, left: 20, right: 20}});
            } catch {
                byId('map').replaceChildren(h('p', {className: 'error', role: 'alert'}, this.t('error.style')));
                return;
            }
            const bm = this.bm;
            bm.map.addControl(new NavigationControl({showCompass: false}), 'top-left');
            bm.map.addControl(new ScaleControl({unit: 'metric'}), 'bottom-left');
            const ctx: Ctx = {tr: this.tr, s: this.s, bm, say: (m, k) => this.say(m, k)};
            const zones = new Zones(ctx);
            const points = new Points(ctx);
            const venues = mayRegister(this.s.user) ? new Venues(ctx) : undefined;
            // An enterprise account works only with its own venues; a tracer with venues and tracing
            // (the map's editing data is the editors': reading it would only be refused).
            const role = this.s.user?.role;
            this.parts = role === 'enterprise' && venues ? {venues} : role === 'tracer' ? {} : {zones, points, cases: new Cases(ctx)};
            if (venues) this.parts.venues = venues;
            const tracing = mayTrace(this.s.user) ? new Tracing(ctx) : undefined;
            if (tracing) this.parts.tracing = tracing;
            if (this.s.user?.role === 'admin') this.parts.users = new Users(ctx);
            if (!(this.current in this.parts)) this.current = tracing && role === 'tracer' ? 'tracing' : Object.keys(this.parts)[0];
            byId('ed-parts').replaceChildren(...Object.values(this.parts).map((p) => p.el));
            this.renderParts();
            await new Promise<void>((resolve) => (bm.map.loaded() ? resolve() : bm.map.once('load', () => resolve())));
            if (this.parts.zones) zones.start();
            if (this.parts.points) points.start();
            venues?.start();
            tracing?.start();
            // The part shown first gets its layers and data now that the map has loaded.
            if (this.current === 'venues') venues?.shown(true);
            if (this.current === 'tracing') tracing?.shown(true);
            document.body.dataset.ready = 'true';
        }
    }

    private renderParts(): void {
        const t = this.t;
        const tabs = Object.keys(this.parts).map((k) => button(t(`ed.tab.${k}`), () => this.show(k), {'aria-pressed': String(k === this.current), 'data-tab': k}));
        byId('ed-tabs').replaceChildren(...tabs);
        byId('ed-tabs').setAttribute('aria-label', t('ed.tools'));
        for (const p of Object.values(this.parts)) p.render();
        if (!canEdit(this.s.user)) document.body.dataset.readonly = 'true';
        this.show(this.current);
    }

    private show(k: string): void {
        const was = this.current;
        this.current = k;
        for (const [name, p] of Object.entries(this.parts)) {
            p.el.hidden = name !== k;
        }
        for (const b of byId('ed-tabs').querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.tab === k));
        if (was !== k) {
            this.parts[was]?.shown?.(false);
            this.parts[k]?.shown?.(true);
        }
        // The tracing screen keeps its own address, so a reload (or a link) opens it again.
        const path = k === 'tracing' ? TRACING_PATH : '/admin';
        if (location.pathname !== path && (k === 'tracing' || location.pathname.startsWith(TRACING_PATH))) {
            history.replaceState(null, '', `${path}${location.search}${location.hash}`);
        }
    }
}

const tr = new Translator(initialLang());
document.documentElement.lang = tr.lang;
void new Editor(tr).start();
if (NARROW.matches) document.body.classList.add('narrow');
