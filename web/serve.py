#!/usr/bin/env python3
"""Serves the built web page (default build/wasm/site) on localhost with the cross-origin isolation
headers (COOP same-origin, COEP require-corp) so the page runs the threaded build (SharedArrayBuffer);
the page works without them too, on the single-threaded build (--no-isolation serves it so, as a plain
static host would). Python standard library only.

  python3 web/serve.py [--port 8080] [--dir build/wasm/site] [--host 127.0.0.1] [--no-isolation]
"""
import argparse
import functools
import http.server
import os
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
                      '.vert': 'text/plain', '.frag': 'text/plain', '.gz': 'application/octet-stream',
                      '.json': 'application/json'}

    isolation = True

    def end_headers(self):
        if self.isolation:
            self.send_header('Cross-Origin-Opener-Policy', 'same-origin')
            self.send_header('Cross-Origin-Embedder-Policy', 'require-corp')
            self.send_header('Cross-Origin-Resource-Policy', 'same-origin')
        self.send_header('Cache-Control', 'no-cache')
        super().end_headers()

    def log_message(self, fmt, *args):
        if os.environ.get('AE_SERVE_LOG'):
            super().log_message(fmt, *args)


def main():
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--port', type=int, default=8080, help='port (0 = any free port)')
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--dir', default=os.path.join(root, 'build', 'wasm', 'site'))
    ap.add_argument('--no-isolation', action='store_true',
                    help='without the COOP/COEP headers: the page runs its single-threaded build')
    args = ap.parse_args()
    Handler.isolation = not args.no_isolation
    if not os.path.exists(os.path.join(args.dir, 'index.html')):
        sys.exit(f'serve.py: {args.dir}/index.html not found; build the page first: cmake --workflow --preset wasm')
    try:
        server = http.server.ThreadingHTTPServer((args.host, args.port), functools.partial(Handler, directory=args.dir))
    except OSError as e:
        sys.exit(f'serve.py: cannot listen on {args.host}:{args.port}: {e.strerror} (pick another with --port N, or --port 0)')
    mode = 'cross-origin isolated: threaded build' if Handler.isolation else 'no COOP/COEP: single-threaded build'
    print(f'Autoencoder lab: http://{args.host}:{server.server_address[1]}/  (serving {args.dir}, {mode}; Ctrl+C stops)',
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
