/**
 * Entry of the model process: an Electron utilityProcess (messages on `process.parentPort`) or a
 * Node child process (`process.send`). It serves the app that started it and ends with it.
 */
import type { FromRuntime, ToRuntime } from './protocol.js';
import { serveRuntime } from './serve.js';

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: ToRuntime }) => void): void;
}

const parentPort = (process as { parentPort?: ElectronParentPort }).parentPort;
if (parentPort) {
  serveRuntime({ send: (message) => parentPort.postMessage(message), onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)) });
} else if (process.send) {
  const send = process.send.bind(process);
  serveRuntime({ send: (message: FromRuntime) => void send(message), onMessage: (listener) => process.on('message', (message) => listener(message as ToRuntime)) });
  // The app is gone (even killed): a model process must not outlive it holding gigabytes.
  process.on('disconnect', () => process.exit(0));
} else {
  console.error('模型进程只能由杏林启动。');
  process.exit(2);
}
