import type { Session, WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../common/csp.js';
import { isAppUrl } from './app-origin.js';

/**
 * The Electron side of the hardening checklist. The decisions are pure functions over small
 * structural types (unit-tested without Electron); `hardenWebContents` / `hardenSession` only
 * attach them to the real objects.
 */

/** One policy for the Electron protocol and the web host: nothing remote, no eval, no inline script. */
export const CSP = CONTENT_SECURITY_POLICY;

/** The renderer never leaves the app: any navigation or redirect elsewhere is cancelled. */
export function isNavigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/**
 * The app has one window and never opens another, and it never hands a URL to the OS browser:
 * a clinic workstation must not send a byte off the machine on a stray click.
 */
export function windowOpenDecision(): { action: 'deny' } {
  return { action: 'deny' };
}

/** Camera, microphone, notifications, geolocation, clipboard-read …: the UI needs none of them. */
export function permissionDecision(): false {
  return false;
}

/**
 * Requests the renderer's network stack may make: the app's own scheme, blobs it made itself
 * (a record saved as a file), inline data: images and DevTools. http(s), ws(s), file: and
 * everything else are cancelled.
 */
export function isRequestAllowed(url: string): boolean {
  if (isAppUrl(url)) return true;
  if (url.startsWith('blob:')) return isAppUrl(url.slice('blob:'.length));
  return /^(data|devtools):/i.test(url);
}

export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
  readonly processId: number;
  readonly routingId: number;
}

export interface IpcEventLike {
  readonly sender: { readonly id: number; readonly mainFrame: FrameLike };
  readonly senderFrame: FrameLike | null;
}

/**
 * An IPC message is trusted only from the main frame of a window we created, showing the app's
 * own origin. A subframe, a navigated-away page or a stranger's webContents gets nothing.
 */
export function isTrustedSender(event: IpcEventLike, ourWebContents: { has(id: number): boolean }): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  const main = event.sender.mainFrame;
  if (frame.processId !== main.processId || frame.routingId !== main.routingId) return false;
  return ourWebContents.has(event.sender.id) && isAppUrl(frame.url);
}

/** Navigation, redirects, pop-ups and <webview> for every webContents the app ever creates. */
export function hardenWebContents(contents: WebContents): void {
  const refuse = (event: { preventDefault(): void }, url: string) => {
    if (!isNavigationAllowed(url)) event.preventDefault();
  };
  contents.on('will-navigate', refuse);
  contents.on('will-frame-navigate', (event) => refuse(event, event.url));
  contents.on('will-redirect', refuse);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(windowOpenDecision);
}

/** Permissions and outbound requests for a session (the default one holds the app). */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(permissionDecision()));
  session.setPermissionCheckHandler(permissionDecision);
  session.setDevicePermissionHandler(permissionDecision);
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isRequestAllowed(details.url) }));
}
