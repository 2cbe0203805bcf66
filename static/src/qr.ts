// Drawing an address as a QR code, for the share dialog (share.ts loads
// this module when the dialog first opens, so the encoder stays out of the
// map's first view).

import {encode} from 'uqr';

/** MODULE_PX is the size of one QR module on screen. */
const MODULE_PX = 5;

/** drawQR draws text as a QR code into a canvas, dark on white with a quiet zone. */
export function drawQR(canvas: HTMLCanvasElement, text: string): void {
    const qr = encode(text, {ecc: 'M', border: 4});
    const n = qr.size;
    canvas.width = n * MODULE_PX;
    canvas.height = n * MODULE_PX;
    const g = canvas.getContext('2d');
    if (!g) return;
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = '#000000';
    qr.data.forEach((row, y) => row.forEach((dark, x) => {
        if (dark) g.fillRect(x * MODULE_PX, y * MODULE_PX, MODULE_PX, MODULE_PX);
    }));
}
