// The thread control in the page's header: which build of the module the worker runs (worker.js picks the
// threaded one when the page is cross-origin isolated) and how many threads train. Self-contained: it
// listens to the worker's 'ready' and 'threads' messages and sends {type: 'threads', n}. The page's address
// may set the count: ?threads=N (the tests use it).
const $ = (id) => document.getElementById(id);

export function installThreadControl(worker, state) {
  const select = $('threads'), note = $('threads-note');
  const show = (m) => {
    state.threaded = m.threaded;
    state.maxThreads = m.maxThreads;
    state.threads = m.threads;
    if (select.options.length !== m.maxThreads) {
      select.replaceChildren(...Array.from({length: m.maxThreads}, (_, i) => new Option(String(i + 1), String(i + 1))));
    }
    select.value = String(m.threads);
    $('threads-label').hidden = !m.threaded || m.maxThreads < 2;
    note.textContent = !m.threaded
      ? `1 thread: serve with COOP/COEP for more${m.buildNote ? ` (${m.buildNote})` : ''}`
      : `${m.threads} thread${m.threads === 1 ? '' : 's'}${m.maxThreads > 1 ? '' : ' (1 core)'}`;
  };
  worker.addEventListener('message', (ev) => {
    const m = ev.data;
    if (m.type === 'ready' || m.type === 'threads') show(m);
    const asked = Number(new URLSearchParams(location.search).get('threads'));
    if (m.type === 'ready' && asked && asked !== m.threads) worker.postMessage({type: 'threads', n: asked});
    if (m.heapBytes) state.heapBytes = m.heapBytes;  // the module's WASM memory (read by the tests)
  });
  select.onchange = () => worker.postMessage({type: 'threads', n: Number(select.value)});
}
