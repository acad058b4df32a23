import type { messages as zh } from './zh-CN.js';

/** The shell: app name, pane tabs, status bar, language switch, dialogs, the locked page, in English: exactly the keys of zh-CN.ts (the type says so). */
export const messages: { readonly [K in keyof typeof zh]: string } = {
  'app.name': 'Xinglin',
  'app.tagline': 'Offline clinical assistant',
  'app.offline': 'All data stays on this computer',

  'status.noModel': 'No model loaded',
  'status.loading': 'Loading model…',
  'status.modelError': 'Model failed to load',
  'status.modelCrashed': 'The model process quit unexpectedly',
  'status.reload': 'Reload',
  'status.reloadAria': 'Reload the model {model}',
  'status.modelLabel': 'Model status: {value}',
  'status.noAdapters': 'No adapters',
  'status.adapters': 'Adapters',
  'status.cpu': 'CPU',
  'status.gpu': 'GPU ({backend})',
  'status.threads': '{count} threads',
  'status.lastSpeed': 'Last {value} tok/s',
  'status.noSpeed': 'No speed yet',
  'status.models': 'Models',
  'status.modelsAria': 'Open the Models panel',
  'status.knowledgeMode': 'Knowledge mode',

  'jobs.label': 'Background work',
  'jobs.kind.import': 'Knowledge import',
  'jobs.kind.load': 'Model load',
  'jobs.progressAria': 'Progress of {kind}: {subject}',
  'jobs.cancel': 'Cancel',
  'jobs.cancelAria.import': 'Cancel importing {subject} into the knowledge base',
  'jobs.cancelAria.load': 'Cancel loading the model {subject}',
  'jobs.cancelling': 'Cancelling…',
  'jobs.done': 'Done',
  'jobs.cancelled': 'Cancelled',
  'jobs.failed': 'Failed',
  'jobs.dismissAria': 'Dismiss: {kind}: {subject}',
  'jobs.cancelFailed': 'Could not cancel: {message}',
  'jobs.dismissError': 'Dismiss this message',

  'language.switch': '中文',
  'language.aria': '切换为中文（Switch to Chinese）',

  'nav.label': 'View',
  'nav.chat': 'Sessions',
  'nav.knowledge': 'Knowledge',

  'list.separator': ', ',

  'dialog.cancel': 'Cancel',
  'dialog.confirm': 'OK',

  'locked.title': 'Open Xinglin with its access link',
  'locked.missing': 'In browser mode Xinglin answers only a link that carries its access token, so that other web pages and programs on this computer cannot read your sessions. This page was opened without the token, so it shows nothing.',
  'locked.rejected': 'The access token this page carries is no longer valid (Xinglin makes a new one each time it starts), so it shows nothing.',
  'locked.todo': 'What to do:',
  'locked.step1': 'Find the terminal window running xinglin serve. At start-up Xinglin printed a line like this there:',
  'locked.example': '杏林 浏览器模式已启动 / Xinglin browser mode: http://127.0.0.1:PORT/#token=…',
  'locked.step2': 'Copy the whole address from that line (including #token= and everything after it) and open it in the browser.',
  'locked.step3': 'If you cannot find the line, or Xinglin has been restarted since, run xinglin serve again and use the address it prints.',
  'locked.note': 'Once opened with the link, reloading this tab keeps working; a new tab needs the link again.',
};
