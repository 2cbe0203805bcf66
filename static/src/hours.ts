// Opening hours as the popups and lists show them. The seam for words:
// "Mo-Su 05:00-19:00" should read as today's hours in the reader's
// language; until a parser of the OpenStreetMap opening_hours syntax is
// plugged in here, the raw text is shown as written.

import type {Translator} from './i18n.ts';

/** formatOpeningHours writes an opening_hours value for reading. */
export function formatOpeningHours(_tr: Translator, raw: string): string {
    return raw;
}
