/**
 * Minimal GraphQL console served at GET /graphql (Accept: text/html) when the explorer is enabled.
 * Self-contained: no CDN, no bundle — works offline. Paste an access token to call authenticated fields.
 */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OpenCEP GraphQL console</title>
<style>
 body{font:14px system-ui,sans-serif;margin:0;display:grid;grid-template-rows:auto 1fr;height:100vh}
 header{padding:8px 12px;background:#12372a;color:#fff;display:flex;gap:8px;align-items:center}
 header input{flex:1;padding:4px} main{display:grid;grid-template-columns:1fr 1fr;gap:8px;padding:8px;min-height:0}
 textarea,pre{font:13px ui-monospace,monospace;margin:0;border:1px solid #ccc;padding:8px;overflow:auto}
 .left{display:grid;grid-template-rows:2fr 1fr;gap:8px;min-height:0} button{padding:4px 12px}
</style></head><body>
<header><b>OpenCEP GraphQL</b><input id="token" placeholder="Bearer access token (optional)"><button id="run">Run ▶</button></header>
<main><div class="left"><textarea id="query">query Me {\\n  me { kind permissions grants { role scopeType scopeId } }\\n}</textarea>
<textarea id="vars" placeholder="variables (JSON)">{}</textarea></div><pre id="out"></pre></main>
<script>
const $=(id)=>document.getElementById(id);
$('token').value=localStorage.getItem('opencep.token')||'';
async function run(){
  localStorage.setItem('opencep.token',$('token').value);
  const headers={'content-type':'application/json'};
  if($('token').value) headers.authorization='Bearer '+$('token').value.replace(/^Bearer\\s+/i,'');
  let variables={}; try{variables=JSON.parse($('vars').value||'{}')}catch(e){$('out').textContent='variables: '+e;return}
  const r=await fetch(location.pathname,{method:'POST',headers,body:JSON.stringify({query:$('query').value,variables})});
  $('out').textContent=JSON.stringify(await r.json(),null,2);
}
$('run').onclick=run; document.addEventListener('keydown',(e)=>{if((e.ctrlKey||e.metaKey)&&e.key==='Enter')run()});
</script></body></html>`;
