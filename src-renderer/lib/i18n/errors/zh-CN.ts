import type { ErrorCode } from '$contract';

/** Errors: the generic line and one line per error code, in Simplified Chinese (the reference key set). */
export const messages = {
  'error.generic': '发生错误',
} as const satisfies Record<string, string>;

declare module '../catalog.js' {
  interface Catalog {
    errors: typeof messages;
  }
}

/** Used only when the server's Chinese message is missing (so it may lag behind new codes). */
export const codes: Partial<Record<ErrorCode, string>> = {
  INVALID_INPUT: '输入不符合要求',
  UNKNOWN_METHOD: '未知的操作',
  UNAUTHORIZED: '访问凭据无效',
  NOT_FOUND: '未找到',
  BUSY: '正忙，请稍后再试',
  NO_MODEL: '尚未载入模型',
  MODEL_NOT_FOUND: '找不到模型文件',
  MODEL_NOT_GGUF: '不是 GGUF 模型文件',
  MODEL_TRUNCATED: '模型文件不完整',
  MODEL_UNSUPPORTED: '不支持的模型',
  MODEL_LOAD_FAILED: '模型载入失败',
  MODEL_CORRUPT: '模型文件已损坏',
  RUNTIME_CRASHED: '模型进程意外退出，应用仍在运行；请重新加载模型',
  MODEL_TOO_LARGE: '模型过大，本机内存或显存不足以载入',
  MODEL_DUPLICATE: '模型文件已在模型库中（内容或文件名相同）',
  MODEL_IN_USE: '文件正在使用中：请先卸载模型或修改引用它的配置',
  REMOTE_UNAVAILABLE: '无法连接远程模型服务器，或服务器未及时响应',
  REMOTE_FAILED: '远程模型服务器返回错误，或返回的数据格式无法识别',
  ADAPTER_NOT_FOUND: '找不到适配器文件',
  ADAPTER_MISMATCH: '适配器与模型不匹配',
  PROMPT_TOO_LONG: '问题过长',
  GENERATION_FAILED: '生成失败',
  IMPORT_INVALID: '导入的文件内容无效',
  CANCELLED: '已取消',
  DATABASE_NEWER: '数据由更新版本的杏林写入，请升级杏林',
  DATABASE_CORRUPT: '数据库文件已损坏',
  DATABASE_UNAVAILABLE: '无法打开数据库文件',
  MIGRATION_FAILED: '数据库升级失败，已回滚',
  STARTER_INVALID: '入门知识库文件已损坏，请重新安装',
  FOLDER_UNUSABLE: '文件夹无法使用',
  FILE_TOO_LARGE: '文件过大',
  RECORD_CONFLICT: '病历已在另一个窗口保存，未覆盖任何内容',
  RECORD_SIGNED: '病历已签名，不能修改；更正请写补充记录',
  DIALOGUE_INVALID: '无法识别为问诊对话',
  BACKUP_INVALID: '备份文件不是杏林的、格式未知，或已被截断或改动，未做任何恢复',
  ENCRYPTION_KEY_MISSING: '数据已加密，但没有提供数据库密钥（系统钥匙串、XINGLIN_DB_KEY_FILE 或 XINGLIN_DB_KEY）',
  ENCRYPTION_KEY_WRONG: '数据库密钥不是加密这份数据（或备份）所用的那把，未打开也未改动任何数据',
  ENCRYPTION_NOT_ENABLED: '提供了数据库密钥，但这个数据文件夹尚未加密：请先运行 xinglin encrypt（会先做备份）',
  EVAL_SET_IN_USE: '评测集仍有评测记录在使用，请先删除这些评测',
  INTERNAL: '内部错误',
};
