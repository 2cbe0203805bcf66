// /admin: what the officials' area will hold, said plainly until sign-in for
// officials exists.

import './admin.css';
import {byId, h} from './dom.ts';
import {initialLang, isLang, Translator} from './i18n.ts';

const ITEMS = ['signin', 'zones', 'import', 'tracing', 'enterprises'];

function render(tr: Translator): void {
    const t = tr.t.bind(tr);
    document.title = `${t('admin.title')} · ${t('app.short')}`;
    const other = tr.lang === 'vi' ? 'en' : 'vi';
    byId('admin').replaceChildren(
        h('p', {className: 'app-name'}, t('app.short')),
        h('h1', {}, t('admin.title')),
        h('p', {className: 'notice', role: 'note'}, t('admin.notice')),
        h('p', {}, t('admin.body')),
        h('ul', {}, ...ITEMS.map((i) => h('li', {}, t(`admin.item.${i}`)))),
        h('p', {className: 'links'},
            h('a', {href: tr.lang === 'vi' ? '/' : '/?lang=en'}, t('admin.back')),
            ' · ',
            h('a', {href: `?lang=${other}`, hreflang: other, lang: other, onclick: (e: Event) => {
                e.preventDefault();
                if (isLang(other)) tr.set(other);
                history.replaceState(null, '', `?lang=${other}`);
            }}, t(`lang.${other}`))));
}

const tr = new Translator(initialLang());
document.documentElement.lang = tr.lang;
render(tr);
tr.onChange(() => render(tr));
