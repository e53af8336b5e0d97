// Langfuse media references (`@@@langfuseMedia:type=…|id=…|source=…@@@`) in traced
// text: the pattern, and the element one reference renders as (an image, audio, video or
// a download link, once its blob URL is fetched).

import { clear, h } from "../dom.js";
import { fmtNumber } from "../format.js";
import { mediaUrl } from "../api.js";

/** A media reference: groups 1 (content type) and 2 (media id). */
export const MEDIA_RE = /@@@langfuseMedia:type=([^|@]+)\|id=([^|@]+)\|source=([^|@]+)@@@/g;

/** A placeholder replaced by the media `id` (declared as `type`) once fetched. */
export function mediaElement(type, id) {
  const holder = h("span", { class: "media", dataset: { mediaId: id } }, h("span", { class: "muted", text: `[${type} ${id} loading…]` }));
  mediaUrl(id).then((media) => {
    const mime = media.type || type;
    let el;
    if (mime.startsWith("image/")) el = h("img", { src: media.url, alt: `${mime} ${id}`, class: "media-img" });
    else if (mime.startsWith("audio/")) el = h("audio", { src: media.url, controls: true });
    else if (mime.startsWith("video/")) el = h("video", { src: media.url, controls: true, class: "media-img" });
    else el = h("a", { href: media.url, download: `${id}`, text: `Download ${mime} (${fmtNumber(media.size)} bytes)` });
    clear(holder).appendChild(el);
  }, (error) => {
    clear(holder).appendChild(h("span", { class: "error-text", text: `[${type} ${id}: ${error.message}]` }));
  });
  return holder;
}
