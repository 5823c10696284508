import { mkdirSync, writeFileSync, mkdtempSync, unlinkSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addDataset } from '../../src/lib/datasets/add-dataset.js';
import { checkDatasets } from '../../src/lib/datasets/check-datasets.js';
const root = mkdtempSync('/tmp/proto/demo-');
mkdirSync(join(root, 'data/sub'), { recursive: true });
for (let i = 0; i < 30; i++) writeFileSync(join(root, `data/sub/f${i}.csv`), `row ${i}\n`);
const { notePath } = await addDataset(root, { path: 'data', name: 'demo', url: 'https://example.org/d.tgz', license: 'CC-BY-4.0', splitLogic: 'Files 0-19 train, 20-29 test.' });
console.log(readFileSync(notePath, 'utf8'));
writeFileSync(join(root, 'data/sub/f1.csv'), 'changed\n');
unlinkSync(join(root, 'data/sub/f2.csv'));
for (let i = 0; i < 8; i++) writeFileSync(join(root, `data/new${i}.csv`), 'x');
try { await checkDatasets(root, ['demo']); } catch (e) { console.log(String((e as Error).message)); }
try { await checkDatasets(root, ['demo', 'nope']); } catch (e) { console.log(String((e as Error).message)); }
try { await addDataset(root, { path: 'data', name: 'x', url: 'not a url', license: '' }); } catch (e) { console.log(String((e as Error).message)); }
writeFileSync(join(root, 'knowledge_base/data/datasets.json'), readFileSync(join(root, 'knowledge_base/data/datasets.json'), 'utf8').replace('"bytes"', '"bytez"'));
try { await checkDatasets(root, ['demo']); } catch (e) { console.log(String((e as Error).message)); }
console.log(readFileSync(join(root, 'knowledge_base/data/datasets.json'), 'utf8').slice(0, 600));
