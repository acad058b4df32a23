import { XinglinError, type KbCsvMapping, type KbEntityType } from '../../../../contract/index.js';
import { excerpt, FACT_FIELDS } from '../../entry-schema.js';
import { LineError, toRecord, type FormatParser } from './parser.js';

/** Fields read as one string; the rest are lists. */
const SCALARS = new Set(['type', 'name', 'class', 'category', 'controlled', 'allergyClass']);
/** List cells split on these; 、 is kept inside interactions and special populations, whose items are sentences. */
const LIST_SPLIT = /[；;、\n]/u;
const SENTENCE_SPLIT = /[；;\n]/u;
const TYPE_WORDS: Record<string, KbEntityType> = { drug: 'drug', disease: 'disease', 药品: 'drug', 药物: 'drug', 疾病: 'disease' };

const NAME_FIELDS: Record<KbEntityType, string[]> = { drug: ['type', 'name', 'aliases', 'brands'], disease: ['type', 'name', 'aliases'] };

/** Refuses a mapping naming a field no entity has, before a byte of the file is read. */
function checkMapping(mapping: KbCsvMapping): void {
  const types: KbEntityType[] = mapping.type ? [mapping.type] : ['drug', 'disease'];
  const known = new Set(types.flatMap((t) => [...NAME_FIELDS[t], ...FACT_FIELDS[t]]));
  for (const [column, field] of Object.entries(mapping.columns)) {
    if (!known.has(field)) throw new XinglinError('IMPORT_INVALID', `列映射有误：列“${column}”映射到未知字段“${field}”（可用：${[...known].join('、')}）`, { column, field });
  }
  if (!Object.values(mapping.columns).includes('name')) throw new XinglinError('IMPORT_INVALID', '列映射有误：没有列映射到 name（名称）', { field: 'name' });
  if (!mapping.type && !Object.values(mapping.columns).includes('type')) {
    throw new XinglinError('IMPORT_INVALID', '列映射有误：请给出 "type"（drug 或 disease），或把一列映射到 type', { field: 'type' });
  }
}

/**
 * RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks), the first record being
 * the header; each row becomes an entity through the column → field mapping.
 */
export function csvParser(mapping: KbCsvMapping): FormatParser {
  checkMapping(mapping);
  let header: string[] | null = null;
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let startLine = 0;

  const row = (line: number, cells: string[]) => {
    if (!header) {
      header = cells.map((c) => c.trim());
      const missing = Object.keys(mapping.columns).filter((c) => !header!.includes(c));
      // Without its columns no row can be read: the file is not the table the mapping describes.
      if (missing.length) throw new LineError(line, `表头中没有映射里的列：${missing.join('、')}`, 'fatal');
      const seen = new Set<string>();
      for (const c of header) {
        if (seen.has(c) && Object.hasOwn(mapping.columns, c)) throw new LineError(line, `表头中的列“${c}”重复`);
        seen.add(c);
      }
      return null;
    }
    if (cells.every((c) => !c.trim())) return null;
    if (cells.length !== header.length) throw new LineError(line, `有 ${cells.length} 列，表头有 ${header.length} 列`, 'unparsed');
    return { line, record: toRecord(line, entityOf(line, header, cells, mapping)) };
  };

  return {
    push(line, text) {
      if (!quoted) {
        startLine = line;
        fields = [];
        field = '';
      }
      for (let i = 0; i < text.length; i++) {
        const c = text[i]!;
        if (quoted) {
          if (c !== '"') {
            field += c;
          } else if (text[i + 1] === '"') {
            field += '"';
            i += 1;
          } else {
            quoted = false;
          }
        } else if (c === '"' && field.trim() === '') {
          quoted = true;
          field = '';
        } else if (c === '"') {
          throw new LineError(line, '引号位置有误：含引号的单元格须整体用引号括起，引号写作 ""', 'unparsed');
        } else if (c === ',') {
          fields.push(field);
          field = '';
        } else {
          field += c;
        }
      }
      if (quoted) {
        field += '\n';
        return null;
      }
      fields.push(field);
      return row(startLine, fields);
    },
    end() {
      if (quoted) throw new LineError(startLine, '引号没有闭合：从这一行开始的单元格直到文件末尾都没有结束引号', 'unparsed');
      return null;
    },
  };
}

function entityOf(line: number, header: string[], cells: string[], mapping: KbCsvMapping): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (mapping.type) out.type = mapping.type;
  header.forEach((column, i) => {
    const target = mapping.columns[column];
    const cell = cells[i]!.trim();
    if (!target || !cell) return;
    if (target === 'type') {
      const type = TYPE_WORDS[cell.toLowerCase()];
      if (!type) throw new LineError(line, `列“${column}”的类型“${excerpt(cell)}”无效（应为 drug/disease 或 药品/疾病）`);
      out.type = type;
    } else if (SCALARS.has(target)) {
      out[target] = cell;
    } else if (target === 'interactions') {
      out.interactions = [...((out.interactions as unknown[]) ?? []), ...pairs(line, column, cell).map(([w, effect]) => ({ with: w, effect }))];
    } else if (target === 'specialPopulations') {
      out.specialPopulations = { ...((out.specialPopulations as object) ?? {}), ...Object.fromEntries(pairs(line, column, cell)) };
    } else {
      out[target] = [...((out[target] as string[]) ?? []), ...cell.split(LIST_SPLIT).map((s) => s.trim()).filter(Boolean)];
    }
  });
  return out;
}

/** "华法林：出血风险增加；阿司匹林：…" → [[华法林, 出血风险增加], …]. */
function pairs(line: number, column: string, cell: string): Array<[string, string]> {
  return cell.split(SENTENCE_SPLIT).map((s) => s.trim()).filter(Boolean).map((item) => {
    const at = item.search(/[：:]/u);
    if (at <= 0 || at === item.length - 1) throw new LineError(line, `列“${column}”的“${excerpt(item)}”应写作“名称：说明”`);
    return [item.slice(0, at).trim(), item.slice(at + 1).trim()];
  });
}
