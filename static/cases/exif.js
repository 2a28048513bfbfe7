// GPS position from a JPEG's Exif block, read in the browser so the citizen can be offered
// "use the photo's location?" before anything is sent. Only the APP1 Exif segment is parsed;
// every offset is bounds-checked because the file is untrusted input.

const SCAN_BYTES = 256 * 1024; // APP1 is at most 64 KiB and sits near the start of the file
const TYPE_SIZE = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };
const MAX_ENTRIES = 1000;
const TAG_GPS_IFD = 0x8825;
const GPS = { latRef: 1, lat: 2, lonRef: 3, lon: 4, time: 7, date: 0x1d, hError: 0x1f };

/** {lat, lon, accuracy_m, taken_at} from a File/Blob that is a JPEG, or null. */
export async function readPhotoGps(file) {
  if (!file || typeof file.slice !== "function") return null;
  try {
    return parseJpegGps(await file.slice(0, SCAN_BYTES).arrayBuffer());
  } catch {
    return null; // unreadable file: no suggestion, the upload itself still decides
  }
}

/** Pure parser over the first bytes of a JPEG (ArrayBuffer). */
export function parseJpegGps(buffer) {
  const v = new DataView(buffer);
  if (v.byteLength < 4 || v.getUint16(0) !== 0xffd8) return null;
  let pos = 2;
  while (pos + 4 <= v.byteLength) {
    if (v.getUint8(pos) !== 0xff) return null;
    const marker = v.getUint8(pos + 1);
    if (marker === 0xff) { pos += 1; continue; } // fill byte
    if (marker === 0xd9 || marker === 0xda) return null; // end of image / image data: no Exif ahead
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { pos += 2; continue; } // no length field
    const length = v.getUint16(pos + 2);
    const start = pos + 4;
    const end = pos + 2 + length;
    if (length < 2 || end > v.byteLength) return null;
    if (marker === 0xe1 && end - start > 14 && isExifHeader(v, start)) {
      const found = parseTiff(new DataView(buffer, start + 6, end - start - 6));
      if (found) return found;
    }
    pos = end;
  }
  return null;
}

function isExifHeader(v, at) {
  const expected = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
  return expected.every((b, i) => v.getUint8(at + i) === b);
}

function parseTiff(v) {
  const order = v.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) return null;
  const le = order === 0x4949;
  if (v.getUint16(2, le) !== 42) return null;
  const ifd0 = readIfd(v, v.getUint32(4, le), le);
  const pointer = ifd0 && ifd0.get(TAG_GPS_IFD);
  if (!pointer || (pointer.type !== 4 && pointer.type !== 13) || pointer.count < 1) return null;
  const gps = readIfd(v, v.getUint32(pointer.at, le), le);
  if (!gps) return null;
  const lat = degrees(v, gps.get(GPS.lat), le);
  const lon = degrees(v, gps.get(GPS.lon), le);
  const latRef = ascii(v, gps.get(GPS.latRef));
  const lonRef = ascii(v, gps.get(GPS.lonRef));
  if (lat == null || lon == null || !latRef || !lonRef) return null;
  const signedLat = latRef[0] === "S" ? -lat : lat;
  const signedLon = lonRef[0] === "W" ? -lon : lon;
  if (Math.abs(signedLat) > 90 || Math.abs(signedLon) > 180) return null;
  if (signedLat === 0 && signedLon === 0) return null; // cameras write 0,0 when they had no fix
  const hError = rationals(v, gps.get(GPS.hError), le, 1);
  return {
    lat: signedLat,
    lon: signedLon,
    accuracy_m: hError && hError[0] > 0 && hError[0] <= 1e6 ? hError[0] : null,
    taken_at: gpsTime(v, gps, le),
  };
}

/** Map tag -> {type, count, at} where `at` is the offset of the value inside the TIFF block. */
function readIfd(v, offset, le) {
  if (!Number.isInteger(offset) || offset < 8 || offset + 2 > v.byteLength) return null;
  const count = v.getUint16(offset, le);
  if (count > MAX_ENTRIES || offset + 2 + count * 12 > v.byteLength) return null;
  const tags = new Map();
  for (let i = 0; i < count; i += 1) {
    const e = offset + 2 + i * 12;
    const type = v.getUint16(e + 2, le);
    const n = v.getUint32(e + 4, le);
    const size = (TYPE_SIZE[type] || 0) * n;
    if (!size) continue;
    const at = size <= 4 ? e + 8 : v.getUint32(e + 8, le);
    if (at + size > v.byteLength) continue;
    tags.set(v.getUint16(e, le), { type, count: n, at });
  }
  return tags;
}

function rationals(v, entry, le, need) {
  if (!entry || entry.type !== 5 || entry.count < need) return null;
  const out = [];
  for (let i = 0; i < need; i += 1) {
    const num = v.getUint32(entry.at + i * 8, le);
    const den = v.getUint32(entry.at + i * 8 + 4, le);
    if (den === 0) return null;
    out.push(num / den);
  }
  return out;
}

function degrees(v, entry, le) {
  const dms = rationals(v, entry, le, 3);
  if (!dms || dms[1] >= 60 || dms[2] >= 60) return null;
  return dms[0] + dms[1] / 60 + dms[2] / 3600;
}

function ascii(v, entry) {
  if (!entry || entry.type !== 2) return "";
  let s = "";
  for (let i = 0; i < entry.count; i += 1) {
    const c = v.getUint8(entry.at + i);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** GPS date + time (UTC) as Unix seconds, or null. */
function gpsTime(v, gps, le) {
  const date = /^(\d{4}):(\d{2}):(\d{2})$/.exec(ascii(v, gps.get(GPS.date)));
  const hms = rationals(v, gps.get(GPS.time), le, 3);
  if (!date || !hms) return null;
  const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), hms[0], hms[1], hms[2]);
  return Number.isFinite(ms) && ms > 0 ? ms / 1000 : null;
}

// Segments that describe the photo rather than draw it: Exif/XMP (APP1: GPS, camera make,
// model and serial, time), IPTC (APP13) and comments (COM).
const METADATA_MARKERS = new Set([0xe1, 0xed, 0xfe]);

/**
 * The JPEG without its metadata segments, or null if it is not a JPEG we can walk safely.
 * Pixels are untouched: segments are dropped byte for byte, nothing is re-encoded.
 */
export function stripJpegMetadata(buffer) {
  const v = new DataView(buffer);
  if (v.byteLength < 4 || v.getUint16(0) !== 0xffd8) return null;
  const kept = [new Uint8Array(buffer, 0, 2)];
  let pos = 2;
  while (pos + 4 <= v.byteLength) {
    if (v.getUint8(pos) !== 0xff) return null;
    const marker = v.getUint8(pos + 1);
    if (marker === 0xda) {
      kept.push(new Uint8Array(buffer, pos)); // image data to the end, as it is
      break;
    }
    if (marker === 0xd9) return null;
    const length = v.getUint16(pos + 2);
    const end = pos + 2 + length;
    if (length < 2 || end > v.byteLength) return null;
    if (!METADATA_MARKERS.has(marker)) kept.push(new Uint8Array(buffer, pos, end - pos));
    pos = end;
  }
  if (pos + 4 > v.byteLength) return null; // never reached the image data
  const out = new Uint8Array(kept.reduce((n, part) => n + part.byteLength, 0));
  let at = 0;
  for (const part of kept) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
