/**
 * The files the web pages load besides themselves, the stylesheet and the icon, served by the
 * Worker itself (no external resources). Each URL carries a digest of the file, so browsers may
 * cache it for a year and still get the new file the moment it changes.
 */

const CSS = `
:root{color-scheme:light dark;
--bg:#fff;--ink:#1b1b1b;--muted:#555;--line:#d0d0d0;--panel:#f4f4f2;--link:#0b57d0;--focus:#b4009e;
--ins-bg:#d4f4d0;--ins-ink:#0b3d0b;--del-bg:#fbd9d6;--del-ink:#6b0f0a;--tag:#e8e8ff;--tag-ink:#262680}
@media (prefers-color-scheme:dark){:root{
--bg:#121417;--ink:#e8e8e8;--muted:#b4b4b4;--line:#3a3d42;--panel:#1c1f24;--link:#8ab4f8;--focus:#ff8ae2;
--ins-bg:#1e4620;--ins-ink:#d8f8d4;--del-bg:#5c1d18;--del-ink:#ffdcd8;--tag:#2a2d52;--tag-ink:#d6d6ff}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:1rem/1.6 system-ui,-apple-system,"Segoe UI",sans-serif}
a{color:var(--link)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid var(--focus);outline-offset:2px;border-radius:2px}
.skip{position:absolute;left:-999px;top:.5rem;background:var(--bg);padding:.5rem 1rem;z-index:1}
.skip:focus{left:.5rem}
.wrap{max-width:64rem;margin:0 auto;padding:0 1rem}
header.site{border-bottom:1px solid var(--line)}
header.site .wrap{display:flex;flex-wrap:wrap;align-items:baseline;gap:.5rem 1.5rem;padding-block:.75rem}
.brand{font-weight:700;font-size:1.25rem;text-decoration:none;color:var(--ink)}
.brand span{color:var(--del-ink);background:var(--del-bg);padding:0 .2rem}
nav ul{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;margin:0;padding:0}
main{padding-block:1rem 2rem}
footer.site{border-top:1px solid var(--line);color:var(--muted);font-size:.9rem;padding-block:1rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0}
h2{font-size:1.2rem;margin-top:2rem}
.meta,.muted{color:var(--muted);font-size:.9rem}
.meta a{color:var(--link)}
.tags{display:inline-flex;flex-wrap:wrap;gap:.25rem;list-style:none;margin:0;padding:0}
.tags li{background:var(--tag);color:var(--tag-ink);border-radius:.25rem;padding:0 .4rem;font-size:.8rem}
.significance{font-variant-numeric:tabular-nums;font-weight:600}
ol.changes{list-style:none;margin:0;padding:0}
ol.changes>li{border-bottom:1px solid var(--line);padding:.75rem 0}
ol.changes h2{font-size:1.05rem;margin:0}
ol.changes p{margin:.2rem 0}
form.filters{background:var(--panel);border:1px solid var(--line);border-radius:.4rem;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-end}
form.filters fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.2rem .9rem}
form.filters legend{font-weight:600;padding:0;margin-bottom:.2rem}
form.filters label{white-space:nowrap}
input,button,select{font:inherit;color:inherit}
input[type=number],input[type=text],select{background:var(--bg);border:1px solid var(--muted);border-radius:.25rem;padding:.2rem .4rem;max-width:14rem}
button{background:var(--ink);color:var(--bg);border:0;border-radius:.25rem;padding:.3rem .9rem;cursor:pointer}
form.admin-form{max-width:46rem}form.admin-form fieldset{border:1px solid var(--line);border-radius:.4rem;margin:1rem 0;padding:.5rem 1rem}
.field{margin:.75rem 0}.field label{display:block;font-weight:600}.field input,.field textarea,.field select{width:100%;max-width:46rem}
textarea,input[type=url],input[type=password]{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--muted);border-radius:.25rem;padding:.2rem .4rem}
.field.invalid input,.field.invalid textarea,.field.invalid select{border:2px solid var(--del-ink)}
.field-error{color:var(--del-ink);font-weight:600;margin:.2rem 0}.field-error::before{content:"Error: "}.hint{color:var(--muted);font-size:.9rem;margin:.2rem 0}
.form-errors{border:2px solid var(--del-ink);border-radius:.4rem;padding:.25rem 1rem;margin:1rem 0;color:var(--del-ink)}
.admin-actions{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:1rem 0}.admin-actions form{margin:0}
.pager{display:flex;gap:1.5rem;margin-top:1rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid var(--line)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.5rem 0}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}
dl.filter{display:grid;grid-template-columns:max-content 1fr;gap:0 .8rem;margin:0}dl.filter dt{font-weight:400;color:var(--muted)}dl.filter dd{margin:0}
pre{background:var(--panel);border:1px solid var(--line);border-radius:.4rem;padding:.6rem .8rem;overflow-x:auto}
.status.failing,.error{color:var(--del-ink)}.status.failing{font-weight:600}
table.sources td{overflow-wrap:anywhere}
ins{background:var(--ins-bg);color:var(--ins-ink);text-decoration:none}
del{background:var(--del-bg);color:var(--del-ink);text-decoration:line-through}
ins::before,ins::after,del::before,del::after{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(100%);white-space:nowrap}
ins::before{content:" [insertion start] "}ins::after{content:" [insertion end] "}
del::before{content:" [deletion start] "}del::after{content:" [deletion end] "}
.redline .body,.article-text{font:1.05rem/1.65 Georgia,"Times New Roman",serif;max-width:46rem}
.redline dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;background:var(--panel);padding:.6rem .8rem;border-radius:.4rem}
.redline dt{font-weight:600}.redline dd{margin:0}
p.added,p.removed,p.changed{border-left:3px solid var(--muted);padding-left:.6rem}
p.moved{border-left-style:dashed}
small.move,p.elided{color:var(--muted);font-family:system-ui,sans-serif}
.view-toggle{display:flex;gap:1rem;margin:1rem 0}
.view-toggle a[aria-current]{font-weight:700;color:var(--ink);text-decoration:none}
table.side{table-layout:fixed;font:1rem/1.6 Georgia,"Times New Roman",serif}
table.side th{font-family:system-ui,sans-serif;font-size:.9rem}
table.side caption{text-align:left;font-family:system-ui,sans-serif;padding:.3rem 0}
table.side td:empty{background:var(--panel)}
@media (max-width:40rem){
table.side,table.side tbody,table.side tr,table.side td{display:block;width:100%}
table.side thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(100%)}
table.side td::before{content:attr(data-label);display:block;font:600 .8rem system-ui,sans-serif;color:var(--muted)}
table.side td:empty{display:none}
dl.facts{grid-template-columns:1fr}}
`;

/** FNV-1a: a synchronous digest of the text at module load, only to bust caches (not for integrity). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** A struck-through red line: the icon browsers would otherwise ask `/favicon.ico` for. */
const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#fbd9d6"/><path d="M2 8h12" stroke="#b3261e" stroke-width="2.5"/></svg>`;

interface Asset {
  path: string;
  contentType: string;
  body: string;
}

const asset = (name: string, extension: string, contentType: string, body: string): Asset => ({
  path: `/static/${name}.${fnv1a(body)}.${extension}`,
  contentType,
  body,
});

export const STYLESHEET = asset("redline", "css", "text/css; charset=utf-8", CSS.trim());
export const ICON_SVG = asset("icon", "svg", "image/svg+xml", ICON);
export const ASSETS: readonly Asset[] = [STYLESHEET, ICON_SVG];
