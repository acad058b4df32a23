/**
 * Our main window as the IPC tests of the main process need it, under the electron STAND-IN (the
 * test mocks `electron` with it): trusted, at the app's entry, and the IPC events its main frame, a
 * stranger (another webContents id) or another frame would send.
 */
import { APP_ENTRY_URL } from '../../src-main/hosts/electron/app-origin.js';
import { TrustedWindows } from '../../src-main/hosts/electron/window.js';
import { BrowserWindow, standin } from './electron-standin.js';

export function trustedWindow() {
  standin.reset();
  const trusted = new TrustedWindows();
  const window = new BrowserWindow({});
  void window.loadURL(APP_ENTRY_URL);
  trusted.add(window as never);
  const contents = window.webContents;
  const from = (id = contents.id, frame = contents.mainFrame) => ({ sender: { id, mainFrame: frame }, senderFrame: frame });
  return { trusted, window, from };
}
