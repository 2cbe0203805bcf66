// Registers the service worker (/sw.js, built from sw.ts) that keeps the
// app shell, the last bulletin and recently seen tiles for offline use.

/** registerServiceWorker installs /sw.js once the page has loaded, where the browser can. */
export function registerServiceWorker(): void {
    if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
    const register = () => {
        navigator.serviceWorker.register('/sw.js', {scope: '/'}).catch(() => {
            // NOTE: without a worker the page simply has no offline copy.
        });
    };
    if (document.readyState === 'complete') register();
    else window.addEventListener('load', register, {once: true});
}
