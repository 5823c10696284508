// A one-page vector PDF from the normalized SVG that resvg's `usvg` writes (`new Resvg(svg).toString()`):
// by then text is already converted to glyph outlines (from the same font file the PNG is
// rasterized with), shapes are plain absolute paths (M/L/Q/C/Z) and transforms are matrices.
// So the PDF needs no font embedding and looks like the PNG. Only the subset of usvg's output
// that our figures produce is supported; anything else throws rather than drawing wrongly.
//
// Deterministic by construction: no dates, the document /ID is a hash of the content, numbers
// are printed with fixed rounding, and compression is left to the caller (a pure-JS deflate, so
// the bytes do not depend on the zlib build Node ships).

import { createHash } from 'node:crypto';

export interface UsvgPdfOptions {
  /** PDF points per SVG user unit (0.75 maps CSS px to pt). */
  scale: number;
  /** Document title (Info dictionary). */
  title?: string;
  /** Producer string (Info dictionary). */
  producer?: string;
  /** zlib-format (RFC 1950) compressor for the content stream; omitted = uncompressed. */
  deflate?: (data: Uint8Array) => Uint8Array;
}

interface Tag {
  name: string;
  closing: boolean;
  selfClosing: boolean;
  attrs: Map<string, string>;
}

const TAG_RE = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"]*")*)\s*(\/?)>|<\?[^>]*\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g;
const ATTR_RE = /([\w:.-]+)\s*=\s*"([^"]*)"/g;

function* tags(xml: string): Generator<Tag> {
  for (const m of xml.matchAll(TAG_RE)) {
    const name = m[2];
    if (name === undefined) continue; // declaration, comment, doctype
    const attrs = new Map<string, string>();
    for (const a of (m[3] ?? '').matchAll(ATTR_RE)) attrs.set(a[1] ?? '', unescapeXml(a[2] ?? ''));
    yield { name, closing: m[1] === '/', selfClosing: m[4] === '/', attrs };
  }
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos);/g, (_m, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] ?? '');
}

/**
 * PDF number with at most `decimals` decimals (2 for coordinates: 0.01 user unit is 0.0075 pt),
 * no exponent, no -0.
 */
function num(n: number, decimals = 2): string {
  if (!Number.isFinite(n)) throw new Error(`non-finite number in PDF output: ${n}`);
  const scale = 10 ** decimals;
  const r = Math.round(n * scale) / scale;
  return r === 0 ? '0' : String(r);
}
const num4 = (n: number): string => num(n, 4);

function parseColor(value: string): [number, number, number] | null {
  if (value === 'none') return null;
  const m = /^#([0-9a-fA-F]{6})$/.exec(value);
  if (!m || m[1] === undefined) throw new Error(`unsupported paint in usvg output: ${value}`);
  const hex = m[1];
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
}

function parseMatrix(value: string): string {
  const m = /^matrix\(([^)]*)\)$/.exec(value.trim());
  const parts = m?.[1]?.trim().split(/[\s,]+/).map(Number) ?? [];
  if (parts.length !== 6 || parts.some((p) => !Number.isFinite(p))) throw new Error(`unsupported transform in usvg output: ${value}`);
  return `${parts.map(num4).join(' ')} cm`;
}

const PATH_TOKEN_RE = /[MLQCZmlqczHVhvSsTtAa]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g;
const ARITY: Record<string, number> = { M: 2, L: 2, Q: 4, C: 6, Z: 0 };

/** SVG path data (absolute M/L/Q/C/Z, as usvg writes it) → PDF path construction operators. */
function pathOps(d: string): string {
  const tokens = d.match(PATH_TOKEN_RE) ?? [];
  const out: string[] = [];
  let cmd = '';
  let i = 0;
  let cx = 0;
  let cy = 0;
  let sx = 0;
  let sy = 0;
  const next = (): number => {
    const t = tokens[i++];
    const v = t === undefined ? Number.NaN : Number(t);
    if (!Number.isFinite(v)) throw new Error(`malformed path data in usvg output near token ${i}`);
    return v;
  };
  while (i < tokens.length) {
    const t = tokens[i] ?? '';
    if (/^[A-Za-z]$/.test(t)) {
      if (!(t in ARITY)) throw new Error(`unsupported path command in usvg output: ${t}`);
      cmd = t;
      i++;
      if (cmd === 'Z') {
        out.push('h');
        cx = sx;
        cy = sy;
        continue;
      }
    } else if (cmd === '' || cmd === 'Z') {
      throw new Error('malformed path data in usvg output');
    }
    switch (cmd) {
      case 'M': {
        cx = sx = next();
        cy = sy = next();
        out.push(`${num(cx)} ${num(cy)} m`);
        cmd = 'L'; // further coordinate pairs are implicit line-tos
        break;
      }
      case 'L': {
        cx = next();
        cy = next();
        out.push(`${num(cx)} ${num(cy)} l`);
        break;
      }
      case 'Q': {
        // Quadratic → cubic: control points at 2/3 of the way to the quadratic control point.
        const qx = next();
        const qy = next();
        const x = next();
        const y = next();
        const c1x = cx + ((qx - cx) * 2) / 3;
        const c1y = cy + ((qy - cy) * 2) / 3;
        const c2x = x + ((qx - x) * 2) / 3;
        const c2y = y + ((qy - y) * 2) / 3;
        out.push(`${num(c1x)} ${num(c1y)} ${num(c2x)} ${num(c2y)} ${num(x)} ${num(y)} c`);
        cx = x;
        cy = y;
        break;
      }
      case 'C': {
        const v = [next(), next(), next(), next(), next(), next()];
        out.push(`${v.map(num).join(' ')} c`);
        cx = v[4] ?? cx;
        cy = v[5] ?? cy;
        break;
      }
      default:
        throw new Error(`unsupported path command in usvg output: ${cmd}`);
    }
  }
  return out.join('\n');
}

const LINECAP: Record<string, number> = { butt: 0, round: 1, square: 2 };
const LINEJOIN: Record<string, number> = { miter: 0, 'miter-clip': 0, round: 1, bevel: 2 };
const PATH_ATTRS = new Set([
  'd', 'fill', 'fill-rule', 'stroke', 'stroke-width', 'stroke-linecap', 'stroke-linejoin',
  'stroke-miterlimit', 'stroke-dasharray', 'stroke-dashoffset', 'transform', 'id',
  'fill-opacity', 'stroke-opacity', 'opacity', 'visibility', 'shape-rendering', 'paint-order',
]);
const GROUP_ATTRS = new Set(['transform', 'id', 'opacity']);

function requireOpaque(attrs: Map<string, string>, names: readonly string[]): void {
  for (const n of names) {
    const v = attrs.get(n);
    if (v !== undefined && Number(v) !== 1) throw new Error(`unsupported ${n}="${v}" in usvg output (only opaque drawing is supported)`);
  }
}

function pathDrawing(attrs: Map<string, string>): string {
  for (const name of attrs.keys()) if (!PATH_ATTRS.has(name)) throw new Error(`unsupported path attribute in usvg output: ${name}`);
  requireOpaque(attrs, ['fill-opacity', 'stroke-opacity', 'opacity']);
  if (attrs.get('visibility') === 'hidden' || attrs.get('visibility') === 'collapse') return '';
  if (attrs.has('paint-order') && attrs.get('paint-order') !== 'normal' && attrs.get('paint-order') !== 'fill') {
    throw new Error(`unsupported paint-order in usvg output: ${attrs.get('paint-order')}`);
  }
  const fill = parseColor(attrs.get('fill') ?? '#000000');
  const stroke = parseColor(attrs.get('stroke') ?? 'none');
  if (!fill && !stroke) return '';
  const ops: string[] = ['q'];
  const transform = attrs.get('transform');
  if (transform !== undefined) ops.push(parseMatrix(transform));
  if (fill) ops.push(`${fill.map(num4).join(' ')} rg`);
  if (stroke) {
    ops.push(`${stroke.map(num4).join(' ')} RG`);
    ops.push(`${num(Number(attrs.get('stroke-width') ?? '1'))} w`);
    ops.push(`${LINECAP[attrs.get('stroke-linecap') ?? 'butt'] ?? 0} J`);
    ops.push(`${LINEJOIN[attrs.get('stroke-linejoin') ?? 'miter'] ?? 0} j`);
    ops.push(`${num(Number(attrs.get('stroke-miterlimit') ?? '4'))} M`);
    const dash = attrs.get('stroke-dasharray');
    if (dash !== undefined && dash !== 'none') {
      const lengths = dash.trim().split(/[\s,]+/).map(Number);
      if (lengths.some((v) => !Number.isFinite(v) || v < 0)) throw new Error(`unsupported stroke-dasharray in usvg output: ${dash}`);
      ops.push(`[${lengths.map(num).join(' ')}] ${num(Number(attrs.get('stroke-dashoffset') ?? '0'))} d`);
    }
  }
  ops.push(pathOps(attrs.get('d') ?? ''));
  const evenOdd = attrs.get('fill-rule') === 'evenodd';
  ops.push(fill && stroke ? (evenOdd ? 'B*' : 'B') : fill ? (evenOdd ? 'f*' : 'f') : 'S');
  ops.push('Q');
  return ops.join('\n');
}

/** PDF content-stream operators drawing the usvg document, in its own user units (y down). */
export function usvgToContent(usvg: string): { width: number; height: number; content: string } {
  let width = Number.NaN;
  let height = Number.NaN;
  const ops: string[] = [];
  const open: string[] = [];
  for (const tag of tags(usvg)) {
    if (tag.closing) {
      const expected = open.pop();
      if (expected !== tag.name) throw new Error(`unbalanced usvg output: </${tag.name}>`);
      if (tag.name === 'g') ops.push('Q');
      continue;
    }
    switch (tag.name) {
      case 'svg': {
        const viewBox = tag.attrs.get('viewBox')?.trim().split(/[\s,]+/).map(Number);
        width = Number(tag.attrs.get('width'));
        height = Number(tag.attrs.get('height'));
        if (viewBox && (viewBox[0] !== 0 || viewBox[1] !== 0 || viewBox[2] !== width || viewBox[3] !== height)) {
          throw new Error('unsupported viewBox in usvg output (must equal 0 0 width height)');
        }
        break;
      }
      case 'defs':
        if (!tag.selfClosing) throw new Error('unsupported <defs> content in usvg output (gradients, clips, masks)');
        continue;
      case 'g': {
        for (const name of tag.attrs.keys()) if (!GROUP_ATTRS.has(name)) throw new Error(`unsupported group attribute in usvg output: ${name}`);
        requireOpaque(tag.attrs, ['opacity']);
        if (tag.selfClosing) continue;
        const transform = tag.attrs.get('transform');
        ops.push(transform === undefined ? 'q' : `q\n${parseMatrix(transform)}`);
        break;
      }
      case 'path':
        ops.push(pathDrawing(tag.attrs));
        break;
      default:
        throw new Error(`unsupported element in usvg output: <${tag.name}>`);
    }
    if (!tag.selfClosing) open.push(tag.name);
  }
  if (open.length !== 0) throw new Error('unbalanced usvg output: unclosed elements');
  if (!(width > 0 && height > 0)) throw new Error('usvg output has no width/height');
  return { width, height, content: ops.filter((o) => o !== '').join('\n') };
}

/** A PDF string in UTF-16BE hex form (works for any text, no escaping pitfalls). */
function pdfTextString(s: string): string {
  let hex = 'FEFF';
  for (let i = 0; i < s.length; i++) hex += s.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0');
  return `<${hex}>`;
}

/** One-page PDF 1.4 whose page shows the usvg document scaled by `options.scale`. */
export function usvgToPdf(usvg: string, options: UsvgPdfOptions): Uint8Array {
  const { width, height, content } = usvgToContent(usvg);
  const pageW = width * options.scale;
  const pageH = height * options.scale;
  // Flip to SVG's y-down user space once; everything else is in SVG units.
  const stream = new TextEncoder().encode(`${num4(options.scale)} 0 0 ${num4(-options.scale)} 0 ${num(pageH)} cm\n${content}\n`);
  const body = options.deflate ? options.deflate(stream) : stream;
  const filter = options.deflate ? ' /Filter /FlateDecode' : '';

  const info = [`/Producer ${pdfTextString(options.producer ?? 'generator-dl-lab')}`];
  if (options.title !== undefined) info.unshift(`/Title ${pdfTextString(options.title)}`);

  const chunks: Uint8Array[] = [];
  const offsets: number[] = [];
  let length = 0;
  const enc = new TextEncoder();
  const write = (part: string | Uint8Array): void => {
    const bytes = typeof part === 'string' ? enc.encode(part) : part;
    chunks.push(bytes);
    length += bytes.length;
  };
  const object = (n: number, dict: string, streamBytes?: Uint8Array): void => {
    offsets[n] = length;
    write(`${n} 0 obj\n${dict}\n`);
    if (streamBytes) {
      write('stream\n');
      write(streamBytes);
      write('\nendstream\n');
    }
    write('endobj\n');
  };

  // Header, then a comment of bytes >= 128 that marks the file as binary for transfer tools.
  write(new Uint8Array([...enc.encode('%PDF-1.4\n%'), 0xe2, 0xe3, 0xcf, 0xd3, 0x0a]));
  object(1, '<< /Type /Catalog /Pages 2 0 R >>');
  object(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  object(3, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${num(pageW)} ${num(pageH)}] /Resources << >> /Contents 4 0 R >>`);
  object(4, `<< /Length ${body.length}${filter} >>`, body);
  object(5, `<< ${info.join(' ')} >>`);
  const xref = length;
  const id = createHash('md5').update(stream).update(info.join('\n')).digest('hex').toUpperCase();
  let table = `xref\n0 ${offsets.length}\n0000000000 65535 f \n`;
  for (let n = 1; n < offsets.length; n++) table += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
  write(table);
  write(`trailer\n<< /Size ${offsets.length} /Root 1 0 R /Info 5 0 R /ID [<${id}> <${id}>] >>\nstartxref\n${xref}\n%%EOF\n`);

  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
