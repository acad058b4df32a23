/**
 * Markup and script a message or a knowledge entry may carry: each, if it ever ran, sets
 * `window.__pwned`, and most would leave an element the page never makes. The API returns them as
 * the exact text; the UI shows them as text. One line per trick.
 */
export const htmlPayloads: string[] = [
  `<script>window.__pwned='script'</script>`,
  `<img src=x onerror="window.__pwned='img'">`,
  `<svg onload="window.__pwned='svg'"><circle r=1 /></svg>`,
  `<iframe srcdoc="<script>parent.__pwned='iframe'</script>"></iframe>`,
  `[点此查看](javascript:window.__pwned='md-link')`,
  `![图](x" onerror="window.__pwned='md-img')`,
  `<a href="javascript:window.__pwned='a'">说明书</a>`,
  `"><img src=x onerror=window.__pwned='attr'>`,
  `<details open ontoggle="window.__pwned='details'">`,
  `<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned='mxss'">`,
  `<style>body{display:none}</style>`,
  `{@html '<img src=x onerror=window.__pwned=1>'}`,
  `&lt;script&gt;window.__pwned='entity'&lt;/script&gt;`,
];

/** Elements and attributes none of the payloads may leave in the page. */
export const INJECTED_SELECTOR = 'img[src="x"], iframe, details[ontoggle], mglyph, [onerror], [onload], [ontoggle], a[href^="javascript:"]';

/** A drug whose name, alias and facts carry `payload` (the `i`th of the corpus). */
export function payloadDrug(payload: string, i: number) {
  return {
    type: 'drug',
    name: `脚本药${i}${payload}`.slice(0, 100),
    aliases: [`别名${i}${payload}`.slice(0, 100)],
    class: payload,
    indications: [`${payload}头痛`],
    cautions: [payload],
  };
}
