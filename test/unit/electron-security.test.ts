import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { APP_ENTRY_URL, APP_ORIGIN, isAppUrl } from '../../src-main/hosts/electron/app-origin.js';
import {
  CSP,
  hardenSession,
  hardenWebContents,
  isNavigationAllowed,
  isRequestAllowed,
  isTrustedSender,
  permissionDecision,
  windowOpenDecision,
  type FrameLike,
  type IpcEventLike,
} from '../../src-main/hosts/electron/security.js';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((p) => p[0]).map(([name, ...values]) => [name!, values]));
}

describe('CSP', () => {
  const policy = directives(CSP);

  it('allows the app itself and nothing remote', () => {
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('img-src')).toEqual(["'self'", 'data:']);
    for (const [name, values] of policy) {
      for (const value of values) {
        // Only keywords and data: for images; never a host, a scheme wildcard or `*`.
        expect(value, `${name} ${value}`).toMatch(/^'(self|none)'$|^data:$/);
      }
    }
    expect(CSP).not.toMatch(/https?:|wss?:|\*/);
  });

  it('has no eval and no inline script', () => {
    expect(CSP).not.toContain('unsafe-eval');
    expect(CSP).not.toContain('wasm-unsafe-eval');
    for (const name of ['default-src', 'script-src']) expect(policy.get(name) ?? []).not.toContain("'unsafe-inline'");
    expect(policy.get('object-src')).toEqual(["'none'"]);
  });
});

describe('app origin', () => {
  it('recognises app://xinglin and nothing else', () => {
    expect(isAppUrl(APP_ENTRY_URL)).toBe(true);
    expect(isAppUrl(`${APP_ORIGIN}/assets/index-abc.js?x=1#y`)).toBe(true);
    for (const url of ['https://xinglin/', 'app://evil/', 'app://xinglin.evil.com/', 'app://user@xinglin/', 'file:///etc/passwd', 'http://127.0.0.1:3000/', 'javascript:alert(1)', 'about:blank', '', 'not a url']) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });
});

describe('navigation, windows, permissions, requests', () => {
  it('allows navigation only within the app', () => {
    expect(isNavigationAllowed(`${APP_ORIGIN}/index.html#/record`)).toBe(true);
    expect(isNavigationAllowed('https://example.com/')).toBe(false);
    expect(isNavigationAllowed('file:///C:/Windows/')).toBe(false);
  });

  it('never opens a window or an external URL', () => {
    expect(windowOpenDecision()).toEqual({ action: 'deny' });
  });

  it('denies every permission', () => {
    expect(permissionDecision()).toBe(false);
  });

  it('lets the renderer reach only the app scheme, its own blobs, data: and DevTools', () => {
    expect(isRequestAllowed(`${APP_ORIGIN}/assets/app.css`)).toBe(true);
    expect(isRequestAllowed(`blob:${APP_ORIGIN}/6c1f`)).toBe(true);
    expect(isRequestAllowed('data:image/png;base64,AAAA')).toBe(true);
    expect(isRequestAllowed('devtools://devtools/bundled/inspector.html')).toBe(true);
    for (const url of ['https://cdn.example.com/x.js', 'http://127.0.0.1:8080/v1', 'wss://example.com/', 'file:///etc/passwd', 'blob:https://example.com/1', 'ftp://x/']) {
      expect(isRequestAllowed(url), url).toBe(false);
    }
  });
});

describe('isTrustedSender', () => {
  const mainFrame: FrameLike = { url: APP_ENTRY_URL, parent: null, processId: 4, routingId: 1 };
  const ours = new Set([7]);
  const event = (senderFrame: FrameLike | null, id = 7, main: FrameLike = mainFrame): IpcEventLike => ({ sender: { id, mainFrame: main }, senderFrame });

  it('trusts the main frame of our window on the app origin', () => {
    expect(isTrustedSender(event(mainFrame), ours)).toBe(true);
  });

  it('refuses a window we did not create', () => {
    expect(isTrustedSender(event(mainFrame, 8), ours)).toBe(false);
  });

  it('refuses a subframe, even on the app origin', () => {
    const sub: FrameLike = { url: APP_ENTRY_URL, parent: mainFrame, processId: 4, routingId: 2 };
    expect(isTrustedSender(event(sub), ours)).toBe(false);
  });

  it('refuses a frame that is not the window’s main frame', () => {
    const other: FrameLike = { url: APP_ENTRY_URL, parent: null, processId: 5, routingId: 1 };
    expect(isTrustedSender(event(other), ours)).toBe(false);
  });

  it('refuses a page on another origin and a destroyed frame', () => {
    const away: FrameLike = { ...mainFrame, url: 'https://example.com/' };
    expect(isTrustedSender(event(away, 7, away), ours)).toBe(false);
    expect(isTrustedSender(event(null), ours)).toBe(false);
  });
});

describe('hardenWebContents', () => {
  function fakeContents() {
    const contents = new EventEmitter() as EventEmitter & { openHandler?: (details: { url: string }) => unknown; setWindowOpenHandler(h: (details: { url: string }) => unknown): void };
    contents.setWindowOpenHandler = (handler) => (contents.openHandler = handler);
    hardenWebContents(contents as never);
    return contents;
  }
  const navigate = (contents: EventEmitter, name: string, url: string) => {
    const event = { preventDefault: vi.fn(), url };
    contents.emit(name, event, url);
    return event.preventDefault.mock.calls.length > 0;
  };

  it('cancels navigation and redirects away from the app, and allows them within it', () => {
    const contents = fakeContents();
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      expect(navigate(contents, name, 'https://example.com/'), name).toBe(true);
      expect(navigate(contents, name, `${APP_ORIGIN}/index.html`), name).toBe(false);
    }
  });

  it('denies every window.open, in-app or external, and every <webview>', () => {
    const contents = fakeContents();
    expect(contents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: APP_ENTRY_URL })).toEqual({ action: 'deny' });
    expect(navigate(contents, 'will-attach-webview', APP_ENTRY_URL)).toBe(true);
  });
});

describe('hardenSession', () => {
  it('denies permission requests and checks, devices, and cancels remote requests', () => {
    const handlers: Record<string, (...args: never[]) => unknown> = {};
    const session = {
      setPermissionRequestHandler: (h: never) => (handlers.request = h),
      setPermissionCheckHandler: (h: never) => (handlers.check = h),
      setDevicePermissionHandler: (h: never) => (handlers.device = h),
      webRequest: { onBeforeRequest: (h: never) => (handlers.beforeRequest = h) },
    };
    hardenSession(session as never);

    const granted = vi.fn();
    (handlers.request as (c: unknown, p: string, cb: (g: boolean) => void) => void)({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect((handlers.check as (...a: unknown[]) => boolean)({}, 'notifications', APP_ORIGIN)).toBe(false);
    expect((handlers.device as (...a: unknown[]) => boolean)({ deviceType: 'usb' })).toBe(false);

    const decide = (url: string) => {
      const callback = vi.fn();
      (handlers.beforeRequest as (d: { url: string }, cb: (r: { cancel: boolean }) => void) => void)({ url }, callback);
      return callback.mock.calls[0]?.[0];
    };
    expect(decide('https://example.com/track.gif')).toEqual({ cancel: true });
    expect(decide(`${APP_ORIGIN}/assets/index.js`)).toEqual({ cancel: false });
  });
});
