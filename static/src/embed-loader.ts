// embed.js: put
//   <script src="https://MAP-HOST/embed.js" data-layers="cases,quarantine_zones"
//           data-zoom="10" data-center="106.65,11.1" data-lang="vi"></script>
// where the banner should appear. It inserts the /embed iframe right after
// itself (or into data-target) and keeps its height fitted to its width.

(() => {
    const script = document.currentScript as HTMLScriptElement | null;
    if (!script?.src) return;
    const base = new URL(script.src);
    const d = script.dataset;
    const src = new URL('/embed', base.origin);
    for (const [attr, param] of [['layers', 'layers'], ['zoom', 'z'], ['center', 'c'], ['lang', 'lang']] as const) {
        const v = d[attr];
        if (v) src.searchParams.set(param, v);
    }
    const frame = document.createElement('iframe');
    frame.src = src.href;
    frame.title = d.title || (d.lang === 'en' ? 'Bình Dương COVID-19 map' : 'Bản đồ COVID-19 Bình Dương');
    frame.loading = 'lazy';
    frame.referrerPolicy = 'strict-origin-when-cross-origin';
    frame.setAttribute('allow', 'geolocation');
    frame.style.cssText = 'display:block;width:100%;border:0;border-radius:6px;';
    const fixed = Number(d.height);
    const fit = () => {
        if (fixed > 0) {
            frame.style.height = `${fixed}px`;
            return;
        }
        // A banner over a map reads well at 3:4, within phone and desktop bounds.
        const w = frame.getBoundingClientRect().width || 600;
        frame.style.height = `${Math.round(Math.min(640, Math.max(380, w * 0.75)))}px`;
    };
    const target = d.target ? document.querySelector(d.target) : null;
    if (target) target.append(frame); else script.after(frame);
    fit();
    if (typeof ResizeObserver === 'function') new ResizeObserver(fit).observe(frame.parentElement ?? document.body);
    else addEventListener('resize', fit);
})();
