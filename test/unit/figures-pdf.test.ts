import assert from 'node:assert/strict';
import { deflateSync, inflateSync } from 'node:zlib';
import { usvgToContent, usvgToPdf } from '../../core/figures/usvg-pdf.js';

const doc = (body: string, size = 'width="100" height="50" viewBox="0 0 100 50"'): string =>
  `<svg ${size} xmlns="http://www.w3.org/2000/svg">\n    <defs/>\n${body}\n</svg>\n`;

describe('figures/usvg-pdf', () => {
  it('turns usvg paths, groups and paint into PDF operators', () => {
    const { width, height, content } = usvgToContent(
      doc(`<g transform="matrix(0 -1 1 0 20 90)"><path fill="#ff0000" stroke="none" d="M 0 0 L 3 0 Q 6 0 6 3 Z"/></g>
<path fill="none" stroke="#000000" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round" stroke-dasharray="6 4" d="M 1 1 L 2 2 3 3"/>
<path fill="#00ff00" stroke="#0000ff" fill-rule="evenodd" d="M 0 0 C 1 1 2 2 3 3 Z"/>`),
    );
    assert.equal(width, 100);
    assert.equal(height, 50);
    const ops = content.split('\n');
    assert.deepEqual(ops.slice(0, 9), ['q', '0 -1 1 0 20 90 cm', 'q', '1 0 0 rg', '0 0 m', '3 0 l', '5 0 6 1 6 3 c', 'h', 'f']);
    assert.ok(content.includes('1.5 w\n1 J\n1 j\n4 M\n[6 4] 0 d\n1 1 m\n2 2 l\n3 3 l\nS'), content);
    assert.ok(content.includes('0 1 0 rg\n0 0 1 RG') && content.includes('\nB*\nQ'), 'fill + stroke, even-odd');
  });

  it('rejects what it cannot draw faithfully', () => {
    assert.throws(() => usvgToContent(doc('<image href="x.png"/>')), /unsupported element/);
    assert.throws(() => usvgToContent(doc('<path fill="#000000" opacity="0.5" d="M 0 0 L 1 1"/>')), /opaque/);
    assert.throws(() => usvgToContent(doc('<path fill="url(#g)" d="M 0 0 L 1 1"/>')), /unsupported paint/);
    assert.throws(() => usvgToContent(doc('<path fill="#000000" d="M 0 0 A 1 1 0 0 0 2 2"/>')), /unsupported path command/);
    assert.throws(() => usvgToContent(doc('<g clip-path="url(#c)"><path d="M 0 0 L 1 1"/></g>')), /unsupported group attribute/);
    assert.throws(() => usvgToContent(doc('', 'width="10" height="10" viewBox="5 5 10 10"')), /viewBox/);
  });

  it('writes a deterministic, well-formed one-page PDF', () => {
    const svg = doc('<path fill="#000000" stroke="none" d="M 10 10 L 90 10 L 90 40 Z"/>');
    const a = usvgToPdf(svg, { scale: 0.75, title: 'Loss — β' });
    assert.deepEqual(a, usvgToPdf(svg, { scale: 0.75, title: 'Loss — β' }));
    const text = Buffer.from(a).toString('latin1');
    assert.ok(text.startsWith('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n'));
    assert.ok(text.includes('/MediaBox [0 0 75 37.5]'));
    assert.ok(text.includes('0.75 0 0 -0.75 0 37.5 cm\nq\n0 0 0 rg\n10 10 m\n90 10 l\n90 40 l\nh\nf\nQ\n'), 'uncompressed content, y flipped once');
    assert.ok(text.includes('/Title <FEFF004C006F0073007300202014002003B2>'), 'title as UTF-16BE');
    const id = /\/ID \[<([0-9A-F]{32})> <\1>\]/.exec(text);
    assert.ok(id, 'content-derived /ID');
    assert.notEqual(id[1], /\/ID \[<([0-9A-F]{32})>/.exec(Buffer.from(usvgToPdf(svg, { scale: 1 })).toString('latin1'))?.[1]);
  });

  it('stores the content stream with the given zlib compressor', () => {
    const svg = doc('<path fill="#000000" stroke="none" d="M 10 10 L 90 10 L 90 40 Z"/>');
    // node:zlib stands in for the pure-JS compressor the figures use; any RFC 1950 stream works.
    const pdf = Buffer.from(usvgToPdf(svg, { scale: 0.75, deflate: (data) => new Uint8Array(deflateSync(data)) }));
    const text = pdf.toString('latin1');
    const m = /\/Length (\d+) \/Filter \/FlateDecode >>\nstream\n/.exec(text);
    assert.ok(m?.[1] !== undefined);
    const start = m.index + m[0].length;
    const body = pdf.subarray(start, start + Number(m[1]));
    assert.ok(inflateSync(body).toString('latin1').startsWith('0.75 0 0 -0.75 0 37.5 cm\n'));
    assert.equal(pdf.subarray(start + Number(m[1]), start + Number(m[1]) + 11).toString('latin1'), '\nendstream\n');
  });
});
