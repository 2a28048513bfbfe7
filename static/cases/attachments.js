// The attachment picker of the citizen forms: files chosen one by one or together, checked here
// for count, size and type (from the first bytes, like the server) so the citizen learns before
// a long upload; the server checks again and has the last word.

import { t } from "/static/i18n.js";
import { el } from "/static/util.js";

const MIB = 1024 * 1024;
const DEFAULTS = { max_attachments: 5, max_photo_bytes: 10 * MIB, max_video_bytes: 100 * MIB };
const ISO_PHOTO_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"]);

/** "photo" | "video" | null from the first 16 bytes. */
export function sniffKind(bytes) {
  const b = bytes;
  const str = (from, to) => String.fromCharCode(...b.slice(from, to));
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "photo"; // JPEG
  if (b.length >= 8 && str(0, 8) === "\x89PNG\r\n\x1a\n") return "photo";
  if (b.length >= 12 && str(0, 4) === "RIFF" && str(8, 12) === "WEBP") return "photo";
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return "video"; // WebM
  if (b.length >= 12 && str(4, 8) === "ftyp") return ISO_PHOTO_BRANDS.has(str(8, 12)) ? "photo" : "video"; // HEIC / MP4 / MOV / 3GP
  return null;
}

function megabytes(bytes) {
  return Math.round((bytes / MIB) * 10) / 10;
}

export class AttachmentPicker {
  /** ui: {input, list, error, hint}; onAdded(file) for each accepted file. */
  constructor(ui, { onAdded } = {}) {
    this.ui = ui;
    this.onAdded = onAdded || (() => {});
    this.limits = { ...DEFAULTS };
    this.files = [];
    this.kinds = new Map(); // File -> photo | video
    this.message = null; // {key, params}
    ui.input.addEventListener("change", () => this.add([...ui.input.files]));
    ui.list.addEventListener("click", (ev) => {
      const btn = ev.target.closest("button[data-index]");
      if (!btn) return;
      this.files.splice(Number(btn.dataset.index), 1);
      this.message = null;
      this.render();
    });
  }

  /** Limits from /api/client-config `evidence` when the server sends them. */
  configure(evidence) {
    if (!evidence) return;
    for (const key of Object.keys(DEFAULTS)) {
      if (Number.isInteger(evidence[key]) && evidence[key] > 0) this.limits[key] = evidence[key];
    }
    this.render();
  }

  async add(chosen) {
    this.ui.input.value = ""; // the same file can be chosen again after removing it
    this.message = null;
    for (const file of chosen) {
      if (this.files.length >= this.limits.max_attachments) {
        this.message = { key: "att.too_many", params: { n: this.limits.max_attachments } };
        break;
      }
      const kind = sniffKind(new Uint8Array(await file.slice(0, 16).arrayBuffer()));
      if (!kind) {
        this.message = { key: "att.bad_type", params: { name: file.name } };
        continue;
      }
      const max = kind === "photo" ? this.limits.max_photo_bytes : this.limits.max_video_bytes;
      if (file.size > max) {
        this.message = { key: "att.too_big", params: { name: file.name, max: megabytes(max) } };
        continue;
      }
      this.kinds.set(file, kind);
      this.files.push(file);
      this.onAdded(file);
    }
    this.render();
  }

  /** A reason the files cannot be sent as they are, or null. */
  problem() {
    if (this.files.length > this.limits.max_attachments) {
      return { input: this.ui.input, text: t("att.too_many", { n: this.limits.max_attachments }) };
    }
    return null;
  }

  render() {
    const { list, error, hint } = this.ui;
    hint.textContent = t("att.hint", {
      n: this.limits.max_attachments,
      photo: megabytes(this.limits.max_photo_bytes),
      video: megabytes(this.limits.max_video_bytes),
    });
    list.replaceChildren(...this.files.map((file, i) => {
      const li = el("li", `attachment kind-${this.kinds.get(file)}`);
      const size = file.size < MIB ? `${Math.max(1, Math.round(file.size / 1024))} KB` : `${megabytes(file.size)} MB`;
      li.append(el("span", "att-name", file.name), el("span", "att-size", size));
      const remove = el("button", "btn-link att-remove", t("att.remove"));
      remove.type = "button";
      remove.dataset.index = String(i);
      remove.setAttribute("aria-label", `${t("att.remove")}: ${file.name}`);
      li.append(remove);
      return li;
    }));
    error.hidden = !this.message;
    error.textContent = this.message ? t(this.message.key, this.message.params) : "";
  }
}
