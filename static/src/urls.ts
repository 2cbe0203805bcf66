// URL helpers of the map: absolute addresses on the page's origin and the
// date parameter of tile URL templates.

/** absolute makes a URL of the page's origin absolute, leaving {…} tokens alone. */
export function absolute(url: string): string {
    if (/^[a-z]+:\/\//i.test(url)) return url;
    return location.origin + (url.startsWith('/') ? url : `/${url}`);
}

/** withDate sets or removes the date parameter of a tile URL template. */
export function withDate(url: string, date?: string): string {
    const [base, query = ''] = url.split('?', 2);
    const params = query.split('&').filter((p) => p !== '' && !p.startsWith('date='));
    if (date) params.push(`date=${date}`);
    return params.length ? `${base}?${params.join('&')}` : base;
}
